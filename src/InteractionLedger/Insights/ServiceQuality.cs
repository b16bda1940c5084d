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

/// <summary>
/// How figures are cut in time, in UTC: calendar months, or the four weeks of each month (the 1st to the 7th, the 8th to
/// the 14th, the 15th to the 21st, the 22nd to the month's end). Weeks nest in months, so no difference between weekly
/// and monthly figures isolates the contacts of a few days.
/// </summary>
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
/// the share resolved by that first contact; shown from the minimum of customers who made them.</param>
/// <param name="WaitingP50Seconds">Median waiting time, among contacts whose waiting was measured (interpolated, so never one
/// contact's own unless it is the middle one; shown from the minimum of customers whose waiting was measured).</param>
/// <param name="WaitingP90Seconds">90th percentile of waiting time (interpolated).</param>
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

/// <summary>
/// The periods a request covers: whole periods only, and only periods that are over. A figure of a period cut short
/// (a day's end, or now) would differ from the next request's by the contacts of a few hours, which could be one
/// person's; so <c>to</c> falls back to the start of its period, and the current period is shown once it is over.
/// </summary>
public sealed record Periods(DateTimeOffset From, DateTimeOffset To, Granularity Granularity)
{
    public static DateTimeOffset Start(DateTimeOffset at, Granularity granularity)
    {
        var day = at.UtcDateTime;
        return new DateTimeOffset(day.Year, day.Month, granularity == Granularity.Month ? 1 : WeekStartDay(day.Day), 0, 0, 0, TimeSpan.Zero);
    }

    private static int WeekStartDay(int day) => 1 + 7 * Math.Min(3, (day - 1) / 7);

    public DateTimeOffset Previous(DateTimeOffset period) => Granularity == Granularity.Month ? period.AddMonths(-1)
        : period.Day == 1 ? period.AddMonths(-1).AddDays(21) : period.AddDays(-7);

    public DateTimeOffset Next(DateTimeOffset period) => Granularity == Granularity.Month ? period.AddMonths(1)
        : period.Day == 22 ? new DateTimeOffset(period.Year, period.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1) : period.AddDays(7);

    /// <summary>The SQL that gives a contact's period from its time <paramref name="at"/> (UTC), matching <see cref="Start"/>.</summary>
    public string PeriodOf(string at) => Granularity == Granularity.Month
        ? $"date_trunc('month', {at}, 'UTC')"
        : $"(date_trunc('month', {at}, 'UTC') + (7 * least(3, (extract(day from {at} at time zone 'UTC')::int - 1) / 7)) * interval '1 day')";

    /// <summary>
    /// From the query string: <c>from</c> and <c>to</c> (dates, UTC), each taken back to the start of its period; by
    /// default the six months (or twelve weeks) before the current one.
    /// </summary>
    public static Periods? Read(DateOnly? from, DateOnly? to, Granularity? granularity, DateTimeOffset now, InsightsPolicy policy, InputErrors errors)
    {
        var unit = granularity ?? Granularity.Month;
        // Weeks are shown once their month is over too: suppressed together with the month they add up to, they would
        // otherwise be suppressed one way while the month runs and another once it is over.
        var current = Start(now, Granularity.Month);
        var end = to is { } t ? Start(new DateTimeOffset(t.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), unit) : current;
        if (end > current) end = current;
        var start = from is { } f ? Start(new DateTimeOffset(f.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), unit)
            : unit == Granularity.Month ? end.AddMonths(-6) : Start(end.AddDays(-7 * 12), unit);
        if (start >= end)
        {
            var name = unit == Granularity.Week ? "week" : "month";
            errors.Add(from is null ? "to" : "from", $"No whole {name} from 'from' to 'to': figures cover whole {name}s that are over " +
                                                     $"('to' is taken back to the start of its {name}, and to the start of the current month at most).");
            return null;
        }
        if ((end - start).TotalDays > policy.MaxPeriodDays)
        {
            errors.Add("to", $"At most {policy.MaxPeriodDays} days of figures per request; it asked {(int)(end - start).TotalDays}.");
            return null;
        }
        return new Periods(start, end, unit);
    }
}

