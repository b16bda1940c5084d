using InteractionLedger.Hosting;
using InteractionLedger.Http;
using InteractionLedger.Privacy;
using Microsoft.AspNetCore.Mvc;

namespace InteractionLedger.WebConsole.Pages.Privacy;

/// <summary>Who read which customer, for which purpose, with what decision: the access ledger, searched and paged.</summary>
public sealed class AccessesModel(ConsoleApi api, ConsoleText text) : ConsolePage(api, text)
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true)] public string? Person { get; set; }
    [BindProperty(SupportsGet = true)] public string? Principal { get; set; }
    [BindProperty(SupportsGet = true)] public Guid? CustomerId { get; set; }
    [BindProperty(SupportsGet = true, Name = "for")] public Purpose? ReadFor { get; set; }
    [BindProperty(SupportsGet = true)] public AccessOutcome? Decision { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? From { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? To { get; set; }
    [BindProperty(SupportsGet = true)] public string? Cursor { get; set; }

    public Page<StoredAccessRecord>? Results { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellation)
    {
        CheckPeriod(From, To);
        if (!InputUnderstood()) return Page();
        var query = new List<string> { $"limit={PageSize}" };
        if (!string.IsNullOrWhiteSpace(Person)) query.Add($"person={Uri.EscapeDataString(Person.Trim())}");
        if (!string.IsNullOrWhiteSpace(Principal)) query.Add($"principal={Uri.EscapeDataString(Principal.Trim())}");
        if (CustomerId is { } customer) query.Add($"customerId={customer}");
        if (ReadFor is { } purpose) query.Add($"purpose={ApiJson.Name(purpose)}");
        if (Decision is { } decision) query.Add($"decision={ApiJson.Name(decision)}");
        query.AddRange(PeriodQuery(From, To));
        if (!string.IsNullOrEmpty(Cursor)) query.Add($"cursor={Uri.EscapeDataString(Cursor)}");
        var answer = await Api.GetAsync<Page<StoredAccessRecord>>($"/privacy/accesses?{string.Join('&', query)}", null, cancellation);
        if (await SessionEndedAsync(answer.Status) is { } ended) return ended;
        Problem = answer.Problem;
        if (Problem is not null) Response.StatusCode = answer.Status;
        Results = answer.Value;
        return Page();
    }

}
