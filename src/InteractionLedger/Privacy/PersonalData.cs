using System.Text.Json;
using InteractionLedger.Cases;
using InteractionLedger.Consent;
using InteractionLedger.Customers;
using InteractionLedger.Identity;
using InteractionLedger.Interactions;
using InteractionLedger.Overview;
using Marten;

namespace InteractionLedger.Privacy;

/// <summary>What a holding's export, erasure or retention step works on: the customer's ids (a merged customer is one person).</summary>
public sealed record PersonalDataScope(Guid[] Members, CancellationToken Cancellation);

/// <summary>
/// One place that holds personal data, and how each obligation reaches it. The words are for the privacy officer and
/// the record of processing; the steps are what erasure, export, retention and the tests' snapshots run.
/// </summary>
/// <param name="Name">The holding's name: its section of the export and of view snapshots.</param>
/// <param name="Document">The Marten document that holds it, when it is one (null: events, the access ledger).</param>
/// <param name="Erase">Removes the customer from it, within the erasure's transaction; null when it is kept (see <paramref name="Erasure"/>).</param>
/// <param name="Export">Reads what it holds about the customer for the export; null when the export carries it elsewhere.</param>
/// <param name="ClearExpiredText">Brings it in line after retention masked free text older than the cutoff in the events.</param>
/// <param name="All">Every document, for tests comparing the views before and after a rebuild; null when not a view.</param>
public sealed record PersonalDataHolding(
    string Name, string Holds, string Erasure, string Exported, string Retention, Type? Document = null,
    Func<IDocumentSession, PersonalDataScope, Task>? Erase = null,
    Func<IQuerySession, AccessLedger, PersonalDataScope, Task<object>>? Export = null,
    Func<IDocumentSession, PersonalDataScope, DateTimeOffset, Task<int>>? ClearExpiredText = null,
    Func<IQuerySession, Task<IReadOnlyList<object>>>? All = null);