public static class ServiceQualityQuery
{
    public static async Task<ServiceQualityReport> ReadAsync(NpgsqlDataSource database, FigureScope scope, Periods periods, RelationshipPolicy relationship,
        Guid accessRecord, CancellationToken cancellation)
    {
        // One period before the first is read too: the first period's change needs it.
        var readFrom = periods.Previous(periods.From);
        var k = scope.MinimumCustomers;
        var read = await CellsAsync(database, scope, periods, readFrom, relationship, cancellation);
        var (rows, hidden) = Asked(read, r => r.Period, readFrom, periods.To);
        // A share of a hidden total would give it back (the channel's count divided by its share): none is shown.
        var totals = rows.Select((r, i) => (r, i)).Where(x => x.r.Channel is null && !hidden.Contains(x.i))
            .ToDictionary(x => (x.r.Brand, x.r.Period), x => x.r.Customers);
        var cells = rows.Select((r, i) => Cell(r, totals.GetValueOrDefault((r.Brand, r.Period)), hidden.Contains(i), k)).ToList();
        var byKey = cells.ToDictionary(c => (c.Brand, c.Channel, c.Period));
        cells = cells.Where(c => c.Period >= periods.From && scope.Shows(c.Brand))
            .Select(c => c with { Change = byKey.TryGetValue((c.Brand, c.Channel, periods.Previous(c.Period)), out var before) ? Change(c, before) : null })
            .OrderBy(c => c.Brand is null ? 1 : 0).ThenBy(c => c.Brand).ThenBy(c => c.Channel is null ? 0 : 1).ThenBy(c => c.Channel).ThenBy(c => c.Period)
            .ToList();

        async Task<List<(string? Brand, DateTimeOffset Period, int Cases, long Customers, double Average)>> CaseRowsAsync(Periods cut, DateTimeOffset from,
            DateTimeOffset to)
        {
            var read = new List<(string? Brand, DateTimeOffset Period, int Cases, long Customers, double Average)>();
            await using var command = database.CreateCommand($"""
                select case when grouping(f.brand) = 1 then null else f.brand end, f.period, count(*), count(distinct f.customer_id), avg(f.contact_count)::float8
                from (select f.brand, f.customer_id, f.contact_count, {cut.PeriodOf("f.resolved_at")} as period
                      from {InsightsTables.Cases} f {InsightsScope.ExcludedJoin}
                      where {InsightsScope.NotExcluded} and f.status = 'Resolved' and f.brand = any(@brands) and f.resolved_at >= @from and f.resolved_at < @to) f
                group by grouping sets ((f.brand, f.period), (f.period))
                order by 1 nulls last, 2
                """);
            AddScope(command, scope, from, to);
            await using var reader = await command.ExecuteReaderAsync(cancellation);
            while (await reader.ReadAsync(cancellation))
                read.Add((Text(reader, 0), reader.GetFieldValue<DateTimeOffset>(1), Int(reader, 2), reader.GetInt64(3), reader.GetDouble(4)));
            return read;
        }
        var (caseRows, hiddenCases) = Asked(await SuppressedAsync(periods, periods.From, CaseRowsAsync, r => r.Period, r => (r.Brand, (object?)null),
            r => r.Cases, (r, _) => r.Customers < k, (rows, _) => Sets(rows, _ => (object?)"cases", r => r.Brand, r => r.Period, brandTotals: false)),
            r => r.Period, periods.From, periods.To);
        var cases = caseRows.Select((r, i) => hiddenCases.Contains(i)
                ? new CaseEffortCell(r.Brand, r.Period, true, null, null)
                : new CaseEffortCell(r.Brand, r.Period, false, r.Cases, Math.Round(r.Average, 2)))
            .Where(c => scope.Shows(c.Brand)).ToList();

        async Task<List<(string? Brand, DateTimeOffset Period, ContactReason Reason, int Contacts, long Customers)>> ReasonRowsAsync(Periods cut,
            DateTimeOffset from, DateTimeOffset to)
        {
            var read = new List<(string? Brand, DateTimeOffset Period, ContactReason Reason, int Contacts, long Customers)>();
            await using var command = database.CreateCommand($"""
                select case when grouping(f.brand) = 1 then null else f.brand end, f.period, f.reason, count(*), count(distinct f.customer_id)
                from ({Facts(cut, "f.reason")}) f
                group by grouping sets ((f.brand, f.period, f.reason), (f.period, f.reason))
                order by 1 nulls last, 2, 3
                """);
            AddScope(command, scope, from, to);
            await using var reader = await command.ExecuteReaderAsync(cancellation);
            while (await reader.ReadAsync(cancellation))
                read.Add((Text(reader, 0), reader.GetFieldValue<DateTimeOffset>(1), Enum.Parse<ContactReason>(reader.GetString(2)), Int(reader, 3), reader.GetInt64(4)));
            return read;
        }
        // A brand's reasons add up to its contacts, shown on its all-channels row. Where that total is hidden (too few
        // customers, or as another's partner), so are its reasons: shown, they would add up to it.
        HashSet<(string?, DateTimeOffset)> ShownTotals(List<QualityRow> cellRows, HashSet<int> cellsHidden) => cellRows.Select((r, i) => (r, i))
            .Where(x => x.r.Channel is null && !cellsHidden.Contains(x.i)).Select(x => (x.r.Brand, x.r.Period)).ToHashSet();
        var (shownTotals, shownMonthTotals) = (ShownTotals(read.Rows, read.Hidden), ShownTotals(read.Months, read.MonthsHidden));
        var (reasonRows, hiddenReasons) = Asked(await SuppressedAsync(periods, periods.From, ReasonRowsAsync, r => r.Period, r => (r.Brand, (object?)r.Reason),
            r => r.Contacts, (r, months) => r.Customers < k || !(months ? shownMonthTotals : shownTotals).Contains((r.Brand, r.Period)),
            (rows, months) => rows.Select((r, i) => (r, i))
                .Where(x => (months ? shownMonthTotals : shownTotals).Contains((x.r.Brand, x.r.Period)))
                .GroupBy(x => (x.r.Brand, x.r.Period)).Select(g => (IReadOnlyList<int>)g.Select(x => x.i).ToList())
                .Concat(Sets(rows, r => (object?)r.Reason, r => r.Brand, r => r.Period, brandTotals: false))),
            r => r.Period, periods.From, periods.To);
        var reasons = reasonRows.Select((r, i) =>
            {
                var suppressed = hiddenReasons.Contains(i);
                var all = rows.Where((q, j) => q.Brand == r.Brand && q.Channel is null && q.Period == r.Period && !hidden.Contains(j))
                    .Select(q => q.Contacts).FirstOrDefault();
                return new ReasonCell(r.Brand, r.Period, r.Reason, suppressed, suppressed ? null : r.Contacts,
                    suppressed || all == 0 ? null : Share(r.Contacts, all), ReferenceFigures.SharedStoriesByReason.TryGetValue(r.Reason, out var shared) ? shared : null);
            })
            .Where(c => scope.Shows(c.Brand)).ToList();

        return new ServiceQualityReport(periods.From, periods.To, periods.Granularity, scope.Brands, k, scope.ExcludedCustomers, cells,
            cases.OrderBy(c => c.Brand is null ? 1 : 0).ThenBy(c => c.Brand).ThenBy(c => c.Period).ToList(),
            reasons.OrderBy(c => c.Brand is null ? 1 : 0).ThenBy(c => c.Brand).ThenBy(c => c.Period).ThenBy(c => c.Reason).ToList(),
            References, accessRecord);
    }

