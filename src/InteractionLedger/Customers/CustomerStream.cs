using InteractionLedger.Http;
using JasperFx.Events;
using Marten;

namespace InteractionLedger.Customers;

/// <summary>An event whose Marten event id is a client-supplied id, so a unique index turns a duplicate into an error.</summary>
public interface IClientIdentifiedEvent
{
    Guid ClientEventId { get; }
}

/// <summary>The one write path of a customer's stream, shared by every command handler.</summary>
public static class CustomerStream
{
    /// <summary>
    /// Locks the customer's stream row for the rest of the transaction. Writers to one customer queue instead of
    /// failing on optimistic concurrency, so concurrent contacts from several channels all land, with contiguous
    /// versions and no retry loop; a client that states an expected version still gets its precondition checked.
    /// </summary>
    public static Task<IEventStream<Customer>> LockAsync(this IDocumentSession session, Guid customerId, CancellationToken cancellation) =>
        session.Events.FetchForExclusiveWriting<Customer>(customerId, cancellation);

    /// <summary>Locks the stream and runs a decision that needs nothing but the customer's write model.</summary>
    public static async Task<WriteOutcome> LockAndDecideAsync(this IDocumentSession session, Guid customerId,
        long? expectedVersion, Func<Customer, Decision> decide, CancellationToken cancellation)
    {
        var (stream, _) = await LockWithAsync<Customer>(session, customerId, load: null, cancellation);
        return session.Decide(stream, expectedVersion, decide);
    }

    /// <summary>
    /// Locks the stream and reads one document the decision needs, in a single round trip: the lock is taken
    /// first in the batch, so the document is read after every earlier writer of this customer committed.
    /// </summary>
    public static Task<(IEventStream<Customer> Stream, TDocument? Document)> LockWithAsync<TDocument>(
        this IDocumentSession session, Guid customerId, Guid documentId, CancellationToken cancellation) where TDocument : class =>
        LockWithAsync(session, customerId, batch => batch.Load<TDocument>(documentId), cancellation);

    /// <inheritdoc cref="LockWithAsync{TDocument}(IDocumentSession, Guid, Guid, CancellationToken)"/>
    public static Task<(IEventStream<Customer> Stream, TDocument? Document)> LockWithAsync<TDocument>(
        this IDocumentSession session, Guid customerId, string documentId, CancellationToken cancellation) where TDocument : class =>
        LockWithAsync(session, customerId, batch => batch.Load<TDocument>(documentId), cancellation);

    private static async Task<(IEventStream<Customer> Stream, TDocument? Document)> LockWithAsync<TDocument>(IDocumentSession session,
        Guid customerId, Func<Marten.Services.BatchQuerying.IBatchedQuery, Task<TDocument?>>? load, CancellationToken cancellation)
        where TDocument : class
    {
        var batch = session.CreateBatchQuery();
        var stream = batch.Events.FetchForExclusiveWriting<Customer>(customerId);
        var document = load is null ? Task.FromResult<TDocument?>(null) : load(batch);
        // Nearly every write changes the customer's overview, which its inline projection would read in a round trip
        // of its own: read here, in the same one, it waits in the session's identity map for the projection.
        _ = batch.Load<Overview.CustomerOverview>(customerId);
        await batch.Execute(cancellation);
        return (await stream, await document);
    }

    /// <summary>
    /// Runs a pure decision against the locked stream and appends what it decided. Order matters: a retry of an
    /// already-applied command is answered as such even if the stream moved on since (idempotency beats the
    /// version precondition), and a rejection is reported before a version mismatch because it is the more useful answer.
    /// </summary>
    public static WriteOutcome Decide(this IDocumentSession session, IEventStream<Customer> stream, long? expectedVersion,
        Func<Customer, Decision> decide)
    {
        var version = stream.CurrentVersion ?? 0;
        if (stream.Aggregate is null)
        {
            return WriteOutcome.Reject(stream.Id, 0,
                new Rejection(RejectionKind.NotFound, "customerId", $"No customer '{stream.Id}' in the ledger."));
        }

        switch (decide(stream.Aggregate))
        {
            case Decision.AlreadyDone already:
                return new WriteOutcome(stream.Id, version, Written: false, OriginalVersion: already.AtVersion);
            case Decision.Rejected rejected:
                return WriteOutcome.Reject(stream.Id, version, rejected.Rejection);
            case Decision.Append append when expectedVersion is { } expected && expected != version:
                return WriteOutcome.Reject(stream.Id, version, new Rejection(RejectionKind.VersionMismatch, "expectedVersion",
                    $"The customer's stream is at version {version}, not {expected}: someone else wrote first. Re-read and retry."));
            case Decision.Append append:
                foreach (var @event in append.Events)
                {
                    stream.AppendOne(WithClientEventId(session, @event));
                }
                return new WriteOutcome(stream.Id, version + append.Events.Count, Written: true);
            default:
                throw new InvalidOperationException("Unknown decision");
        }
    }

    /// <summary>The event as Marten should append it: wrapped with its client id as event id where it has one.</summary>
    public static object WithClientEventId(IDocumentSession session, object data)
    {
        if (data is not IClientIdentifiedEvent identified) return data;
        var wrapped = session.Events.BuildEvent(data);
        wrapped.Id = identified.ClientEventId;
        return wrapped;
    }
}
