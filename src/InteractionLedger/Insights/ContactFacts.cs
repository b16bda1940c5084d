using InteractionLedger.Cases;
using InteractionLedger.Hosting;
using InteractionLedger.Interactions;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace InteractionLedger.Insights;

/// <summary>
/// One row per contact, as the figures across the base read it: when, where, why, how it ended and how it was rated,
/// and whose it was. No summary, no comment, no identifier: nothing in it says what was said.
/// </summary>
/// <remarks>
/// Asynchronous, run by one node of however many run (Wolverine distributes it, InsightsModule): no write waits for it,
/// and a figure across the base a second late is as good as one on time. Written a page of events at a time in a few
/// set-based statements instead of a document per contact (measured: docs/benchmarks/insights.md). Every statement is an
/// idempotent upsert from the events, so replaying them from the start, as a rebuild does, rewrites each row as it was;
/// a customer erased while their events were being read gets no row.
/// </remarks>
public sealed class ContactFactProjection : EventFilterable, IProjection
{
    public const string Name = "ContactFact";
    public const string Table = $"{LedgerStore.Schema}.insights_contacts";

    public ContactFactProjection()
    {
        IncludeType<InteractionRecorded>();
        IncludeType<InteractionRated>();
        IncludeType<InteractionAttachedToCase>();
    }

    public static Table Schema()
    {
        var table = new Table(new PostgresqlObjectName(LedgerStore.Schema, "insights_contacts", SchemaUtils.IdentifierUsage.General));
        table.AddColumn<Guid>("id").AsPrimaryKey();
        table.AddColumn<Guid>("customer_id").NotNull();
        table.AddColumn("brand", "varchar").NotNull();
        table.AddColumn("channel", "varchar").NotNull();
        table.AddColumn("direction", "varchar").NotNull();
        table.AddColumn("reason", "varchar").NotNull();
        table.AddColumn("outcome", "varchar").NotNull();
        table.AddColumn("occurred_at", "timestamp with time zone").NotNull();
        // When the ledger learnt of it: figures "as at" an instant leave out what was recorded after, whenever it happened.
        table.AddColumn("recorded_at", "timestamp with time zone").NotNull();
        table.AddColumn("waiting_seconds", "integer");
        table.AddColumn("satisfaction", "integer");
        table.AddColumn("rated_at", "timestamp with time zone");
        table.AddColumn("case_id", "uuid");
        // Figures by brand and period; re-contact lists walk a brand's customers in id order with their last contact;
        // erasure and worklists find a customer's contacts.
        table.Indexes.Add(new IndexDefinition("insights_contacts_brand_occurred_at") { Columns = ["brand", "occurred_at"] });
        table.Indexes.Add(new IndexDefinition("insights_contacts_brand_customer") { Columns = ["brand", "customer_id", "occurred_at"] });
        table.Indexes.Add(new IndexDefinition("insights_contacts_customer") { Columns = ["customer_id"] });
        return table;
    }

    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var recorded = new Dictionary<Guid, (Guid Customer, InteractionRecorded Contact)>();
        var ratings = new Dictionary<Guid, InteractionRated>();
        var cases = new Dictionary<Guid, Guid>();
        foreach (var e in events)
            switch (e.Data)
            {
                case InteractionRecorded contact:
                    recorded[contact.InteractionId] = (e.StreamId, contact);
                    break;
                case InteractionRated rated:
                    ratings[rated.InteractionId] = rated;
                    break;
                case InteractionAttachedToCase attached:
                    cases[attached.InteractionId] = attached.CaseId;
                    break;
            }

