using InteractionLedger.Overview;
using Npgsql;

namespace InteractionLedger.Insights;

/// <summary>Why a customer should be contacted before they call (thresholds: <see cref="InsightsPolicy"/>).</summary>
public enum SignalKind
{
    /// <summary>Negatively rated contacts with the brand, close together and recent.</summary>
    NegativeContacts,
    /// <summary>An open case at its n-th contact, or open for too long.</summary>
    CaseDragging,
    /// <summary>A contact abandoned without an answer, and no answered contact or call from the brand since.</summary>
    NotCalledBack,
    /// <summary>A customer with a year of regular contacts who has gone quiet.</summary>
    DormantLoyal,
}

/// <summary>One signal standing for one customer with one brand.</summary>
/// <param name="About">The case or contact the signal is about, when it is about one.</param>
public sealed record StandingSignal(Guid CustomerId, string Brand, SignalKind Kind, DateTimeOffset Since, Guid? About);

/// <summary>Customers with each signal standing, by brand (or the whole group).</summary>
/// <param name="Customers">Distinct customers with the signal; null when fewer than the minimum (but not none).</param>
public sealed record SignalCount(string? Brand, SignalKind Signal, int? Customers);

/// <summary>How many customers to contact before they call, by signal, as at the start of the day (UTC).</summary>
/// <param name="At">The instant the signals were counted at: the start of today, so that counts read during the day do not
/// change with each contact and tell, by difference, about the last one.</param>
public sealed record SignalCounts(DateTimeOffset At, IReadOnlyList<string> Brands, int MinimumCustomers, int? ExcludedCustomers,
    IReadOnlyList<SignalCount> Counts, Guid AccessRecord);

/// <summary>
/// The signals standing now, computed from the contact and case facts with the clock of the read: a signal that
/// depends on time passing (a case open too long, a call-back overdue, a customer gone quiet) needs no event to appear.
/// A signal is answered by the brand reaching out: any outbound contact with the customer after it arose clears it.
/// </summary>
public static class SignalQuery
{
    /// <summary>
    /// The SQL of the signals standing at <c>@now</c> for the brands in <c>@brands</c>, as (customer_id, brand, kind, since,
    /// about), from what was known then (contacts, ratings and case steps before it): counts as at the start of the day
    /// stay the same all day.
    /// <paramref name="leaveOutObjectors"/> for figures (the analytics purpose), not for worklists (the service purpose).
    /// </summary>
    public static string Sql(bool leaveOutObjectors)
    {
        var excludedJoin = leaveOutObjectors ? InsightsScope.ExcludedJoin : "";
        var notExcluded = leaveOutObjectors ? InsightsScope.NotExcluded : $"not exists (select 1 from {InsightsTables.Erasures} e where e.id = f.customer_id)";
        return $"""
            with f as (
                select f.id, f.customer_id, f.brand, f.direction, f.outcome, f.occurred_at,
                       case when f.rated_at <= @now then f.satisfaction end as satisfaction, case when f.rated_at <= @now then f.rated_at end as rated_at
                from {InsightsTables.Contacts} f {excludedJoin}
                where {notExcluded} and f.brand = any(@brands) and f.occurred_at <= @now and f.recorded_at <= @now),
            negative as (
                select customer_id, brand, 'NegativeContacts' as kind,
                       (array_agg(coalesce(rated_at, occurred_at) order by coalesce(rated_at, occurred_at)))[@negatives] as since, null::uuid as about
                from f where satisfaction <= @negative_at_most and occurred_at >= @now - @negative_days * interval '1 day'
                group by customer_id, brand having count(*) >= @negatives),
            dragging as (
                select f.customer_id, f.brand, 'CaseDragging',
                       least(case when f.contact_times[@case_contacts] <= @now then f.contact_times[@case_contacts] end,
                             case when f.opened_at < @now - @case_days * interval '1 day' then f.opened_at + @case_days * interval '1 day' end),
                       f.id
                from {InsightsTables.Cases} f {excludedJoin}
                where {notExcluded} and f.brand = any(@brands) and f.opened_at <= @now and ((f.status = 'Open' and f.status_at <= @now) or (f.status = 'Resolved' and f.resolved_at > @now))
                  and (f.contact_times[@case_contacts] <= @now or f.opened_at < @now - @case_days * interval '1 day')),
            not_called_back as (
                select a.customer_id, a.brand, 'NotCalledBack', a.occurred_at + @call_back_hours * interval '1 hour', a.id
                from f a
                where a.outcome = 'Abandoned' and a.direction = 'Inbound' and a.occurred_at < @now - @call_back_hours * interval '1 hour'
                  and not exists (select 1 from f b where b.customer_id = a.customer_id and b.brand = a.brand and b.occurred_at > a.occurred_at
                                  and (b.outcome <> 'Abandoned' or b.direction = 'Outbound'))),
            last_contact as (select customer_id, brand, max(occurred_at) as last_at from f group by 1, 2),
            dormant as (
                select l.customer_id, l.brand, 'DormantLoyal', l.last_at + @dormant_days * interval '1 day', null::uuid
                from last_contact l join f on f.customer_id = l.customer_id and f.brand = l.brand and f.occurred_at > l.last_at - interval '365 days'
                where l.last_at < @now - @dormant_days * interval '1 day'
                group by l.customer_id, l.brand, l.last_at having count(*) >= @loyal),
            standing as (
                select * from negative union all select * from dragging union all select * from not_called_back union all select * from dormant)
            select s.customer_id, s.brand, s.kind, s.since, s.about from standing s
            where s.since <= @now and s.since >= @now - @fade_days * interval '1 day'
              and not exists (select 1 from f o where o.customer_id = s.customer_id and o.brand = s.brand and o.direction = 'Outbound' and o.occurred_at >= s.since)
            order by s.since, s.customer_id, s.kind, coalesce(s.about, '00000000-0000-0000-0000-000000000000'::uuid)
            """;
    }