/// <summary>
/// Every document type and table that holds personal data, declared once: erasure, export, retention and the tests read
/// this list, and a test fails when a document Marten stores is neither declared here nor in <see cref="NotPersonal"/>.
/// </summary>
public static class PersonalData
{
    public static readonly IReadOnlyList<PersonalDataHolding> Holdings =
    [
        new("events", "Every fact of the customer's streams: contacts, ratings, cases, identifiers, consents, merges.",
            Erasure: "Streams deleted outright (Marten's tombstone), events and all.",
            Exported: "Every event of the customer's streams, as stored.",
            Retention: "Free text and lapsed contact details masked in the stored events (masking rules in LedgerStore).",
            Erase: (session, scope) =>
            {
                foreach (var member in scope.Members) session.Events.TombstoneStream(member);
                return Task.CompletedTask;
            },
            Export: async (session, _, scope) =>
            {
                var events = new List<ExportedEvent>();
                foreach (var member in scope.Members)
                    events.AddRange((await session.Events.FetchStreamAsync(member, token: scope.Cancellation)).Select(e => new ExportedEvent(
                        e.StreamId, e.Version, e.EventTypeName, e.Timestamp, JsonSerializer.SerializeToElement(e.Data, e.EventType, Hosting.ApiJson.Options))));
                return events;
            }),
        new("customers", "Identity: name, identifiers, brands, consents, preferred channel, possible duplicates.", Document: typeof(Customer),
            Erasure: "Deleted.", Exported: "Whole.", Retention: "Contact details unlinked after ContactDetailsDays without contact, then masked.",
            Erase: (session, scope) => DeleteEach<Customer>(session, scope),
            Export: async (session, _, scope) => (await session.LoadManyAsync<Customer>(scope.Cancellation, scope.Members)).ToList(),
            All: All<Customer>),
        new("interactions", "The timeline: every contact, its summary, rating and case.", Document: typeof(TimelineEntry),
            Erasure: "Deleted.", Exported: "Whole, oldest first.", Retention: "Summary and rating comment cleared after InteractionTextDays.",
            Erase: (session, scope) =>
            {
                session.DeleteWhere<TimelineEntry>(e => scope.Members.Contains(e.CustomerId));
                return Task.CompletedTask;
            },
            Export: async (session, _, scope) => (await session.Query<TimelineEntry>().Where(e => scope.Members.Contains(e.CustomerId))
                .OrderBy(e => e.OccurredAt).ToListAsync(scope.Cancellation)).ToList(),
            ClearExpiredText: ClearTimelineTextAsync,
            All: All<TimelineEntry>),
        new("cases", "Cases: reasons, titles, resolutions, who handled them.", Document: typeof(CaseSummary),
            Erasure: "Deleted.", Exported: "Whole, oldest first.", Retention: "Kept with the customer (no free text of the contacts).",
            Erase: (session, scope) =>
            {
                session.DeleteWhere<CaseSummary>(c => scope.Members.Contains(c.CustomerId));
                return Task.CompletedTask;
            },
            Export: async (session, _, scope) => (await session.Query<CaseSummary>().Where(c => scope.Members.Contains(c.CustomerId))
                .OrderBy(c => c.OpenedAt).ToListAsync(scope.Cancellation)).ToList(),
            All: All<CaseSummary>),
        new("overviews", "The unified view: figures, recent contacts and case steps computed from the events.", Document: typeof(CustomerOverview),
            Erasure: "Deleted.", Exported: "Not exported: computed from the events and views exported.",
            Retention: "Rebuilt from the masked events, so recent contacts and case steps lose their free text too.",
            Erase: (session, scope) => DeleteEach<CustomerOverview>(session, scope),
            ClearExpiredText: async (session, scope, _) =>
            {
                foreach (var customer in scope.Members)
                    if (await session.Events.AggregateStreamAsync<CustomerOverview>(customer, token: scope.Cancellation) is { } overview)
                        session.Store(overview);
                return 0;
            },
            All: All<CustomerOverview>),
        new("consents", "Every consent given, withdrawn, expired and every objection.", Document: typeof(ConsentHistory),
            Erasure: "Deleted.", Exported: "Every entry, oldest first.", Retention: "Kept with the customer: the proof of consent.",
            Erase: (session, scope) => DeleteEach<ConsentHistory>(session, scope),
            Export: async (session, _, scope) => (await session.LoadManyAsync<ConsentHistory>(scope.Cancellation, scope.Members))
                .SelectMany(h => h.Entries).OrderBy(e => e.At).ToList(),
            All: All<ConsentHistory>),
        new("claims", "Who holds each identifier (its value is the document's id).", Document: typeof(IdentifierClaim),
            Erasure: "The customer removed as a holder; an identifier nobody else holds is deleted.",
            Exported: "Not exported: the customer's identifiers are in 'customers'.",
            Retention: "Contact details past their period are unlinked, which releases their claims.",
            Erase: ReleaseClaimsAsync,
            All: All<IdentifierClaim>),
        new("contact-facts", "Each contact as the figures across the base read it: customer id, brand, channel, reason, outcome, waiting time, " +
                             "rating (no text, no identifier). Table ledger.insights_contacts.",
            Erasure: "Deleted in the erasure's transaction: the customer leaves worklists and figures at once. The asynchronous view " +
                     "writes no row for an erased id afterwards (from events it had read before), and figures and lists skip erased ids.",
            Exported: "Not exported: the same contacts are in 'interactions' and 'events'.",
            Retention: "Holds no free text or contact details: kept as long as the events it comes from.",
            Erase: (session, scope) => DeleteRows(session, Insights.ContactFactProjection.Table, scope),
            All: session => Rows(session, Insights.ContactFactProjection.Table)),
        new("case-facts", "Each case as the figures read it: customer id, brand, reason, when it opened, its contacts' ids and times, when it " +
                          "was resolved. Table ledger.insights_cases.",
            Erasure: "Deleted in the erasure's transaction, like 'contact-facts'.",
            Exported: "Not exported: the same cases are in 'cases' and 'events'.",
            Retention: "Holds no free text: kept as long as the events it comes from.",
            Erase: (session, scope) => DeleteRows(session, Insights.CaseFactProjection.Table, scope),
            All: session => Rows(session, Insights.CaseFactProjection.Table)),
        new("announced-signals", "Which proactive signals were announced to other systems (customer id, brand, signal, since).",
            Erasure: "Deleted in the erasure's transaction. Announcements already sent are the receiving systems' to erase.",
            Exported: "Not exported: the signals stand on the contacts and cases exported.",
            Retention: "Rows of signals older than Ledger:Insights:SignalsFadeAfterDays are deleted at each announcement.",
            Erase: (session, scope) => DeleteRows(session, Insights.SignalAnnouncer.Table, scope),
            All: session => Rows(session, Insights.SignalAnnouncer.Table)),
        new("accesses", "The access ledger: who read the customer's data, when, why, with what decision (ids, never values).",
            Erasure: "Kept: it holds ids and decisions, no personal value, and proves the controller's accountability (GDPR art. 5(2)).",
            Exported: "Every record of the customer's ids.",
            Retention: "Monthly partitions dropped after Ledger:AccessLedger:RetentionMonths (default 60).",
            Export: async (_, ledger, scope) =>
            {
                var accesses = new List<StoredAccessRecord>();
                foreach (var member in scope.Members)
                    accesses.AddRange(await ledger.SearchAsync(new AccessSearch(CustomerId: member, Limit: int.MaxValue), scope.Cancellation));
                return accesses.OrderBy(a => a.Id).ToList();
            }),
    ];

