using InteractionLedger.Consent;
using InteractionLedger.Customers;
using InteractionLedger.Http;
using InteractionLedger.Privacy;
using Microsoft.AspNetCore.Mvc;

namespace InteractionLedger.WebConsole.Pages.Privacy;

/// <summary>
/// One customer, as the privacy officer answers their requests: who read them and why, reads under a consent since
/// withdrawn, every consent statement; the export to download, the way to erasure.
/// </summary>
public sealed class CustomerModel(ConsoleApi api, ConsoleText text) : ConsolePage(api, text)
{
    [BindProperty(SupportsGet = true)] public Guid CustomerId { get; set; }
    [BindProperty(SupportsGet = true)] public string? Cursor { get; set; }
    [BindProperty(SupportsGet = true)] public string? WithdrawnCursor { get; set; }

    public CustomerProfile? Profile { get; private set; }
    public Page<StoredAccessRecord>? Accesses { get; private set; }
    public Page<AccessUnderWithdrawnConsent>? UnderWithdrawnConsent { get; private set; }
    public IReadOnlyList<ConsentHistoryEntry>? ConsentHistory { get; private set; }
    /// <summary>The customer was erased: only the ledger's records of them remain.</summary>
    public ApiProblem? Gone { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellation)
    {
        if (!InputUnderstood()) return Page();
        var id = CustomerId;
        var profile = Api.GetAsync<CustomerProfile>($"/customers/{id}", Purpose.DataSubjectRights, cancellation);
        var accesses = Api.GetAsync<Page<StoredAccessRecord>>(
            $"/privacy/customers/{id}/accesses?limit=25{(string.IsNullOrEmpty(Cursor) ? "" : $"&cursor={Uri.EscapeDataString(Cursor)}")}", null, cancellation);
        var withdrawn = Api.GetAsync<Page<AccessUnderWithdrawnConsent>>($"/privacy/customers/{id}/accesses-under-withdrawn-consent?limit=25{(string.IsNullOrEmpty(WithdrawnCursor) ? "" : $"&cursor={Uri.EscapeDataString(WithdrawnCursor)}")}", null, cancellation);
        var history = Api.GetAsync<List<ConsentHistoryEntry>>($"/privacy/customers/{id}/consents", null, cancellation);
        await Task.WhenAll(profile, accesses, withdrawn, history);
        if (await SessionEndedAsync(accesses.Result.Status) is { } ended) return ended;
        Profile = profile.Result.Value;
        if (profile.Result.Problem is { } problem)
        {
            Gone = problem;
            if (problem.Status == StatusCodes.Status404NotFound) Response.StatusCode = StatusCodes.Status404NotFound;
        }
        Accesses = accesses.Result.Value;
        Problem = accesses.Result.Problem;
        UnderWithdrawnConsent = withdrawn.Result.Value;
        Problem ??= withdrawn.Result.Problem ?? history.Result.Problem;
        ConsentHistory = history.Result.Value;
        return Page();
    }

    /// <summary>
    /// The customer's export (GDPR arts. 15 and 20), downloaded as the API produced it. A form post, not a link: another
    /// site cannot make a signed-in officer export anyone.
    /// </summary>
    public async Task<IActionResult> OnPostExportAsync(CancellationToken cancellation)
    {
        var export = await Api.GetBytesAsync($"/privacy/customers/{CustomerId}/export", Purpose.DataSubjectRights, cancellation);
        if (await SessionEndedAsync(export.Status) is { } ended) return ended;
        if (export.Problem is not null) return StatusCode(export.Status, export.Problem.Detail ?? export.Problem.Title);
        return File(export.Value!, "application/json", $"customer-{CustomerId}.json");
    }
}
