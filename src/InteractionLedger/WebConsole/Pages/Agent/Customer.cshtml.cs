using InteractionLedger.Cases;
using InteractionLedger.Consent;
using InteractionLedger.Customers;
using InteractionLedger.Group;
using InteractionLedger.Hosting;
using InteractionLedger.Interactions;
using InteractionLedger.Merging;
using InteractionLedger.Overview;
using InteractionLedger.Privacy;
using Microsoft.AspNetCore.Mvc;

namespace InteractionLedger.WebConsole.Pages.Agent;

/// <summary>
/// The customer when they call: who, how they reach the group, what is open, how it went, where consent stands; and
/// the forms to act on the contact being handled. Every read is one of the API's, stating the page's purpose.
/// </summary>
public sealed class CustomerModel(ConsoleApi api, ConsoleText text, GroupCatalog group, TimeProvider clock) : ConsolePage(api, text)
{
    public const int RecentShown = 10;

    [BindProperty(SupportsGet = true)] public Guid CustomerId { get; set; }

    public GroupCatalog Group => group;
    public UnifiedCustomerView? View { get; private set; }
    public CustomerProfile? Profile { get; private set; }
    public CustomerConsents? Consents { get; private set; }
    public CaseList? Cases { get; private set; }
    public TimelinePage? Recent { get; private set; }
    /// <summary>A read the policy refused (for this purpose): shown instead of the customer.</summary>
    public ApiProblem? Refusal { get; private set; }

    /// <summary>Ids made when the page is shown: a form sent twice records one contact, one case, one consent.</summary>
    public Guid NewInteractionId { get; } = Guid.NewGuid();
    public Guid NewCaseId { get; } = Guid.NewGuid();
    public Guid NewConsentId { get; } = Guid.NewGuid();
    public DateTimeOffset Now => clock.GetUtcNow();

    [BindProperty] public ContactForm Contact { get; set; } = new();
    [BindProperty] public CaseForm Case { get; set; } = new();
    [BindProperty] public RatingForm Rating { get; set; } = new();
    [BindProperty] public ConsentForm Statement { get; set; } = new();
    /// <summary>A resolution, or why a case is reopened or a merge undone (not "Reason": the contact and case forms have one, a list).</summary>
    [BindProperty] public string? Why { get; set; }
    [BindProperty] public long? Version { get; set; }

    /// <summary>A problem whose form is not on the page (a case or a merge that is not this customer's): said at the top.</summary>
    public ApiProblem? ProblemWithoutItsForm =>
        Problem is null || ProblemForm is "contact" or "rating" or "open-case" or "attach" or "preferred-channel" or "consent"
        || Cases?.Cases.Any(c => ProblemForm == $"case-{c.CaseId}") == true
        || Profile?.MergedCustomers.Any(m => ProblemForm == $"undo-{m}") == true
            ? null : Problem;

    public IReadOnlyList<CaseView> OpenCases => Cases?.Cases.Where(c => c.Status == CaseStatus.Open).ToList() ?? [];
    public IReadOnlyList<CaseView> ResolvedCases => Cases?.Cases.Where(c => c.Status == CaseStatus.Resolved).ToList() ?? [];

    /// <summary>The brands the person may record for: their own among the customer's group's.</summary>
    public IReadOnlyList<Brand> MyBrands => BrandsOf(Me, group);

