using System.Data;
using System.Diagnostics;
using InteractionLedger.Hosting;
using Npgsql;

namespace InteractionLedger.Privacy;

/// <summary>What a break in the access ledger is.</summary>
public enum BreakKind
{
    /// <summary>The record's text, searchable columns or MAC are not what was written (also: a chain re-MACed with another key).</summary>
    Edited,
    /// <summary>Records between two others of the chain are gone.</summary>
    Missing,
    /// <summary>A position appears twice, or the chain's records are not in their written order.</summary>
    OutOfOrder,
    /// <summary>The chain ends before a position a signed checkpoint saw: its newest records were deleted.</summary>
    TruncatedSinceCheckpoint,
    /// <summary>The chain's head row does not point at the chain's last record (moved back or forward by hand).</summary>
    HeadMismatch,
    /// <summary>A checkpoint file whose signature does not check: it was written by someone without the key.</summary>
    CheckpointInvalid,
    /// <summary>No checkpoint was written for longer than two intervals: the schedule stopped anchoring the chains.</summary>
    CheckpointStale,
}

/// <summary>A place where an access ledger chain does not check out.</summary>
/// <param name="Lane">The chain concerned (0 to 15); -1 for the ledger as a whole (a checkpoint file not validly signed, checkpoints gone stale).</param>
/// <param name="Position">The first position concerned.</param>
/// <param name="Kind">What kind of break it is.</param>
/// <param name="Detail">What was found, in plain words.</param>
/// <param name="Count">How many positions the break covers (a run of missing records is one break).</param>
/// <param name="RecordId">The stored record concerned, when there is one.</param>
public sealed record ChainBreak(int Lane, long Position, BreakKind Kind, string Detail, long Count = 1, long? RecordId = null);

/// <summary>The result of verifying the access ledger's chains against the MAC keys and the signed checkpoints.</summary>
/// <param name="Intact">True when no break of any kind was found.</param>
/// <param name="Mode"><c>incremental</c>: from the latest signed checkpoint; <c>full</c>: every record still kept.</param>
/// <param name="RecordsChecked">How many records were verified.</param>
/// <param name="FromCheckpoint">The checkpoint incremental verification started from; null when none exists yet.</param>
/// <param name="Breaks">Every break found, up to 10,000 (<c>breaksFound</c> counts them all).</param>
/// <param name="BreaksFound">How many breaks were found in all, including any beyond the 10,000 listed.</param>
/// <param name="Milliseconds">How long the verification took, in milliseconds.</param>
public sealed record LedgerVerification(bool Intact, string Mode, long RecordsChecked, LedgerCheckpoint? FromCheckpoint,
    IReadOnlyList<ChainBreak> Breaks, long BreaksFound, double Milliseconds);

