using System.ComponentModel.DataAnnotations;
using InteractionLedger.Customers;
using InteractionLedger.Http;
using JasperFx.Events;
using Marten;
using Wolverine;

namespace InteractionLedger.Merging;

/// <summary>A customer found to be the same person, to merge into this one (the survivor).</summary>
/// <param name="AbsorbedCustomerId">The customer found to be the same person; their id keeps answering, as part of the survivor.</param>
/// <param name="DecidedBy">Id of the agent who confirmed it is the same person.</param>
/// <param name="Reason">How they know (kept with the merge, for the audit and for an undo).</param>
/// <param name="ExpectedVersion">Optional: the survivor's stream version you expect (an ETag you read), instead of If-Match; a stale one answers 409.</param>
public sealed record MergeCustomersRequest([property: Required] Guid? AbsorbedCustomerId, string? DecidedBy, [property: Required] string? Reason, long? ExpectedVersion);

/// <summary>The answer to a merge or to its undo.</summary>
/// <param name="SurvivorCustomerId">The customer the other was merged into (or, for an undo, restored from).</param>
/// <param name="AbsorbedCustomerId">The customer merged in (or, for an undo, restored to answer on its own).</param>
/// <param name="Version">The survivor's stream version after the merge.</param>
/// <param name="Replayed">True when the request repeated one already applied: nothing new was recorded.</param>
public sealed record MergeReceipt(Guid SurvivorCustomerId, Guid AbsorbedCustomerId, long Version, bool Replayed);

public sealed record MergeCustomers(Guid SurvivorId, Guid AbsorbedId, string DecidedBy, string Reason, DateTimeOffset Now, long? ExpectedVersion);

public static class MergeCustomersHandler
{
    /// <returns>The survivor's decision, and the fact to append to the absorbed customer's stream with it.</returns>
    public static (Decision Survivor, object? Absorbed) Decide(MergeCustomers command, Customer survivor, Customer? absorbed)
    {
        if (absorbed is null)
            return (new Decision.Rejected(MergeCustomersEndpoint.NoSuchCustomer(command.AbsorbedId)), null);
        if (absorbed.Id == survivor.Id)
            return (Decision.Invalid("absorbedCustomerId", "A customer cannot be merged into itself."), null);
        if (survivor.Absorbed.Contains(absorbed.Id)) return (Decision.NothingToDo, null);
        if (survivor.AbsorbedInto is { } root)
            return (Decision.Conflict("customerId", $"This customer was merged into '{root}': merge into that customer instead."), null);
        if (absorbed.AbsorbedInto is { } other)
            return (Decision.Conflict("absorbedCustomerId", $"That customer is already merged into '{other}'; undo that merge first."), null);

        return (Decision.Emit(new CustomerMerged(absorbed.Id, command.DecidedBy, command.Reason, command.Now)),
            new CustomerAbsorbed(survivor.Id, command.DecidedBy, command.Reason, command.Now));
    }

    public static Task<WriteOutcome> Handle(MergeCustomers command, IDocumentSession session, CancellationToken cancellation) =>
        DecidePairAsync(session, command.SurvivorId, command.AbsorbedId, command.ExpectedVersion,
            (survivor, absorbed) => Decide(command, survivor, absorbed), cancellation);

    /// <summary>
    /// Locks both customers, decides on the survivor's stream (with its expected version) and, when that writes,
    /// appends the other customer's side of the same fact in the same transaction.
    /// </summary>
    public static async Task<WriteOutcome> DecidePairAsync(IDocumentSession session, Guid survivorId, Guid otherId, long? expectedVersion,
        Func<Customer, Customer?, (Decision Survivor, object? Other)> decide, CancellationToken cancellation)
    {
        var (survivor, other) = await LockPairAsync(session, survivorId, otherId, cancellation);
        object? forOther = null;
        var outcome = session.Decide(survivor, expectedVersion, customer =>
        {
            var (decision, fact) = decide(customer, other.Aggregate);
            forOther = fact;
            return decision;
        });
        if (outcome.Written && forOther is not null) other.AppendOne(forOther);
        return outcome;
    }

    /// <summary>Locks two customers' streams in id order, so that two merges of the same pair cannot deadlock.</summary>
    public static async Task<(IEventStream<Customer> Survivor, IEventStream<Customer> Other)> LockPairAsync(IDocumentSession session,
        Guid survivorId, Guid otherId, CancellationToken cancellation)
    {
        if (survivorId == otherId)
        {
            var only = await session.LockAsync(survivorId, cancellation);
            return (only, only);
        }
        var first = await session.LockAsync(survivorId.CompareTo(otherId) < 0 ? survivorId : otherId, cancellation);
        var second = await session.LockAsync(survivorId.CompareTo(otherId) < 0 ? otherId : survivorId, cancellation);
        return first.Id == survivorId ? (first, second) : (second, first);
    }
}

public static class MergeCustomersEndpoint
{
    /// <summary>The one answer for an absorbed id that does not exist or is out of reach: the two must read alike.</summary>
    public static Rejection NoSuchCustomer(Guid id) => new(RejectionKind.NotFound, "absorbedCustomerId", $"No customer '{id}' in the ledger.");

    public static RouteHandlerBuilder MapMergeCustomers(this IEndpointRouteBuilder customers) => customers
        .MapPost("/{customerId:guid}/merges", async (Guid customerId, MergeCustomersRequest request, HttpContext http, TimeProvider clock,
            IMessageBus bus) =>
        {
            var errors = new InputErrors();
            errors.RequiredId("absorbedCustomerId", request.AbsorbedCustomerId);
            Cases.CaseActors.Validate("decidedBy", request.DecidedBy, errors);
            errors.Required("reason", request.Reason);
            errors.MaxLength("reason", request.Reason, 500);
            return await CommandEndpoint.RunAsync(http, bus, errors, request.ExpectedVersion,
                expected => new MergeCustomers(customerId, request.AbsorbedCustomerId!.Value, request.DecidedBy!.Trim(),
                    request.Reason!.Trim(), clock.GetUtcNow(), expected),
                o => new MergeReceipt(customerId, request.AbsorbedCustomerId!.Value, o.Version, Replayed: !o.Written),
                // Both sides must be within the caller's reach: merging a guessed id in would show its history through the survivor.
                beforeInvoking: async () => await Access.CustomerReach.OutOfReachRecordedAsync(http, request.AbsorbedCustomerId!.Value)
                    ? ProblemResults.For(NoSuchCustomer(request.AbsorbedCustomerId!.Value), versionFromHeader: false) : null);
        })
        .WithName("MergeCustomers")
        .WithTags("Merging")
        .WithSummary("Merge a customer found to be the same person into this one (the survivor).")
        .WithDescription("An explicit decision, never automatic. The survivor's views and timeline then show both histories, the " +
                         "absorbed id keeps answering as part of the survivor, and the merge can be undone. Merged customers can be merged again.")
        .Produces<MergeReceipt>()
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status412PreconditionFailed)
        .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
}
