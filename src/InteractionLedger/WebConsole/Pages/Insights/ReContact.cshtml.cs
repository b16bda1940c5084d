using InteractionLedger.Insights;
using InteractionLedger.Privacy;
using Microsoft.AspNetCore.Mvc;

namespace InteractionLedger.WebConsole.Pages.Insights;

/// <summary>
/// The campaign planner's list of customers gone quiet ("jachères"), read for marketing: only customers whose consents
/// allow it are listed, each one recorded in the access ledger under the planner's name.
/// </summary>
public sealed class ReContactModel(ConsoleApi api, ConsoleText text, Group.GroupCatalog group) : InsightsPage(api, text, group)
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true)] public int QuietForDays { get; set; } = 180;
    [BindProperty(SupportsGet = true)] public bool ActiveElsewhere { get; set; }
    [BindProperty(SupportsGet = true)] public string? Cursor { get; set; }

    public ReContactPage? List { get; private set; }

    /// <summary>The list is never read on arrival: each line is a read of a customer's data, made when the planner asks.</summary>
    public bool Asked => Request.Query.ContainsKey("quietForDays");

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellation)
    {
        if (QuietForDays is < 1 or > 3650) ModelState.AddModelError("quietForDays", NotUnderstood);
        if (!InputUnderstood() || !Asked) return Page();
        var answer = await Api.GetAsync<ReContactPage>($"/insights/re-contact?{Query(PageSize)}", Purpose.Marketing, cancellation);
        if (await SessionEndedAsync(answer.Status) is { } ended) return ended;
        Problem = answer.Problem;
        if (Problem is not null) Response.StatusCode = answer.Status;
        List = answer.Value;
        return Page();
    }

    /// <summary>The page as CSV for the campaign tool: a POST (with the form's antiforgery token), as a read of personal data no link may trigger.</summary>
    public async Task<IActionResult> OnPostCsvAsync(CancellationToken cancellation)
    {
        if (QuietForDays is < 1 or > 3650) ModelState.AddModelError("quietForDays", NotUnderstood);
        if (!InputUnderstood()) return Page();
        var answer = await Api.GetBytesAsync($"/insights/re-contact?{Query(Http.Paging.MaxLimit)}&format=csv", Purpose.Marketing, cancellation);
        if (await SessionEndedAsync(answer.Status) is { } ended) return ended;
        if (answer.Problem is not null)
        {
            Problem = answer.Problem;
            Response.StatusCode = answer.Status;
            return Page();
        }
        return File(answer.Value!, "text/csv; charset=utf-8", $"re-contact-{Shown ?? "group"}.csv");
    }

    private string Query(int limit)
    {
        var query = new List<string> { $"brand={Uri.EscapeDataString(Shown ?? "")}", $"quietForDays={QuietForDays}", $"limit={limit}" };
        if (ActiveElsewhere) query.Add("activeElsewhere=true");
        if (!string.IsNullOrEmpty(Cursor)) query.Add($"cursor={Uri.EscapeDataString(Cursor)}");
        return string.Join('&', query);
    }
}