    /// <summary>The cells (brand × channel × period, and the group's totals, computed for every caller), suppressed.</summary>
    private static Task<Suppressed<QualityRow>> CellsAsync(NpgsqlDataSource database, FigureScope scope, Periods periods, DateTimeOffset from,
        RelationshipPolicy relationship, CancellationToken cancellation) =>
        SuppressedAsync(periods, from, (cut, f, t) => RowsAsync(database, scope, relationship, cut, f, t, cancellation), r => r.Period,
            r => (r.Brand, r.Channel), r => r.Contacts, (r, _) => r.Customers < scope.MinimumCustomers,
            (rows, _) => Sets(rows, r => r.Channel, r => r.Brand, r => r.Period));

    /// <summary>
    /// Whether each brand's (and the group's: brand null) customers of each month are shown by a monthly request, by
    /// month. Relational intensity's "recent" customers at a month's end are the same number: that route hides what this
    /// one hides and shows what it shows, or one route's figure would give the other's hidden one back.
    /// </summary>
    public static async Task<Dictionary<(string? Brand, DateTimeOffset Month), bool>> MonthCustomersShownAsync(NpgsqlDataSource database, FigureScope scope,
        Periods months, RelationshipPolicy relationship, CancellationToken cancellation)
    {
        var read = await CellsAsync(database, scope, months, months.From, relationship, cancellation);
        return read.Rows.Select((r, i) => (r, i)).Where(x => x.r.Channel is null)
            .ToDictionary(x => (x.r.Brand, x.r.Period), x => !read.Hidden.Contains(x.i));
    }

