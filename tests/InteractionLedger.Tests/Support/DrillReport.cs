using System.Collections.Concurrent;
using System.Text;

namespace InteractionLedger.Tests.Support;

/// <summary>
/// The figures the drills measure. When <c>LEDGER_DRILL_REPORT</c> names a file, the run writes them there as the
/// reliability report (docs/reliability.md); otherwise they only serve the drills' own assertions.
/// </summary>
public static class DrillReport
{
    public const string Variable = "LEDGER_DRILL_REPORT";
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<(string Figure, string Value)>> Figures = new();

    public static void Record(string drill, string figure, object value) =>
        Figures.GetOrAdd(drill, _ => new()).Enqueue((figure, value switch
        {
            double d => d.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture),
            TimeSpan t => $"{t.TotalSeconds.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)} s",
            _ => value.ToString() ?? "",
        }));

    public static async Task WriteIfAskedAsync()
    {
        if (Environment.GetEnvironmentVariable(Variable) is not { Length: > 0 } path || Figures.IsEmpty) return;
        var md = new StringBuilder("# Reliability drills\n\n");
        md.Append($"Run {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores, PostgreSQL 15, by:\n\n");
        md.Append("```sh\nLEDGER_DRILL_REPORT=$PWD/docs/reliability.md dotnet test -- --filter-namespace InteractionLedger.Tests.Drills\n```\n\n");
        md.Append("Each drill runs against a throwaway PostgreSQL cluster or database of its own, traffic on loopback only; the same\n");
        md.Append("drills run in CI as tests, whose assertions are the targets (nothing acknowledged lost, no duplicate, no 5xx).\n");
        foreach (var (drill, figures) in Figures.OrderBy(f => f.Key))
        {
            md.Append($"\n## {drill}\n\n| figure | value |\n|---|---|\n");
            foreach (var (figure, value) in figures) md.Append($"| {figure} | {value} |\n");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllTextAsync(path, md.ToString());
    }
}
