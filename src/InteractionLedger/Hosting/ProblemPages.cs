using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using InteractionLedger.Access;

namespace InteractionLedger.Hosting;

/// <summary>
/// The pages problem <c>type</c>s point to (<c>/problems/&lt;name&gt;</c>, relative to the service): what each problem
/// means and what a client should do. Their text is docs/problems.md, embedded, so the file a developer reads in the
/// repository and the page a client follows are one text.
/// </summary>
public static partial class ProblemPages
{
    /// <param name="Name">The last segment of the type, e.g. <c>version-mismatch</c>.</param>
    public sealed record ProblemPage(string Name, string Status, string Meaning, string WhatToDo);

    public static IReadOnlyList<ProblemPage> All { get; } = Read();

    public static void MapProblemPages(this WebApplication app)
    {
        var pages = app.MapGroup("/problems").WithTags("Problems").AllowAnonymous().WithReachRule(ReachRule.NoCustomerData);
        pages.MapGet("/", () => Html("Problem types", string.Concat(All.Select(p =>
                $"<li><a href=\"/problems/{p.Name}\"><code>{p.Name}</code></a> ({Encode(p.Status)}): {Inline(p.Meaning)}</li>")), list: true))
            .WithName("ListProblemTypes").WithSummary("Every problem type the API answers with, and what it means.")
            .Produces<string>(contentType: "text/html");
        pages.MapGet("/{name}", (string name) => All.FirstOrDefault(p => p.Name == name) is { } page
                ? Html(page.Name, $"<p><strong>Status:</strong> {Encode(page.Status)}</p><h2>What it means</h2><p>{Inline(page.Meaning)}</p>" +
                                  $"<h2>What to do</h2><p>{Inline(page.WhatToDo)}</p><p><a href=\"/problems\">All problem types</a></p>")
                : Results.NotFound())
            .WithName("GetProblemType").WithSummary("What a problem type means and what the client should do.")
            .Produces<string>(contentType: "text/html");
    }

    private static IResult Html(string title, string body, bool list = false) => Results.Content(
        $"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{Encode(title)} — InteractionLedger</title></head>" +
        $"<body><h1>{Encode(title)}</h1>{(list ? $"<ul>{body}</ul>" : body)}</body></html>",
        "text/html; charset=utf-8");

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    /// <summary>The markdown the table cells use: <c>`code`</c> and <c>**strong**</c>, on encoded text.</summary>
    private static string Inline(string markdown) =>
        Strong().Replace(Code().Replace(Encode(markdown), "<code>$1</code>"), "<strong>$1</strong>");

    private static List<ProblemPage> Read()
    {
        using var stream = typeof(ProblemPages).Assembly.GetManifestResourceStream("problems.md")
                           ?? throw new InvalidOperationException("docs/problems.md is not embedded in the service.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd().Split('\n').Select(line => Row().Match(line)).Where(m => m.Success)
            .Select(m => new ProblemPage(m.Groups[1].Value, m.Groups[2].Value.Trim(), m.Groups[3].Value.Trim(), m.Groups[4].Value.Trim()))
            .ToList();
    }

    [GeneratedRegex(@"^\| `/problems/([a-z-]+)` \|([^|]+)\|([^|]+)\|([^|]+)\|\s*$")]
    private static partial Regex Row();

    [GeneratedRegex(@"`([^`]+)`")]
    private static partial Regex Code();

    [GeneratedRegex(@"\*\*([^*]+)\*\*")]
    private static partial Regex Strong();
}
