using InteractionLedger.Group;
using InteractionLedger.Hosting;
using InteractionLedger.Interactions;
using Microsoft.AspNetCore.Mvc;

namespace InteractionLedger.WebConsole.Pages.Agent;

/// <summary>The customer's whole timeline, newest first, filtered as the API filters it, a page at a time.</summary>
public sealed class TimelineModel(ConsoleApi api, ConsoleText text, GroupCatalog group) : ConsolePage(api, text)
{
    public const int PageSize = 25;

    [BindProperty(SupportsGet = true)] public Guid CustomerId { get; set; }
    [BindProperty(SupportsGet = true)] public Channel[] Channel { get; set; } = [];
    [BindProperty(SupportsGet = true)] public string[] Brand { get; set; } = [];
    [BindProperty(SupportsGet = true)] public ContactReason[] Reason { get; set; } = [];
    [BindProperty(SupportsGet = true)] public Guid? CaseId { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? From { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? To { get; set; }
    [BindProperty(SupportsGet = true)] public string? Cursor { get; set; }
    /// <summary>Set by the script that loads further pages in place: only the entries and the next link.</summary>
    [BindProperty(SupportsGet = true)] public bool Fragment { get; set; }

    public GroupCatalog Group => group;
    public TimelinePage? Timeline { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellation)
    {
        CheckPeriod(From, To);
        if (!InputUnderstood()) return Page();
        var query = new List<string> { $"limit={PageSize}" };
        query.AddRange(Channel.Select(c => $"channel={ApiJson.Name(c)}"));
        query.AddRange(Brand.Where(b => !string.IsNullOrEmpty(b)).Select(b => $"brand={Uri.EscapeDataString(b)}"));
        query.AddRange(Reason.Select(r => $"reason={ApiJson.Name(r)}"));
        if (CaseId is { } caseId) query.Add($"caseId={caseId}");
        query.AddRange(PeriodQuery(From, To));
        if (!string.IsNullOrEmpty(Cursor)) query.Add($"cursor={Uri.EscapeDataString(Cursor)}");
        var answer = await Api.GetAsync<TimelinePage>($"/customers/{CustomerId}/timeline?{string.Join('&', query)}", Purpose, cancellation);
        if (await SessionEndedAsync(answer.Status) is { } ended) return ended;
        if (answer.Problem is not null)
        {
            Problem = answer.Problem;
            Response.StatusCode = answer.Status;
        }
        Timeline = answer.Value;
        return Fragment && Timeline is not null ? Partial("_TimelinePage", this) : Page();
    }

}
