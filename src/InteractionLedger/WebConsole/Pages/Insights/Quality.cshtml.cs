using InteractionLedger.Hosting;
using InteractionLedger.Insights;
using Microsoft.AspNetCore.Mvc;

namespace InteractionLedger.WebConsole.Pages.Insights;

/// <summary>Service quality by channel and period, beside the published figures: the customer-experience lead's and service manager's page.</summary>
public sealed class QualityModel(ConsoleApi api, ConsoleText text, Group.GroupCatalog group) : InsightsPage(api, text, group)
{
    [BindProperty(SupportsGet = true, Name = "granularity")] public Granularity Unit { get; set; } = Granularity.Month;

    public ServiceQualityReport? Report { get; private set; }

    /// <summary>The shown brand's (or group's) cells.</summary>
    public IReadOnlyList<ServiceQualityCell> Cells => Report?.Cells.Where(c => c.Brand == Shown).ToList() ?? [];

    public DateTimeOffset? Latest => Cells.Count == 0 ? null : Cells.Max(c => c.Period);

    public Task<IActionResult> OnGetAsync(CancellationToken cancellation) => ShowAsync(cancellation);

    public Task<IActionResult> OnGetCsvAsync(CancellationToken cancellation) =>
        CsvAsync($"/insights/service-quality?{string.Join('&', Query().Append("format=csv"))}", "service-quality.csv", cancellation);

    private async Task<IActionResult> ShowAsync(CancellationToken cancellation) =>
        await ReadAsync<ServiceQualityReport>($"/insights/service-quality?{string.Join('&', Query())}", report => Report = report, cancellation) ?? Page();

    private IEnumerable<string> Query() => FigureQuery().Append($"granularity={ApiJson.Name(Unit)}");
}
