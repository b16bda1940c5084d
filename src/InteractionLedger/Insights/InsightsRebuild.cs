using System.Diagnostics;
using InteractionLedger.Hosting;
using JasperFx;
using JasperFx.CommandLine;
using Npgsql;

namespace InteractionLedger.Insights;

/// <summary>What a rebuild of the insights' views did.</summary>
public sealed record InsightsRebuildReport(long Events, long Contacts, long Cases, TimeSpan Elapsed);

/// <summary>
/// Rebuilds the insights' views from the events in the database itself, in a few set-based statements, instead of
/// replaying them through the daemon (whose reading and deserializing of the events alone is slower than the target,
/// docs/benchmarks/insights.md). The rows are those the projections write (a test compares the two), and the views'
/// progress is set to the last event read, in the same transaction, with writers held: the daemon then goes on from
/// there. No node may run the views meanwhile: the rebuild refuses while a service node is alive.
/// </summary>
public sealed class InsightsRebuild(string connectionString)
{
    private const string Events = $"{LedgerStore.Schema}.mt_events";

    public async Task<InsightsRebuildReport> RunAsync(TimeSpan staleAfter, CancellationToken cancellation = default)
    {
        var watch = Stopwatch.StartNew();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellation);
        if (await LiveNodesAsync(connection, staleAfter, cancellation) is > 0 and var alive)
            throw new InvalidOperationException($"{alive} service node(s) still running: stop every node of the service first " +
                                                "(a node running the views would go on writing them beside the rebuild).");
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        // The latest rating, attachment and status of each contact and case are sorted out of every event of their
        // type: in memory for this transaction only, instead of in files at the default 4 MB.
        await ExecuteAsync(connection, "set local work_mem = '256MB'", cancellation);
        // Writers wait for the switch; readers of the events do not.
        await ExecuteAsync(connection, $"lock table {Events} in share row exclusive mode", cancellation);
        var last = (long)(await ScalarAsync(connection, $"select coalesce(max(seq_id), 0) from {Events}", cancellation))!;
        await ExecuteAsync(connection, $"truncate {ContactFactProjection.Table}, {CaseFactProjection.Table}", cancellation);
        await ExecuteAsync(connection, $"""
            insert into {ContactFactProjection.Table} (id, customer_id, brand, channel, direction, reason, outcome, occurred_at, recorded_at,
                waiting_seconds, case_id, satisfaction, rated_at)
            select (e.data ->> 'interactionId')::uuid, e.stream_id, e.data ->> 'brand', e.data ->> 'channel', e.data ->> 'direction',
                   e.data ->> 'reason', e.data ->> 'outcome', {Time("e.data ->> 'occurredAt'")}, {Time("e.data ->> 'recordedAt'")},
                   (e.data ->> 'waitingSeconds')::integer, coalesce(a.case_id, (e.data ->> 'caseId')::uuid), r.satisfaction, r.rated_at
            from {Events} e
            left join (select distinct on (data ->> 'interactionId') (data ->> 'interactionId')::uuid as id, (data ->> 'satisfaction')::integer as satisfaction,
                              {Time("data ->> 'ratedAt'")} as rated_at
                       from {Events} where type = 'interaction_rated' order by data ->> 'interactionId', seq_id desc) r
                   on r.id = (e.data ->> 'interactionId')::uuid
            left join (select distinct on (data ->> 'interactionId') (data ->> 'interactionId')::uuid as id, (data ->> 'caseId')::uuid as case_id
                       from {Events} where type = 'interaction_attached_to_case' order by data ->> 'interactionId', seq_id desc) a
                   on a.id = (e.data ->> 'interactionId')::uuid
            where e.type = 'interaction_recorded'
              and not exists (select 1 from {InsightsTables.Erasures} x where x.id = e.stream_id)
            on conflict (id) do nothing
            """, cancellation);
        await ExecuteAsync(connection, $"""
            with contacts as (
                select distinct on (case_id, contact_id) case_id, contact_id, at from (
                    select (data ->> 'caseId')::uuid as case_id, (data ->> 'interactionId')::uuid as contact_id, {Time("data ->> 'occurredAt'")} as at
                    from {Events} where type in ('interaction_recorded', 'interaction_attached_to_case') and data ->> 'caseId' is not null) every_contact
                order by case_id, contact_id, at),
            per_case as (
                select case_id, array_agg(contact_id order by at, contact_id) as ids, array_agg(at order by at, contact_id) as times
                from contacts group by case_id),
            last_status as (
                select distinct on (data ->> 'caseId') (data ->> 'caseId')::uuid as case_id,
                       case when type = 'case_resolved' then 'Resolved' else 'Open' end as status,
                       case when type = 'case_resolved' then {Time("data ->> 'resolvedAt'")} else {Time("data ->> 'reopenedAt'")} end as at
                from {Events} where type in ('case_resolved', 'case_reopened') order by data ->> 'caseId', seq_id desc)
            insert into {CaseFactProjection.Table} (id, customer_id, brand, reason, opened_at, status, status_at, resolved_at, contact_ids, contact_times,
                contact_count, first_contact_id)
            select (o.data ->> 'caseId')::uuid, o.stream_id, o.data ->> 'brand', o.data ->> 'reason', {Time("o.data ->> 'openedAt'")},
                   coalesce(s.status, 'Open'), coalesce(s.at, {Time("o.data ->> 'openedAt'")}), case when s.status = 'Resolved' then s.at end,
                   coalesce(c.ids, array[]::uuid[]), coalesce(c.times, array[]::timestamptz[]), coalesce(cardinality(c.ids), 0), c.ids[1]
            from {Events} o
            left join last_status s on s.case_id = (o.data ->> 'caseId')::uuid
            left join per_case c on c.case_id = (o.data ->> 'caseId')::uuid
            where o.type = 'case_opened' and not exists (select 1 from {InsightsTables.Erasures} x where x.id = o.stream_id)
            on conflict (id) do nothing
            """, cancellation);
        foreach (var view in ProjectionLag.Views)
        {
            await using var progress = new NpgsqlCommand($"""
                insert into {LedgerStore.Schema}.mt_event_progression (name, last_seq_id, last_updated) values (@name, @last, transaction_timestamp())
                on conflict (name) do update set last_seq_id = @last, last_updated = transaction_timestamp()
                """, connection);
            progress.Parameters.AddWithValue("name", view);
            progress.Parameters.AddWithValue("last", last);
            await progress.ExecuteNonQueryAsync(cancellation);
        }
        var contacts = (long)(await ScalarAsync(connection, $"select count(*) from {ContactFactProjection.Table}", cancellation))!;
        var cases = (long)(await ScalarAsync(connection, $"select count(*) from {CaseFactProjection.Table}", cancellation))!;
        var events = (long)(await ScalarAsync(connection, $"select count(*) from {Events}", cancellation))!;
        await transaction.CommitAsync(cancellation);
        return new InsightsRebuildReport(events, contacts, cases, watch.Elapsed);
    }

    /// <summary>
    /// A time of an event's JSON as the projections store it: .NET keeps tenths of microseconds, which Npgsql drops when
    /// it writes and PostgreSQL would round when it parses.
    /// </summary>
    private static string Time(string json) => $@"regexp_replace({json}, '(\.\d{{6}})\d+', '\1')::timestamptz";

    private static async Task<long> LiveNodesAsync(NpgsqlConnection connection, TimeSpan staleAfter, CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand(
            "select count(*) from wolverine.wolverine_nodes where health_check > now() - @stale", connection);
        command.Parameters.AddWithValue("stale", staleAfter);
        try
        {
            return (long)(await command.ExecuteScalarAsync(cancellation))!;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return 0;
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(cancellation);
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        return await command.ExecuteScalarAsync(cancellation);
    }
}

/// <summary>The operator's way to rebuild the insights' views, every node of the service stopped (README, "Insights").</summary>
[Description("Rebuilds the insights' views from the events in set-based SQL; every node of the service must be stopped", Name = "rebuild-insights")]
public sealed class RebuildInsightsCommand : JasperFxAsyncCommand<NetCoreInput>
{
    public override async Task<bool> Execute(NetCoreInput input)
    {
        using var host = input.BuildHost();
        // In Development the schema comes with the first use, as for the service; elsewhere from migrations/, checked by db-assert.
        if (host.Services.GetRequiredService<IHostEnvironment>().IsDevelopment())
            await host.Services.GetRequiredService<Marten.IDocumentStore>().Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        var report = await new InsightsRebuild(host.Services.GetRequiredService<LedgerDatabase>().ConnectionString).RunAsync(TimeSpan.FromSeconds(60));
        Console.WriteLine($"[ledger] Insights rebuilt from {report.Events:N0} events: {report.Contacts:N0} contacts, {report.Cases:N0} cases, " +
                          $"in {report.Elapsed.TotalSeconds:F1} s ({report.Events / Math.Max(0.001, report.Elapsed.TotalSeconds):N0} events/s).");
        return true;
    }
}