        if (recorded.Count > 0)
        {
            var rows = recorded.Values.ToList();
            operations.QueueSqlCommand($"""
                insert into {Table} (id, customer_id, brand, channel, direction, reason, outcome, occurred_at, recorded_at, waiting_seconds, case_id, satisfaction, rated_at)
                select n.*, null::integer, null::timestamptz from unnest(?::uuid[], ?::uuid[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[],
                    ?::timestamptz[], ?::timestamptz[], ?::integer[], ?::uuid[])
                    as n(id, customer_id, brand, channel, direction, reason, outcome, occurred_at, recorded_at, waiting_seconds, case_id)
                where not exists (select 1 from {InsightsTables.Erasures} e where e.id = n.customer_id)
                on conflict (id) do update set customer_id = excluded.customer_id, brand = excluded.brand, channel = excluded.channel,
                    direction = excluded.direction, reason = excluded.reason, outcome = excluded.outcome, occurred_at = excluded.occurred_at,
                    recorded_at = excluded.recorded_at, waiting_seconds = excluded.waiting_seconds, case_id = excluded.case_id, satisfaction = null, rated_at = null
                """,
                rows.Select(r => r.Contact.InteractionId).ToArray(), rows.Select(r => r.Customer).ToArray(), rows.Select(r => r.Contact.Brand).ToArray(),
                rows.Select(r => r.Contact.Channel.ToString()).ToArray(), rows.Select(r => r.Contact.Direction.ToString()).ToArray(),
                rows.Select(r => r.Contact.Reason.ToString()).ToArray(), rows.Select(r => r.Contact.Outcome.ToString()).ToArray(),
                rows.Select(r => r.Contact.OccurredAt.ToUniversalTime()).ToArray(), rows.Select(r => r.Contact.RecordedAt.ToUniversalTime()).ToArray(),
                rows.Select(r => r.Contact.WaitingSeconds).ToArray(),
                rows.Select(r => r.Contact.CaseId).ToArray());
        }
        if (ratings.Count > 0)
            operations.QueueSqlCommand($"""
                update {Table} f set satisfaction = r.satisfaction, rated_at = r.rated_at
                from unnest(?::uuid[], ?::integer[], ?::timestamptz[]) as r(id, satisfaction, rated_at) where f.id = r.id
                """,
                ratings.Keys.ToArray(), ratings.Values.Select(r => r.Satisfaction).ToArray(), ratings.Values.Select(r => r.RatedAt.ToUniversalTime()).ToArray());
        if (cases.Count > 0)
            operations.QueueSqlCommand($"update {Table} f set case_id = c.case_id from unnest(?::uuid[], ?::uuid[]) as c(id, case_id) where f.id = c.id",
                cases.Keys.ToArray(), cases.Values.ToArray());
        return Task.CompletedTask;
    }
}

/// <summary>
/// One row per case, as the figures read it: its brand, when it opened, its contacts (ids and times, in the order they
/// happened), when it was resolved. Asynchronous and set-based, like <see cref="ContactFactProjection"/>: a case opened
/// again in a replay starts again from no contact, so replaying its events rewrites it as it was.
/// </summary>
public sealed class CaseFactProjection : EventFilterable, IProjection
{
    public const string Name = "CaseFact";
    public const string Table = $"{LedgerStore.Schema}.insights_cases";

    public CaseFactProjection()
    {
        IncludeType<CaseOpened>();
        IncludeType<InteractionRecorded>();
        IncludeType<InteractionAttachedToCase>();
        IncludeType<CaseResolved>();
        IncludeType<CaseReopened>();
    }

    public static Table Schema()
    {
        var table = new Table(new PostgresqlObjectName(LedgerStore.Schema, "insights_cases", SchemaUtils.IdentifierUsage.General));
        table.AddColumn<Guid>("id").AsPrimaryKey();
        table.AddColumn<Guid>("customer_id").NotNull();
        table.AddColumn("brand", "varchar").NotNull();
        table.AddColumn("reason", "varchar").NotNull();
        table.AddColumn("opened_at", "timestamp with time zone").NotNull();
        table.AddColumn("status", "varchar").NotNull();
        // When the status last changed (opened, resolved, reopened): a case reopened after an instant was not open at it.
        table.AddColumn("status_at", "timestamp with time zone").NotNull();
        table.AddColumn("resolved_at", "timestamp with time zone");
        table.AddColumn("contact_ids", "uuid[]").NotNull();
        table.AddColumn("contact_times", "timestamp with time zone[]").NotNull();
        table.AddColumn("contact_count", "integer").NotNull();
        table.AddColumn("first_contact_id", "uuid");
        table.Indexes.Add(new IndexDefinition("insights_cases_brand_status") { Columns = ["brand", "status"] });
        table.Indexes.Add(new IndexDefinition("insights_cases_brand_resolved_at") { Columns = ["brand", "resolved_at"] });
        table.Indexes.Add(new IndexDefinition("insights_cases_customer") { Columns = ["customer_id"] });
        return table;
    }

    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var opened = new Dictionary<Guid, (Guid Customer, CaseOpened Case)>();
        var contacts = new List<(Guid Case, Guid Contact, DateTimeOffset At)>();
        var status = new Dictionary<Guid, (CaseStatus Status, DateTimeOffset At, DateTimeOffset? ResolvedAt)>();
        foreach (var e in events)
            switch (e.Data)
            {
                case CaseOpened open:
                    opened[open.CaseId] = (e.StreamId, open);
                    status.Remove(open.CaseId);
                    contacts.RemoveAll(c => c.Case == open.CaseId);
                    break;
                case InteractionRecorded { CaseId: { } caseId } contact:
                    contacts.Add((caseId, contact.InteractionId, contact.OccurredAt.ToUniversalTime()));
                    break;
                case InteractionAttachedToCase attached:
                    contacts.Add((attached.CaseId, attached.InteractionId, attached.OccurredAt.ToUniversalTime()));
                    break;
                case CaseResolved resolved:
                    status[resolved.CaseId] = (CaseStatus.Resolved, resolved.ResolvedAt.ToUniversalTime(), resolved.ResolvedAt.ToUniversalTime());
                    break;
                case CaseReopened reopened:
                    status[reopened.CaseId] = (CaseStatus.Open, reopened.ReopenedAt.ToUniversalTime(), null);
                    break;
            }

