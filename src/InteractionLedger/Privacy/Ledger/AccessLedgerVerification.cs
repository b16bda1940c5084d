using System.Data;
using System.Diagnostics;
using System.Text.Json;
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
}

/// <param name="Position">The first position concerned.</param>
/// <param name="Count">How many positions the break covers (a run of missing records is one break).</param>
/// <param name="RecordId">The stored record concerned, when there is one.</param>
public sealed record ChainBreak(int Lane, long Position, BreakKind Kind, string Detail, long Count = 1, long? RecordId = null);

/// <param name="Mode"><c>incremental</c>: from the latest signed checkpoint; <c>full</c>: every record still kept.</param>
/// <param name="FromCheckpoint">The checkpoint incremental verification started from; null when none exists yet.</param>
/// <param name="Breaks">Every break found, up to 10,000 (<paramref name="BreaksFound"/> counts them all).</param>
public sealed record LedgerVerification(bool Intact, string Mode, long RecordsChecked, LedgerCheckpoint? FromCheckpoint,
    IReadOnlyList<ChainBreak> Breaks, long BreaksFound, double Milliseconds);

/// <summary>
/// Verifies the chains against the keys and the signed checkpoints: every break is reported with its chain, position
/// and kind. Incremental verification starts at the latest checkpoint (each was taken only after verifying up to it), so
/// its cost follows the records added since; full verification walks every record still kept, from the positions the
/// retirements of dropped partitions left.
/// </summary>
public sealed class AccessLedgerVerifier(NpgsqlDataSource dataSource, AccessLedgerKeys keys, CheckpointSink sink)
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

        var floors = new Dictionary<int, LaneAnchor>();
        foreach (var retirement in sink.Retirements())
        {
            if (!retirement.IsSignedBy(keys)) { Report(new ChainBreak(-1, 0, BreakKind.CheckpointInvalid, $"Retirement {retirement.Id} is not signed by a known key.")); continue; }
            foreach (var anchor in retirement.Lanes)
                if (!floors.TryGetValue(anchor.Lane, out var floor) || anchor.Position > floor.Position) floors[anchor.Lane] = anchor;
        }
        LedgerCheckpoint? checkpoint = null;
        foreach (var candidate in sink.Latest(20))
        {
            if (candidate.IsSignedBy(keys)) { checkpoint = candidate; break; }
            Report(new ChainBreak(-1, 0, BreakKind.CheckpointInvalid, $"Checkpoint {candidate.Id} is not signed by a known key."));
        }

        // One snapshot for heads and records: a read committed while verifying is neither half seen nor reported.
        await using var connection = await dataSource.OpenConnectionAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellation);
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
        await transaction.CommitAsync(cancellation);
        var result = new LedgerVerification(found == 0, full ? "full" : "incremental", checkedCount, full ? null : checkpoint, breaks, found,
            Math.Round(watch.Elapsed.TotalMilliseconds, 1));
        return (result, heads);
    }

    private async Task<long> VerifyLaneAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int lane, LaneAnchor start,
        LaneAnchor? checkpoint, (long Position, byte[] Mac) head, Action<ChainBreak> report, CancellationToken cancellation)
    {
        var previous = Convert.FromHexString(start.Mac);
        var expected = start.Position + 1;
        var anchorPending = start.Position > 0 && start == checkpoint;
        var checkpointPending = checkpoint is not null && checkpoint.Position > start.Position;
        long last = start.Position;
        var lastMac = previous;
        long count = 0;

        await using var command = new NpgsqlCommand($"""
            select id, position, recorded_at, customer_id, principal, person, purpose, decision, record, key_id, mac
            from {AccessLedger.Records} where lane = $1 and position >= $2 order by position, id
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = lane });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = anchorPending ? start.Position : start.Position + 1 });
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            var (id, position) = (reader.GetInt64(0), reader.GetInt64(1));
            var mac = reader.GetFieldValue<byte[]>(10);
            if (anchorPending)
            {
                anchorPending = false;
                if (position == start.Position)
                {
                    if (!mac.AsSpan().SequenceEqual(previous))
                        report(new ChainBreak(lane, position, BreakKind.Edited, "The record differs from the one the checkpoint signed (re-MACed or replaced).", 1, id));
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
            var keyId = reader.GetString(9);
            var text = reader.GetString(8);
            var edited = true;
            if (!keys.Knows(keyId))
                report(new ChainBreak(lane, position, BreakKind.Edited, "The record names a key the service does not hold.", 1, id));
            else if (!keys.RecordMac(keyId, previous, lane, position, text).AsSpan().SequenceEqual(mac))
                report(new ChainBreak(lane, position, BreakKind.Edited, "The record's content or MAC was changed after it was written.", 1, id));
            else if (!ColumnsMatch(reader, text))
                report(new ChainBreak(lane, position, BreakKind.Edited, "The record's searchable columns no longer match what it recorded.", 1, id));
            else edited = false;
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

    private static bool ColumnsMatch(NpgsqlDataReader reader, string text)
    {
        AccessRecord record;
        try { record = JsonSerializer.Deserialize<AccessRecord>(text, ApiJson.Options)!; }
        catch (JsonException) { return false; }
        return record.At == reader.GetFieldValue<DateTimeOffset>(2)
               && record.CustomerId == (reader.IsDBNull(3) ? null : reader.GetGuid(3))
               && record.Principal == reader.GetString(4)
               && record.Person?.Subject == (reader.IsDBNull(5) ? null : reader.GetString(5))
               && record.Purpose == reader.GetString(6) && record.Decision == reader.GetString(7);
    }
}
