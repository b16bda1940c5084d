using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using InteractionLedger.Access;
using InteractionLedger.Hosting;
using InteractionLedger.LocalPostgres;
using InteractionLedger.Privacy;
using Npgsql;
using NpgsqlTypes;

namespace InteractionLedger.Benchmark;

/// <summary>
/// The access ledger at contact-center volume: N records (default 10 million, about 18 hours of the design peak's 150
/// reads/s) chained with the service's own MAC over three monthly partitions, then timed: full verification, a
/// checkpoint, incremental verification after 10,000 more reads, and the privacy officer's two index lookups.
/// <c>dotnet run -c Release --project bench/InteractionLedger.Benchmark -- --access-ledger [--records 10000000]</c>
/// </summary>
public static class AccessLedgerVolume
{
    public static async Task RunAsync(string repoRoot, long records, string outFolder)
    {
        await using var database = await LocalPostgresCluster.StartAsync(new LocalPostgresOptions
        {
            DataDirectory = Path.Combine(Path.GetTempPath(), $"ledger-volume-{Guid.NewGuid():N}"),
            Throwaway = true,
        });
        await using var dataSource = NpgsqlDataSource.Create(LedgerStore.Tuned(database.ConnectionString));
        var now = DateTimeOffset.UtcNow;
        await AccessLedger.CreateSchemaAsync(dataSource, CancellationToken.None);
        await AccessLedgerPartitions.EnsureAsync(dataSource, [now.AddMonths(-2), now.AddMonths(-1)], CancellationToken.None);
        await AccessLedgerPartitions.EnsureAheadAsync(dataSource, now, CancellationToken.None);
        var keys = AccessLedgerKeys.Of("volume", RandomNumberGenerator.GetBytes(32));
        var folder = Path.Combine(Path.GetTempPath(), $"ledger-volume-checkpoints-{Guid.NewGuid():N}");
        var options = new AccessLedgerOptions { Directory = folder };
        var sink = new CheckpointSink(options);
        var verifier = new AccessLedgerVerifier(dataSource, keys, sink, options, TimeProvider.System);
        var maintenance = new AccessLedgerMaintenance(dataSource, new DatabaseLocks(database.ConnectionString), keys, options, verifier, sink, TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<AccessLedgerMaintenance>.Instance);
        var lines = new List<string> { "# Access ledger at volume", "", $"{Environment.ProcessorCount} cores, PostgreSQL durable defaults, {DateTimeOffset.UtcNow:yyyy-MM-dd}.", "" };
        void Report(string line)
        {
            Console.WriteLine(line);
            lines.Add($"- {line}");
        }

        var load = Stopwatch.StartNew();
        await LoadAsync(dataSource, keys, records, now);
        Report($"loaded {records:N0} chained records over 3 monthly partitions in {load.Elapsed.TotalSeconds:F0} s ({records / load.Elapsed.TotalSeconds:N0} records/s, COPY)");
        await using (var analyze = dataSource.CreateCommand($"vacuum analyze {AccessLedger.Records}"))
        {
            analyze.CommandTimeout = 0;
            await analyze.ExecuteNonQueryAsync();
        }
        await using (var size = dataSource.CreateCommand($"select pg_size_pretty(sum(pg_total_relation_size(c.oid))) from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = '{AccessLedger.Records}'::regclass"))
            Report($"size with indexes: {await size.ExecuteScalarAsync()}");

        var full = await verifier.VerifyAsync(full: true, CancellationToken.None);
        Report($"full verification: {full.Result.RecordsChecked:N0} records in {full.Result.Milliseconds / 1000:F1} s, intact: {full.Result.Intact}");

        var first = await maintenance.CheckpointAsync(CancellationToken.None);
        Report($"first checkpoint (no earlier one: verifies everything): {first.Verification.Milliseconds / 1000:F1} s, written: {first.Checkpoint is not null}");

        await using (var ledger = new AccessLedger(dataSource, keys))
        {
            var appended = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, 10_000).Select(i => ledger.AppendAsync(Record(Guid.NewGuid(), $"u-{i % 500}", now), CancellationToken.None)));
            Report($"10,000 more reads recorded through the service's writer in {appended.Elapsed.TotalSeconds:F1} s");
        }
        var incremental = await verifier.VerifyAsync(full: false, CancellationToken.None);
        Report($"incremental verification from the checkpoint: {incremental.Result.RecordsChecked:N0} records in {incremental.Result.Milliseconds:F0} ms, intact: {incremental.Result.Intact}");
        var second = await maintenance.CheckpointAsync(CancellationToken.None);
        Report($"next checkpoint (verifies since the previous one): {second.Verification.Milliseconds:F0} ms");

        foreach (var (what, condition, value) in new (string, string, object)[]
                 {
                     ("one customer's accesses", "customer_id = $1", CustomerOf(records / 2)),
                     ("one person's accesses", "person = $1", "u-4711"),
                 })
        {
            await using var explain = dataSource.CreateCommand(
                $"explain (analyze, buffers) select id, lane, position, key_id, mac, record from {AccessLedger.Records} where {condition} order by id desc limit 101");
            explain.Parameters.Add(new NpgsqlParameter { Value = value });
            explain.CommandTimeout = 0;
            var plan = new List<string>();
            await using (var reader = await explain.ExecuteReaderAsync())
                while (await reader.ReadAsync()) plan.Add(reader.GetString(0));
            // The months ahead are empty: a sequential scan of an empty partition is what the planner rightly picks there.
            var scanned = plan.Select(l => System.Text.RegularExpressions.Regex.Match(l, @"Seq Scan on (\w+)")).Where(m => m.Success)
                .Select(m => m.Groups[1].Value).ToList();
            Report($"{what}: {plan.Last(l => l.StartsWith("Execution Time"))}; index scans on every partition" +
                   (scanned.Count == 0 ? "" : $" but {string.Join(", ", scanned)} (scanned: {string.Join(", ", await CountsAsync(dataSource, scanned))} rows)"));
        }

        Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(Path.Combine(repoRoot, outFolder));
        await File.WriteAllLinesAsync(Path.Combine(repoRoot, outFolder, "access-ledger-volume.md"), lines);
    }

    private static async Task<List<long>> CountsAsync(NpgsqlDataSource dataSource, IEnumerable<string> partitions)
    {
        var counts = new List<long>();
        foreach (var partition in partitions)
        {
            await using var count = dataSource.CreateCommand($"select count(*) from {LedgerStore.Schema}.{partition}");
            counts.Add((long)(await count.ExecuteScalarAsync())!);
        }
        return counts;
    }

    private static Guid CustomerOf(long i) => new(unchecked((int)(i % 2_000_000)), 0, 0, [1, 2, 3, 4, 5, 6, 7, (byte)(i % 251)]);

    private static AccessRecord Record(Guid customer, string person, DateTimeOffset at) => new(
        InteractionLedger.Interactions.TimelineEntry.AtStoredPrecision(at), person, "agent", ["horizon-telecom"], customer, "timeline", "service",
        "contract", "reduced", ["identity", "contact-history"], [new Withheld(DataPart.ContactHistory, "History with Horizon Voyages hidden: no consent to sharing across the group's brands.")],
        ["horizon-telecom"], [], null, "4bf92f3577b34da6a3ce929d0e0e4736", Guid.NewGuid(), new Person(person, "Camille Martin"), "agent-desktop");

    /// <summary>Chains the records exactly as the service's writer does, and writes them with binary COPY.</summary>
    private static async Task LoadAsync(NpgsqlDataSource dataSource, AccessLedgerKeys keys, long count, DateTimeOffset now)
    {
        var heads = new (long Position, byte[] Mac)[AccessLedger.Lanes];
        for (var lane = 0; lane < heads.Length; lane++) heads[lane] = (0, []);
        var start = now.AddMonths(-2);
        var step = (now - start).Ticks / count;
        await using (var connection = await dataSource.OpenConnectionAsync())
        await using (var copy = await connection.BeginBinaryImportAsync(
                         $"copy {AccessLedger.Records} (recorded_at, lane, position, customer_id, principal, person, purpose, decision, record, key_id, mac) from stdin (format binary)"))
        {
            for (long i = 0; i < count; i++)
            {
                var customer = CustomerOf(i);
                var person = $"u-{i % 5_000}";
                var record = Record(customer, person, start.AddTicks(step * i));
                var text = JsonSerializer.Serialize(record, ApiJson.Options);
                var lane = AccessLedger.LaneOf(customer);
                var position = heads[lane].Position + 1;
                var mac = keys.RecordMac(keys.CurrentKeyId, heads[lane].Mac, lane, position, SearchableColumns.Of(record), text);
                heads[lane] = (position, mac);
                await copy.StartRowAsync();
                await copy.WriteAsync(record.At, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(lane, NpgsqlDbType.Integer);
                await copy.WriteAsync(position, NpgsqlDbType.Bigint);
                await copy.WriteAsync(customer, NpgsqlDbType.Uuid);
                await copy.WriteAsync(person, NpgsqlDbType.Text);
                await copy.WriteAsync(person, NpgsqlDbType.Text);
                await copy.WriteAsync(record.Purpose, NpgsqlDbType.Text);
                await copy.WriteAsync(record.Decision, NpgsqlDbType.Text);
                await copy.WriteAsync(text, NpgsqlDbType.Text);
                await copy.WriteAsync(keys.CurrentKeyId, NpgsqlDbType.Text);
                await copy.WriteAsync(mac, NpgsqlDbType.Bytea);
            }
            await copy.CompleteAsync();
        }
        await using var move = dataSource.CreateCommand(
            $"update {AccessLedger.Heads} h set position = v.position, mac = v.mac from unnest($1::int[], $2::bigint[], $3::bytea[]) v(lane, position, mac) where h.lane = v.lane");
        move.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = Enumerable.Range(0, heads.Length).ToArray() });
        move.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = heads.Select(h => h.Position).ToArray() });
        move.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = heads.Select(h => h.Mac).ToArray() });
        await move.ExecuteNonQueryAsync();
    }
}