    /// <summary>The figures of every brand × channel (and all) × period, and the group's: one row each.</summary>
    private static async Task<List<QualityRow>> RowsAsync(NpgsqlDataSource database, FigureScope scope, RelationshipPolicy relationship, Periods cut,
        DateTimeOffset from, DateTimeOffset to, CancellationToken cancellation)
    {
        var read = new List<QualityRow>();
        await using var command = database.CreateCommand($"""
            select case when grouping(f.brand) = 1 then null else f.brand end, case when grouping(f.channel) = 1 then null else f.channel end,
                   f.period, count(*), count(distinct f.customer_id),
                   count(distinct f.customer_id) filter (where f.satisfaction is not null), count(f.satisfaction), avg(f.satisfaction)::float8,
                   count(*) filter (where f.satisfaction >= 4), count(*) filter (where f.satisfaction <= @negative),
                   count(*) filter (where f.direction = 'Inbound' and (f.case_id is null or c.first_contact_id = f.id)),
                   count(*) filter (where f.direction = 'Inbound' and ((f.case_id is null and f.outcome = 'Resolved')
                       or (c.first_contact_id = f.id and c.status = 'Resolved' and c.contact_count = 1))),
                   count(distinct f.customer_id) filter (where f.waiting_seconds is not null),
                   round(percentile_cont(0.5) within group (order by f.waiting_seconds))::integer,
                   round(percentile_cont(0.9) within group (order by f.waiting_seconds))::integer,
                   count(*) filter (where f.outcome = 'Abandoned'),
                   count(distinct f.customer_id) filter (where f.direction = 'Inbound' and (f.case_id is null or c.first_contact_id = f.id))
            from ({Facts(cut, "f.channel, f.direction, f.outcome, f.case_id, f.id, f.satisfaction, f.waiting_seconds")}) f
            left join {InsightsTables.Cases} c on c.id = f.case_id
            group by grouping sets ((f.brand, f.channel, f.period), (f.brand, f.period), (f.channel, f.period), (f.period))
            order by 1 nulls last, 2 nulls first, 3
            """);
        AddScope(command, scope, from, to);
        command.Parameters.AddWithValue("negative", relationship.NegativeAtMost);
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
            read.Add(new QualityRow(Text(reader, 0), reader.IsDBNull(1) ? null : Enum.Parse<Channel>(reader.GetString(1)), reader.GetFieldValue<DateTimeOffset>(2),
                Int(reader, 3), Int(reader, 4), Int(reader, 5), Int(reader, 6), reader.IsDBNull(7) ? null : reader.GetDouble(7), Int(reader, 8), Int(reader, 9),
                Int(reader, 10), Int(reader, 11), Int(reader, 12), reader.IsDBNull(13) ? null : reader.GetInt32(13),
                reader.IsDBNull(14) ? null : reader.GetInt32(14), Int(reader, 15), Int(reader, 16)));
        return read;
    }

    /// <summary>Figures read and suppressed; in weekly mode, the months they add up to too, as a monthly request shows them.</summary>
    private sealed record Suppressed<T>(List<T> Rows, HashSet<int> Hidden, List<T> Months, HashSet<int> MonthsHidden);

