using System.Globalization;
using System.Text;
using System.Text.Json;

namespace InteractionLedger.Benchmark;

/// <summary>Everything one benchmark run found, as written to docs/benchmarks.</summary>
public sealed record BenchmarkReport(DateTimeOffset RanAt, string Machine, string Command, int Rounds, IReadOnlyList<ScenarioResult> Results,
    IReadOnlyList<Ratio> Ratios, IReadOnlyDictionary<string, double> Figures)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public async Task WriteAsync(string folder)
    {
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "latest.json"), JsonSerializer.Serialize(this, Json));
        await File.WriteAllTextAsync(Path.Combine(folder, "latest.md"), Markdown());
        await File.WriteAllTextAsync(Path.Combine(folder, "latest.svg"), Chart());
    }

    private string Markdown()
    {
        var md = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        md.AppendLine("# Benchmark: latest run").AppendLine();
        md.AppendLine(c, $"{RanAt:yyyy-MM-dd HH:mm} UTC · {Machine} · {Rounds} rounds per scenario, interleaved with the baselines; medians, with min–max.").AppendLine();
        md.AppendLine("```").AppendLine(Command).AppendLine("```").AppendLine();
        md.AppendLine("![throughput and p99 latency per scenario](latest.svg)").AppendLine();
        md.AppendLine("## Ratios").AppendLine();
        md.AppendLine("| ratio | clients | value | target | met |").AppendLine("|---|---:|---:|---:|:---:|");
        foreach (var r in Ratios)
            md.AppendLine(c, $"| {r.Name} | {r.Clients} | {r.Value:F2} | {(r.Target is { } t ? t.ToString("F2", c) : "")} | {(r.Met switch { true => "yes", false => "**no**", _ => "" })} |");
        md.AppendLine().AppendLine("## Scenarios").AppendLine();
        md.AppendLine("| scenario | clients | ops/s (median) | min–max | p50 ms | p95 ms | p99 ms |").AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in Results)
            md.AppendLine(c, $"| {r.Scenario} | {r.Clients} | {r.MedianThroughput:F0} | {r.MinThroughput:F0}–{r.MaxThroughput:F0} | {r.MedianP50Ms:F1} | {r.MedianP95Ms:F1} | {r.MedianP99Ms:F1} |");
        if (Figures.Count > 0)
        {
            md.AppendLine().AppendLine("## Other figures").AppendLine();
            foreach (var (name, value) in Figures) md.AppendLine(c, $"- {name}: {value:#,0.##}");
        }
        return md.ToString();
    }

    /// <summary>Two bar charts side by side, one bar per scenario and concurrency: median throughput, and median p99 latency.</summary>
    private string Chart()
    {
        var c = CultureInfo.InvariantCulture;
        const int rowHeight = 18, labelWidth = 330, barWidth = 300, gap = 60;
        var height = 60 + Results.Count * rowHeight;
        var maxThroughput = Results.Select(r => r.MedianThroughput).DefaultIfEmpty(1).Max();
        var maxP99 = Results.Select(r => r.MedianP99Ms).DefaultIfEmpty(1).Max();
        var svg = new StringBuilder();
        svg.AppendLine(c, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{labelWidth + 2 * barWidth + gap + 80}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"11\">");
        svg.AppendLine("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
        svg.AppendLine(c, $"<text x=\"{labelWidth}\" y=\"20\" font-weight=\"bold\">throughput, ops/s (median)</text>");
        svg.AppendLine(c, $"<text x=\"{labelWidth + barWidth + gap}\" y=\"20\" font-weight=\"bold\">p99 latency, ms (median)</text>");
        for (var i = 0; i < Results.Count; i++)
        {
            var r = Results[i];
            var y = 40 + i * rowHeight;
            var colour = r.Scenario.StartsWith("baseline", StringComparison.Ordinal) ? "#9aa5b1" : "#2b6cb0";
            var w1 = r.MedianThroughput / maxThroughput * barWidth;
            var w2 = r.MedianP99Ms / maxP99 * barWidth;
            svg.AppendLine(c, $"<text x=\"{labelWidth - 6}\" y=\"{y + 12}\" text-anchor=\"end\">{Escape(r.Scenario)} · {r.Clients}</text>");
            svg.AppendLine(c, $"<rect x=\"{labelWidth}\" y=\"{y + 2}\" width=\"{w1:F1}\" height=\"{rowHeight - 5}\" fill=\"{colour}\"/>");
            svg.AppendLine(c, $"<text x=\"{labelWidth + w1 + 4:F1}\" y=\"{y + 12}\">{r.MedianThroughput:F0}</text>");
            svg.AppendLine(c, $"<rect x=\"{labelWidth + barWidth + gap}\" y=\"{y + 2}\" width=\"{w2:F1}\" height=\"{rowHeight - 5}\" fill=\"{colour}\"/>");
            svg.AppendLine(c, $"<text x=\"{labelWidth + barWidth + gap + w2 + 4:F1}\" y=\"{y + 12}\">{r.MedianP99Ms:F1}</text>");
        }
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;");
}
