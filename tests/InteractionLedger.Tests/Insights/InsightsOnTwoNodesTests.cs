using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using InteractionLedger.Hosting;
using InteractionLedger.Insights;
using InteractionLedger.Interactions;
using InteractionLedger.Tests.Support;
using JasperFx;
using Marten;
using Npgsql;

namespace InteractionLedger.Tests.Insights;

/// <summary>
/// Two service processes on one database, as two servers behind a load balancer. Wolverine runs each asynchronous view
/// on exactly one of them; killed (kill -9), the node running a view hands it to the other once it is stale, and the
/// view then holds exactly what a rebuild from the events gives: nothing counted twice, nothing lost.
/// </summary>
public sealed class when_the_insights_run_on_two_nodes(LedgerApi api)
{
    private static readonly string[] Views = ["ContactFact", "CaseFact"];

    [Fact]
    public async Task each_view_runs_once_moves_when_its_node_dies_and_equals_a_rebuild()
    {
        var connectionString = await api.Server.CreateDatabaseAsync("two_nodes");
        var environment = new Dictionary<string, string> { ["ConnectionStrings__Ledger"] = connectionString };
        foreach (var (key, value) in LedgerFactory.ClusterTimings) environment[key.Replace(":", "__")] = value;
        // A node killed is stale 5 s after its last health check: the view it ran moves within seconds.
        environment["Ledger__Cluster__StaleNodeSeconds"] = "5";
        await using var database = NpgsqlDataSource.Create(connectionString);

        await using var first = await ServiceProcess.StartAsync(environment);
        var firstNode = await NodesAsync(database).WaitForAsync(nodes => nodes.Count == 1, "the first node registers");
        await using var second = await ServiceProcess.StartAsync(environment);
        var secondNode = (await NodesAsync(database).WaitForAsync(nodes => nodes.Count == 2, "the second node registers")).Except(firstNode).Single();
        var nodes = new Dictionary<Guid, ServiceProcess> { [firstNode.Single()] = first, [secondNode] = second };

        // Every view is assigned to exactly one of the two.
        var owners = await OwnersAsync(database).WaitForAsync(o => o.Count == Views.Length, "both views are assigned");
        owners.Values.ShouldAllBe(node => nodes.ContainsKey(node));

        // Contacts, ratings and cases written through both nodes at once.
        var customers = new List<(Guid Customer, ServiceProcess Through, string Brand)>();
        for (var i = 0; i < 20; i++)
        {
            var through = i % 2 == 0 ? first : second;
            customers.Add((await through.Client.RegisterAsync(Contacts.Brands[i % 3], $"Two nodes {i}"), through, Contacts.Brands[i % 3]));
        }
        await Task.WhenAll(customers.Select(c => WriteAsync(c.Through.Client, c.Customer, c.Brand, contacts: 5)));
        await CaughtUpAsync(database);
        (await CountAsync(database, InsightsTables.Contacts)).ShouldBe(100);

        // The node running the contact view dies; the other keeps taking writes.
        var victim = owners[$"{Views[0]}"];
        var survivor = nodes.Single(n => n.Key != victim);
        await nodes[victim].KillAsync();
        var killedAt = Stopwatch.StartNew();
        await Task.WhenAll(customers.Select(c => WriteAsync(survivor.Value.Client, c.Customer, c.Brand, contacts: 2)));
        await OwnersAsync(database).WaitForAsync(o => o.Count == Views.Length && o.Values.All(node => node == survivor.Key),
            "the survivor runs every view", TimeSpan.FromSeconds(60));
        await CaughtUpAsync(database);
        var movedAfter = killedAt.Elapsed;
        DrillReport.Record("Insights on two nodes", "time from kill -9 of a view's node to the survivor running it and catching up (s)",
            movedAfter.TotalSeconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture));
        // Stale after 5 s without a health check, checked every second (test timings): well under 30 s.
        movedAfter.ShouldBeLessThan(TimeSpan.FromSeconds(30));
        (await CountAsync(database, InsightsTables.Contacts)).ShouldBe(140);

        // What the views hold equals a rebuild from the events alone, made once no node runs them any more.
        await survivor.Value.DisposeAsync();
        var live = await SnapshotAsync(database);
        await using (var store = DocumentStore.For(opts =>
                     {
                         LedgerStore.Configure(opts, connectionString, AutoCreate.None);
                         InsightsModule.Register(opts);
                     }))
        {
            using var daemon = await store.BuildProjectionDaemonAsync();
            foreach (var view in Views) await daemon.RebuildProjectionAsync(view, TestContext.Current.CancellationToken);
        }
        var rebuilt = await SnapshotAsync(database);
        var differences = live.Keys.SelectMany(table => live[table].Except(rebuilt[table]).Select(row => $"{table}, live only: {row}")
            .Concat(rebuilt[table].Except(live[table]).Select(row => $"{table}, rebuilt only: {row}"))).ToList();
        differences.Take(4).ShouldBeEmpty($"{differences.Count} rows differ");
        rebuilt[InsightsTables.Cases].Count.ShouldBe(20);