    public static void AddThresholds(NpgsqlCommand command, InsightsPolicy policy, RelationshipPolicy relationship, DateTimeOffset now)
    {
        command.Parameters.AddWithValue("now", now.UtcDateTime);
        command.Parameters.AddWithValue("negatives", policy.NegativeContactsForSignal);
        command.Parameters.AddWithValue("negative_at_most", relationship.NegativeAtMost);
        command.Parameters.AddWithValue("negative_days", policy.NegativeWindowDays);
        command.Parameters.AddWithValue("case_contacts", policy.CaseContactsForSignal);
        command.Parameters.AddWithValue("case_days", policy.CaseOpenDaysForSignal);
        command.Parameters.AddWithValue("call_back_hours", policy.CallBackWithinHours);
        command.Parameters.AddWithValue("dormant_days", relationship.DormantAfterDays);
        command.Parameters.AddWithValue("loyal", policy.LoyalFromContactsPerYear);
        command.Parameters.AddWithValue("fade_days", policy.SignalsFadeAfterDays);
    }

    public static async Task<SignalCounts> CountAsync(NpgsqlDataSource database, FigureScope scope, InsightsPolicy policy, RelationshipPolicy relationship,
        DateTimeOffset now, Guid accessRecord, CancellationToken cancellation)
    {
        var counts = new Dictionary<(string? Brand, SignalKind Kind), long>();
        await using (var command = database.CreateCommand($"""
            with signals as ({Sql(leaveOutObjectors: true)})
            select case when grouping(brand) = 1 then null else brand end, kind, count(distinct customer_id) from signals
            group by grouping sets ((brand, kind), (kind))
            """))
        {
            command.Parameters.AddWithValue("brands", scope.Computed.ToArray());
            command.AddExcluded(scope.Excluded);
            AddThresholds(command, policy, relationship, now);
            await using var reader = await command.ExecuteReaderAsync(cancellation);
            while (await reader.ReadAsync(cancellation))
                counts[(reader.IsDBNull(0) ? null : reader.GetString(0), Enum.Parse<SignalKind>(reader.GetString(1)))] = reader.GetInt64(2);
        }
        var k = scope.MinimumCustomers;
        var cells = scope.Computed.Select(b => (string?)b).Append(null)
            .SelectMany(brand => Enum.GetValues<SignalKind>().Select(kind => (Brand: brand, Kind: kind, Customers: counts.GetValueOrDefault((brand, kind)))))
            .ToList();
        var hidden = cells.Select((c, i) => (c, i)).Where(x => x.c.Customers > 0 && x.c.Customers < k).Select(x => x.i).ToHashSet();
        // The brands' customers with a signal add up (nearly: one customer may have it with two brands) to the group's.
        Suppression.Complete(cells.Select(c => c.Customers).ToList(), hidden, cells.Select((c, i) => (c, i))
            .Where(x => x.c.Brand is null && !hidden.Contains(x.i))
            .Select(group => (IReadOnlyList<int>)cells.Select((c, i) => (c, i)).Where(x => x.c.Brand is not null && x.c.Kind == group.c.Kind).Select(x => x.i).ToList()));
        var rows = cells.Select((c, i) => new SignalCount(c.Brand, c.Kind, hidden.Contains(i) ? null : (int)c.Customers)).Where(c => scope.Shows(c.Brand)).ToList();
        return new SignalCounts(now, scope.Brands, k, scope.ExcludedCustomers, rows, accessRecord);
    }
}
