using System.Data.Common;
using InteractionLedger.Cases;
using InteractionLedger.Group;
using InteractionLedger.Hosting;
using InteractionLedger.Http;
using InteractionLedger.Interactions;
using InteractionLedger.Overview;
using Marten;
using Npgsql;

namespace InteractionLedger.Insights;

/// <summary>How figures are cut in time: ISO weeks (from Monday) or calendar months, in UTC.</summary>
public enum Granularity { Week, Month }

/// <summary>The service given on one channel (or all of them) of one brand (or the whole group) in one period.</summary>
/// <param name="Brand">The brand; null for the whole group (shown to callers acting for the whole group only).</param>
/// <param name="Channel">The channel; null for all channels together.</param>
/// <param name="Period">The period's first instant (UTC).</param>
/// <param name="Suppressed">True when the cell describes fewer customers than the minimum: every figure is then null.</param>
/// <param name="Contacts">Contacts in the period.</param>
/// <param name="Customers">Distinct customers behind them.</param>
/// <param name="CustomerShare">Of the brand's (or group's) customers in contact in the period, the share who used this channel.</param>
/// <param name="AverageSatisfaction">Average rating (1–5); null when fewer customers than the minimum rated.</param>
/// <param name="SatisfiedShare">Share of ratings at 4 or 5.</param>
/// <param name="ReferenceSatisfiedShare">The published satisfaction for this channel (2017), when there is one.</param>
/// <param name="NegativeShare">Share of ratings at or below the relationship policy's negative threshold (2): negative experiences.</param>
/// <param name="FirstContactResolution">Of the requests started on it (inbound contacts outside a case, or opening one),
/// the share resolved by that first contact.</param>
/// <param name="WaitingP50Seconds">Median waiting time, among contacts whose waiting was measured.</param>
/// <param name="WaitingP90Seconds">90th percentile of waiting time.</param>
/// <param name="UnansweredShare">Share of contacts abandoned without an answer.</param>
/// <param name="Change">The change from the previous period of the same cell, when both are shown.</param>
public sealed record ServiceQualityCell(string? Brand, Channel? Channel, DateTimeOffset Period, bool Suppressed, int? Contacts, int? Customers,
    double? CustomerShare, double? AverageSatisfaction, double? SatisfiedShare, double? ReferenceSatisfiedShare, double? NegativeShare,
    double? FirstContactResolution, int? WaitingP50Seconds, int? WaitingP90Seconds, double? UnansweredShare, QualityChange? Change);

/// <summary>A cell's change from the previous period: differences, in contacts and in shares (0.05 is five points).</summary>
public sealed record QualityChange(int? Contacts, double? SatisfiedShare, double? FirstContactResolution, double? UnansweredShare);

/// <summary>The effort resolved cases took, by brand (or group) and period of resolution.</summary>
/// <param name="ContactsPerResolvedCase">Average contacts a case resolved in the period took; read beside the published 2.8.</param>
public sealed record CaseEffortCell(string? Brand, DateTimeOffset Period, bool Suppressed, int? ResolvedCases, double? ContactsPerResolvedCase);

/// <summary>Why customers got in touch, by brand (or group) and period.</summary>
/// <param name="Share">Share of the period's contacts with this reason.</param>
/// <param name="ReferenceSharedStoriesShare">How often this reason appears in the stories consumers share (published), when known:
/// a different base (shared stories, several reasons each), read as an order of magnitude.</param>
public sealed record ReasonCell(string? Brand, DateTimeOffset Period, ContactReason Reason, bool Suppressed, int? Contacts, double? Share,
    double? ReferenceSharedStoriesShare);

/// <summary>The published figures the report is read against.</summary>
public sealed record QualityReferences(IReadOnlyDictionary<Channel, double> SatisfiedShareByChannel, double ContactsPerSatisfyingAnswer,
    double NegativeExperienceShare2007, double NegativeExperienceShare2009, IReadOnlyDictionary<ContactReason, double> SharedStoriesByReason);

