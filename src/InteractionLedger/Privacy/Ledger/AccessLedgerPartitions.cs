using System.Globalization;
using InteractionLedger.Hosting;
using Npgsql;

namespace InteractionLedger.Privacy;

/// <summary>One month of the access ledger: a partition of <c>access_records</c>.</summary>
public sealed record LedgerPartition(string Name, DateTimeOffset From, DateTimeOffset To);

/// <summary>
/// The access ledger is partitioned by month (PostgreSQL declarative partitioning): at 150 reads/s it grows by about
/// 13 million records a day, and only dropping whole partitions reclaims that without a vacuum of the whole table.
/// Partitions are created ahead by the maintenance job, and on demand by a write that finds none.
/// </summary>
public static class AccessLedgerPartitions
{
    private const string Prefix = "access_records_m";

    public static DateTimeOffset MonthOf(DateTimeOffset moment) => new(moment.UtcDateTime.Year, moment.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero);

    public static LedgerPartition For(DateTimeOffset moment)
    {
        var from = MonthOf(moment);
        return new LedgerPartition($"{Prefix}{from:yyyyMM}", from, from.AddMonths(1));
    }

    /// <summary>This month's partition and the next two: the maintenance job's, and the start's.</summary>
    public static Task EnsureAheadAsync(NpgsqlDataSource dataSource, DateTimeOffset now, CancellationToken cancellation) =>
        EnsureAsync(dataSource, [now, now.AddMonths(1), now.AddMonths(2)], cancellation);

    public static async Task EnsureAsync(NpgsqlDataSource dataSource, IEnumerable<DateTimeOffset> moments, CancellationToken cancellation)
    {
        foreach (var partition in moments.Select(For).DistinctBy(p => p.Name))
        {
            await using var create = dataSource.CreateCommand(
                $"create table if not exists {LedgerStore.Schema}.{partition.Name} partition of {AccessLedger.Records} " +
                $"for values from ('{partition.From:yyyy-MM-dd}T00:00:00Z') to ('{partition.To:yyyy-MM-dd}T00:00:00Z')");
            try
            {
                await create.ExecuteNonQueryAsync(cancellation);
            }
            // Another instance created it at the same moment ("if not exists" checks, then inserts into the catalog).
            catch (PostgresException race) when (race.SqlState is PostgresErrorCodes.DuplicateTable or PostgresErrorCodes.UniqueViolation)
            {
            }
        }
    }

    /// <summary>The ledger's monthly partitions, oldest first.</summary>
    public static async Task<IReadOnlyList<LedgerPartition>> ListAsync(NpgsqlDataSource dataSource, CancellationToken cancellation)
    {
        var partitions = new List<LedgerPartition>();
        await using var command = dataSource.CreateCommand($"""
            select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
            where i.inhparent = '{AccessLedger.Records}'::regclass order by c.relname
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            var name = reader.GetString(0);
            if (name.StartsWith(Prefix) && DateTime.TryParseExact(name[Prefix.Length..], "yyyyMM", CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var month))
                partitions.Add(For(new DateTimeOffset(month, TimeSpan.Zero)));
        }
        return partitions;
    }
}
