using System.ComponentModel.DataAnnotations;
using InteractionLedger.Customers;
using InteractionLedger.Http;
using Marten;
using Wolverine;

namespace InteractionLedger.Merging;

/// <summary>The undoing of a merge.</summary>
/// <param name="DecidedBy">Id of the agent undoing the merge.</param>
/// <param name="Reason">Why the merge was wrong.</param>
/// <param name="ExpectedVersion">Optional: the survivor's stream version you expect (an ETag you read), instead of If-Match; a stale one answers 409.</param>
public sealed record UnmergeCustomersRequest(string? DecidedBy, [property: Required] string? Reason, long? ExpectedVersion);

public sealed record UnmergeCustomers(Guid SurvivorId, Guid AbsorbedId, string DecidedBy, string Reason, DateTimeOffset Now, long? ExpectedVersion);

public static class UnmergeCustomersHandler
{
    public static (Decision Survivor, object? Absorbed) Decide(UnmergeCustomers command, Customer survivor, Customer? absorbed)
    {
        // One answer for "never merged here", "merged elsewhere" and "does not exist": none of them may tell a caller
        // that an id it guessed belongs to somebody, or into whom that somebody was merged.
        var notMergedHere = (Decision.NotFound("absorbedCustomerId", $"No customer '{command.AbsorbedId}' was merged into this one."), (object?)null);
        if (absorbed is null || absorbed.Id == survivor.Id) return notMergedHere;
        if (!survivor.Absorbed.Contains(absorbed.Id))
            return survivor.Unmerged.Contains(absorbed.Id) && absorbed.AbsorbedInto is null ? (Decision.NothingToDo, null) : notMergedHere;
        return (Decision.Emit(new CustomerUnmerged(absorbed.Id, command.DecidedBy, command.Reason, command.Now)),
            new CustomerRestored(survivor.Id, command.DecidedBy, command.Reason, command.Now));
    }

    public static Task<WriteOutcome> Handle(UnmergeCustomers command, IDocumentSession session, CancellationToken cancellation) =>
        MergeCustomersHandler.DecidePairAsync(session, command.SurvivorId, command.AbsorbedId, command.ExpectedVersion,
            (survivor, absorbed) => Decide(command, survivor, absorbed), cancellation);
}

public static class UnmergeCustomersEndpoint
{
    public static RouteHandlerBuilder MapUnmergeCustomers(this IEndpointRouteBuilder customers) => customers
        .MapPost("/{customerId:guid}/merges/{absorbedCustomerId:guid}/undo", (Guid customerId, Guid absorbedCustomerId,
            UnmergeCustomersRequest request, HttpContext http, TimeProvider clock, IMessageBus bus) =>
        {
            // The empty id names nobody: not a stream to look for (Marten refuses it), a customer never merged here.
            if (absorbedCustomerId == Guid.Empty) return Task.FromResult(Customers.CustomerReads.NotFound(absorbedCustomerId));
            var errors = new InputErrors();
            Cases.CaseActors.Validate("decidedBy", request.DecidedBy, errors);
            errors.Required("reason", request.Reason);
            errors.MaxLength("reason", request.Reason, 500);
            return CommandEndpoint.RunAsync(http, bus, errors, request.ExpectedVersion,
                expected => new UnmergeCustomers(customerId, absorbedCustomerId, request.DecidedBy!.Trim(), request.Reason!.Trim(),
                    clock.GetUtcNow(), expected),
                o => new MergeReceipt(customerId, absorbedCustomerId, o.Version, Replayed: !o.Written),
                // Once restored, a customer out of the caller's reach is, to it, one that was never merged here: a replayed
                // answer would let it follow what becomes of them.
                beforeInvoking: async () => await Access.CustomerReach.OutOfReachRecordedAsync(http, absorbedCustomerId)
                    ? ProblemResults.For(new Rejection(RejectionKind.NotFound, "absorbedCustomerId",
                        $"No customer '{absorbedCustomerId}' was merged into this one."), versionFromHeader: false) : null);
        })
        .WithName("UnmergeCustomers")
        .WithTags("Merging")
        .WithSummary("Undo a merge: both customers answer on their own again, each with its own history, including what happened since.")
        .Produces<MergeReceipt>()
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status412PreconditionFailed);
}