/// <summary>Service quality across the base, per brand, channel and period.</summary>
/// <param name="From">The first period's first instant (UTC).</param>
/// <param name="To">The end of the last period (exclusive).</param>
/// <param name="MinimumCustomers">A figure describing fewer customers than this is suppressed.</param>
/// <param name="ExcludedCustomers">Customers left out because they objected to analytics; null when fewer than the minimum (but not none).</param>
/// <param name="AccessRecord">The reference of this read's access record.</param>
public sealed record ServiceQualityReport(DateTimeOffset From, DateTimeOffset To, Granularity Granularity, IReadOnlyList<string> Brands,
    int MinimumCustomers, int? ExcludedCustomers, IReadOnlyList<ServiceQualityCell> Cells, IReadOnlyList<CaseEffortCell> Cases,
    IReadOnlyList<ReasonCell> Reasons, QualityReferences References, Guid AccessRecord);

/// <summary>The periods a request covers, aligned on the granularity.</summary>
public sealed record Periods(DateTimeOffset From, DateTimeOffset To, Granularity Granularity)
{
    public string Unit => Granularity == Granularity.Week ? "week" : "month";

    public static DateTimeOffset Start(DateTimeOffset at, Granularity granularity)
    {
        var day = new DateTimeOffset(at.UtcDateTime.Date, TimeSpan.Zero);
        return granularity == Granularity.Month
            ? new DateTimeOffset(day.Year, day.Month, 1, 0, 0, 0, TimeSpan.Zero)
            : day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
    }

    public DateTimeOffset Previous(DateTimeOffset period) => Granularity == Granularity.Month ? period.AddMonths(-1) : period.AddDays(-7);

    public DateTimeOffset Next(DateTimeOffset period) => Granularity == Granularity.Month ? period.AddMonths(1) : period.AddDays(7);

