using System.Globalization;
using System.Text.RegularExpressions;
using InteractionLedger.Hosting;
using InteractionLedger.Interactions;
using InteractionLedger.Privacy;
using Microsoft.Extensions.Options;

namespace InteractionLedger.WebConsole;

/// <summary>
/// The console's words in English and French (the group's agents work in French), chosen per request from the
/// browser or the person's choice; dates in the group's time zone and numbers in the person's language.
/// </summary>
public sealed partial class ConsoleText(IOptions<ConsoleOptions> options)
{
    public TimeZoneInfo Zone { get; } = TimeZoneInfo.TryFindSystemTimeZoneById(options.Value.TimeZone, out var zone) ? zone : TimeZoneInfo.Utc;

    private static bool French => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "fr";

    /// <summary>The page's language, for <c>&lt;html lang&gt;</c>.</summary>
    public string Language => French ? "fr" : "en";

    /// <summary>The text in the person's language; English when no translation exists.</summary>
    public string this[string english] => French && ConsoleFrench.Words.TryGetValue(english, out var french) ? french : english;

    /// <summary>An enum member in words: "Social network", "Réseau social".</summary>
    public string Label<TEnum>(TEnum value) where TEnum : struct, Enum => this[Words(value.ToString())];

    /// <summary>A purpose as the access ledger stores it (its wire name).</summary>
    public string PurposeName(string wire) => ApiJson.TryParse<Purpose>(wire, out var purpose) ? Label(purpose) : wire;

    public string Withheld(DataPart part) => this[part switch
    {
        DataPart.OtherBrands => "History with other brands of the group hidden:",
        DataPart.FreeText => "What was said hidden:",
        DataPart.Ratings => "Ratings hidden:",
        DataPart.Profiling => "Profile figures hidden:",
        DataPart.Identity => "Identity hidden:",
        DataPart.AccessRecords => "Access records hidden:",
        _ => "Contact history hidden:",
    }];

    public string When(DateTimeOffset? at) => at is { } value
        ? TimeZoneInfo.ConvertTime(value, Zone).ToString("g", CultureInfo.CurrentCulture) : "—";

    public string Number(long value) => value.ToString("N0", CultureInfo.CurrentCulture);

    public string Number(double? value, string format) => value is { } number ? number.ToString(format, CultureInfo.CurrentCulture) : "—";

    /// <summary>"3 contacts", "1 contact", "3 contacts" in French too.</summary>
    public string Count(int? count, string singular, string plural) => count is { } n
        ? $"{Number(n)} {this[n == 1 || (French && n == 0) ? singular : plural]}" : $"— {this[plural]}";

    public string Duration(int seconds) => seconds < 60 ? $"{seconds} s"
        : seconds < 3600 ? $"{seconds / 60} min {seconds % 60:00} s" : $"{seconds / 3600} h {seconds % 3600 / 60:00} min";

    /// <summary>A short mark per channel, beside its name (the name carries the meaning for screen readers).</summary>
    public string Icon(Channel channel) => channel switch
    {
        Channel.Phone or Channel.ClickToCall => "☎",
        Channel.Email or Channel.PostalMail => "✉",
        Channel.Chat or Channel.Chatbot or Channel.Sms or Channel.SocialNetwork => "💬",
        Channel.Video => "▶",
        Channel.FaceToFace => "👤",
        _ => "⌨",
    };

    /// <summary>A day in the console's time zone, as the instant it starts.</summary>
    public static DateTimeOffset StartOf(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    private static string Words(string pascal)
    {
        var words = Boundary().Replace(pascal, " $1").Trim();
        return words.Length == 0 ? words : words[0] + words[1..].ToLowerInvariant();
    }

    [GeneratedRegex("([A-Z])")]
    private static partial Regex Boundary();
}