        // The operator's rebuild in SQL (rebuild-insights) writes the same rows, and the daemon goes on from where it stopped.
        await new InsightsRebuild(connectionString).RunAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        var inSql = await SnapshotAsync(database);
        var sqlDifferences = live.Keys.SelectMany(table => live[table].Except(inSql[table]).Select(row => $"{table}, live only: {row}")
            .Concat(inSql[table].Except(live[table]).Select(row => $"{table}, SQL rebuild only: {row}"))).ToList();
        sqlDifferences.Take(4).ShouldBeEmpty($"{sqlDifferences.Count} rows differ");
        await CaughtUpAsync(database);
    }

    /// <summary>Five contacts (or as many as asked), the first rated, the last two on a case the first opens.</summary>
    private static async Task WriteAsync(HttpClient client, Guid customer, string brand, int contacts)
    {
        Guid? caseId = null;
        if (contacts >= 5)
        {
            caseId = Guid.NewGuid();
            await client.PostJsonAsync($"/customers/{customer}/cases",
                new { caseId, brand, reason = "billing", title = "Two nodes", openedBy = "agent-7" }).EnsureAsync();
        }
        for (var i = 0; i < contacts; i++)
        {
            var contact = Contacts.Valid(i % 2 == 0 ? Channel.Phone : Channel.Email, brand: brand, caseId: i >= 3 ? caseId : null,
                occurredAt: DateTimeOffset.UtcNow.AddMinutes(-30 + i));
            await client.PostAsync($"/customers/{customer}/interactions", new StringContent(contact.ToJsonString(), Encoding.UTF8, "application/json"))
                .EnsureAsync();
            if (i == 0)
                await client.PutAsJsonAsync($"/customers/{customer}/interactions/{contact["interactionId"]}/rating", new { satisfaction = 4 }).EnsureAsync();
        }
    }

    private static Func<Task<List<Guid>>> NodesAsync(NpgsqlDataSource database) => async () =>
    {
        await using var command = database.CreateCommand("select id from wolverine.wolverine_nodes order by node_number");
        var ids = new List<Guid>();
        try
        {
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) ids.Add(reader.GetGuid(0));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // not created yet
        }
        return ids;
    };

    /// <summary>The node each view's agent is assigned to (Wolverine's own table: agent uri → node).</summary>
    private static Func<Task<Dictionary<string, Guid>>> OwnersAsync(NpgsqlDataSource database) => async () =>
    {
        await using var command = database.CreateCommand(
            "select id, node_id from wolverine.wolverine_node_assignments where id like 'event-subscriptions://%' and node_id is not null");
        var owners = new Dictionary<string, Guid>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var uri = reader.GetString(0);
            var view = Views.SingleOrDefault(v => uri.Contains($"/{v.ToLowerInvariant()}/", StringComparison.OrdinalIgnoreCase));
            view.ShouldNotBeNull($"an agent for a view this test does not know: {uri}");
            owners.ShouldNotContainKey(view, $"{view} is assigned twice");
            owners[view] = reader.GetGuid(1);
        }
        return owners;
    };

    /// <summary>Until both views' progress reaches the last event written.</summary>
    private static Task CaughtUpAsync(NpgsqlDataSource database) => ((Func<Task<bool>>)(async () =>
    {
        await using var command = database.CreateCommand($"""
            select count(*) = 2 from {LedgerStore.Schema}.mt_event_progression
            where name in ('ContactFact:All', 'CaseFact:All') and last_seq_id >= (select coalesce(max(seq_id), 0) from {LedgerStore.Schema}.mt_events)
            """);
        return (bool)(await command.ExecuteScalarAsync())!;
    })).WaitForAsync(caught => caught, "the views catch up with the events", TimeSpan.FromSeconds(60));

    private static async Task<long> CountAsync(NpgsqlDataSource database, string table)
    {
        await using var command = database.CreateCommand($"select count(*) from {table}");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<Dictionary<string, List<string>>> SnapshotAsync(NpgsqlDataSource database)
    {
        var snapshot = new Dictionary<string, List<string>>();
        foreach (var table in new[] { InsightsTables.Contacts, InsightsTables.Cases })
        {
            await using var command = database.CreateCommand($"select row_to_json(t)::text from {table} t order by t.id");
            var rows = new List<string>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
            snapshot[table] = rows;
        }
        return snapshot;
    }
}
