using InteractionLedger.Overview;
using Npgsql;

namespace InteractionLedger.Insights;

/// <summary>How long ago a customer's last contact was, at a month's end.</summary>
public enum Recency
{
    /// <summary>Within the last 30 days.</summary>
    Recent,
    /// <summary>31 to 90 days ago.</summary>
    Lately,
    /// <summary>More than 90 days ago, not yet dormant.</summary>
    Fading,
    /// <summary>No contact for the relationship policy's dormancy period (180 days by default).</summary>
    Dormant,
}

/// <summary>Customers at one intensity level (or recency) and their share of the month's customers; counts below the minimum are null.</summary>
public sealed record LevelCount(RelationalIntensity Level, int? Customers, double? Share);

public sealed record RecencyCount(Recency Recency, int? Customers, double? Share);

/// <summary>Customers who moved from one level (null: not yet customers a month earlier) to another over the month.</summary>
public sealed record IntensityMovement(RelationalIntensity? From, RelationalIntensity To, int? Customers);

/// <summary>Where the relationship with a brand's (or the group's) customers stands at the end of one month.</summary>
/// <param name="Brand">The brand; null for the whole group (callers acting for the whole group only).</param>
/// <param name="Month">The month's first day: figures are as at its end (months that are over only).</param>
/// <param name="Customers">Customers in contact with the brand in the two years before the month's end: the base the figures describe.</param>
/// <param name="MultiChannelShare">Of the customers in contact in the last year, the share who used at least two channels.</param>
/// <param name="MultiBrandShare">Of the group's customers in contact in the last year, the share in contact with at least two
/// brands; on the group's row only: a brand's figures do not tell it about its customers' other brands.</param>
public sealed record IntensityMonth(string? Brand, DateTimeOffset Month, bool Suppressed, int? Customers, IReadOnlyList<LevelCount> Levels,
    IReadOnlyList<RecencyCount> Recency, IReadOnlyList<IntensityMovement> Movements, double? MultiChannelShare, double? MultiBrandShare);

/// <summary>The thresholds the levels were read with (relationship policy).</summary>
public sealed record IntensityThresholds(int MediumFrom, int HighFrom, int DormantAfterDays);

/// <summary>Relational intensity across the base, month by month.</summary>
public sealed record IntensityReport(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<string> Brands, int MinimumCustomers, int? ExcludedCustomers,
    IReadOnlyList<IntensityMonth> Months, IntensityThresholds Thresholds, Guid AccessRecord);

public static class IntensityQuery
{
    /// <summary>The base a month describes: customers in contact in the two years before its end.</summary>
    public const int BaseDays = 730;

    public static async Task<IntensityReport> ReadAsync(NpgsqlDataSource database, FigureScope scope, Periods months, RelationshipPolicy relationship,
        Guid accessRecord, CancellationToken cancellation)
    {
        var result = new List<IntensityMonth>();
        for (var month = months.From; month < months.To; month = months.Next(month))
        {
            result.AddRange(await MonthAsync(database, scope, month, months.Next(month), month, relationship, cancellation));
        }
        return new IntensityReport(months.From, months.To, scope.Brands, scope.MinimumCustomers, scope.ExcludedCustomers,
            result.OrderBy(m => m.Brand is null ? 1 : 0).ThenBy(m => m.Brand).ThenBy(m => m.Month).ToList(),
            new IntensityThresholds(relationship.MediumIntensityFrom, relationship.HighIntensityFrom, relationship.DormantAfterDays), accessRecord);
    }

    private static async Task<IReadOnlyList<IntensityMonth>> MonthAsync(NpgsqlDataSource database, FigureScope scope, DateTimeOffset month,
        DateTimeOffset end, DateTimeOffset previousEnd, RelationshipPolicy relationship, CancellationToken cancellation)
    {
        string PerCustomer(string key) => $"""
            select {key} as brand, f.customer_id,
                   count(*) filter (where f.occurred_at >= @end - interval '365 days') as year_now,
                   count(*) filter (where f.occurred_at >= @previous_end - interval '365 days' and f.occurred_at < @previous_end) as year_before,
                   bool_or(f.occurred_at < @previous_end and f.occurred_at >= @previous_end - interval '{BaseDays} days') as known_before,
                   max(f.occurred_at) as last_at,
                   count(distinct f.channel) filter (where f.occurred_at >= @end - interval '365 days') as channels,
                   count(distinct f.brand) filter (where f.occurred_at >= @end - interval '365 days') as brands
            from {InsightsTables.Contacts} f {InsightsScope.ExcludedJoin}
            where {InsightsScope.NotExcluded} and f.brand = any(@brands) and f.occurred_at < @end and f.occurred_at >= @end - interval '{BaseDays} days'
            group by 1, 2
            """;
        const string Level = "case when {0} = 0 then 'None' when {0} >= @high then 'High' when {0} >= @medium then 'Medium' else 'Low' end";
        var rows = new List<(string Brand, RelationalIntensity Now, RelationalIntensity? Before, Recency Recency, bool MultiChannel, bool MultiBrand, int Customers)>();
        await using (var command = database.CreateCommand($"""
            with per as ({PerCustomer("f.brand")}{(scope.GroupTotals ? $" union all {PerCustomer("'*'")}" : "")})
            select brand, {string.Format(Level, "year_now")}, case when known_before then {string.Format(Level, "year_before")} end,
                   case when last_at >= @end - interval '30 days' then 'Recent' when last_at >= @end - interval '90 days' then 'Lately'
                        when last_at >= @end - @dormant * interval '1 day' then 'Fading' else 'Dormant' end,
                   channels >= 2, brands >= 2, count(*)
            from per group by 1, 2, 3, 4, 5, 6
            """))
        {
            command.Parameters.AddWithValue("brands", scope.Computed.ToArray());
            command.Parameters.AddWithValue("end", end.UtcDateTime);
            command.Parameters.AddWithValue("previous_end", previousEnd.UtcDateTime);
            command.Parameters.AddWithValue("high", relationship.HighIntensityFrom);
            command.Parameters.AddWithValue("medium", relationship.MediumIntensityFrom);
            command.Parameters.AddWithValue("dormant", relationship.DormantAfterDays);
            command.AddExcluded(scope.Excluded);
            await using var reader = await command.ExecuteReaderAsync(cancellation);
            while (await reader.ReadAsync(cancellation))
                rows.Add((reader.GetString(0), Enum.Parse<RelationalIntensity>(reader.GetString(1)),
                    reader.IsDBNull(2) ? null : Enum.Parse<RelationalIntensity>(reader.GetString(2)), Enum.Parse<Recency>(reader.GetString(3)),
                    reader.GetBoolean(4), reader.GetBoolean(5), (int)reader.GetInt64(6)));
        }

        var k = scope.MinimumCustomers;
        var brands = scope.Computed.Select(b => (Key: b, Brand: (string?)b)).ToList();
        if (scope.GroupTotals) brands.Add(("*", null));
        return brands.Select(b => Month(rows.Where(r => r.Brand == b.Key).ToList(), b.Brand, month, k)).Where(m => scope.Shows(m.Brand)).ToList();
    }