    /// <summary>From the query string: <c>from</c> and <c>to</c> (dates, UTC; default the last six months or twelve weeks, to today).</summary>
    public static Periods? Read(DateOnly? from, DateOnly? to, Granularity? granularity, DateTimeOffset now, InsightsPolicy policy, InputErrors errors)
    {
        var unit = granularity ?? Granularity.Month;
        var end = to is { } t ? new DateTimeOffset(t.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : now;
        var start = from is { } f ? new DateTimeOffset(f.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
            : unit == Granularity.Month ? Start(end, unit).AddMonths(-5) : Start(end, unit).AddDays(-7 * 11);
        if (from is not null && to is not null && from >= to) { errors.Add("from", "'from' must be before 'to'."); return null; }
        if (start >= end) { errors.Add("from", "'from' must be before 'to' (default: today)."); return null; }
        if ((end - start).TotalDays > policy.MaxPeriodDays)
        {
            errors.Add("to", $"At most {policy.MaxPeriodDays} days of figures per request; it asked {(int)(end - start).TotalDays}.");
            return null;
        }
        var periods = new Periods(Start(start, unit), end, unit);
        // 'to' is exclusive: a period that starts at 'to' is not asked for.
        return periods;
    }
}

public static class ServiceQualityQuery
{
    public static async Task<ServiceQualityReport> ReadAsync(NpgsqlDataSource database, FigureScope scope, Periods periods, RelationshipPolicy relationship,
        Guid accessRecord, CancellationToken cancellation)
    {
        // One period before the first is read too: the first period's change needs it.
        var readFrom = periods.Previous(periods.From);
        var groupingSets = scope.GroupTotals
            ? "(f.brand, f.channel, f.period), (f.brand, f.period), (f.channel, f.period), (f.period)"
            : "(f.brand, f.channel, f.period), (f.brand, f.period)";
        var rows = new List<QualityRow>();
        await using (var command = database.CreateCommand($"""
            select case when grouping(f.brand) = 1 then null else f.brand end, case when grouping(f.channel) = 1 then null else f.channel end,
                   f.period, count(*), count(distinct f.customer_id),
                   count(distinct f.customer_id) filter (where f.satisfaction is not null), count(f.satisfaction), avg(f.satisfaction)::float8,
                   count(*) filter (where f.satisfaction >= 4), count(*) filter (where f.satisfaction <= @negative),
                   count(*) filter (where f.direction = 'Inbound' and (f.case_id is null or c.first_contact_id = f.id)),
                   count(*) filter (where f.direction = 'Inbound' and ((f.case_id is null and f.outcome = 'Resolved')
                       or (c.first_contact_id = f.id and c.status = 'Resolved' and c.contact_count = 1))),
                   count(distinct f.customer_id) filter (where f.waiting_seconds is not null),
                   percentile_disc(0.5) within group (order by f.waiting_seconds), percentile_disc(0.9) within group (order by f.waiting_seconds),
                   count(*) filter (where f.outcome = 'Abandoned')
            from ({Facts("f.channel, f.direction, f.outcome, f.case_id, f.id, f.satisfaction, f.waiting_seconds")}) f
            left join {InsightsTables.Cases} c on c.id = f.case_id
            group by grouping sets ({groupingSets})
            """))
        {
            AddScope(command, scope, periods, readFrom);
            command.Parameters.AddWithValue("negative", relationship.NegativeAtMost);
            await using var reader = await command.ExecuteReaderAsync(cancellation);
            while (await reader.ReadAsync(cancellation))
                rows.Add(new QualityRow(Text(reader, 0), reader.IsDBNull(1) ? null : Enum.Parse<Channel>(reader.GetString(1)), reader.GetFieldValue<DateTimeOffset>(2),
                    Int(reader, 3), Int(reader, 4), Int(reader, 5), Int(reader, 6), reader.IsDBNull(7) ? null : reader.GetDouble(7), Int(reader, 8), Int(reader, 9),
                    Int(reader, 10), Int(reader, 11), Int(reader, 12), reader.IsDBNull(13) ? null : reader.GetInt32(13),
                    reader.IsDBNull(14) ? null : reader.GetInt32(14), Int(reader, 15)));
        }

        var k = scope.MinimumCustomers;
        var totals = rows.Where(r => r.Channel is null).ToDictionary(r => (r.Brand, r.Period), r => r.Customers);
        var cells = rows.Select(r => Cell(r, totals.GetValueOrDefault((r.Brand, r.Period)), k)).ToList();
        var byKey = cells.ToDictionary(c => (c.Brand, c.Channel, c.Period));
        cells = cells.Where(c => c.Period >= periods.From)
            .Select(c => c with { Change = byKey.TryGetValue((c.Brand, c.Channel, periods.Previous(c.Period)), out var before) ? Change(c, before) : null })
            .OrderBy(c => c.Brand is null ? 1 : 0).ThenBy(c => c.Brand).ThenBy(c => c.Channel is null ? 0 : 1).ThenBy(c => c.Channel).ThenBy(c => c.Period)
            .ToList();

        var cases = new List<CaseEffortCell>();
        await using (var command = database.CreateCommand($"""
            select case when grouping(f.brand) = 1 then null else f.brand end, f.period, count(*), count(distinct f.customer_id), avg(f.contact_count)::float8
            from (select f.brand, f.customer_id, f.contact_count, date_trunc(@unit, f.resolved_at, 'UTC') as period
                  from {InsightsTables.Cases} f {InsightsScope.ExcludedJoin}
                  where {InsightsScope.NotExcluded} and f.status = 'Resolved' and f.brand = any(@brands) and f.resolved_at >= @from and f.resolved_at < @to) f
            group by grouping sets ({(scope.GroupTotals ? "(f.brand, f.period), (f.period)" : "(f.brand, f.period)")})
            """))
        {
            AddScope(command, scope, periods, periods.From);
            await using var reader = await command.ExecuteReaderAsync(cancellation);
            while (await reader.ReadAsync(cancellation))
            {
                var suppressed = reader.GetInt64(3) < k;
                cases.Add(new CaseEffortCell(Text(reader, 0), reader.GetFieldValue<DateTimeOffset>(1), suppressed,
                    suppressed ? null : Int(reader, 2), suppressed ? null : Math.Round(reader.GetDouble(4), 2)));
            }
        }

        var reasons = new List<ReasonCell>();
        await using (var command = database.CreateCommand($"""
            select case when grouping(f.brand) = 1 then null else f.brand end, f.period, f.reason, count(*), count(distinct f.customer_id)
            from ({Facts("f.reason")}) f
            group by grouping sets ({(scope.GroupTotals ? "(f.brand, f.period, f.reason), (f.period, f.reason)" : "(f.brand, f.period, f.reason)")})
            """))
        {
            AddScope(command, scope, periods, periods.From);
            await using var reader = await command.ExecuteReaderAsync(cancellation);
            while (await reader.ReadAsync(cancellation))
            {
                var (brand, period, reason) = (Text(reader, 0), reader.GetFieldValue<DateTimeOffset>(1), Enum.Parse<ContactReason>(reader.GetString(2)));
                var suppressed = reader.GetInt64(4) < k;
                var all = rows.FirstOrDefault(r => r.Brand == brand && r.Channel is null && r.Period == period)?.Contacts ?? 0;
                reasons.Add(new ReasonCell(brand, period, reason, suppressed, suppressed ? null : Int(reader, 3),
                    suppressed || all == 0 ? null : Share(reader.GetInt64(3), all), ReferenceFigures.SharedStoriesByReason.TryGetValue(reason, out var shared) ? shared : null));
            }
        }

        return new ServiceQualityReport(periods.From, periods.To, periods.Granularity, scope.Brands, k, scope.ExcludedCustomers, cells,
            cases.OrderBy(c => c.Brand is null ? 1 : 0).ThenBy(c => c.Brand).ThenBy(c => c.Period).ToList(),
            reasons.OrderBy(c => c.Brand is null ? 1 : 0).ThenBy(c => c.Brand).ThenBy(c => c.Period).ThenBy(c => c.Reason).ToList(),
            References, accessRecord);
    }

    /// <summary>The contacts of the scope in the period, with their period: brand, customer, period and the columns asked.</summary>
    private static string Facts(string columns) => $"""
        select f.brand, f.customer_id, date_trunc(@unit, f.occurred_at, 'UTC') as period, {columns}
        from {InsightsTables.Contacts} f {InsightsScope.ExcludedJoin}
        where {InsightsScope.NotExcluded} and f.brand = any(@brands) and f.occurred_at >= @from and f.occurred_at < @to
        """;

    public static readonly QualityReferences References = new(ReferenceFigures.SatisfiedShareByChannel, ReferenceFigures.ContactsPerSatisfyingAnswer,
        ReferenceFigures.NegativeExperienceShare2007, ReferenceFigures.NegativeExperienceShare2009, ReferenceFigures.SharedStoriesByReason);

    private sealed record QualityRow(string? Brand, Channel? Channel, DateTimeOffset Period, int Contacts, int Customers, int Raters, int Ratings,
        double? AverageSatisfaction, int Satisfied, int Negative, int Requests, int ResolvedFirst, int WaitedCustomers, int? WaitingP50,
        int? WaitingP90, int Unanswered);

    private static ServiceQualityCell Cell(QualityRow r, int periodCustomers, int k)
    {
        if (r.Customers < k)
            return new ServiceQualityCell(r.Brand, r.Channel, r.Period, true, null, null, null, null, null, Reference(r.Channel), null, null, null, null, null, null);
        var ratingsShown = r.Raters >= k;
        var waitingShown = r.WaitedCustomers >= k;
        return new ServiceQualityCell(r.Brand, r.Channel, r.Period, false, r.Contacts, r.Customers,
            r.Channel is null || periodCustomers == 0 ? null : Share(r.Customers, periodCustomers),
            ratingsShown && r.AverageSatisfaction is { } average ? Math.Round(average, 2) : null,
            ratingsShown ? Share(r.Satisfied, r.Ratings) : null, Reference(r.Channel),
            ratingsShown ? Share(r.Negative, r.Ratings) : null,
            r.Requests > 0 ? Share(r.ResolvedFirst, r.Requests) : null,
            waitingShown ? r.WaitingP50 : null, waitingShown ? r.WaitingP90 : null, Share(r.Unanswered, r.Contacts), null);
    }

    private static double? Reference(Channel? channel) =>
        channel is { } c && ReferenceFigures.SatisfiedShareByChannel.TryGetValue(c, out var share) ? share : null;

    private static QualityChange? Change(ServiceQualityCell now, ServiceQualityCell before) =>
        now.Suppressed || before.Suppressed ? null
            : new QualityChange(now.Contacts - before.Contacts, Difference(now.SatisfiedShare, before.SatisfiedShare),
                Difference(now.FirstContactResolution, before.FirstContactResolution), Difference(now.UnansweredShare, before.UnansweredShare));

    private static double? Difference(double? now, double? before) => now is { } a && before is { } b ? Math.Round(a - b, 4) : null;

    public static double Share(long part, long whole) => whole == 0 ? 0 : Math.Round((double)part / whole, 4);

    private static void AddScope(NpgsqlCommand command, FigureScope scope, Periods periods, DateTimeOffset from)
    {
        command.Parameters.AddWithValue("unit", periods.Unit);
        command.Parameters.AddWithValue("brands", scope.Brands.ToArray());
        command.Parameters.AddWithValue("from", from.UtcDateTime);
        command.Parameters.AddWithValue("to", periods.To.UtcDateTime);
        command.AddExcluded(scope.Excluded);
    }

    private static string? Text(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static int Int(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? 0 : Convert.ToInt32(reader.GetValue(ordinal));
}
