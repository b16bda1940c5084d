using InteractionLedger.Customers;
using InteractionLedger.Http;
using Marten;
using Wolverine;

namespace InteractionLedger.Cases;

/// <summary>The resolution of an open case.</summary>
/// <param name="ResolvedBy">Id of the agent, bot or system that resolved the problem.</param>
/// <param name="Resolution">How it was resolved (at most 1,000 characters).</param>
/// <param name="ExpectedVersion">Optional: the customer's stream version you expect (an ETag you read), instead of If-Match; a stale one answers 409.</param>
public sealed record ResolveCaseRequest(string? ResolvedBy, string? Resolution, long? ExpectedVersion);

public sealed record ResolveCase(Guid CustomerId, CaseResolved Resolution, long? ExpectedVersion, IReadOnlySet<string>? VisibleBrands)
    : Access.IBrandScopedCommand;

public static class ResolveCaseHandler
{
    public static Decision Decide(ResolveCase command, Customer customer) =>
        customer.CaseSeenBy(command, command.Resolution.CaseId) switch
        {
            null => Decision.NotFound("caseId", $"The customer has no case '{command.Resolution.CaseId}'."),
            CaseStatus.Resolved => Decision.NothingToDo,
            _ => Decision.Emit(command.Resolution),
        };

    public static Task<WriteOutcome> Handle(ResolveCase command, IDocumentSession session, CancellationToken cancellation) =>
        session.LockAndDecideAsync(command.CustomerId, command.ExpectedVersion, customer => Decide(command, customer), cancellation);
}

public static class ResolveCaseEndpoint
{
    public const int MaxResolutionLength = 1000;

    public static RouteHandlerBuilder MapResolveCase(this IEndpointRouteBuilder customers) => customers
        .MapPost("/{customerId:guid}/cases/{caseId:guid}/resolve", (Guid customerId, Guid caseId,
            ResolveCaseRequest request, HttpContext http, TimeProvider clock, IMessageBus bus) =>
        {
            var errors = new InputErrors();
            CaseActors.Validate("resolvedBy", request.ResolvedBy, errors);
            errors.MaxLength("resolution", request.Resolution, MaxResolutionLength);
            return CommandEndpoint.RunAsync(http, bus, errors, request.ExpectedVersion,
                expected => new ResolveCase(customerId, new CaseResolved(caseId, request.ResolvedBy!.Trim(),
                    string.IsNullOrWhiteSpace(request.Resolution) ? null : request.Resolution.Trim(), clock.GetUtcNow()), expected, Access.CustomerReach.WritableBrands(http)),
                o => new CaseReceipt(customerId, caseId, o.Version, Replayed: !o.Written));
        })
        .WithName("ResolveCase")
        .WithSummary("Mark a case resolved. Resolving a resolved case changes nothing (replayed=true).")
        .Produces<CaseReceipt>()
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status412PreconditionFailed);
}
