using InteractionLedger.Customers;
using InteractionLedger.Privacy;
using Microsoft.AspNetCore.Mvc;

namespace InteractionLedger.WebConsole.Pages.Privacy;

/// <summary>
/// Erasure (GDPR art. 17) behind a confirmation: what will be deleted and what kept (from the declaration of every
/// holding, <see cref="PersonalData"/>), the reason required, the customer's id typed back.
/// </summary>
public sealed class ErasureModel(ConsoleApi api, ConsoleText text) : ConsolePage(api, text)
{
    [BindProperty(SupportsGet = true)] public Guid CustomerId { get; set; }
    [BindProperty] public string? Reason { get; set; }
    [BindProperty] public string? Confirmation { get; set; }

    public CustomerProfile? Profile { get; private set; }
    public ErasureReceipt? Receipt { get; private set; }
    public IReadOnlyList<PersonalDataHolding> Holdings => PersonalData.Holdings;

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellation) => await ShowAsync(cancellation);

    private async Task<IActionResult> ShowAsync(CancellationToken cancellation)
    {
        var profile = await Api.GetAsync<CustomerProfile>($"/customers/{CustomerId}", Purpose.DataSubjectRights, cancellation);
        if (await SessionEndedAsync(profile.Status) is { } ended) return ended;
        Profile = profile.Value;
        if (profile.Problem is not null && Problem is null)
        {
            Problem = profile.Problem;
            Response.StatusCode = profile.Status;
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellation)
    {
        // Typing the id back is the console's own guard against erasing the wrong customer; the API needs the reason.
        if (!string.Equals(Confirmation?.Trim(), CustomerId.ToString(), StringComparison.OrdinalIgnoreCase))
        {
            Problem = new ApiProblem(StatusCodes.Status400BadRequest, Text["Nothing was erased."], null,
                new Dictionary<string, string[]> { ["confirmation"] = [Text["Type the customer's id exactly to confirm."]] });
            ProblemForm = "erasure";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return await ShowAsync(cancellation);
        }
        var answer = await Api.SendAsync<ErasureReceipt>(HttpMethod.Post, $"/privacy/customers/{CustomerId}/erasure",
            new EraseCustomerRequest(Reason), null, null, cancellation);
        if (await SessionEndedAsync(answer.Status) is { } ended) return ended;
        if (!answer.Succeeded)
        {
            Problem = answer.Problem;
            ProblemForm = "erasure";
            Response.StatusCode = answer.Status;
            return await ShowAsync(cancellation);
        }
        Receipt = answer.Value;
        return Page();
    }
}
