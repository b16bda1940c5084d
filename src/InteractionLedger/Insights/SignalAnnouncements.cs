using InteractionLedger.Hosting;
using InteractionLedger.Overview;
using Marten;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;
using Wolverine.Marten;

namespace InteractionLedger.Insights;

/// <summary>
/// A proactive signal arose for a customer with a brand: an integration event, published once per signal through
/// Wolverine's outbox so that a dialler, a CRM or a campaign tool can subscribe to it once an integration routes it
/// (no route is configured today: Wolverine then has nowhere to send it). It names a customer by id only; whoever routes
/// it out of the service takes it under the service purpose, as the worklist's readers do.
/// </summary>
/// <param name="Since">When the signal arose (see the worklist).</param>
/// <param name="About">The case or contact it is about, when it is about one.</param>
/// <param name="RaisedAt">When it was announced.</param>
public sealed record ProactiveSignalRaised(Guid CustomerId, string Brand, SignalKind Signal, DateTimeOffset Since, Guid? About, DateTimeOffset RaisedAt);

/// <summary>
/// Announces the signals standing now that were not announced yet: one node at a time (an advisory lock), each signal
/// once (a row per announced signal, written in the transaction that stores the outgoing messages).
/// </summary>
public sealed class SignalAnnouncer(IDocumentStore store, NpgsqlDataSource database, DatabaseLocks locks, IServiceScopeFactory scopes,
    InsightsPolicy policy, RelationshipPolicy relationship, Group.GroupCatalog group, TimeProvider clock)
{
    public const string Table = $"{LedgerStore.Schema}.insights_signals_announced";

    public static Table Schema()
    {
        var table = new Table(new PostgresqlObjectName(LedgerStore.Schema, "insights_signals_announced", SchemaUtils.IdentifierUsage.General));
        table.AddColumn<Guid>("customer_id").AsPrimaryKey();
        table.AddColumn("brand", "varchar").AsPrimaryKey();
        table.AddColumn("kind", "varchar").AsPrimaryKey();
        table.AddColumn("since", "timestamp with time zone").AsPrimaryKey();
        table.AddColumn("announced_at", "timestamp with time zone").NotNull();
        return table;
    }

    /// <summary>Announces what is new; nothing when another node is announcing. The signals announced, for the caller's log.</summary>
    public async Task<IReadOnlyList<ProactiveSignalRaised>> AnnounceAsync(CancellationToken cancellation)
    {
        await using var alone = await locks.TryAcquireAsync(DatabaseLocks.SignalSweep, cancellation);
        if (alone is null) return [];
        var now = clock.GetUtcNow();
        var standing = new List<StandingSignal>();
        await using (var command = database.CreateCommand($"""
            with signals as ({SignalQuery.Sql(leaveOutObjectors: false)})
            select s.customer_id, s.brand, s.kind, s.since, s.about from signals s
            where not exists (select 1 from {Table} a where a.customer_id = s.customer_id and a.brand = s.brand and a.kind = s.kind and a.since = s.since)
            """))
        {
            command.Parameters.AddWithValue("brands", group.BrandCodes.ToArray());
            SignalQuery.AddThresholds(command, policy, relationship, now);
            await using var reader = await command.ExecuteReaderAsync(cancellation);
            while (await reader.ReadAsync(cancellation))
                standing.Add(new StandingSignal(reader.GetGuid(0), reader.GetString(1), Enum.Parse<SignalKind>(reader.GetString(2)),
                    reader.GetFieldValue<DateTimeOffset>(3), reader.IsDBNull(4) ? null : reader.GetGuid(4)));
        }
        if (standing.Count == 0) return [];

        await using var scope = scopes.CreateAsyncScope();
        await using var session = store.LightweightSession();
        var outbox = scope.ServiceProvider.GetRequiredService<IMartenOutbox>();
        outbox.Enroll(session);
        var announced = standing.Select(s => new ProactiveSignalRaised(s.CustomerId, s.Brand, s.Kind, s.Since, s.About, now)).ToList();
        session.QueueSqlCommand($"""
            insert into {Table} (customer_id, brand, kind, since, announced_at)
            select s.*, ? from unnest(?::uuid[], ?::varchar[], ?::varchar[], ?::timestamptz[]) as s on conflict do nothing
            """,
            now.ToUniversalTime(), announced.Select(a => a.CustomerId).ToArray(), announced.Select(a => a.Brand).ToArray(),
            announced.Select(a => a.Signal.ToString()).ToArray(), announced.Select(a => a.Since.ToUniversalTime()).ToArray());
        // Signals faded out of the worklist need no memory of having been announced.
        session.QueueSqlCommand($"delete from {Table} where since < ?", now.AddDays(-policy.SignalsFadeAfterDays).ToUniversalTime());
        foreach (var signal in announced) await outbox.PublishAsync(signal);
        await session.SaveChangesAsync(cancellation);
        return announced;
    }
}

/// <summary>Runs the announcer every <see cref="InsightsPolicy.AnnounceSignalsEveryMinutes"/> on every node (one at a time announces).</summary>
public sealed class SignalAnnouncementSchedule(SignalAnnouncer announcer, InsightsPolicy policy, IHostApplicationLifetime lifetime, TimeProvider clock,
    ILogger<SignalAnnouncementSchedule> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        if (policy.AnnounceSignalsEveryMinutes == 0) return;
        if (!await HostStarted.WaitAsync(lifetime, stopping)) return;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var announced = await announcer.AnnounceAsync(stopping);
                if (announced.Count > 0) logger.LogInformation("{Count} proactive signals announced", announced.Count);
                await Task.Delay(TimeSpan.FromMinutes(policy.AnnounceSignalsEveryMinutes), clock, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Announcing proactive signals failed; retried in a minute");
                try { await Task.Delay(TimeSpan.FromMinutes(1), clock, stopping); }
                catch (OperationCanceledException) { return; }
            }
        }
    }
}
