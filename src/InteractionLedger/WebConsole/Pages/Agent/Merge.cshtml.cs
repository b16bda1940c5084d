using InteractionLedger.Customers;
using InteractionLedger.Group;
using InteractionLedger.Hosting;
using InteractionLedger.Merging;
using InteractionLedger.Overview;
using Microsoft.AspNetCore.Mvc;

namespace InteractionLedger.WebConsole.Pages.Agent;

/// <summary>
/// A possible duplicate, side by side with the customer, and what merging them would give, before anything is
/// written. The merge keeps both streams: it can be undone from the customer's page.
/// </summary>
public sealed class MergeModel(ConsoleApi api, ConsoleText text, GroupCatalog group) : ConsolePage(api, text)
{
    [BindProperty(SupportsGet = true)] public Guid CustomerId { get; set; }
    [BindProperty(SupportsGet = true)] public Guid OtherCustomerId { get; set; }
    [BindProperty] public string? Reason { get; set; }
    [BindProperty] public long? Version { get; set; }

    public GroupCatalog Group => group;
    public UnifiedCustomerView? Survivor { get; private set; }
    public UnifiedCustomerView? Absorbed { get; private set; }
    public CustomerProfile? SurvivorProfile { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellation) => InputUnderstood() ? await ShowAsync(cancellation) : Page();

    private async Task<IActionResult> ShowAsync(CancellationToken cancellation)
    {
        var survivor = Api.GetAsync<UnifiedCustomerView>($"/customers/{CustomerId}/overview", Purpose, cancellation);
        var absorbed = Api.GetAsync<UnifiedCustomerView>($"/customers/{OtherCustomerId}/overview", Purpose, cancellation);
        var profile = Api.GetAsync<CustomerProfile>($"/customers/{CustomerId}", Purpose, cancellation);
        await Task.WhenAll(survivor, absorbed, profile);
        if (await SessionEndedAsync(survivor.Result.Status) is { } ended) return ended;
        foreach (var read in new[] { survivor.Result, absorbed.Result })
            if (read.Problem is not null)
            {
                Problem ??= read.Problem;
                Response.StatusCode = read.Status;
            }
        Survivor = survivor.Result.Value;
        Absorbed = absorbed.Result.Value;
        SurvivorProfile = profile.Result.Value;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellation)
    {
        if (!InputUnderstood("merge")) return await ShowAsync(cancellation);
        var answer = await Api.SendAsync<MergeReceipt>(HttpMethod.Post, $"/customers/{CustomerId}/merges",
            new MergeCustomersRequest(OtherCustomerId, Me.Id, Reason, null), null,
            Version is { } version ? Http.ExpectedVersion.ETagFor(version) : null, cancellation);
        return await AfterWriteAsync(answer, "merge", Text["Merged. The merge can be undone from this page."], () => ShowAsync(cancellation),
            redirectTo: CustomerUrl(CustomerId));
    }

    /// <summary>What the merged customer would show: both identities, brands and histories together.</summary>
    public (int Contacts, IReadOnlyList<string> Brands, int Identifiers, int OpenCases) Preview =>
        Survivor is null || Absorbed is null ? default : (
            Survivor.ContactCount + Absorbed.ContactCount,
            Survivor.Who.Brands.Union(Absorbed.Who.Brands).Order().ToList(),
            Survivor.Who.Identifiers.Select(i => (i.Kind, i.Value, i.Brand)).Union(Absorbed.Who.Identifiers.Select(i => (i.Kind, i.Value, i.Brand))).Count(),
            Survivor.Now.OpenCases.Count + Absorbed.Now.OpenCases.Count);
}