    /// <summary>Documents Marten stores that hold no personal data, and why.</summary>
    public static readonly IReadOnlyDictionary<Type, string> NotPersonal = new Dictionary<Type, string>
    {
        [typeof(CustomerErasure)] = "That an id was erased, by whom and why, and counts per channel and brand that identify nobody.",
        [typeof(RetentionRun)] = "When the retention job ran and how much it erased.",
        [typeof(JasperFx.Events.Daemon.DeadLetterEvent)] =
            "Marten's dead letters of asynchronous projections: an event's id and sequence, the view, and the failure (the insights' views write rows of their own, in SQL).",
        [typeof(Wolverine.Envelope)] =
            "Wolverine's stored messages: commands are invoked within their request and never stored; the outbox holds proactive-signal " +
            "announcements (a customer id, a brand, a signal) only until sent, and only once a route for them is configured.",
    };

    private static Task DeleteRows(IDocumentSession session, string table, PersonalDataScope scope)
    {
        session.QueueSqlCommand($"delete from {table} where customer_id = any(?)", scope.Members);
        return Task.CompletedTask;
    }

    /// <summary>Every row of a table the views write with SQL, as JSON, for the tests' snapshots.</summary>
    private static async Task<IReadOnlyList<object>> Rows(IQuerySession session, string table) =>
        (await session.AdvancedSql.QueryAsync<string>($"select row_to_json(t)::text from {table} t order by 1", CancellationToken.None)).Cast<object>().ToList();

    private static Task DeleteEach<T>(IDocumentSession session, PersonalDataScope scope) where T : notnull
    {
        foreach (var member in scope.Members) session.Delete<T>(member);
        return Task.CompletedTask;
    }

    private static async Task<IReadOnlyList<object>> All<T>(IQuerySession session) where T : notnull =>
        (await session.Query<T>().ToListAsync()).Cast<object>().ToList();

    private static async Task ReleaseClaimsAsync(IDocumentSession session, PersonalDataScope scope)
    {
        // Read from the database: the customers' documents are deleted only when the erasure commits.
        var people = await session.LoadManyAsync<Customer>(scope.Cancellation, scope.Members);
        var identifierKeys = people.SelectMany(p => p.Identifiers.Keys).Distinct().ToArray();
        var claims = identifierKeys.Length == 0 ? [] : await session.LoadManyAsync<IdentifierClaim>(scope.Cancellation, identifierKeys);
        foreach (var claim in claims)
        {
            claim.Holders.RemoveAll(h => scope.Members.Contains(h.CustomerId));
            // A claim's id is the identifier itself: one nobody else holds must go entirely.
            if (claim.Holders.Count == 0) session.Delete(claim);
            else session.Store(claim);
        }
    }

    private static async Task<int> ClearTimelineTextAsync(IDocumentSession session, PersonalDataScope scope, DateTimeOffset cutoff)
    {
        var entries = await session.Query<TimelineEntry>()
            .Where(e => scope.Members.Contains(e.CustomerId) && e.OccurredAt < cutoff).ToListAsync(scope.Cancellation);
        var cleared = 0;
        foreach (var entry in entries.Where(e => e.Summary is not null || e.Rating?.Comment is not null))
        {
            entry.Summary = null;
            if (entry.Rating is { } rating && rating.RatedAt < cutoff) entry.Rating = rating with { Comment = null };
            session.Store(entry);
            cleared++;
        }
        return cleared;
    }
}
