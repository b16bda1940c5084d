using System.Text.RegularExpressions;

namespace InteractionLedger.Hosting;

/// <summary>One request of a .http file, with the statuses its "# expect:" line accepts.</summary>
public sealed record HttpSample(string File, int Index, string Title, HttpMethod Method, string Url,
    IReadOnlyList<KeyValuePair<string, string>> Headers, string? Body, IReadOnlyList<int> ExpectedStatuses)
{
    public override string ToString() => $"{File} #{Index} {Title}";
}

/// <summary>
/// Reads the subset of the .http format (VS Code REST Client, JetBrains) the samples use: "@name = value"
/// variables, "###" separators, comments, a request line, headers, a blank line and a body. The samples in
/// http-samples/ are replayed against the service by the tests, and are the API document's examples: an example there
/// is one the service was seen to accept.
/// </summary>
public static partial class HttpSampleFile
{
    public static IReadOnlyList<HttpSample> Parse(string path) => Parse(Path.GetFileName(path), File.ReadAllLines(path));

    /// <summary>The samples embedded in the service (http-samples/*.http).</summary>
    public static IReadOnlyList<HttpSample> Embedded { get; } = typeof(HttpSampleFile).Assembly.GetManifestResourceNames()
        .Where(name => name.StartsWith("http-samples/", StringComparison.Ordinal)).Order()
        .SelectMany(name =>
        {
            using var reader = new StreamReader(typeof(HttpSampleFile).Assembly.GetManifestResourceStream(name)!);
            return Parse(name["http-samples/".Length..], reader.ReadToEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray());
        }).ToList();

    public static IReadOnlyList<HttpSample> Parse(string path, string[] lines)
    {
        var variables = lines.Select(l => Variable().Match(l)).Where(m => m.Success)
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Trim());
        string Expand(string text) => Reference().Replace(text, m =>
            variables.TryGetValue(m.Groups[1].Value, out var value) ? Expand(value)
                : throw new InvalidOperationException($"{Path.GetFileName(path)}: unknown variable {m.Value}"));

        var samples = new List<HttpSample>();
        var blocks = SplitBlocks(lines);
        foreach (var (title, block) in blocks)
        {
            var expected = block.Select(l => Expect().Match(l)).Where(m => m.Success)
                .SelectMany(m => m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)).ToList();
            var content = block.Where(l => !IsComment(l) && !Variable().IsMatch(l)).SkipWhile(string.IsNullOrWhiteSpace).ToList();
            if (content.Count == 0) continue;

            var requestLine = Expand(content[0]).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var headers = content.Skip(1).TakeWhile(l => !string.IsNullOrWhiteSpace(l))
                .Select(l => l.Split(':', 2)).Select(p => KeyValuePair.Create(p[0].Trim(), Expand(p[1].Trim()))).ToList();
            var body = string.Join('\n', content.Skip(1 + headers.Count).SkipWhile(string.IsNullOrWhiteSpace)).Trim();
            if (expected.Count == 0)
                throw new InvalidOperationException($"{Path.GetFileName(path)}: request '{content[0]}' has no '# expect:' line");

            samples.Add(new HttpSample(Path.GetFileName(path), samples.Count + 1, title, new HttpMethod(requestLine[0]),
                requestLine[1], headers, body.Length == 0 ? null : Expand(body), expected));
        }
        return samples;
    }

    private static List<(string Title, List<string> Lines)> SplitBlocks(string[] lines)
    {
        var blocks = new List<(string, List<string>)> { ("", []) };
        foreach (var line in lines)
        {
            if (line.StartsWith("###", StringComparison.Ordinal)) blocks.Add((line.TrimStart('#').Trim(), []));
            else blocks[^1].Item2.Add(line);
        }
        return blocks;
    }

    private static bool IsComment(string line) => line.TrimStart().StartsWith('#') || line.TrimStart().StartsWith("//", StringComparison.Ordinal);

    [GeneratedRegex(@"^@(\w+)\s*=\s*(.*)$")]
    private static partial Regex Variable();

    [GeneratedRegex(@"\{\{(\w+)\}\}")]
    private static partial Regex Reference();

    [GeneratedRegex(@"^#\s*expect:\s*([\d ]+)$")]
    private static partial Regex Expect();
}
