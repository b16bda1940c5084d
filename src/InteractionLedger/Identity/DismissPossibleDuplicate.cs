using InteractionLedger.Customers;
using InteractionLedger.Http;
using Marten;
using Wolverine;

namespace InteractionLedger.Identity;

/// <summary>An agent looked at a possible duplicate and found two different people (a household sharing a phone).</summary>
public sealed record PossibleDuplicateDismissed(Guid OtherCustomerId, string DismissedBy, string Reason, DateTimeOffset DismissedAt);

/// <param name="DismissedBy">Id of the agent who checked.</param>
/// <param name="Reason">Why they are different people.</param>
public sealed record DismissPossibleDuplicateRequest(string? DismissedBy, string? Reason, long? ExpectedVersion);

public sealed record DismissPossibleDuplicate(Guid CustomerId, PossibleDuplicateDismissed Dismissal, long? ExpectedVersion);

public static class DismissPossibleDuplicateHandler
{
    /// <param name="sharesIdentifier">Whether the other customer holds one of this customer's identifiers now.</param>
    public static Decision Decide(DismissPossibleDuplicate command, Customer customer, bool sharesIdentifier)
    {
        var other = command.Dismissal.OtherCustomerId;
        if (customer.DismissedDuplicates.Contains(other)) return Decision.NothingToDo;
        return sharesIdentifier || customer.PossibleDuplicates.Any(d => d.OtherCustomerId == other)
            ? Decision.Emit(command.Dismissal)
            : Decision.NotFound("otherCustomerId", $"Customer '{other}' is not listed as a possible duplicate of this one.");
    }

    public static async Task<WriteOutcome> Handle(DismissPossibleDuplicate command, IDocumentSession session, CancellationToken cancellation)
    {
        var stream = await session.LockAsync(command.CustomerId, cancellation);
        var keys = stream.Aggregate?.Identifiers.Keys.ToArray() ?? [];
        var claims = keys.Length == 0 ? [] : await session.LoadManyAsync<IdentifierClaim>(cancellation, keys);
        var shares = claims.Any(c => c.Holders.Any(h => h.CustomerId == command.Dismissal.OtherCustomerId));
        return session.Decide(stream, command.ExpectedVersion, customer => Decide(command, customer, shares));
    }
}

public static class DismissPossibleDuplicateEndpoint
{
    public static RouteHandlerBuilder MapDismissPossibleDuplicate(this IEndpointRouteBuilder customers) => customers
        .MapPost("/{customerId:guid}/possible-duplicates/{otherCustomerId:guid}/dismiss", async (Guid customerId, Guid otherCustomerId,
            DismissPossibleDuplicateRequest request, HttpContext http, TimeProvider clock, IMessageBus bus) =>
        {
            // A possible duplicate outside the caller's reach is not listed to it, so it cannot be dismissed by it either.
            if (await Access.CustomerReach.OutOfReachRecordedAsync(http, otherCustomerId))
                return ProblemResults.For(new Rejection(RejectionKind.NotFound, "otherCustomerId",
                    $"Customer '{otherCustomerId}' is not listed as a possible duplicate of this one."), versionFromHeader: false);
            var errors = new InputErrors();
            Cases.CaseActors.Validate("dismissedBy", request.DismissedBy, errors);
            errors.Required("reason", request.Reason);
            errors.MaxLength("reason", request.Reason, 500);
            return await CommandEndpoint.RunAsync(http, bus, errors, request.ExpectedVersion,
                expected => new DismissPossibleDuplicate(customerId, new PossibleDuplicateDismissed(otherCustomerId,
                    request.DismissedBy!.Trim(), request.Reason!.Trim(), clock.GetUtcNow()), expected),
                o => new WriteReceipt(customerId, o.Version, Replayed: !o.Written));
        })
        .WithName("DismissPossibleDuplicate")
        .WithSummary("Two customers sharing a weak identifier are different people: stop listing them as possible duplicates.")
        .WithDescription("Confirming instead is a merge (POST /customers/{id}/merges).")
        .Produces<WriteReceipt>()
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status412PreconditionFailed);
}
