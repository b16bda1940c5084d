using InteractionLedger.Customers;
using InteractionLedger.Http;
using InteractionLedger.Interactions;
using InteractionLedger.Merging;
using Marten;

namespace InteractionLedger.Cases;

/// <summary>A case as an agent sees it in the customer's case list.</summary>
/// <param name="ContactCount">Contacts the case has needed so far.</param>
/// <param name="Channels">Distinct channels it crossed, in order of first use.</param>
/// <param name="TimeOpenSeconds">Time spent open, over all its open periods, up to now.</param>
public sealed record CaseView(Guid CaseId, string Brand, ContactReason Reason, string Title, CaseStatus Status,
    string OpenedBy, DateTimeOffset OpenedAt, DateTimeOffset? ResolvedAt, string? Resolution, int ReopenCount,
    int ContactCount, IReadOnlyList<Channel> Channels, DateTimeOffset? LastContactAt, long TimeOpenSeconds)
{
    public static CaseView From(CaseSummary s, DateTimeOffset now) => new(s.Id, s.Brand, s.Reason, s.Title, s.Status,
        s.OpenedBy, s.OpenedAt, s.ResolvedAt, s.Resolution, s.ReopenCount, s.ContactCount, s.Channels, s.LastContactAt,
        (long)s.TimeOpen(now).TotalSeconds);
}

public static class CaseListEndpoint
{
    public static RouteHandlerBuilder MapCaseList(this IEndpointRouteBuilder customers) => customers
        .MapGet("/{customerId:guid}/cases", async (Guid customerId, string? status, IQuerySession session,
            TimeProvider clock, CancellationToken cancellation) =>
        {
            if (status is not (null or "open" or "resolved"))
                return InputErrors.For("status", "'status' must be 'open' or 'resolved'.").ToResult();
            CaseStatus? statusFilter = status switch { "open" => CaseStatus.Open, "resolved" => CaseStatus.Resolved, _ => null };
            if (await CustomerGroup.LoadAsync(session, customerId, cancellation) is not { } members) return CustomerReads.NotFound(customerId);

            var memberIds = members.Members.ToArray();
            var query = session.Query<CaseSummary>().Where(c => memberIds.Contains(c.CustomerId));
            if (statusFilter is { } wanted) query = query.Where(c => c.Status == wanted);
            var cases = await query.OrderByDescending(c => c.OpenedAt).ToListAsync(cancellation);
            var now = clock.GetUtcNow();
            return Results.Ok(cases.Select(c => CaseView.From(c, now)).ToList());
        })
        .WithName("ListCases")
        .WithSummary("A customer's cases, newest first, with status, contacts so far, channels crossed and time open.")
        .Produces<List<CaseView>>()
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound);

    public static RouteHandlerBuilder MapGetCase(this IEndpointRouteBuilder customers) => customers
        .MapGet("/{customerId:guid}/cases/{caseId:guid}", async (Guid customerId, Guid caseId, IQuerySession session,
            TimeProvider clock, CancellationToken cancellation) =>
        {
            var summary = await session.LoadAsync<CaseSummary>(caseId, cancellation);
            if (summary is not null && (summary.CustomerId == customerId
                || (await CustomerGroup.LoadAsync(session, customerId, cancellation))?.Members.Contains(summary.CustomerId) == true))
                return Results.Ok(CaseView.From(summary, clock.GetUtcNow()));
            return ProblemResults.For(new Rejection(RejectionKind.NotFound, "caseId",
                $"The customer '{customerId}' has no case '{caseId}'."), versionFromHeader: false);
        })
        .WithName("GetCase")
        .WithSummary("Read one case.")
        .Produces<CaseView>()
        .ProducesProblem(StatusCodes.Status404NotFound);
}
