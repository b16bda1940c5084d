using InteractionLedger.Customers;
using InteractionLedger.Http;
using InteractionLedger.Interactions;
using InteractionLedger.Merging;
using InteractionLedger.Privacy;
using Marten;

namespace InteractionLedger.Cases;

/// <summary>A case as an agent sees it in the customer's case list.</summary>
/// <param name="CaseId">The case's id.</param>
/// <param name="Brand">Code of the brand the problem concerns.</param>
/// <param name="Reason">Why the customer made contact.</param>
/// <param name="Title">One line an agent recognises the problem by; empty when free text is withheld for the stated purpose.</param>
/// <param name="Status"><c>open</c> or <c>resolved</c>.</param>
/// <param name="OpenedBy">Id of the agent, bot or system that opened the case.</param>
/// <param name="OpenedAt">When the case was opened (UTC).</param>
/// <param name="ResolvedAt">When the case was resolved (UTC); null while open.</param>
/// <param name="Resolution">How it was resolved; null while open, when no resolution was given, or when free text is withheld for the stated purpose.</param>
/// <param name="ReopenCount">How many times the case was reopened.</param>
/// <param name="ContactCount">Contacts the case has needed so far.</param>
/// <param name="Channels">Distinct channels it crossed, in order of first use.</param>
/// <param name="LastContactAt">When the latest contact of the case happened; null before any.</param>
/// <param name="TimeOpenSeconds">Time spent open, over all its open periods, up to now.</param>
public sealed record CaseView(Guid CaseId, string Brand, ContactReason Reason, string Title, CaseStatus Status,
    string OpenedBy, DateTimeOffset OpenedAt, DateTimeOffset? ResolvedAt, string? Resolution, int ReopenCount,
    int ContactCount, IReadOnlyList<Channel> Channels, DateTimeOffset? LastContactAt, long TimeOpenSeconds)
{
    /// <summary>How this read was decided (on a single case read; a list carries it once).</summary>
    public AccessNotice? Access { get; init; }

    /// <param name="freeText">False when the purpose does not need what people wrote: title and resolution are left out.</param>
    public static CaseView From(CaseSummary s, DateTimeOffset now, bool freeText) => new(s.Id, s.Brand, s.Reason, freeText ? s.Title : "",
        s.Status, s.OpenedBy, s.OpenedAt, s.ResolvedAt, freeText ? s.Resolution : null, s.ReopenCount, s.ContactCount, s.Channels,
        s.LastContactAt, (long)s.TimeOpen(now).TotalSeconds);
}

/// <summary>A customer's cases, newest first.</summary>
/// <param name="CustomerId">The customer (the survivor, when an absorbed id was asked for).</param>
/// <param name="Cases">The cases of the brands the caller may see, newest first.</param>
/// <param name="Access">How this read was decided, and what it leaves out.</param>
public sealed record CaseList(Guid CustomerId, IReadOnlyList<CaseView> Cases, AccessNotice Access);

public static class CaseListEndpoint
{
    public static RouteHandlerBuilder MapCaseList(this IEndpointRouteBuilder customers) => customers
        .MapGet("/{customerId:guid}/cases", async (Guid customerId, string? status, IQuerySession session,
            TimeProvider clock, PersonalDataGate gate, HttpContext http, CancellationToken cancellation) =>
        {
            if (status is not (null or "open" or "resolved"))
                return InputErrors.For("status", "'status' must be 'open' or 'resolved'.").ToResult();
            CaseStatus? statusFilter = status switch { "open" => CaseStatus.Open, "resolved" => CaseStatus.Resolved, _ => null };
            var (pass, problem) = await gate.OpenCustomerAsync(http, session, customerId, DataView.Cases, cancellation);
            if (pass is null) return problem!;
            var members = pass.Customer!;

            var memberIds = members.Members.ToArray();
            var query = session.Query<CaseSummary>().Where(c => memberIds.Contains(c.CustomerId));
            if (statusFilter is { } wanted) query = query.Where(c => c.Status == wanted);
            var cases = await query.OrderByDescending(c => c.OpenedAt).ToListAsync(cancellation);
            var now = clock.GetUtcNow();
            var freeText = pass.Decision.Shows(DataPart.FreeText);
            return Results.Ok(new CaseList(members.Root, cases.Where(c => pass.Decision.ShowsBrand(c.Brand))
                .Select(c => CaseView.From(c, now, freeText)).ToList(), pass.Notice));
        })
        .WithName("ListCases")
        .WithSummary("A customer's cases, newest first, with status, contacts so far, channels crossed and time open.")
        .WithPersonalDataRead()
        .Produces<CaseList>()
        .ProducesProblem(StatusCodes.Status404NotFound);

    public static RouteHandlerBuilder MapGetCase(this IEndpointRouteBuilder customers) => customers
        .MapGet("/{customerId:guid}/cases/{caseId:guid}", async (Guid customerId, Guid caseId, IQuerySession session,
            TimeProvider clock, PersonalDataGate gate, HttpContext http, CancellationToken cancellation) =>
        {
            var (pass, problem) = await gate.OpenCustomerAsync(http, session, customerId, DataView.Cases, cancellation);
            if (pass is null) return problem!;
            var summary = await session.LoadAsync<CaseSummary>(caseId, cancellation);
            if (summary is not null && pass.Customer!.Members.Contains(summary.CustomerId) && pass.Decision.ShowsBrand(summary.Brand))
                return Results.Ok(CaseView.From(summary, clock.GetUtcNow(), pass.Decision.Shows(DataPart.FreeText)) with { Access = pass.Notice });
            return ProblemResults.For(new Rejection(RejectionKind.NotFound, "caseId",
                $"The customer '{customerId}' has no case '{caseId}'."), versionFromHeader: false);
        })
        .WithName("GetCase")
        .WithSummary("Read one case.")
        .WithPersonalDataRead()
        .Produces<CaseView>()
        .ProducesProblem(StatusCodes.Status404NotFound);
}
