using System.Globalization;
using System.Text;

namespace InteractionLedger.Insights;

/// <summary>
/// The CSV form of the insights (RFC 4180, UTF-8, comma, invariant numbers and ISO 8601 times), for spreadsheets and
/// campaign tools. Asked for with <c>format=csv</c> or <c>Accept: text/csv</c>.
/// </summary>
public static class InsightsCsv
{
    public static bool Asked(HttpRequest request, string? format) =>
        string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase)
        || (format is null && request.Headers.Accept.Any(a => a?.Contains("text/csv", StringComparison.OrdinalIgnoreCase) == true));

    public static bool Unknown(string? format) =>
        format is not null && !string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase) && !string.Equals(format, "json", StringComparison.OrdinalIgnoreCase);

    public static IResult File(string name, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<object?>> rows, string? next = null,
        HttpRequest? request = null)
    {
        var text = new StringBuilder();
        text.AppendJoin(',', header.Select(Field)).Append("\r\n");
        foreach (var row in rows) text.AppendJoin(',', row.Select(Field)).Append("\r\n");
        // The next page of a list, as a link relation with the same filters: a CSV body has no place for it.
        if (next is not null && request is not null)
        {
            var query = QueryString.Create(request.Query.Where(q => q.Key != "cursor")
                .SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v)))
                .Append(new KeyValuePair<string, string?>("cursor", next)));
            request.HttpContext.Response.Headers.Append("Link", $"<{request.PathBase}{request.Path}{query}>; rel=\"next\"");
        }
        return Results.File(Encoding.UTF8.GetBytes(text.ToString()), "text/csv; charset=utf-8", name);
    }

    private static string Field(object? value)
    {
        var text = value switch
        {
            null => "",
            DateTimeOffset at => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            double d => d.ToString("0.####", CultureInfo.InvariantCulture),
            bool b => b ? "true" : "false",
            Enum e => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(e.ToString()),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
        // A text cell a spreadsheet would run as a formula is written as text (OWASP CSV injection).
        if (value is string && text.Length > 0 && "=+-@\t\r".Contains(text[0])) text = "'" + text;
        return text.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? $"\"{text.Replace("\"", "\"\"")}\"" : text;
    }
}