    private static IntensityMonth Month(
        List<(string Brand, RelationalIntensity Now, RelationalIntensity? Before, Recency Recency, bool MultiChannel, bool MultiBrand, int Customers)> of,
        string? brand, DateTimeOffset month, int k)
    {
        var customers = of.Sum(r => r.Customers);
        if (customers < k) return new IntensityMonth(brand, month, true, null, [], [], [], null, null);
        var levels = Enum.GetValues<RelationalIntensity>();
        var recencies = Enum.GetValues<Recency>();
        var moves = of.GroupBy(r => (r.Before, r.Now)).OrderBy(g => g.Key.Before is null ? -1 : (int)g.Key.Before).ThenBy(g => g.Key.Now)
            .Select(g => (g.Key.Before, g.Key.Now, Customers: g.Sum(r => r.Customers))).ToList();
        // One list of every figure of the month, so levels, recencies and movements are suppressed together: each set adds
        // up to the month's customers (levels, recencies) or to a level's (the movements into it).
        var sizes = levels.Select(l => (long)of.Where(r => r.Now == l).Sum(r => r.Customers))
            .Concat(recencies.Select(c => (long)of.Where(r => r.Recency == c).Sum(r => r.Customers)))
            .Concat(moves.Select(m => (long)m.Customers)).ToList();
        var hidden = sizes.Select((size, i) => (size, i)).Where(x => x.size > 0 && x.size < k).Select(x => x.i).ToHashSet();
        var levelSet = Enumerable.Range(0, levels.Length).ToList();
        var recencySet = Enumerable.Range(levels.Length, recencies.Length).ToList();
        var movesAt = levels.Length + recencies.Length;
        // The movements into a level add up to it (so it belongs to their set); those out of a level add up to the
        // previous month's figure of that level, shown in the previous month's row.
        List<IReadOnlyList<int>> Sets() =>
        [
            levelSet, recencySet,
            .. levels.Select((level, l) => (IReadOnlyList<int>)moves.Select((m, i) => (m, i)).Where(x => x.m.Now == level).Select(x => movesAt + x.i)
                .Append(l).ToList()),
            .. levels.Select(level => (IReadOnlyList<int>)moves.Select((m, i) => (m, i)).Where(x => x.m.Before == level).Select(x => movesAt + x.i).ToList()),
        ];
        Suppression.Complete(sizes, hidden, Sets());
        int? Shown(int i) => hidden.Contains(i) ? null : (int)sizes[i];
        double? ShareOf(int i) => hidden.Contains(i) ? null : ServiceQualityQuery.Share(sizes[i], customers);
        var active = of.Where(r => r.Now != RelationalIntensity.None).ToList();
        var activeCustomers = active.Sum(r => r.Customers);
        // A share of the customers in contact in the year tells its denominator (the month's customers less those at
        // "none"): shown only when that figure is shown anyway, and in whole percents.
        var noneShown = !hidden.Contains(Array.IndexOf(levels, RelationalIntensity.None));
        double? ActiveShare(int count) => noneShown && activeCustomers >= k && (count == 0 || (count >= k && (activeCustomers - count == 0 || activeCustomers - count >= k)))
            ? Math.Round((double)count / activeCustomers, 2) : null;
        return new IntensityMonth(brand, month, false, customers,
            levels.Select((level, i) => new LevelCount(level, Shown(i), ShareOf(i))).ToList(),
            recencies.Select((recency, i) => new RecencyCount(recency, Shown(levels.Length + i), ShareOf(levels.Length + i))).ToList(),
            moves.Select((m, i) => new IntensityMovement(m.Before, m.Now, Shown(levels.Length + recencies.Length + i))).ToList(),
            ActiveShare(active.Where(r => r.MultiChannel).Sum(r => r.Customers)),
            brand is null ? ActiveShare(active.Where(r => r.MultiBrand).Sum(r => r.Customers)) : null);
    }
}
