using InteractionLedger.Http;
using InteractionLedger.Privacy;
using Microsoft.AspNetCore.Mvc;

namespace InteractionLedger.WebConsole.Pages.Oversight;

/// <summary>The access ledger's integrity (verification, signed checkpoints) and the retention runs, with the actions on them.</summary>
public sealed class LedgerModel(ConsoleApi api, ConsoleText text) : ConsolePage(api, text)
{
    [BindProperty(SupportsGet = true)] public string? Mode { get; set; }

    public LedgerVerification? Verification { get; private set; }
    public Page<LedgerCheckpoint>? Checkpoints { get; private set; }
    public Page<RetentionRun>? Runs { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellation)
    {
        if (Mode is not (null or "" or "incremental" or "full")) ModelState.AddModelError("mode", NotUnderstood);
        return InputUnderstood() ? await ShowAsync(cancellation) : Page();
    }

    private async Task<IActionResult> ShowAsync(CancellationToken cancellation)
    {
        var verification = Api.GetAsync<LedgerVerification>($"/privacy/access-ledger/verification?mode={(Mode == "full" ? "full" : "incremental")}", null, cancellation);
        var checkpoints = Api.GetAsync<Page<LedgerCheckpoint>>("/privacy/access-ledger/checkpoints?limit=5", null, cancellation);
        var runs = Api.GetAsync<Page<RetentionRun>>("/privacy/retention/runs?limit=10", null, cancellation);
        await Task.WhenAll(verification, checkpoints, runs);
        if (await SessionEndedAsync(verification.Result.Status) is { } ended) return ended;
        Verification = verification.Result.Value;
        Checkpoints = checkpoints.Result.Value;
        Runs = runs.Result.Value;
        Problem ??= verification.Result.Problem ?? checkpoints.Result.Problem ?? runs.Result.Problem;
        return Page();
    }

    public async Task<IActionResult> OnPostCheckpointAsync(CancellationToken cancellation)
    {
        var answer = await Api.SendAsync<LedgerCheckpoint>(HttpMethod.Post, "/privacy/access-ledger/checkpoints", null, null, null, cancellation);
        return await AfterWriteAsync(answer, "checkpoint", Text["Checkpoint signed."], () => ShowAsync(cancellation));
    }

    public async Task<IActionResult> OnPostRetentionAsync(CancellationToken cancellation)
    {
        var answer = await Api.SendAsync<RetentionRun>(HttpMethod.Post, "/privacy/retention/runs", null, null, null, cancellation);
        return await AfterWriteAsync(answer, "retention", Text["Retention run finished."], () => ShowAsync(cancellation));
    }
}
