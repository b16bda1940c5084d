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