        if (opened.Count > 0)
        {
            var rows = opened.Values.ToList();
            operations.QueueSqlCommand($"""
                insert into {Table} (id, customer_id, brand, reason, opened_at, status, status_at, resolved_at, contact_ids, contact_times, contact_count, first_contact_id)
                select o.*, 'Open', o.opened_at, null, array[]::uuid[], array[]::timestamptz[], 0, null
                from unnest(?::uuid[], ?::uuid[], ?::varchar[], ?::varchar[], ?::timestamptz[]) as o(id, customer_id, brand, reason, opened_at)
                where not exists (select 1 from {InsightsTables.Erasures} e where e.id = o.customer_id)
                on conflict (id) do update set customer_id = excluded.customer_id, brand = excluded.brand, reason = excluded.reason,
                    opened_at = excluded.opened_at, status = 'Open', status_at = excluded.opened_at, resolved_at = null, contact_ids = array[]::uuid[], contact_times = array[]::timestamptz[],
                    contact_count = 0, first_contact_id = null
                """,
                rows.Select(r => r.Case.CaseId).ToArray(), rows.Select(r => r.Customer).ToArray(), rows.Select(r => r.Case.Brand).ToArray(),
                rows.Select(r => r.Case.Reason.ToString()).ToArray(), rows.Select(r => r.Case.OpenedAt.ToUniversalTime()).ToArray());
        }
        if (contacts.Count > 0)
            // A contact is counted once however often it is replayed, and the contacts stay in the order they happened.
            operations.QueueSqlCommand($"""
                with added as (
                    select case_id, array_agg(contact_id) as ids, array_agg(at) as times
                    from unnest(?::uuid[], ?::uuid[], ?::timestamptz[]) as n(case_id, contact_id, at) group by case_id)
                update {Table} k set contact_ids = m.ids, contact_times = m.times, contact_count = cardinality(m.ids), first_contact_id = m.ids[1]
                from (
                    select c.id, array_agg(a.contact_id order by a.at, a.contact_id) as ids, array_agg(a.at order by a.at, a.contact_id) as times
                    from {Table} c
                    join added on added.case_id = c.id
                    cross join lateral (
                        select distinct on (e.contact_id) e.contact_id, e.at
                        from unnest(c.contact_ids || added.ids, c.contact_times || added.times) as e(contact_id, at)
                        order by e.contact_id, e.at) a
                    group by c.id) m
                where k.id = m.id
                """,
                contacts.Select(c => c.Case).ToArray(), contacts.Select(c => c.Contact).ToArray(), contacts.Select(c => c.At).ToArray());
        if (status.Count > 0)
            operations.QueueSqlCommand($"""
                update {Table} k set status = s.status, status_at = s.status_at, resolved_at = s.resolved_at
                from unnest(?::uuid[], ?::varchar[], ?::timestamptz[], ?::timestamptz[]) as s(id, status, status_at, resolved_at) where k.id = s.id
                """,
                status.Keys.ToArray(), status.Values.Select(s => s.Status.ToString()).ToArray(), status.Values.Select(s => s.At).ToArray(),
                status.Values.Select(s => s.ResolvedAt).ToArray());
        return Task.CompletedTask;
    }
}
