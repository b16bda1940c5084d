using InteractionLedger.Overview;
using Npgsql;

namespace InteractionLedger.Insights;

/// <summary>How long ago a customer's last contact was, at a month's end.</summary>
public enum Recency
{
    /// <summary>During the month: the brand's customers of the month in service quality, the same number.</summary>
    Recent,
    /// <summary>Before the month, within 90 days of its end.</summary>
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
        var customersShown = await ServiceQualityQuery.MonthCustomersShownAsync(database, scope, months, relationship, cancellation);
        for (var month = months.From; month < months.To; month = months.Next(month))
        {
            var of = month;
            result.AddRange(await MonthAsync(database, scope, month, months.Next(month), relationship,
                brand => customersShown.TryGetValue((brand, of), out var shown) ? shown : null, cancellation));
        }
        return new IntensityReport(months.From, months.To, scope.Brands, scope.MinimumCustomers, scope.ExcludedCustomers,
            result.OrderBy(m => m.Brand is null ? 1 : 0).ThenBy(m => m.Brand).ThenBy(m => m.Month).ToList(),
            new IntensityThresholds(relationship.MediumIntensityFrom, relationship.HighIntensityFrom, relationship.DormantAfterDays), accessRecord);
    }

    /// <param name="recentShown">Whether service quality shows the brand's (null: the group's) customers of the month, the
    /// "recent" ones here; null when it has no row for them (nobody in contact).</param>
    /// <param name="month">The month's first day: the previous month's end, which movements and "recent" are read from.</param>
    private static async Task<IReadOnlyList<IntensityMonth>> MonthAsync(NpgsqlDataSource database, FigureScope scope, DateTimeOffset month,
        DateTimeOffset end, RelationshipPolicy relationship, Func<string?, bool?> recentShown, CancellationToken cancellation)
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
        var rows = new List<CustomersAlike>();
        await using (var command = database.CreateCommand($"""
            with per as ({PerCustomer("f.brand")} union all {PerCustomer("'*'")})
            select brand, {string.Format(Level, "year_now")}, case when known_before then {string.Format(Level, "year_before")} end,
                   case when last_at >= @previous_end then 'Recent' when last_at >= @end - interval '90 days' then 'Lately'
                        when last_at >= @end - @dormant * interval '1 day' then 'Fading' else 'Dormant' end,
                   channels >= 2, brands >= 2, count(*)
            from per group by 1, 2, 3, 4, 5, 6
            """))
        {
            command.Parameters.AddWithValue("brands", scope.Computed.ToArray());
            command.Parameters.AddWithValue("end", end.UtcDateTime);
            command.Parameters.AddWithValue("previous_end", month.UtcDateTime);
            command.Parameters.AddWithValue("high", relationship.HighIntensityFrom);
            command.Parameters.AddWithValue("medium", relationship.MediumIntensityFrom);
            command.Parameters.AddWithValue("dormant", relationship.DormantAfterDays);
            command.AddExcluded(scope.Excluded);
            await using var reader = await command.ExecuteReaderAsync(cancellation);
            while (await reader.ReadAsync(cancellation))
                rows.Add(new CustomersAlike(reader.GetString(0), Enum.Parse<RelationalIntensity>(reader.GetString(1)),
                    reader.IsDBNull(2) ? null : Enum.Parse<RelationalIntensity>(reader.GetString(2)), Enum.Parse<Recency>(reader.GetString(3)),
                    reader.GetBoolean(4), reader.GetBoolean(5), (int)reader.GetInt64(6)));
        }

        var k = scope.MinimumCustomers;
        var brands = scope.Computed.Select(b => (Key: b, Brand: (string?)b)).Append(("*", null)).ToList();
        var figures = brands.Select(b => new MonthFigures(b.Brand, rows.Where(r => r.Brand == b.Key).ToList())).ToList();
        MonthFigures.Suppress(figures, k, recentShown);
        return figures.Where(f => scope.Shows(f.Brand)).Select(f => f.ToMonth(month, k)).ToList();
    }

    /// <summary>Customers of one brand (or of the group: "*") alike at a month's end: level then and a month earlier, recency, reach.</summary>
    private sealed record CustomersAlike(string Brand, RelationalIntensity Now, RelationalIntensity? Before, Recency Recency, bool MultiChannel,
        bool MultiBrand, int Customers);

    /// <summary>
    /// One row's figures of a month (a brand's, or the group's), on one list: the levels, the recencies, then the
    /// movements, each movement at the same place in every row.
    /// </summary>
    private sealed class MonthFigures
    {
        private static readonly RelationalIntensity[] Levels = Enum.GetValues<RelationalIntensity>();
        private static readonly Recency[] Recencies = Enum.GetValues<Recency>();
        private readonly List<CustomersAlike> _of;

        public MonthFigures(string? brand, List<CustomersAlike> of)
        {
            Brand = brand;
            _of = of;
            Customers = of.Sum(r => r.Customers);
            Sizes = Levels.Select(l => (long)of.Where(r => r.Now == l).Sum(r => r.Customers))
                .Concat(Recencies.Select(c => (long)of.Where(r => r.Recency == c).Sum(r => r.Customers)))
                .Concat(Moves.Select(m => (long)of.Where(r => r.Before == m.Before && r.Now == m.Now).Sum(r => r.Customers))).ToList();
        }

        public string? Brand { get; }
        public int Customers { get; }
        public IReadOnlyList<long> Sizes { get; }
        public bool RowHidden { get; private set; }
        public HashSet<int> Hidden { get; } = [];

        private static int MovesAt => Levels.Length + Recencies.Length;

        /// <summary>
        /// Every movement there can be, from no level (new) or a level to a level, in every row and every month, zeros
        /// included: a movement listed only when someone made it would say that a hidden one is at least one customer.
        /// </summary>
        public static readonly IReadOnlyList<(RelationalIntensity? Before, RelationalIntensity Now)> Moves =
            new RelationalIntensity?[] { null }.Concat(Levels.Select(l => (RelationalIntensity?)l))
                .SelectMany(before => Levels.Select(now => (before, now))).ToList();

        /// <summary>
        /// The sets of this row's figures that add up to a figure shown: levels and recencies to the month's customers;
        /// the movements into a level to it (so it belongs to their set); those out of a level to the previous month's
        /// figure of that level, shown in the previous month's row.
        /// </summary>
        private IEnumerable<IReadOnlyList<int>> Sets()
        {
            yield return Enumerable.Range(0, Levels.Length).ToList();
            yield return Enumerable.Range(Levels.Length, Recencies.Length).ToList();
            foreach (var (level, l) in Levels.Select((level, l) => (level, l)))
            {
                yield return Moves.Select((m, i) => (m, i)).Where(x => x.m.Now == level).Select(x => MovesAt + x.i).Append(l).ToList();
                yield return Moves.Select((m, i) => (m, i)).Where(x => x.m.Before == level).Select(x => MovesAt + x.i).ToList();
            }
        }

        /// <summary>
        /// Suppresses the month's figures of every row together. Within a row, as <see cref="Sets"/> says. Across rows, the
        /// group's row counts each customer once where the brands' rows count them for each brand, yet for customers of one
        /// brand it is their sum: the group's figure less the other brands' gives a brand's hidden one. So a brand's row
        /// of too few customers hides another brand's row with it, and a brand's hidden figure another brand's same
        /// figure, as parts of the group's (computed for every caller, shown to those acting for the whole group).
        /// </summary>
        /// <param name="recentShown">The "recent" customers are service quality's customers of the month: shown there, they
        /// count as shown here (never hidden as a partner); hidden there, they are hidden here.</param>
        public static void Suppress(IReadOnlyList<MonthFigures> rows, int k, Func<string?, bool?> recentShown)
        {
            var groupAt = rows.ToList().FindIndex(r => r.Brand is null);
            var group = rows[groupAt];
            var width = rows[0].Sizes.Count;
            var sizes = rows.SelectMany(r => r.Sizes).ToList();
            var recent = Levels.Length + Array.IndexOf(Recencies, Recency.Recent);
            // Rows hidden whole, and the group's figures hidden, because a set of theirs was left with one figure hidden
            // and nothing beside it to hide (a "recent" shown by service quality, the rest zeros): found by a pass, they
            // are given to the next one.
            var forced = new HashSet<int>();
            var groupDetailForced = false;
            HashSet<int> hidden;
            while (true)
            {
                var hiddenRows = rows.Select((r, i) => (r, i)).Where(x => x.r.Customers < k || forced.Contains(x.i)).Select(x => x.i).ToHashSet();
                Suppression.Complete(rows.Select(r => (long)r.Customers).ToList(), hiddenRows, [Enumerable.Range(0, rows.Count).ToList()]);
                foreach (var (row, i) in rows.Select((row, i) => (row, i))) row.RowHidden = hiddenRows.Contains(i);

                hidden = sizes.Select((size, i) => (size, i))
                    .Where(x => rows[x.i / width].RowHidden || (x.size > 0 && x.size < k)).Select(x => x.i).ToHashSet();
                // With a brand's row hidden, the group's figures less the other brands' would give a hidden row's figures
                // (its customers all at one level, say) however the brands' are suppressed: the group's row then shows its
                // customers only, which the hidden rows share between them.
                var groupDetailHidden = groupDetailForced || rows.Any(r => r.Brand is not null && r.RowHidden && r.Customers > 0);
                if (groupDetailHidden) hidden.UnionWith(Enumerable.Range(groupAt * width, width));
                var published = new HashSet<int>();
                foreach (var (row, n) in rows.Select((row, n) => (row, n)))
                {
                    if (recentShown(row.Brand) == false) hidden.Add(n * width + recent);
                    else if (recentShown(row.Brand) == true && !row.RowHidden && !(n == groupAt && groupDetailHidden)) published.Add(n * width + recent);
                }
                var sets = rows.Select((r, n) => (r, n)).Where(x => !x.r.RowHidden && !(x.n == groupAt && groupDetailHidden))
                    .SelectMany(x => x.r.Sets().Select(set => (IReadOnlyList<int>)set.Select(i => x.n * width + i).ToList())).ToList();
                if (!group.RowHidden && !groupDetailHidden)
                    sets.AddRange(Enumerable.Range(0, width).Select(f => (IReadOnlyList<int>)Enumerable.Range(0, rows.Count).Select(n => n * width + f).ToList()));
                Suppression.Complete(sizes, hidden, sets, published);

                var progressed = false;
                foreach (var set in sets.Where(set => set.Count(i => hidden.Contains(i) && sizes[i] > 0) == 1))
                {
                    var of = set.Select(i => i / width).Distinct().ToList();
                    if (of.Count > 1 || of[0] == groupAt)
                    {
                        progressed |= !groupDetailForced;
                        groupDetailForced = true;
                    }
                    else progressed |= forced.Add(of[0]);
                }
                if (!progressed) break;
            }
            foreach (var row in rows) row.Hidden.Clear();
            foreach (var i in hidden) rows[i / width].Hidden.Add(i % width);
        }

        public IntensityMonth ToMonth(DateTimeOffset month, int k)
        {
            if (RowHidden) return new IntensityMonth(Brand, month, true, null, [], [], [], null, null);
            int? Shown(int i) => Hidden.Contains(i) ? null : (int)Sizes[i];
            double? ShareOf(int i) => Hidden.Contains(i) ? null : ServiceQualityQuery.Share(Sizes[i], Customers);
            var active = _of.Where(r => r.Now != RelationalIntensity.None).ToList();
            var activeCustomers = active.Sum(r => r.Customers);
            // A share of the customers in contact in the year tells its denominator (the month's customers less those at
            // "none"): shown only when that figure is shown anyway, and in whole percents.
            var noneShown = !Hidden.Contains(Array.IndexOf(Levels, RelationalIntensity.None));
            double? ActiveShare(int count) => noneShown && activeCustomers >= k && (count == 0 || (count >= k && (activeCustomers - count == 0 || activeCustomers - count >= k)))
                ? Math.Round((double)count / activeCustomers, 2) : null;
            return new IntensityMonth(Brand, month, false, Customers,
                Levels.Select((level, i) => new LevelCount(level, Shown(i), ShareOf(i))).ToList(),
                Recencies.Select((recency, i) => new RecencyCount(recency, Shown(Levels.Length + i), ShareOf(Levels.Length + i))).ToList(),
                Moves.Select((m, i) => new IntensityMovement(m.Before, m.Now, Shown(MovesAt + i))).ToList(),
                ActiveShare(active.Where(r => r.MultiChannel).Sum(r => r.Customers)),
                Brand is null ? ActiveShare(active.Where(r => r.MultiBrand).Sum(r => r.Customers)) : null);
        }
    }
}