    public string BrandName(string code) => group.NameOf(code);

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellation) => InputUnderstood() ? await ShowAsync(cancellation) : Page();

    private async Task<IActionResult> ShowAsync(CancellationToken cancellation)
    {
        var id = CustomerId;
        var overview = Api.GetAsync<UnifiedCustomerView>($"/customers/{id}/overview", Purpose, cancellation);
        var profile = Api.GetAsync<CustomerProfile>($"/customers/{id}", Purpose, cancellation);
        var consents = Api.GetAsync<CustomerConsents>($"/customers/{id}/consents", Purpose, cancellation);
        var cases = Api.GetAsync<CaseList>($"/customers/{id}/cases", Purpose, cancellation);
        var recent = Api.GetAsync<TimelinePage>($"/customers/{id}/timeline?limit={RecentShown}", Purpose, cancellation);
        await Task.WhenAll(overview, profile, consents, cases, recent);

        var first = overview.Result;
        if (await SessionEndedAsync(first.Status) is { } ended) return ended;
        // Unknown, out of reach, erased or refused for this purpose: said as the API said it, nothing else shown.
        if (first.Problem is not null)
        {
            Refusal = first.Problem;
            Response.StatusCode = first.Status;
            return Page();
        }
        View = first.Value;
        // An absorbed customer's id answers with the survivor: the page is the survivor's.
        if (View!.CustomerId != id) return Redirect(CustomerUrl(View.CustomerId));
        Profile = profile.Result.Value;
        Consents = consents.Result.Value;
        Cases = cases.Result.Value;
        Recent = recent.Result.Value;
        return Page();
    }

    private string Path => $"/customers/{CustomerId}";
    private string By => Me.Id;
    private string? IfMatch => Version is { } version ? Http.ExpectedVersion.ETagFor(version) : null;

    public async Task<IActionResult> OnPostRecordContactAsync(CancellationToken cancellation)
    {
        if (!InputUnderstood("contact")) return await ShowAsync(cancellation);
        var answer = await Api.SendAsync<InteractionReceipt>(HttpMethod.Post, $"{Path}/interactions", new RecordInteractionRequest(
                Contact.InteractionId, Contact.OccurredAt ?? clock.GetUtcNow(), Contact.Brand, Contact.Channel, Contact.Direction, Contact.Reason,
                new HandledBy(HandlerKind.Agent, By), Contact.Outcome, Contact.WaitingSeconds, Contact.HandlingSeconds, Contact.Summary,
                Contact.CaseId, null),
            null, null, cancellation);
        return await AfterWriteAsync(answer, "contact", answer.Value?.Replayed == true ? Text["The contact was already recorded."] : Text["Contact recorded."],
            () => ShowAsync(cancellation));
    }

    public async Task<IActionResult> OnPostRateAsync(CancellationToken cancellation)
    {
        if (!InputUnderstood("rating")) return await ShowAsync(cancellation);
        var answer = await Api.SendAsync<object>(HttpMethod.Put, $"{Path}/interactions/{Rating.InteractionId}/rating",
            new RateInteractionRequest(Rating.Satisfaction, Rating.Comment, null), null, null, cancellation);
        return await AfterWriteAsync(answer, "rating", Text["Rating recorded."], () => ShowAsync(cancellation));
    }

    public async Task<IActionResult> OnPostOpenCaseAsync(CancellationToken cancellation)
    {
        if (!InputUnderstood("open-case")) return await ShowAsync(cancellation);
        var answer = await Api.SendAsync<CaseReceipt>(HttpMethod.Post, $"{Path}/cases",
            new OpenCaseRequest(Case.CaseId, Case.Brand, Case.Reason, Case.Title, By, null), null, null, cancellation);
        return await AfterWriteAsync(answer, "open-case", Text["Case opened."], () => ShowAsync(cancellation));
    }

    public async Task<IActionResult> OnPostAttachAsync(CancellationToken cancellation)
    {
        if (!InputUnderstood("attach")) return await ShowAsync(cancellation);
        var answer = await Api.SendAsync<object>(HttpMethod.Post, $"{Path}/cases/{Case.CaseId}/interactions",
            new AttachInteractionRequest(Case.InteractionId, By, null), null, null, cancellation);
        return await AfterWriteAsync(answer, "attach", Text["Contact attached to the case."], () => ShowAsync(cancellation));
    }

    public async Task<IActionResult> OnPostResolveAsync(CancellationToken cancellation)
    {
        if (!InputUnderstood($"case-{Case.CaseId}")) return await ShowAsync(cancellation);
        var answer = await Api.SendAsync<object>(HttpMethod.Post, $"{Path}/cases/{Case.CaseId}/resolve",
            new ResolveCaseRequest(By, Why, null), null, IfMatch, cancellation);
        return await AfterWriteAsync(answer, $"case-{Case.CaseId}", Text["Case resolved."], () => ShowAsync(cancellation));
    }

    public async Task<IActionResult> OnPostReopenAsync(CancellationToken cancellation)
    {
        if (!InputUnderstood($"case-{Case.CaseId}")) return await ShowAsync(cancellation);
        var answer = await Api.SendAsync<object>(HttpMethod.Post, $"{Path}/cases/{Case.CaseId}/reopen",
            new ReopenCaseRequest(By, Why, null), null, IfMatch, cancellation);
        return await AfterWriteAsync(answer, $"case-{Case.CaseId}", Text["Case reopened."], () => ShowAsync(cancellation));
    }

    public async Task<IActionResult> OnPostPreferredChannelAsync(CancellationToken cancellation)
    {
        if (!InputUnderstood("preferred-channel")) return await ShowAsync(cancellation);
        var answer = await Api.SendAsync<object>(HttpMethod.Put, $"{Path}/preferred-channel",
            new StatePreferredChannelRequest(Contact.Channel, By, null), null, IfMatch, cancellation);
        return await AfterWriteAsync(answer, "preferred-channel", Text["Preferred channel recorded."], () => ShowAsync(cancellation));
    }

    public async Task<IActionResult> OnPostConsentAsync(CancellationToken cancellation)
    {
        if (Statement.Kind is not ("consent" or "withdrawal" or "objection")) ModelState.AddModelError("Statement.Kind", NotUnderstood);
        if (!InputUnderstood("consent")) return await ShowAsync(cancellation);
        var brand = string.IsNullOrEmpty(Statement.Brand) ? null : Statement.Brand;
        ApiAnswer<object> answer = Statement.Kind switch
        {
            "withdrawal" => await Api.SendAsync<object>(HttpMethod.Post, $"{Path}/consents/withdrawals",
                new WithdrawConsentRequest(Statement.Purpose, brand, Statement.CollectedVia), null, null, cancellation),
            "objection" => await Api.SendAsync<object>(HttpMethod.Post, $"{Path}/objections",
                new RecordObjectionRequest(Statement.Purpose, brand, Statement.Text, Statement.CollectedVia), null, null, cancellation),
            _ => await Api.SendAsync<object>(HttpMethod.Post, $"{Path}/consents",
                new GiveConsentRequest(Statement.ConsentId, Statement.Purpose, brand, Statement.CollectedVia, Statement.Text, null), null, null, cancellation),
        };
        return await AfterWriteAsync(answer, "consent", Text["The customer's statement is recorded."], () => ShowAsync(cancellation));
    }

    public async Task<IActionResult> OnPostUndoMergeAsync(Guid absorbedCustomerId, CancellationToken cancellation)
    {
        if (!InputUnderstood($"undo-{absorbedCustomerId}")) return await ShowAsync(cancellation);
        var answer = await Api.SendAsync<object>(HttpMethod.Post, $"{Path}/merges/{absorbedCustomerId}/undo",
            new UnmergeCustomersRequest(By, Why, null), null, IfMatch, cancellation);
        return await AfterWriteAsync(answer, $"undo-{absorbedCustomerId}", Text["Merge undone: both customers stand apart again."], () => ShowAsync(cancellation));
    }

    public sealed class ContactForm
    {
        public Guid? InteractionId { get; set; }
        public DateTimeOffset? OccurredAt { get; set; }
        public string? Brand { get; set; }
        public Channel? Channel { get; set; }
        public Direction? Direction { get; set; } = Interactions.Direction.Inbound;
        public ContactReason? Reason { get; set; }
        public Outcome? Outcome { get; set; }
        public int? WaitingSeconds { get; set; }
        public int? HandlingSeconds { get; set; }
        public string? Summary { get; set; }
        public Guid? CaseId { get; set; }
    }

    public sealed class CaseForm
    {
        public Guid? CaseId { get; set; }
        public Guid? InteractionId { get; set; }
        public string? Brand { get; set; }
        public ContactReason? Reason { get; set; }
        public string? Title { get; set; }
    }

    public sealed class RatingForm
    {
        public Guid InteractionId { get; set; }
        public int? Satisfaction { get; set; }
        public string? Comment { get; set; }
    }

    public sealed class ConsentForm
    {
        /// <summary><c>consent</c>, <c>withdrawal</c> or <c>objection</c>.</summary>
        public string Kind { get; set; } = "consent";
        public Guid? ConsentId { get; set; }
        public Purpose? Purpose { get; set; }
        public string? Brand { get; set; }
        public Channel? CollectedVia { get; set; }
        /// <summary>The notice shown (a consent) or the reason given (an objection).</summary>
        public string? Text { get; set; }
    }
}
