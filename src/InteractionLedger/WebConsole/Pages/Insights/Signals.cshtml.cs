using InteractionLedger.Insights;
using Microsoft.AspNetCore.Mvc;

namespace InteractionLedger.WebConsole.Pages.Insights;

/// <summary>How many customers to contact before they call, by signal: the service manager's view of the proactive worklist.</summary>
public sealed class SignalsModel(ConsoleApi api, ConsoleText text, Group.GroupCatalog group) : InsightsPage(api, text, group)
{
    public SignalCounts? Counts { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellation) =>
        await ReadAsync<SignalCounts>($"/insights/signals?{string.Join('&', FigureQuery())}", counts => Counts = counts, cancellation) ?? Page();
}
