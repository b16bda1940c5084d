using System.ComponentModel.DataAnnotations;
using InteractionLedger.Customers;
using InteractionLedger.Http;
using Marten;
using Wolverine;

namespace InteractionLedger.Cases;

/// <summary>The reopening of a resolved case.</summary>
/// <param name="ReopenedBy">Id of the agent, bot or system reopening the case.</param>
/// <param name="Reason">Why the problem is not over (at most 500 characters).</param>
/// <param name="ExpectedVersion">Optional: the customer's stream version you expect (an ETag you read), instead of If-Match; a stale one answers 409.</param>
public sealed record ReopenCaseRequest(string? ReopenedBy, [property: Required] string? Reason, long? ExpectedVersion);

public sealed record ReopenCase(Guid CustomerId, CaseReopened Reopening, long? ExpectedVersion, IReadOnlySet<string>? VisibleBrands)
    : Access.IBrandScopedCommand;

public static class ReopenCaseHandler
{
    public static Decision Decide(ReopenCase command, Customer customer) =>
        customer.CaseSeenBy(command, command.Reopening.CaseId) switch
        {
            null => Decision.NotFound("caseId", $"The customer has no case '{command.Reopening.CaseId}'."),
            CaseStatus.Open => Decision.NothingToDo,
            _ => Decision.Emit(command.Reopening),
        };

    public static Task<WriteOutcome> Handle(ReopenCase command, IDocumentSession session, CancellationToken cancellation) =>
        session.LockAndDecideAsync(command.CustomerId, command.ExpectedVersion, customer => Decide(command, customer), cancellation);
}

public static class ReopenCaseEndpoint
{
    public const int MaxReasonLength = 500;

    public static RouteHandlerBuilder MapReopenCase(this IEndpointRouteBuilder customers) => customers
        .MapPost("/{customerId:guid}/cases/{caseId:guid}/reopen", (Guid customerId, Guid caseId,
            ReopenCaseRequest request, HttpContext http, TimeProvider clock, IMessageBus bus) =>
        {
            var errors = new InputErrors();
            CaseActors.Validate("reopenedBy", request.ReopenedBy, errors);
            errors.Required("reason", request.Reason);
            errors.MaxLength("reason", request.Reason, MaxReasonLength);
            return CommandEndpoint.RunAsync(http, bus, errors, request.ExpectedVersion,
                expected => new ReopenCase(customerId, new CaseReopened(caseId, request.ReopenedBy!.Trim(),
                    request.Reason!.Trim(), clock.GetUtcNow()), expected, Access.CustomerReach.WritableBrands(http)),
                o => new CaseReceipt(customerId, caseId, o.Version, Replayed: !o.Written));
        })
        .WithName("ReopenCase")
        .WithSummary("Reopen a resolved case: the problem came back. Reopening an open case changes nothing (replayed=true).")
        .Produces<CaseReceipt>()
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status412PreconditionFailed);
}
