using InteractionLedger.Access;
using InteractionLedger.Group;
using InteractionLedger.Hosting;
using InteractionLedger.Privacy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace InteractionLedger.WebConsole;

/// <summary>
/// What every console page shares: the signed-in person, the purpose their reads state, and how the API's answers
/// are shown (its problems in its own words, an ended session as a way back to sign-in).
/// </summary>
public abstract class ConsolePage(ConsoleApi api, ConsoleText text) : PageModel
{
    /// <summary>The console's generic word for a value it could not read (its own messages would echo the value).</summary>
    public const string NotUnderstood = "This value was not understood.";

    protected ConsoleApi Api => api;
    protected ConsoleText Text => text;

    public Caller Me => Caller.From(User);

    /// <summary>The problem the last write answered, shown beside its form.</summary>
    public ApiProblem? Problem { get; protected set; }

    /// <summary>Which form the problem belongs to, so it is shown there and its fields keep what was typed.</summary>
    public string? ProblemForm { get; protected set; }

    /// <summary>What the last write did, shown once after the redirect that follows it.</summary>
    [TempData] public string? Done { get; set; }

    /// <summary>The purposes a person may state for reading a customer, the first being their default.</summary>
    public IReadOnlyList<Purpose> StatablePurposes => Me.Role == Role.PrivacyOfficer
        ? [Purpose.DataSubjectRights]
        : [Purpose.Service, Purpose.Personalisation, Purpose.Marketing, Purpose.Analytics];

    /// <summary>The purpose this page's reads state: chosen on screen, service by default for agents.</summary>
    [BindProperty(SupportsGet = true, Name = "purpose")] public string? PurposeName { get; set; }

    public Purpose Purpose => ApiJson.TryParse<Purpose>(PurposeName, out var stated) && StatablePurposes.Contains(stated) ? stated : StatablePurposes[0];

    /// <summary>
    /// A purpose named but not one the person may state is refused before the handler runs: nothing is read (not even
    /// to show the page again) and nothing written, on every page, whether or not it reads for a purpose.
    /// </summary>
    public override void OnPageHandlerExecuting(PageHandlerExecutingContext context)
    {
        if (string.IsNullOrEmpty(PurposeName) || (ApiJson.TryParse<Purpose>(PurposeName, out var stated) && StatablePurposes.Contains(stated))) return;
        ModelState.AddModelError("purpose", NotUnderstood);
        InputUnderstood();
        context.Result = Page();
    }

    /// <summary>The page's way out when the API no longer accepts the session's token: the session ends, sign in again.</summary>
    protected async Task<IActionResult?> SessionEndedAsync(int status)
    {
        if (status != StatusCodes.Status401Unauthorized) return null;
        await ConsoleAuthentication.SignOutAsync(HttpContext);
        var back = Request.Path + QueryString.Create(Request.Query.Where(q => q.Key != "fragment"));
        return Redirect($"{ConsoleModule.Root}/sign-in?expired=true&returnUrl={Uri.EscapeDataString(back)}");
    }

    /// <summary>After a write: back to the page (no resubmission on reload) with what was done, or the problem beside its form.</summary>
    protected async Task<IActionResult> AfterWriteAsync<T>(ApiAnswer<T> answer, string form, string done, Func<Task<IActionResult>> showAgain,
        string? redirectTo = null)
    {
        if (await SessionEndedAsync(answer.Status) is { } ended) return ended;
        if (answer.Succeeded)
        {
            Done = done;
            return Redirect(redirectTo ?? Request.Path + QueryString.Create(Request.Query.Where(q => q.Key != "handler")));
        }
        Problem = answer.Problem;
        ProblemForm = form;
        Response.StatusCode = answer.Status is >= 400 and < 500 ? answer.Status : StatusCodes.Status502BadGateway;
        return await showAgain();
    }

    /// <summary>
    /// Whether every value sent was understood (a date that is a date, a number that fits, a word of the list). If
    /// not, nothing goes to the API: a 400 names each field, beside <paramref name="form"/> when it is a form's.
    /// </summary>
    protected bool InputUnderstood(string? form = null)
    {
        if (ModelState.IsValid) return true;
        var errors = ModelState.Where(entry => entry.Value!.Errors.Count > 0)
            .ToDictionary(entry => FieldName(entry.Key), _ => new[] { text[NotUnderstood] }, StringComparer.OrdinalIgnoreCase);
        Problem = new ApiProblem(StatusCodes.Status400BadRequest, text["Some values were not understood; nothing was sent."], null, errors);
        ProblemForm = form;
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return false;
    }

    /// <summary>A period of days as the console's filters take it: real dates, in order, within the centuries a ledger can hold.</summary>
    protected void CheckPeriod(DateOnly? from, DateOnly? to)
    {
        foreach (var (field, day) in new[] { ("from", from), ("to", to) })
            if (day is { Year: < 1900 or > 2199 }) ModelState.AddModelError(field, NotUnderstood);
        if (from > to) ModelState.AddModelError("from", NotUnderstood);
    }

    /// <summary>The period as the API's <c>from</c> and <c>to</c> (exclusive): whole days in the console's time zone.</summary>
    protected IEnumerable<string> PeriodQuery(DateOnly? from, DateOnly? to)
    {
        if (from is { } first) yield return $"from={Uri.EscapeDataString(ConsoleText.StartOf(first, text.Zone).ToString("o"))}";
        if (to is { } last) yield return $"to={Uri.EscapeDataString(ConsoleText.StartOf(last.AddDays(1), text.Zone).ToString("o"))}";
    }

    /// <summary>The API's name for a form field (<c>Contact.WaitingSeconds</c> is <c>waitingSeconds</c>), so messages land beside it.</summary>
    private static string FieldName(string key)
    {
        var last = key[(key.LastIndexOf('.') + 1)..];
        return last.Length == 0 ? key : char.ToLowerInvariant(last[0]) + last[1..];
    }

    /// <summary>The problem to show beside a form: the last one, if it came from one of these.</summary>
    public ApiProblem? ProblemOf(params string[] forms) => ProblemForm is not null && forms.Contains(ProblemForm) ? Problem : null;

    /// <summary>The messages for a field of the form that failed, if it is this one.</summary>
    public IEnumerable<string> ErrorsFor(string form, params string[] fields) =>
        ProblemForm == form && Problem is not null ? fields.SelectMany(f => Problem.Errors.TryGetValue(f, out var messages) ? messages : []) : [];

    /// <summary>This page's address at another cursor of its list, its filters kept.</summary>
    public string WithCursor(string cursor, string name = "cursor") =>
        Request.Path + QueryString.Create(Request.Query.Where(q => q.Key != name && q.Key != "fragment")
            .SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v)))
            .Append(new KeyValuePair<string, string?>(name, cursor)));

    /// <summary>A customer's page (or one of its sub-pages), read for this page's purpose.</summary>
    public string CustomerUrl(Guid customerId, string? below = null) => $"{PathOf(customerId)}{below}?purpose={ApiJson.Name(Purpose)}";

    /// <summary>The brands a person acts for, among the group's: those they may record for and look up in.</summary>
    public static IReadOnlyList<Brand> BrandsOf(Caller person, GroupCatalog group) => group.Brands.Where(b => person.ActsFor(b.Code)).ToList();

    public static string PathOf(Guid customerId) => $"{ConsoleModule.Root}/customers/{customerId}";
}
