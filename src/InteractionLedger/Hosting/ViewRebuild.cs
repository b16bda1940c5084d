using System.Diagnostics;
using JasperFx;
using JasperFx.CommandLine;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events;
using Npgsql;

namespace InteractionLedger.Hosting;

/// <summary>What a rebuild did.</summary>
/// <param name="Events">Events replayed.</param>
/// <param name="Views">The view tables switched.</param>
/// <param name="Elapsed">From start to switch.</param>
/// <param name="WritersHeld">How long writes waited for the switch (reads of the views wait only for its last catch-up and DDL).</param>
/// <param name="SwitchAttempts">Attempts the switch took (more than one when it met a live write in a deadlock).</param>
public sealed record ViewRebuildReport(long Events, IReadOnlyList<string> Views, TimeSpan Elapsed, TimeSpan WritersHeld, int SwitchAttempts);

/// <summary>
/// Rebuilds every view from the events beside the live ones, then switches, so reads keep answering throughout (a
/// plain <c>projections rebuild</c> empties the views first and answers 404 while it replays). The replay fills a
/// schema of its own (<see cref="ShadowSchema"/>) with the service's own model, its projections run by Marten's async
/// daemon from the live events. When it has caught up, writes are held (the events table locked against inserts,
/// reads of it allowed), the live views are locked, the daemon catches up with what was appended meanwhile, and in the
/// same transaction each live view table is dropped and the rebuilt one moved into its place: readers see the old table
/// until the commit, the new one after it, and never an empty one.
/// </summary>
public sealed class ViewRebuild(LedgerDatabase database, DatabaseLocks locks)
{
    public const string ShadowSchema = "ledger_rebuild";
    private static readonly TimeSpan CatchUpPatience = TimeSpan.FromHours(2);
    private const int SwitchAttempts = 5;

    public async Task<ViewRebuildReport> RunAsync(Action<string>? progress = null, CancellationToken cancellation = default)
    {
        progress ??= _ => { };
        var watch = Stopwatch.StartNew();
        await using var alone = await locks.AcquireAsync(DatabaseLocks.ViewRebuild, cancellation);
        await ExecuteAsync($"drop schema if exists {ShadowSchema} cascade", cancellation);

        await using var shadow = DocumentStore.For(opts =>
            LedgerStore.Configure(opts, database.ConnectionString, AutoCreate.CreateOrUpdate, ShadowSchema, ProjectionLifecycle.Async));
        await shadow.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        var projections = shadow.Options.Projections.All.ToList();
        var tables = projections.SelectMany(p => p.PublishedTypes()).Distinct()
            .SelectMany(type => shadow.Options.Storage.FindFeature(type).Objects.OfType<Weasel.Postgresql.Tables.Table>())
            .Select(table => table.Identifier.Name).Distinct().Order().ToList();
        await ForgetProgressAsync(projections.Select(p => p.Name), cancellation);

        var events = (await shadow.Advanced.FetchEventStoreStatistics(token: cancellation)).EventCount;
        progress($"Replaying {events:N0} events into {string.Join(", ", tables)} beside the live views.");
        using var daemon = await shadow.BuildProjectionDaemonAsync();
        await daemon.StartAllAsync();
        await shadow.WaitForNonStaleProjectionDataAsync(CatchUpPatience);
        progress($"Caught up after {watch.Elapsed.TotalSeconds:F1} s; switching.");

        var held = Stopwatch.StartNew();
        var attempt = 0;
        while (true)
        {
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync(cancellation);
            await using var transaction = await connection.BeginTransactionAsync(cancellation);
            attempt++;
            try
            {
                // Writers wait here (an append inserts into mt_events); readers, the daemon included, go on.
                await ExecuteAsync(connection, $"lock table {LedgerStore.Schema}.mt_events in share row exclusive mode", cancellation);
                // Then every live view at once, before anything is stopped: a write that had already touched a view
                // and now waits for the events table is a deadlock PostgreSQL breaks by failing one side. Met here,
                // it costs this attempt only (the daemon still runs); the write that lost is answered 503 and retried.
                var live = await ExistingAsync(connection, tables, cancellation);
                if (live.Count > 0)
                    await ExecuteAsync(connection, $"lock table {string.Join(", ", live.Select(t => $"{LedgerStore.Schema}.{t}"))} in access exclusive mode", cancellation);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DeadlockDetected && attempt < SwitchAttempts)
            {
                progress($"The switch met a live write in a deadlock (attempt {attempt} of {SwitchAttempts}); trying again.");
                continue;
            }
            await shadow.WaitForNonStaleProjectionDataAsync(CatchUpPatience);
            await daemon.StopAllAsync();
            foreach (var table in tables)
            {
                await ExecuteAsync(connection, $"drop table if exists {LedgerStore.Schema}.{table}", cancellation);
                await ExecuteAsync(connection, $"alter table {ShadowSchema}.{table} set schema {LedgerStore.Schema}", cancellation);
            }
            await transaction.CommitAsync(cancellation);
            break;
        }
        held.Stop();

        await ExecuteAsync($"drop schema if exists {ShadowSchema} cascade", cancellation);
        await ForgetProgressAsync(projections.Select(p => p.Name), cancellation);
        progress($"Switched {tables.Count} views in {held.Elapsed.TotalMilliseconds:F0} ms of held writes; {watch.Elapsed.TotalSeconds:F1} s in all.");
        return new ViewRebuildReport(events, tables, watch.Elapsed, held.Elapsed, attempt);
    }

    /// <summary>The live view tables among <paramref name="tables"/>: a view new in this version has none yet.</summary>
    private static async Task<List<string>> ExistingAsync(NpgsqlConnection connection, IReadOnlyList<string> tables, CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand(
            "select table_name from information_schema.tables where table_schema = @schema and table_name = any(@tables) order by table_name", connection);
        command.Parameters.AddWithValue("schema", LedgerStore.Schema);
        command.Parameters.AddWithValue("tables", tables.ToArray());
        var existing = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation)) existing.Add(reader.GetString(0));
        return existing;
    }

    /// <summary>The rebuild's daemon keeps its progress beside the live store's: none of it may outlive the rebuild.</summary>
    private Task ForgetProgressAsync(IEnumerable<string> projections, CancellationToken cancellation) =>
        ExecuteAsync($"delete from {LedgerStore.Schema}.mt_event_progression where split_part(name, ':', 1) = any(@names)", cancellation,
            new NpgsqlParameter<string[]>("names", projections.ToArray()));

    private async Task ExecuteAsync(string sql, CancellationToken cancellation, params NpgsqlParameter[] parameters)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(cancellation);
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddRange(parameters);
        await command.ExecuteNonQueryAsync(cancellation);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellation);
    }
}

/// <summary>The operator's way to rebuild the views on a live service (README, "Upgrading").</summary>
[Description("Rebuilds every view from the events beside the live ones, then switches: the service keeps answering reads", Name = "rebuild-views")]
public sealed class RebuildViewsCommand : JasperFxAsyncCommand<NetCoreInput>
{
    public override async Task<bool> Execute(NetCoreInput input)
    {
        using var host = input.BuildHost();
        var rebuild = new ViewRebuild(host.Services.GetRequiredService<LedgerDatabase>(), host.Services.GetRequiredService<DatabaseLocks>());
        await rebuild.RunAsync(Console.WriteLine);
        return true;
    }
}