/// <summary>
/// Verifies the chains against the keys and the signed checkpoints: every break is reported with its chain, position
/// and kind. Incremental verification starts at the latest checkpoint (each was taken only after verifying up to it), so
/// its cost follows the records added since; full verification walks every record still kept, from the positions the
/// retirements of dropped partitions left.
/// </summary>
public sealed class AccessLedgerVerifier(NpgsqlDataSource dataSource, AccessLedgerKeys keys, CheckpointSink sink, AccessLedgerOptions options,
    TimeProvider clock)
{
    private const int MaxBreaksListed = 10_000;

    public async Task<(LedgerVerification Result, IReadOnlyDictionary<int, (long Position, byte[] Mac)> Heads)> VerifyAsync(bool full,
        CancellationToken cancellation)
    {
        var watch = Stopwatch.StartNew();
        var breaks = new List<ChainBreak>();
        long found = 0;
        void Report(ChainBreak b)
        {
            found++;
            if (breaks.Count < MaxBreaksListed) breaks.Add(b);
        }

        var floors = Floors(Report);
        LedgerCheckpoint? checkpoint = null;
        foreach (var candidate in sink.Latest(20))
        {
            if (candidate.IsSignedBy(keys)) { checkpoint = candidate; break; }
            Report(new ChainBreak(-1, 0, BreakKind.CheckpointInvalid, $"Checkpoint {candidate.Id} is not signed by a known key."));
        }
        // Without fresh checkpoints the newest records can be cut unseen: a schedule that stopped anchoring is a break too.
        if (options.Scheduled && checkpoint is not null && checkpoint.At < clock.GetUtcNow() - TimeSpan.FromMinutes(2 * options.CheckpointEveryMinutes))
            Report(new ChainBreak(-1, 0, BreakKind.CheckpointStale,
                $"The latest checkpoint is of {checkpoint.At:u}; one is taken every {options.CheckpointEveryMinutes} minutes."));

        // One snapshot for heads and records: a read committed while verifying is neither half seen nor reported.
        await using var connection = await dataSource.OpenConnectionAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellation);
        // Each chain is read from a position on: planned for that position, an index range; planned once for any position
        // (a prepared statement's generic plan, after a few verifications), a scan of the whole table.
        await using (var planning = new NpgsqlCommand("set local plan_cache_mode = force_custom_plan", connection, transaction))
            await planning.ExecuteNonQueryAsync(cancellation);
        var heads = new Dictionary<int, (long Position, byte[] Mac)>();
        await using (var command = new NpgsqlCommand($"select lane, position, mac from {AccessLedger.Heads}", connection, transaction))
        await using (var reader = await command.ExecuteReaderAsync(cancellation))
            while (await reader.ReadAsync(cancellation)) heads[reader.GetInt32(0)] = (reader.GetInt64(1), reader.GetFieldValue<byte[]>(2));

        long checkedCount = 0;
        for (var lane = 0; lane < AccessLedger.Lanes; lane++)
        {
            var floor = floors.GetValueOrDefault(lane) ?? new LaneAnchor(lane, 0, "");
            var seen = checkpoint?.Lanes.FirstOrDefault(l => l.Lane == lane);
            // Incremental: trust the chain up to the checkpoint, check that its record is still there and unchanged.
            var start = !full && seen is not null && seen.Position > floor.Position ? seen : floor;
            checkedCount += await VerifyLaneAsync(connection, transaction, lane, start, seen, heads.GetValueOrDefault(lane), Report, cancellation);
        }
        if (full) await ReportRecordsOutsideTheChainsAsync(connection, transaction, floors, Report, cancellation);
        await transaction.CommitAsync(cancellation);
        var result = new LedgerVerification(found == 0, full ? "full" : "incremental", checkedCount, full ? null : checkpoint, breaks, found,
            Math.Round(watch.Elapsed.TotalMilliseconds, 1));
        return (result, heads);
    }

    /// <summary>Where each chain starts: after the last record of the last retired partition that held any of it.</summary>
    public Dictionary<int, LaneAnchor> Floors(Action<ChainBreak>? report = null)
    {
        var floors = new Dictionary<int, LaneAnchor>();
        foreach (var retirement in sink.Retirements())
        {
            if (!retirement.IsSignedBy(keys))
            {
                report?.Invoke(new ChainBreak(-1, 0, BreakKind.CheckpointInvalid, $"Retirement {retirement.Id} is not signed by a known key."));
                continue;
            }
            foreach (var anchor in retirement.Lanes)
                if (!floors.TryGetValue(anchor.Lane, out var floor) || anchor.Position > floor.Position) floors[anchor.Lane] = anchor;
        }
        return floors;
    }

    /// <summary>
    /// Rows no chain walk reads would still show in searches: rows outside the 16 chains, at a position below 1, or at
    /// or below where a retirement says the chain was dropped. Each is reported (full verification only).
    /// </summary>
    private static async Task ReportRecordsOutsideTheChainsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        IReadOnlyDictionary<int, LaneAnchor> floors, Action<ChainBreak> report, CancellationToken cancellation)
    {
        // Index range probes only (the (lane, position) index): a scan of the whole table would cost what the
        // checkpoints exist to avoid.
        await using var command = new NpgsqlCommand($"""
            (select lane, position, id from {AccessLedger.Records} where lane < 0 or lane >= {AccessLedger.Lanes} limit {MaxBreaksListed})
            union all
            (select lane, position, id from {AccessLedger.Records} where lane is null or position is null limit {MaxBreaksListed})
            union all
            (select x.lane, x.position, x.id from unnest($1::int[], $2::bigint[]) as f(lane, floor)
             cross join lateral (select lane, position, id from {AccessLedger.Records} r
                                 where r.lane = f.lane and r.position <= f.floor order by r.position limit {MaxBreaksListed}) x)
            """, connection, transaction) { CommandTimeout = 0 };
        var lanes = Enumerable.Range(0, AccessLedger.Lanes).ToArray();
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = lanes });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = lanes.Select(l => floors.GetValueOrDefault(l)?.Position ?? 0).ToArray() });
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
            report(new ChainBreak(reader.IsDBNull(0) ? -1 : reader.GetInt32(0), reader.IsDBNull(1) ? 0 : reader.GetInt64(1), BreakKind.OutOfOrder,
                "A record outside every chain (another chain, a position below 1, or below a retired partition's end).", 1, reader.GetInt64(2)));
    }

    /// <summary>A stored row as the chain walk reads it; null fields (a column made nullable by hand) make it unreadable.</summary>
    private readonly record struct Row(long Id, long Position, SearchableColumns Columns, string? Text, string? KeyId, byte[]? Mac)
    {
        public bool Readable => Text is not null && KeyId is not null && Mac is not null;

        public static Row Read(NpgsqlDataReader r, int offset = 0)
        {
            string? Text(int i) => r.IsDBNull(i + offset) ? null : r.GetString(i + offset);
            return new Row(r.GetInt64(offset), r.GetInt64(1 + offset),
                new SearchableColumns(r.IsDBNull(2 + offset) ? default : r.GetFieldValue<DateTimeOffset>(2 + offset),
                    r.IsDBNull(3 + offset) ? null : r.GetGuid(3 + offset), Text(4) ?? "", Text(5), Text(6) ?? "", Text(7) ?? ""),
                Text(8), Text(9), r.IsDBNull(10 + offset) ? null : r.GetFieldValue<byte[]>(10 + offset));
        }
    }

    private bool MacChecks(Row row, byte[] previous, int lane) =>
        row.Readable && keys.Knows(row.KeyId!) && keys.RecordMac(row.KeyId!, previous, lane, row.Position, row.Columns, row.Text!).AsSpan().SequenceEqual(row.Mac);

    private const string RowColumns = "id, position, recorded_at, customer_id, principal, person, purpose, decision, record, key_id, mac";

    private async Task<long> VerifyLaneAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int lane, LaneAnchor start,
        LaneAnchor? checkpoint, (long Position, byte[] Mac) head, Action<ChainBreak> report, CancellationToken cancellation)
    {
        var previous = Convert.FromHexString(start.Mac);
        var expected = start.Position + 1;
        var anchorPending = start.Position > 0 && start == checkpoint;
        // The record before the anchor is read too: the anchor's own MAC is recomputed, not only compared.
        byte[]? beforeAnchor = start.Position == 1 ? [] : null;
        var checkpointPending = checkpoint is not null && checkpoint.Position > start.Position;
        long last = start.Position;
        var lastMac = previous;
        long count = 0;

        // Verifying millions of records takes minutes: no command timeout.
        await using var command = new NpgsqlCommand($"select {RowColumns} from {AccessLedger.Records} where lane = $1 and position >= $2 order by position, id",
            connection, transaction) { CommandTimeout = 0 };
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = lane });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = anchorPending ? Math.Max(1, start.Position - 1) : start.Position + 1 });
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            var row = Row.Read(reader);
            var (id, position, mac) = (row.Id, row.Position, row.Mac ?? []);
            if (anchorPending)
            {
                if (position < start.Position)
                {
                    beforeAnchor = mac;
                    continue;
                }
                anchorPending = false;
                if (position == start.Position)
                {
                    if (!mac.AsSpan().SequenceEqual(previous))
                        report(new ChainBreak(lane, position, BreakKind.Edited, "The record differs from the one the checkpoint signed (re-MACed or replaced).", 1, id));
                    else if (beforeAnchor is null)
                        report(new ChainBreak(lane, position - 1, BreakKind.Missing, "The record before the one the checkpoint signed is gone."));
                    else if (!MacChecks(row, beforeAnchor, lane))
                        report(new ChainBreak(lane, position, BreakKind.Edited, "The record the checkpoint signed was changed after it was written.", 1, id));
                    (previous, lastMac) = (mac, mac);
                    continue;
                }
                report(new ChainBreak(lane, start.Position, BreakKind.Missing, "The record the checkpoint signed is gone."));
            }
            if (position < expected)
            {
                report(new ChainBreak(lane, position, BreakKind.OutOfOrder, "A second record claims this position of the chain.", 1, id));
                continue;
            }
            if (position > expected)
            {
                report(new ChainBreak(lane, expected, BreakKind.Missing, $"Records {expected} to {position - 1} of the chain are gone.", position - expected));
                // The record after a gap cannot be checked against a predecessor that is gone: the chain resumes from it.
                (previous, expected, last, lastMac) = (mac, position + 1, position, mac);
                count++;
                continue;
            }
            var edited = !MacChecks(row, previous, lane);
            if (edited)
                report(new ChainBreak(lane, position, BreakKind.Edited, row.Readable && !keys.Knows(row.KeyId!)
                    ? "The record names a key the service does not hold."
                    : "The record's text, searchable columns or MAC were changed after it was written.", 1, id));
            if (checkpointPending && position == checkpoint!.Position)
            {
                checkpointPending = false;
                if (!edited && Convert.ToHexStringLower(mac) != checkpoint.Mac)
                    report(new ChainBreak(lane, position, BreakKind.Edited, "The record differs from the one the latest checkpoint signed.", 1, id));
            }
            // The next record is checked against this one as stored: one edited record is one break, not a cascade.
            (previous, expected, last, lastMac) = (mac, position + 1, position, mac);
            count++;
        }
        if (anchorPending)
        {
            // Nothing left from the checkpoint's position on: the chain was cut below what the checkpoint signed.
            report(new ChainBreak(lane, start.Position, BreakKind.TruncatedSinceCheckpoint,
                $"The latest checkpoint saw the chain up to {start.Position}; that record and any after it are gone."));
            return count;
        }
        if (checkpointPending && checkpoint!.Position > last)
            report(new ChainBreak(lane, last + 1, BreakKind.TruncatedSinceCheckpoint,
                $"The latest checkpoint saw the chain up to {checkpoint.Position}; it now ends at {last}.", checkpoint.Position - last));
        if (head.Position != last || !head.Mac.AsSpan().SequenceEqual(lastMac))
            report(new ChainBreak(lane, Math.Min(head.Position, last) + 1, BreakKind.HeadMismatch,
                $"The chain's head says {head.Position}; its records end at {last}."));
        return count;
    }

    /// <summary>
    /// Checks a partition about to be retired: in every chain, its records must continue from where the chain starts
    /// now, verify under the key, and all be older than <paramref name="before"/> (their time is MAC-covered, so rows
    /// moved into an old partition, or a recent partition renamed old, fail). The anchors to sign, or null.
    /// </summary>
    public async Task<IReadOnlyList<LaneAnchor>?> VerifyRetiringAsync(string partition, DateTimeOffset before, CancellationToken cancellation)
    {
        var floors = Floors();
        var anchors = new List<LaneAnchor>();
        await using var command = dataSource.CreateCommand($"select lane, {RowColumns} from {LedgerStore.Schema}.{partition} order by lane, position, id");
        command.CommandTimeout = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        int? lane = null;
        var (expected, previous) = (0L, Array.Empty<byte>());
        while (await reader.ReadAsync(cancellation))
        {
            if (reader.IsDBNull(0) || reader.IsDBNull(1) || reader.IsDBNull(2)) return null;
            var rowLane = reader.GetInt32(0);
            if (rowLane != lane)
            {
                if (lane is { } done) anchors.Add(new LaneAnchor(done, expected - 1, Convert.ToHexStringLower(previous)));
                if (rowLane is < 0 or >= AccessLedger.Lanes) return null;
                lane = rowLane;
                var floor = floors.GetValueOrDefault(rowLane) ?? new LaneAnchor(rowLane, 0, "");
                (expected, previous) = (floor.Position + 1, Convert.FromHexString(floor.Mac));
            }
            var row = Row.Read(reader, offset: 1);
            if (row.Position != expected || !MacChecks(row, previous, rowLane) || row.Columns.At >= before) return null;
            (expected, previous) = (expected + 1, row.Mac!);
        }
        if (lane is { } final) anchors.Add(new LaneAnchor(final, expected - 1, Convert.ToHexStringLower(previous)));
        return anchors;
    }
}
