using System.Text.Json;
using InteractionLedger.Cases;
using InteractionLedger.Consent;
using InteractionLedger.Customers;
using InteractionLedger.Interactions;
using Marten;

namespace InteractionLedger.Privacy;

/// <summary>One stored event of the customer's streams, as recorded.</summary>
public sealed record ExportedEvent(Guid StreamId, long Version, string Type, DateTimeOffset RecordedAt, JsonElement Data);

/// <summary>Everything the ledger holds about a customer (and anyone merged with them), machine-readable.</summary>
public sealed record CustomerExport(Guid CustomerId, DateTimeOffset ExportedAt, IReadOnlyList<Customer> Customers,
    IReadOnlyList<TimelineEntry> Interactions, IReadOnlyList<CaseSummary> Cases, IReadOnlyList<ConsentHistoryEntry> Consents,
    IReadOnlyList<StoredAccessRecord> Accesses, IReadOnlyList<ExportedEvent> Events, AccessNotice Access);

public static class Export
{
    public static async Task<IResult> HandleAsync(Guid customerId, IQuerySession session, PersonalDataGate gate, AccessLedger ledger,
        TimeProvider clock, HttpContext http, CancellationToken cancellation)
    {
        var (pass, problem) = await gate.OpenCustomerAsync(http, session, customerId, DataView.Export, cancellation);
        if (pass is null) return problem!;
        var members = pass.Customer!.Members.ToArray();

        var interactions = await session.Query<TimelineEntry>().Where(e => members.Contains(e.CustomerId))
            .OrderBy(e => e.OccurredAt).ToListAsync(cancellation);
        var cases = await session.Query<CaseSummary>().Where(c => members.Contains(c.CustomerId))
            .OrderBy(c => c.OpenedAt).ToListAsync(cancellation);
        var consents = (await session.LoadManyAsync<ConsentHistory>(cancellation, members)).SelectMany(h => h.Entries).OrderBy(e => e.At).ToList();
        var accesses = new List<StoredAccessRecord>();
        foreach (var member in members)
            accesses.AddRange(await ledger.SearchAsync(new AccessSearch(CustomerId: member, Limit: int.MaxValue), cancellation));
        var events = new List<ExportedEvent>();
        foreach (var member in members)
            events.AddRange((await session.Events.FetchStreamAsync(member, token: cancellation)).Select(e => new ExportedEvent(
                e.StreamId, e.Version, e.EventTypeName, e.Timestamp, JsonSerializer.SerializeToElement(e.Data, e.EventType, Hosting.ApiJson.Options))));

        return Results.Ok(new CustomerExport(pass.Customer.Root, clock.GetUtcNow(), pass.Customer.People, interactions, cases, consents,
            accesses.OrderBy(a => a.Id).ToList(), events, pass.Notice));
    }
}
