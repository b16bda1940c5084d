using InteractionLedger.Group;
using InteractionLedger.Insights;
using InteractionLedger.Privacy;
using Microsoft.AspNetCore.Mvc;

namespace InteractionLedger.WebConsole.Pages.Insights;

/// <summary>
/// What the figures' pages share: the brand they show (one of the person's, or the whole group for a person acting for
/// it) and the period. The figures themselves come from the API, read for analytics as the signed-in person.
/// </summary>
public abstract class InsightsPage(ConsoleApi api, ConsoleText text, GroupCatalog group) : ConsolePage(api, text)
{
    public GroupCatalog Group => group;

    /// <summary>The brand shown; empty for the whole group (a person acting for it) or the person's first brand.</summary>
    [BindProperty(SupportsGet = true)] public string? Brand { get; set; }

    [BindProperty(SupportsGet = true)] public DateOnly? From { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? To { get; set; }

    public IReadOnlyList<Brand> MyBrands => BrandsOf(Me, group);

    public bool GroupWide => Me.Brands is null;

    /// <summary>The rows shown: the brand asked, else the group's for a person acting for it, else their first brand.</summary>
    public string? Shown => !string.IsNullOrEmpty(Brand) ? Brand : GroupWide ? null : MyBrands.FirstOrDefault()?.Code;

    public string ShownName => Shown is { } code ? group.NameOf(code) : Text["Whole group"];

    /// <summary>The API's query for the brand and period: one brand, or all the person's (with the group's totals).</summary>
    protected List<string> FigureQuery()
    {
        var query = new List<string>();
        if (!string.IsNullOrEmpty(Brand)) query.Add($"brand={Uri.EscapeDataString(Brand)}");
        if (From is { } from) query.Add($"from={from:yyyy-MM-dd}");
        if (To is { } to) query.Add($"to={to:yyyy-MM-dd}");
        return query;
    }

    protected async Task<IActionResult?> ReadAsync<T>(string path, Action<T?> keep, CancellationToken cancellation)
    {
        CheckPeriod(From, To);
        if (!InputUnderstood()) return Page();
        var answer = await Api.GetAsync<T>(path, Purpose.Analytics, cancellation);
        if (await SessionEndedAsync(answer.Status) is { } ended) return ended;
        Problem = answer.Problem;
        if (Problem is not null) Response.StatusCode = answer.Status;
        keep(answer.Value);
        return null;
    }

    /// <summary>The same figures as the API's CSV, downloaded: figures name no one, so a link is enough.</summary>
    protected async Task<IActionResult> CsvAsync(string path, string name, CancellationToken cancellation)
    {
        CheckPeriod(From, To);
        if (!InputUnderstood()) return Page();
        var answer = await Api.GetBytesAsync(path, Purpose.Analytics, cancellation);
        if (await SessionEndedAsync(answer.Status) is { } ended) return ended;
        if (answer.Problem is not null)
        {
            Problem = answer.Problem;
            Response.StatusCode = answer.Status;
            return Page();
        }
        return File(answer.Value!, "text/csv; charset=utf-8", name);
    }

    public string Percent(double? share) => share is { } s ? s.ToString("P0", System.Globalization.CultureInfo.CurrentCulture) : Text["suppressed"];

    public string Points(double? change) => change is { } c
        ? (c >= 0 ? "+" : "") + (c * 100).ToString("0.#", System.Globalization.CultureInfo.CurrentCulture) + " " + Text["pts"] : "";

    public string PeriodName(DateTimeOffset period, Granularity unit) => unit == Granularity.Month
        ? period.ToString("MMMM yyyy", System.Globalization.CultureInfo.CurrentCulture)
        : $"{Text["week of"]} {period.ToString("d", System.Globalization.CultureInfo.CurrentCulture)}";
}
