using System.Globalization;
using System.Text.RegularExpressions;
using InteractionLedger.WebConsole;

namespace InteractionLedger.Tests.WebConsole;

/// <summary>Every word the console writes has its French: a text added in English only fails here.</summary>
public sealed partial class ConsoleLanguageTests
{
    [Fact]
    public void every_text_and_every_listed_value_of_the_console_has_its_french()
    {
        var folder = Path.Combine(RepositoryRoot(), "src", "InteractionLedger", "WebConsole");
        var sources = Directory.GetFiles(folder, "*.cs*", SearchOption.AllDirectories).Where(f => !f.EndsWith("ConsoleFrench.cs")).Select(File.ReadAllText).ToList();
        var keys = sources.SelectMany(source => Indexed().Matches(source).Select(m => m.Groups[1].Value)
                .Concat(Counted().Matches(source).SelectMany(m => new[] { m.Groups[1].Value, m.Groups[2].Value })))
            .ToHashSet();
        keys.Count.ShouldBeGreaterThan(150);

        var english = new ConsoleText(Microsoft.Extensions.Options.Options.Create(new ConsoleOptions()));
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = new CultureInfo("en");
        try
        {
            foreach (var type in new[] { typeof(InteractionLedger.Interactions.Channel), typeof(InteractionLedger.Interactions.Direction), typeof(InteractionLedger.Interactions.ContactReason), typeof(InteractionLedger.Interactions.Outcome),
                         typeof(InteractionLedger.Privacy.Purpose), typeof(InteractionLedger.Privacy.LegalBasis), typeof(InteractionLedger.Consent.ConsentStatus), typeof(InteractionLedger.Privacy.AccessOutcome), typeof(InteractionLedger.Access.Role),
                         typeof(InteractionLedger.Identity.IdentifierKind), typeof(InteractionLedger.Identity.IdentifierStrength), typeof(InteractionLedger.Overview.RelationalIntensity), typeof(InteractionLedger.Privacy.DataPart),
                         typeof(InteractionLedger.Insights.Granularity), typeof(InteractionLedger.Insights.SignalKind), typeof(InteractionLedger.Insights.Recency), typeof(InteractionLedger.Insights.SuggestionBasis) })
                foreach (var value in Enum.GetValues(type))
                    keys.Add(type == typeof(InteractionLedger.Privacy.DataPart) ? english.Withheld((InteractionLedger.Privacy.DataPart)value) : Label(english, (Enum)value));
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
        keys.Where(k => !ConsoleFrench.Words.ContainsKey(k)).Order().ShouldBeEmpty("texts of the console without French (WebConsole/ConsoleFrench.cs)");
    }

    private static string Label(ConsoleText text, Enum value) =>
        (string)typeof(ConsoleText).GetMethod(nameof(ConsoleText.Label))!.MakeGenericMethod(value.GetType()).Invoke(text, [value])!;

    [GeneratedRegex("""(?:\bT|\bText|\btext)\["((?:[^"\\]|\\.)+)"\]""")]
    private static partial Regex Indexed();

    [GeneratedRegex("""Count\([^;]*?, "([^"]+)", "([^"]+)"\)""")]
    private static partial Regex Counted();

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "InteractionLedger.sln"))) directory = directory.Parent;
        return directory!.FullName;
    }
}
