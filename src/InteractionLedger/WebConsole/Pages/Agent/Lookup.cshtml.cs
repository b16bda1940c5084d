using InteractionLedger.Customers;
using InteractionLedger.Group;
using InteractionLedger.Identity;
using InteractionLedger.Privacy;
using Microsoft.AspNetCore.Mvc;

namespace InteractionLedger.WebConsole.Pages.Agent;

/// <summary>
/// The screen pop: a telephony desktop opens <c>/console/lookup?kind=phone&amp;value=…</c> when a call rings. One
/// holder within reach opens their page; several are offered as a choice; nobody offers to register the customer.
/// </summary>
public sealed class LookupModel(ConsoleApi api, ConsoleText text, GroupCatalog group) : ConsolePage(api, text)
{
    public GroupCatalog Group => group;
    [BindProperty(SupportsGet = true)] public string? Kind { get; set; }
    [BindProperty(SupportsGet = true)] public string? Value { get; set; }
    [BindProperty(SupportsGet = true)] public string? Brand { get; set; }

    public IReadOnlyList<CustomerProfile> Candidates { get; private set; } = [];

    /// <summary>
    /// Registering is offered only after a lookup for the customer's service: for another purpose the API also leaves
    /// out holders the purpose may not see, so "nobody" there may be somebody, and a new customer a duplicate.
    /// </summary>
    public bool MayRegister => NobodyFound && Purpose == Purpose.Service;

    /// <summary>Registration with the identifier that found nobody, the purpose kept.</summary>
    public string RegisterUrl => $"{ConsoleModule.Root}/customers/new" + QueryString.Create(new Dictionary<string, string?>
    {
        ["kind"] = Kind, ["value"] = Value, ["brand"] = Brand, ["purpose"] = Hosting.ApiJson.Name(Purpose),
    });
    public bool NobodyFound { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellation)
    {
        if (!InputUnderstood() || string.IsNullOrWhiteSpace(Value)) return Page();
        var query = $"/identifiers?kind={Uri.EscapeDataString(Kind ?? "")}&value={Uri.EscapeDataString(Value)}" +
                    (string.IsNullOrEmpty(Brand) ? "" : $"&brand={Uri.EscapeDataString(Brand)}");
        var lookup = await Api.GetAsync<IdentifierLookup>(query, Purpose, cancellation);
        if (await SessionEndedAsync(lookup.Status) is { } sessionEnded) return sessionEnded;
        if (lookup.Problem is not null)
        {
            Problem = lookup.Problem;
            Response.StatusCode = lookup.Status;
            return Page();
        }
        var found = lookup.Value!;
        if (found.ResolvesTo is { } only) return Redirect(CustomerUrl(only));
        var holders = found.Holders.Select(h => h.CustomerId).Distinct().ToList();
        if (holders.Count == 0) { NobodyFound = true; return Page(); }
        // Who each holder is, so the agent can tell them apart: each one a read of its own, on record.
        var profiles = await Task.WhenAll(holders.Select(id => Api.GetAsync<CustomerProfile>($"/customers/{id}", Purpose, cancellation)));
        // A holder the API would not show now (refused, limited, failing) is said, never read as "nobody": an agent
        // offered to register would make a duplicate.
        if (profiles.FirstOrDefault(p => !p.Succeeded) is { } failed)
        {
            if (await SessionEndedAsync(failed.Status) is { } ended) return ended;
            Problem = failed.Problem;
            Response.StatusCode = failed.Status;
            return Page();
        }
        Candidates = profiles.Select(p => p.Value!).ToList();
        return Candidates.Count == 1 ? Redirect(CustomerUrl(Candidates[0].CustomerId)) : Page();
    }
}
