using System.Globalization;

namespace InteractionLedger.Http;

/// <summary>
/// The stream version a client expects before its write, from <c>If-Match</c> (ETag <c>"7"</c>, weak or strong)
/// or from the body's <c>expectedVersion</c>. Reads return the version as an ETag, so a client can echo it back.
/// </summary>
public readonly record struct ExpectedVersion(long? Value, bool FromHeader)
{
    public static string ETagFor(long version) => $"\"{version.ToString(CultureInfo.InvariantCulture)}\"";

    /// <returns>false with an error added when the header is malformed or contradicts the body field.</returns>
    public static bool TryRead(HttpRequest request, long? bodyField, InputErrors errors, out ExpectedVersion expected)
    {
        expected = new ExpectedVersion(bodyField, FromHeader: false);
        if (bodyField is < 0) errors.Add("expectedVersion", "'expectedVersion' cannot be negative.");

        var header = request.Headers.IfMatch.ToString();
        if (string.IsNullOrEmpty(header)) return !errors.Any;

        var raw = header.Trim();
        if (raw.StartsWith("W/", StringComparison.Ordinal)) raw = raw[2..];
        raw = raw.Trim('"');
        if (!long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var fromHeader))
        {
            errors.Add("If-Match", "'If-Match' must be the ETag of a previous response, e.g. \"7\".");
            return false;
        }
        if (bodyField is { } body && body != fromHeader)
        {
            errors.Add("If-Match", $"'If-Match' ({fromHeader}) and 'expectedVersion' ({body}) disagree.");
            return false;
        }

        expected = new ExpectedVersion(fromHeader, FromHeader: true);
        return !errors.Any;
    }
}
