using InteractionLedger.Hosting;
using InteractionLedger.Insights;
using InteractionLedger.Privacy;
using Microsoft.AspNetCore.Mvc;

namespace InteractionLedger.WebConsole.Pages.Agent;

/// <summary>The agent's proactive worklist: customers to call before they call, oldest signal first, read for service.</summary>
public sealed class WorklistModel(ConsoleApi api, ConsoleText text, Group.GroupCatalog group) : ConsolePage(api, text)
{
    public const int PageSize = 50;

    public IReadOnlyList<Group.Brand> MyBrands => BrandsOf(Me, group);

    [BindProperty(SupportsGet = true)] public string? Brand { get; set; }
    [BindProperty(SupportsGet = true)] public SignalKind? Signal { get; set; }
    [BindProperty(SupportsGet = true)] public string? Cursor { get; set; }

    public string? Shown => !string.IsNullOrEmpty(Brand) ? Brand : MyBrands.FirstOrDefault()?.Code;

    public SignalWorklist? List { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellation)
    {
        if (!InputUnderstood()) return Page();
        var query = new List<string> { $"brand={Uri.EscapeDataString(Shown ?? "")}", $"limit={PageSize}" };
        if (Signal is { } signal) query.Add($"signal={ApiJson.Name(signal)}");
        if (!string.IsNullOrEmpty(Cursor)) query.Add($"cursor={Uri.EscapeDataString(Cursor)}");
        var answer = await Api.GetAsync<SignalWorklist>($"/insights/signals/worklist?{string.Join('&', query)}", Purpose.Service, cancellation);
        if (await SessionEndedAsync(answer.Status) is { } ended) return ended;
        Problem = answer.Problem;
        if (Problem is not null) Response.StatusCode = answer.Status;
        List = answer.Value;
        return Page();
    }
}
