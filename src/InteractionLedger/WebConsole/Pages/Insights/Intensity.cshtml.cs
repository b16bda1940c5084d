using InteractionLedger.Insights;
using Microsoft.AspNetCore.Mvc;

namespace InteractionLedger.WebConsole.Pages.Insights;

/// <summary>How intense the relationship is, month by month: levels, recency, movements between levels.</summary>
public sealed class IntensityModel(ConsoleApi api, ConsoleText text, Group.GroupCatalog group) : InsightsPage(api, text, group)
{
    public IntensityReport? Report { get; private set; }

    public IReadOnlyList<IntensityMonth> Months => Report?.Months.Where(m => m.Brand == Shown).ToList() ?? [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellation) =>
        await ReadAsync<IntensityReport>($"/insights/intensity?{string.Join('&', FigureQuery())}", report => Report = report, cancellation) ?? Page();

    public Task<IActionResult> OnGetCsvAsync(CancellationToken cancellation) =>
        CsvAsync($"/insights/intensity?{string.Join('&', FigureQuery().Append("format=csv"))}", "intensity.csv", cancellation);
}
