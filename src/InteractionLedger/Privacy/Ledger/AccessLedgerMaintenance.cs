using InteractionLedger.Hosting;
using Npgsql;

namespace InteractionLedger.Privacy;

/// <summary>What one checkpoint attempt did: the checkpoint written, or the verification that refused to anchor a broken ledger.</summary>
public sealed record CheckpointOutcome(LedgerCheckpoint? Checkpoint, LedgerVerification Verification);

/// <summary>
/// Anchors the access ledger outside the database and keeps it bounded: creates the coming months' partitions,
/// retires partitions past the ledger's retention (a signed retirement first, so the remaining chains still verify),
/// and writes a signed checkpoint of every chain head after verifying the records since the previous one.
/// </summary>
public sealed class AccessLedgerMaintenance(NpgsqlDataSource dataSource, DatabaseLocks locks, AccessLedgerKeys keys, AccessLedgerOptions options,
    AccessLedgerVerifier verifier, CheckpointSink sink, TimeProvider clock, ILogger<AccessLedgerMaintenance> logger)
{
    /// <summary>A checkpoint now, asked for by a privacy officer: after any pass of the schedule that is going on.</summary>
    public async Task<CheckpointOutcome> CheckpointNowAsync(CancellationToken cancellation)
    {
        await using var held = await locks.AcquireAsync(DatabaseLocks.AccessLedgerMaintenance, cancellation);
        return await CheckpointAsync(cancellation);
    }

    public async Task<CheckpointOutcome> CheckpointAsync(CancellationToken cancellation)
    {
        var (verification, heads) = await verifier.VerifyAsync(full: false, cancellation);
        // A broken ledger is not anchored: the next checkpoint must not certify what this verification refused. A late
        // checkpoint is no reason to refuse one: taking it is what makes the ledger anchored again.
        var breaks = verification.BreaksFound - verification.Breaks.Count(b => b.Kind == BreakKind.CheckpointStale);
        if (breaks > 0)
        {
            logger.LogError("Access ledger checkpoint refused: verification found {Breaks} breaks since the latest checkpoint", breaks);
            return new CheckpointOutcome(null, verification);
        }
        var lanes = heads.Where(h => h.Value.Position > 0).OrderBy(h => h.Key)
            .Select(h => new LaneAnchor(h.Key, h.Value.Position, Convert.ToHexStringLower(h.Value.Mac))).ToList();
        var checkpoint = LedgerCheckpoint.Signed(keys, LedgerCheckpoint.Checkpoint, clock.GetUtcNow(), lanes, null);
        await sink.WriteAsync(checkpoint, cancellation);
        return new CheckpointOutcome(checkpoint, verification);
    }

    /// <summary>Drops every monthly partition wholly older than the retention period, oldest first; the retirements written.</summary>
    public async Task<IReadOnlyList<LedgerCheckpoint>> RetireAgedPartitionsAsync(CancellationToken cancellation)
    {
        var floor = AccessLedgerPartitions.MonthOf(clock.GetUtcNow()).AddMonths(-options.RetentionMonths);
        var retired = new List<LedgerCheckpoint>();
        foreach (var partition in (await AccessLedgerPartitions.ListAsync(dataSource, cancellation)).Where(p => p.To <= floor))
        {
            // Anchored only on records that verify from where the chains start now, all older than the partition's end:
            // otherwise whoever can write to the table could have the job sign away records of their choosing.
            if (await verifier.VerifyRetiringAsync(partition.Name, partition.To, cancellation) is not { } lanes)
            {
                logger.LogError("Access ledger partition {Partition} was not retired: its records do not verify; see the full verification", partition.Name);
                break;
            }
            var retirement = LedgerCheckpoint.Signed(keys, LedgerCheckpoint.Retirement, clock.GetUtcNow(), lanes, partition.Name);
            // Written before the drop: a crash in between leaves a retirement for records still present, which verifies.
            await sink.WriteAsync(retirement, cancellation);
            await using (var drop = dataSource.CreateCommand($"drop table {LedgerStore.Schema}.{partition.Name}"))
                await drop.ExecuteNonQueryAsync(cancellation);
            retired.Add(retirement);
        }
        return retired;
    }

    /// <summary>One pass of the schedule, by one instance at a time.</summary>
    public async Task RunOnceAsync(CancellationToken cancellation)
    {
        await using var held = await locks.TryAcquireAsync(DatabaseLocks.AccessLedgerMaintenance, cancellation);
        if (held is null) return;
        await AccessLedgerPartitions.EnsureAheadAsync(dataSource, clock.GetUtcNow(), cancellation);
        await RetireAgedPartitionsAsync(cancellation);
        await CheckpointAsync(cancellation);
    }
}

/// <summary>Runs the access ledger's maintenance every <c>CheckpointEveryMinutes</c> once the host has started.</summary>
public sealed class AccessLedgerSchedule(AccessLedgerMaintenance maintenance, AccessLedgerOptions options, IHostApplicationLifetime lifetime,
    ILogger<AccessLedgerSchedule> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        if (!options.Scheduled) return;
        if (!await HostStarted.WaitAsync(lifetime, stopping)) return;
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(options.CheckpointEveryMinutes));
        do
        {
            try
            {
                await maintenance.RunOnceAsync(stopping);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Access ledger maintenance failed; the next pass retries");
            }
        } while (await timer.WaitForNextTickAsync(stopping));
    }
}
