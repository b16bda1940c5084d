using InteractionLedger.Privacy;
using Microsoft.AspNetCore.Mvc;

namespace InteractionLedger.WebConsole.Pages.Privacy;

/// <summary>The record of processing activities (GDPR art. 30), with the reads the ledger saw for each purpose.</summary>
public sealed class ProcessingModel(ConsoleApi api, ConsoleText text) : ConsolePage(api, text)
{
    public RecordOfProcessing? Record { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellation)
    {
        var answer = await Api.GetAsync<RecordOfProcessing>("/privacy/record-of-processing", null, cancellation);
        if (await SessionEndedAsync(answer.Status) is { } ended) return ended;
        Problem = answer.Problem;
        Record = answer.Value;
        return Page();
    }
}