    /// <summary>
    /// Figures read and suppressed: those of fewer customers than the minimum (<paramref name="tooFew"/>), then
    /// complementarily within <paramref name="sets"/> (given the rows and whether they are months). Weekly figures are read
    /// with every week of the months they touch, and those months are suppressed first exactly as a monthly request
    /// suppresses them: a month it shows counts as shown (never hidden here), one it hides as hidden; the weeks are then
    /// suppressed with them, so that no month less its other weeks gives a hidden week back, nor its weeks a hidden
    /// month. Every week read is returned, for <c>Asked</c> to keep those asked.
    /// </summary>
    /// <param name="cell">What a figure is of, apart from its period (brand and channel, reason…): a week's figure nests in
    /// the month's figure of the same.</param>
    private static async Task<Suppressed<T>> SuppressedAsync<T>(Periods periods, DateTimeOffset from,
        Func<Periods, DateTimeOffset, DateTimeOffset, Task<List<T>>> read, Func<T, DateTimeOffset> period, Func<T, object> cell,
        Func<T, int> size, Func<T, bool, bool> tooFew, Func<IReadOnlyList<T>, bool, IEnumerable<IReadOnlyList<int>>> sets)
    {
        (List<T> Rows, HashSet<int> Hidden) Alone(List<T> rows, bool months)
        {
            var hidden = rows.Select((r, i) => (r, i)).Where(x => tooFew(x.r, months)).Select(x => x.i).ToHashSet();
            Suppression.Complete(rows.Select(r => (long)size(r)).ToList(), hidden, sets(rows, months));
            return (rows, hidden);
        }
        if (periods.Granularity == Granularity.Month)
        {
            var (rows, hidden) = Alone(await read(periods, from, periods.To), months: true);
            return new Suppressed<T>(rows, hidden, rows, hidden);
        }
        var months = new Periods(Periods.Start(from, Granularity.Month), periods.To, Granularity.Month);
        var monthEnd = Periods.Start(periods.To, Granularity.Month) == periods.To ? periods.To : months.Next(Periods.Start(periods.To, Granularity.Month));
        var weeks = await read(periods, months.From, monthEnd);
        // Within a month, figures are suppressed with figures of the same month only: whatever months a monthly request
        // asks, it hides the same ones as these.
        var (monthly, monthlyHidden) = Alone(await read(months, months.From, monthEnd), months: true);
        var all = weeks.Concat(monthly).ToList();
        var published = Enumerable.Range(weeks.Count, monthly.Count).Where(j => !monthlyHidden.Contains(j - weeks.Count)).ToHashSet();
        var allHidden = weeks.Select((r, i) => (r, i)).Where(x => tooFew(x.r, false)).Select(x => x.i)
            .Concat(monthlyHidden.Select(j => weeks.Count + j)).ToHashSet();
        var nested = monthly.Select((m, j) => (IReadOnlyList<int>)weeks.Select((w, i) => (w, i))
            .Where(x => Equals(cell(x.w), cell(m)) && Periods.Start(period(x.w), Granularity.Month) == period(m))
            .Select(x => x.i).Append(weeks.Count + j).ToList());
        Suppression.Complete(all.Select(r => (long)size(r)).ToList(), allHidden, sets(weeks, false).Concat(nested), published);
        return new Suppressed<T>(weeks, allHidden.Where(i => i < weeks.Count).ToHashSet(), monthly, monthlyHidden);
    }

    /// <summary>The figures of the periods from <paramref name="from"/> to <paramref name="to"/>, with which of them are hidden.</summary>
    private static (List<T> Rows, HashSet<int> Hidden) Asked<T>(Suppressed<T> read, Func<T, DateTimeOffset> period, DateTimeOffset from, DateTimeOffset to)
    {
        var keep = read.Rows.Select((r, i) => (r, i)).Where(x => period(x.r) >= from && period(x.r) < to).ToList();
        return (keep.Select(x => x.r).ToList(), keep.Select((x, j) => (x, j)).Where(y => read.Hidden.Contains(y.x.i)).Select(y => y.j).ToHashSet());
    }

    /// <summary>The contacts of the scope in the period, with their period: brand, customer, period and the columns asked.</summary>
    private static string Facts(Periods periods, string columns) => $"""
        select f.brand, f.customer_id, {periods.PeriodOf("f.occurred_at")} as period, {columns}
        from {InsightsTables.Contacts} f {InsightsScope.ExcludedJoin}
        where {InsightsScope.NotExcluded} and f.brand = any(@brands) and f.occurred_at >= @from and f.occurred_at < @to
        """;

    public static readonly QualityReferences References = new(ReferenceFigures.SatisfiedShareByChannel, ReferenceFigures.ContactsPerSatisfyingAnswer,
        ReferenceFigures.NegativeExperienceShare2007, ReferenceFigures.NegativeExperienceShare2009, ReferenceFigures.SharedStoriesByReason);

