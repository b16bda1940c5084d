using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Html;

namespace InteractionLedger.WebConsole;

/// <summary>One bar: its label, its value (a share from 0 to 1, or a count), and the published figure to read it against.</summary>
/// <param name="Value">Null when the figure is suppressed (too few customers) or unknown: the bar is drawn empty and says so.</param>
public sealed record Bar(string Label, double? Value, double? Reference = null);

/// <summary>One column of a stacked chart: its label and its parts, in the order of the legend.</summary>
public sealed record StackedColumn(string Label, IReadOnlyList<double?> Parts);

/// <summary>
/// Charts drawn on the server as SVG: no script, no library, nothing the content security policy has to allow. Colours
/// come from the console's stylesheet (classes), so they follow its contrast rules. Every chart is an image with a title
/// and a description, and the page shows the same figures in a table beside it for screen readers and for copying.
/// </summary>
public static class Charts
{
    private const int Width = 640;

    /// <summary>Horizontal bars of shares (0–1), each with the published figure marked, when there is one.</summary>
    public static IHtmlContent Shares(string id, string title, string description, IReadOnlyList<Bar> bars, string suppressed, string reference) =>
        Horizontal(id, title, description, bars, max: 1, format: v => v.ToString("P0", CultureInfo.CurrentCulture), suppressed, reference);

    /// <summary>Horizontal bars of counts.</summary>
    public static IHtmlContent Counts(string id, string title, string description, IReadOnlyList<Bar> bars, string suppressed) =>
        Horizontal(id, title, description, bars, max: Math.Max(1, bars.Count == 0 ? 0 : bars.Max(b => b.Value ?? 0)), format: v => v.ToString("N0", CultureInfo.CurrentCulture),
            suppressed, reference: null);

    private static IHtmlContent Horizontal(string id, string title, string description, IReadOnlyList<Bar> bars, double max, Func<double, string> format,
        string suppressed, string? reference)
    {
        const int label = 170, row = 28, top = 8, valueRoom = 90;
        var plot = Width - label - valueRoom;
        var height = top * 2 + row * bars.Count + (reference is null ? 0 : 22);
        var svg = Open(id, title, description, height);
        for (var i = 0; i < bars.Count; i++)
        {
            var (name, value, published) = bars[i];
            var y = top + i * row;
            svg.Append(Text(label - 8, y + 18, name, "label", anchor: "end"));
            svg.Append(Invariant($"<rect class=\"track\" x=\"{label}\" y=\"{y + 4}\" width=\"{plot}\" height=\"{row - 10}\"/>"));
            if (value is { } v)
            {
                svg.Append(Invariant($"<rect class=\"bar\" x=\"{label}\" y=\"{y + 4}\" width=\"{plot * Math.Clamp(v / max, 0, 1):F1}\" height=\"{row - 10}\"/>"));
                svg.Append(Text(label + plot + 8, y + 18, format(v), "value"));
            }
            else svg.Append(Text(label + plot + 8, y + 18, suppressed, "value muted"));
            if (published is { } p)
            {
                var x = label + plot * Math.Clamp(p / max, 0, 1);
                svg.Append(Invariant($"<line class=\"reference\" x1=\"{x:F1}\" x2=\"{x:F1}\" y1=\"{y + 1}\" y2=\"{y + row - 3}\"/>"));
            }
        }
        if (reference is not null)
        {
            var y = top + bars.Count * row + 6;
            svg.Append(Invariant($"<line class=\"reference\" x1=\"{label}\" x2=\"{label}\" y1=\"{y}\" y2=\"{y + 14}\"/>"));
            svg.Append(Text(label + 8, y + 12, reference, "legend"));
        }
        return Close(svg);
    }

    /// <summary>Columns of shares stacked to 100%, one per period, with a legend naming each part.</summary>
    public static IHtmlContent Stacked(string id, string title, string description, IReadOnlyList<string> legend, IReadOnlyList<StackedColumn> columns,
        string suppressed)
    {
        const int left = 40, top = 10, plotHeight = 200, legendRow = 20;
        var columnWidth = Math.Min(80, (Width - left - 10) / Math.Max(1, columns.Count));
        var height = top + plotHeight + 24 + legendRow * ((legend.Count + 3) / 4) + 8;
        var svg = Open(id, title, description, height);
        foreach (var tick in new[] { 0, 0.5, 1 })
        {
            var y = top + plotHeight * (1 - tick);
            svg.Append(Invariant($"<line class=\"grid\" x1=\"{left}\" x2=\"{Width - 10}\" y1=\"{y:F1}\" y2=\"{y:F1}\"/>"));
            svg.Append(Text(left - 4, y + 4, tick.ToString("P0", CultureInfo.CurrentCulture), "axis", anchor: "end"));
        }
        for (var c = 0; c < columns.Count; c++)
        {
            var x = left + c * columnWidth + 6;
            var bottom = (double)top + plotHeight;
            if (columns[c].Parts.All(p => p is null))
                svg.Append(Text(x + (columnWidth - 12) / 2.0, bottom - 6, suppressed, "axis muted", anchor: "middle"));
            for (var p = 0; p < columns[c].Parts.Count; p++)
            {
                if (columns[c].Parts[p] is not { } share || share <= 0) continue;
                var h = plotHeight * Math.Clamp(share, 0, 1);
                bottom -= h;
                svg.Append(Invariant($"<rect class=\"part part-{p}\" x=\"{x}\" y=\"{bottom:F1}\" width=\"{columnWidth - 12}\" height=\"{h:F1}\"/>"));
            }
            svg.Append(Text(x + (columnWidth - 12) / 2.0, top + plotHeight + 16, columns[c].Label, "axis", anchor: "middle"));
        }
        for (var i = 0; i < legend.Count; i++)
        {
            var x = left + i % 4 * 150;
            var y = top + plotHeight + 28 + i / 4 * legendRow;
            svg.Append(Invariant($"<rect class=\"part part-{i}\" x=\"{x}\" y=\"{y}\" width=\"12\" height=\"12\"/>"));
            svg.Append(Text(x + 18, y + 11, legend[i], "legend"));
        }
        return Close(svg);
    }

    private static StringBuilder Open(string id, string title, string description, int height) => new StringBuilder()
        .Append(Invariant($"<svg class=\"chart\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" viewBox=\"0 0 {Width} {height}\" width=\"{Width}\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\">"))
        .Append($"<title id=\"{id}-title\">{WebUtility.HtmlEncode(title)}</title><desc id=\"{id}-desc\">{WebUtility.HtmlEncode(description)}</desc>");

    private static HtmlString Close(StringBuilder svg) => new(svg.Append("</svg>").ToString());

    private static string Text(double x, double y, string text, string css, string anchor = "start") =>
        Invariant($"<text class=\"{css}\" x=\"{x:F1}\" y=\"{y:F1}\" text-anchor=\"{anchor}\">") + WebUtility.HtmlEncode(text) + "</text>";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
