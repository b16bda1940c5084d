using System.Text.Json;
using InteractionLedger.Cases;
using InteractionLedger.Consent;
using InteractionLedger.Customers;
using InteractionLedger.Interactions;
using Marten;

namespace InteractionLedger.Privacy;

/// <summary>One stored event of the customer's streams, as recorded.</summary>
/// <param name="StreamId">The stream the event belongs to: the ledger id of the customer it concerns.</param>
/// <param name="Version">The event's position in its stream, from 1.</param>
/// <param name="Type">The event's stored type name (snake_case, e.g. <c>interaction_recorded</c>).</param>
/// <param name="RecordedAt">When the ledger stored the event (UTC).</param>
/// <param name="Data">The event's content, as stored (free text past its retention period is masked).</param>
public sealed record ExportedEvent(Guid StreamId, long Version, string Type, DateTimeOffset RecordedAt, JsonElement Data);

/// <summary>Everything the ledger holds about a customer (and anyone merged with them), machine-readable.</summary>
/// <param name="CustomerId">The customer exported (the survivor, when an absorbed id was asked for).</param>
/// <param name="ExportedAt">When the export was produced (UTC).</param>
/// <param name="Customers">The customer and everyone merged into them: identity, identifiers, brands, consents, preferred channel, possible duplicates.</param>
/// <param name="Interactions">Every contact, oldest first.</param>
/// <param name="Cases">Every case, oldest first.</param>
/// <param name="Consents">Every consent given, withdrawn or expired and every objection, oldest first.</param>
/// <param name="Accesses">Every access ledger record of the customers' ids, oldest first.</param>
/// <param name="Events">Every event of the customers' streams, as stored.</param>
/// <param name="Access">How this read was decided (the export is itself recorded in the access ledger).</param>
public sealed record CustomerExport(Guid CustomerId, DateTimeOffset ExportedAt, IReadOnlyList<Customer> Customers,
    IReadOnlyList<TimelineEntry> Interactions, IReadOnlyList<CaseSummary> Cases, IReadOnlyList<ConsentHistoryEntry> Consents,
    IReadOnlyList<StoredAccessRecord> Accesses, IReadOnlyList<ExportedEvent> Events, AccessNotice Access);

/// <summary>The export is assembled from the declaration of where personal data lives (<see cref="PersonalData"/>).</summary>
public static class Export
{
    public static async Task<IResult> HandleAsync(Guid customerId, IQuerySession session, PersonalDataGate gate, AccessLedger ledger,
        TimeProvider clock, HttpContext http, CancellationToken cancellation)
    {
        var (pass, problem) = await gate.OpenCustomerAsync(http, session, customerId, DataView.Export, cancellation);
        if (pass is null) return problem!;
        var scope = new PersonalDataScope(pass.Customer!.Members.ToArray(), cancellation);
        var sections = new Dictionary<string, object>();
        foreach (var holding in PersonalData.Holdings)
            if (holding.Export is { } export) sections[holding.Name] = await export(session, ledger, scope);
        T Section<T>(string name) => (T)sections[name];

        return Results.Ok(new CustomerExport(pass.Customer.Root, clock.GetUtcNow(), Section<List<Customer>>("customers"),
            Section<List<TimelineEntry>>("interactions"), Section<List<CaseSummary>>("cases"), Section<List<ConsentHistoryEntry>>("consents"),
            Section<List<StoredAccessRecord>>("accesses"), Section<List<ExportedEvent>>("events"), pass.Notice));
    }
}