    private sealed record QualityRow(string? Brand, Channel? Channel, DateTimeOffset Period, int Contacts, int Customers, int Raters, int Ratings,
        double? AverageSatisfaction, int Satisfied, int Negative, int Requests, int ResolvedFirst, int WaitedCustomers, int? WaitingP50,
        int? WaitingP90, int Unanswered, int Requesters);

    private static ServiceQualityCell Cell(QualityRow r, int periodCustomers, bool suppressed, int k)
    {
        if (suppressed)
            return new ServiceQualityCell(r.Brand, r.Channel, r.Period, true, null, null, null, null, null, Reference(r.Channel), null, null, null, null, null, null);
        var ratingsShown = r.Raters >= k;
        var waitingShown = r.WaitedCustomers >= k;
        return new ServiceQualityCell(r.Brand, r.Channel, r.Period, false, r.Contacts, r.Customers,
            r.Channel is null || periodCustomers == 0 ? null : Share(r.Customers, periodCustomers),
            ratingsShown && r.AverageSatisfaction is { } average ? Math.Round(average, 2) : null,
            ratingsShown ? Share(r.Satisfied, r.Ratings) : null, Reference(r.Channel),
            ratingsShown ? Share(r.Negative, r.Ratings) : null,
            r.Requesters >= k ? Share(r.ResolvedFirst, r.Requests) : null,
            waitingShown ? r.WaitingP50 : null, waitingShown ? r.WaitingP90 : null, Share(r.Unanswered, r.Contacts), null);
    }

    /// <summary>
    /// The sets of figures of which one is the sum of the others, the sum included: a brand's (or the group's) figures of
    /// one period across the <paramref name="part"/> (channels, reasons) and its total row (part null), when
    /// <paramref name="brandTotals"/>; and the brands' figures of one part and period with the group's (brand null). A
    /// set with a single figure hidden, whichever it is (a part, or a total hidden as another's partner), gives it back.
    /// </summary>
    private static IEnumerable<IReadOnlyList<int>> Sets<T>(IReadOnlyList<T> rows, Func<T, object?> part, Func<T, string?> brand,
        Func<T, DateTimeOffset> period, bool brandTotals = true)
    {
        var indexed = rows.Select((r, i) => (Row: r, Index: i)).ToList();
        if (brandTotals)
            foreach (var total in indexed.Where(x => part(x.Row) is null))
                yield return indexed.Where(x => brand(x.Row) == brand(total.Row) && period(x.Row) == period(total.Row)).Select(x => x.Index).ToList();
        foreach (var group in indexed.Where(x => brand(x.Row) is null))
            yield return indexed.Where(x => Equals(part(x.Row), part(group.Row)) && period(x.Row) == period(group.Row)).Select(x => x.Index).ToList();
    }

    private static double? Reference(Channel? channel) =>
        channel is { } c && ReferenceFigures.SatisfiedShareByChannel.TryGetValue(c, out var share) ? share : null;

    private static QualityChange? Change(ServiceQualityCell now, ServiceQualityCell before) =>
        now.Suppressed || before.Suppressed ? null
            : new QualityChange(now.Contacts - before.Contacts, Difference(now.SatisfiedShare, before.SatisfiedShare),
                Difference(now.FirstContactResolution, before.FirstContactResolution), Difference(now.UnansweredShare, before.UnansweredShare));

    private static double? Difference(double? now, double? before) => now is { } a && before is { } b ? Math.Round(a - b, 4) : null;

    public static double Share(long part, long whole) => whole == 0 ? 0 : Math.Round((double)part / whole, 4);

    private static void AddScope(NpgsqlCommand command, FigureScope scope, DateTimeOffset from, DateTimeOffset to)
    {
        command.Parameters.AddWithValue("brands", scope.Computed.ToArray());
        command.Parameters.AddWithValue("from", from.UtcDateTime);
        command.Parameters.AddWithValue("to", to.UtcDateTime);
        command.AddExcluded(scope.Excluded);
    }

    private static string? Text(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static int Int(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? 0 : Convert.ToInt32(reader.GetValue(ordinal));
}
