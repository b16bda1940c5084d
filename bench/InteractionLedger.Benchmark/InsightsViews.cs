using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using InteractionLedger.DemoData;
using InteractionLedger.Hosting;
using InteractionLedger.Insights;
using InteractionLedger.LocalPostgres;
using Marten;
using Npgsql;

namespace InteractionLedger.Benchmark;

/// <summary>
/// The insights' asynchronous views: how long after a write's acknowledgement it shows in each of them while the service
/// takes the design peak (300 writes/s and 150 reads/s), and how fast they rebuild from a million events.
/// </summary>
public static class InsightsViews
{
    private static readonly string[] Brands = ["horizon-telecom", "horizon-energie", "horizon-banque", "horizon-voyages", "horizon-maison"];
    private static readonly string[] Channels = ["phone", "email", "chat", "chatbot", "sms", "social-network", "click-to-call"];
    private static readonly string[] Views = [.. ProjectionLag.Views];

    public static async Task RunAsync(string repoRoot, int peakSeconds, int writesPerSecond, int readsPerSecond, long rebuildEvents, string outFolder)
    {
        var lines = new List<string>
        {
            "# Insights: projection lag and rebuild", "",
            $"`dotnet run -c Release --project bench/InteractionLedger.Benchmark -- --insights --peak-seconds {peakSeconds} --events {rebuildEvents}`, " +
            $"{Environment.ProcessorCount} cores, {DateTimeOffset.UtcNow:yyyy-MM-dd}. The service (Release, Production settings, one node) and its " +
            "PostgreSQL share the machine with the load generator.", "",
        };
        // --peak-seconds 0: the rebuild alone.
        if (peakSeconds > 0)
        {
            lines.AddRange(await LagAtThePeakAsync(repoRoot, peakSeconds, writesPerSecond, readsPerSecond));
            lines.Add("");
        }
        lines.AddRange(await RebuildAsync(repoRoot, rebuildEvents));
        Directory.CreateDirectory(Path.Combine(repoRoot, outFolder));
        var path = Path.Combine(repoRoot, outFolder, "insights.md");
        await File.WriteAllLinesAsync(path, lines);
        foreach (var line in lines) Console.WriteLine(line);
        Console.WriteLine($"Written to {path}");
    }

    /// <summary>
    /// Every fifth write is followed: its acknowledgement time is noted, its event found by id (a contact's event id is its
    /// interaction id), and a poller reading each view's progress every 10 ms notes when the view has applied it. The lag
    /// is that moment minus the acknowledgement: it includes up to 10 ms of polling, so it is an upper bound.
    /// </summary>
    private static async Task<IEnumerable<string>> LagAtThePeakAsync(string repoRoot, int seconds, int writesPerSecond, int readsPerSecond)
    {
        await using var stack = await ServiceUnderTest.StartAsync(repoRoot, telemetry: true);
        await using var database = NpgsqlDataSource.Create(stack.ConnectionString);
        using var api = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri(stack.BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
        api.DefaultRequestHeaders.Add("X-Api-Key", ServiceUnderTest.AgentKey);
        api.DefaultRequestHeaders.Add("X-Purpose", "service");

        var customers = new Guid[500];
        await Parallel.ForAsync(0, customers.Length, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            using var response = await api.PostAsJsonAsync("/customers", new { displayName = $"Insights bench {i}", brand = Brands[i % Brands.Length] }, ct);
            response.EnsureSuccessStatusCode();
            customers[i] = (await response.Content.ReadFromJsonAsync<JsonObject>(ct))!["customerId"]!.GetValue<Guid>();
        });
        var assigned = Stopwatch.StartNew();
        while (!await BothViewsCaughtUpAsync(database))
        {
            if (assigned.Elapsed > TimeSpan.FromMinutes(2)) throw new InvalidOperationException("The views were not assigned to the node.");
            await Task.Delay(100);
        }
        Console.WriteLine($"Both views running and caught up {assigned.Elapsed.TotalSeconds:F1} s after the customers were registered.");

        var followed = new ConcurrentQueue<(Guid Interaction, long AcknowledgedAt)>();
        var lags = Views.ToDictionary(v => v, _ => new ConcurrentBag<double>());
        using var stop = new CancellationTokenSource();
        var poller = Task.Run(() => PollAsync(database, followed, lags, stop.Token));

        async Task Write(int i)
        {
            var customer = customers[i % customers.Length];
            var interaction = Guid.NewGuid();
            using var response = await api.PostAsJsonAsync($"/customers/{customer}/interactions", new
            {
                interactionId = interaction, occurredAt = DateTimeOffset.UtcNow.AddMinutes(-1), brand = Brands[i % customers.Length % Brands.Length],
                channel = Channels[i % Channels.Length], direction = "inbound", reason = "billing", handledBy = new { kind = "agent", id = "agent-042" },
                outcome = i % 6 == 0 ? "abandoned" : "resolved", waitingSeconds = 20 + i % 300, handlingSeconds = 240, summary = (string?)null,
            });
            response.EnsureSuccessStatusCode();
            if (i % 5 == 0) followed.Enqueue((interaction, Stopwatch.GetTimestamp()));
        }

        async Task Read(int i)
        {
            using var response = await api.GetAsync($"/customers/{customers[i * 7 % customers.Length]}/overview");
            response.EnsureSuccessStatusCode();
        }

        var peak = await DesignPeak.RunAsync(seconds, writesPerSecond, readsPerSecond, Write, Read, () => stack.ResidentBytes,
            () => Task.FromResult<HeapAfterFullCollection?>(null));
        while (!followed.IsEmpty) await Task.Delay(50);
        await stop.CancelAsync();
        await poller;

        var rows = new List<string>
        {
            $"## Lag at the design peak ({writesPerSecond} writes/s and {readsPerSecond} reads/s for {seconds} s)", "",
            "From a contact's acknowledgement to its visibility in each asynchronous view (every fifth write followed; the views poll " +
            "for new events every 100 ms when busy). Target: p99 under 1 s.", "",
            "| view | writes followed | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) |", "|---|---|---|---|---|---|",
        };
        foreach (var view in Views)
        {
            var sorted = lags[view].Order().ToArray();
            double At(double share) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(share * sorted.Length) - 1)];
            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {view.Split(':')[0]} | {sorted.Length} | {At(0.5):F0} | {At(0.9):F0} | {At(0.99):F0} | {(sorted.Length == 0 ? double.NaN : sorted[^1]):F0} |"));
        }
        rows.Add("");
        rows.Add(string.Create(CultureInfo.InvariantCulture,
            $"The requests themselves: writes p50 {peak["design peak: write p50 ms"]:F1} ms, p99 {peak["design peak: write p99 ms (target < 25)"]:F1} ms; " +
            $"reads p50 {peak["design peak: read p50 ms"]:F1} ms, p99 {peak["design peak: read p99 ms (target < 25)"]:F1} ms; " +
            $"{peak["design peak: writes served/s"]:F0} writes/s and {peak["design peak: reads served/s"]:F0} reads/s served, " +
            $"{peak["design peak: failed requests"]:F0} failed, {peak["design peak: arrivals not served (64 requests already in flight)"]:F0} not served."));
        return rows;
    }

    private static async Task<bool> BothViewsCaughtUpAsync(NpgsqlDataSource database)
    {
        await using var command = database.CreateCommand($"""
            select count(*) = 2 from {LedgerStore.Schema}.mt_event_progression
            where name = any(@views) and last_seq_id >= (select coalesce(max(seq_id), 0) from {LedgerStore.Schema}.mt_events)
            """);
        command.Parameters.AddWithValue("views", Views);
        return (bool)(await command.ExecuteScalarAsync())!;
    }

    private static async Task PollAsync(NpgsqlDataSource database, ConcurrentQueue<(Guid Interaction, long AcknowledgedAt)> followed,
        Dictionary<string, ConcurrentBag<double>> lags, CancellationToken stop)
    {
        // Followed writes whose event sequence is known, still waiting for one view or the other.
        var waiting = new List<(long Sequence, long AcknowledgedAt, HashSet<string> Pending)>();
        while (!stop.IsCancellationRequested || !followed.IsEmpty || waiting.Count > 0)
        {
            var batch = new List<(Guid Interaction, long AcknowledgedAt)>();
            while (followed.TryDequeue(out var next)) batch.Add(next);
            if (batch.Count > 0)
            {
                await using var find = database.CreateCommand($"select id, seq_id from {LedgerStore.Schema}.mt_events where id = any(@ids)");
                find.Parameters.AddWithValue("ids", batch.Select(b => b.Interaction).ToArray());
                var sequences = new Dictionary<Guid, long>();
                await using (var reader = await find.ExecuteReaderAsync(CancellationToken.None))
                    while (await reader.ReadAsync(CancellationToken.None)) sequences[reader.GetGuid(0)] = reader.GetInt64(1);
                foreach (var (interaction, acknowledged) in batch)
                    waiting.Add((sequences[interaction], acknowledged, Views.ToHashSet()));
            }
            await using var progress = database.CreateCommand($"select name, last_seq_id from {LedgerStore.Schema}.mt_event_progression where name = any(@views)");
            progress.Parameters.AddWithValue("views", Views);
            var reached = new Dictionary<string, long>();
            await using (var reader = await progress.ExecuteReaderAsync(CancellationToken.None))
                while (await reader.ReadAsync(CancellationToken.None)) reached[reader.GetString(0)] = reader.GetInt64(1);
            var now = Stopwatch.GetTimestamp();
            foreach (var write in waiting)
                foreach (var view in write.Pending.ToList())
                    if (reached.GetValueOrDefault(view) >= write.Sequence)
                    {
                        lags[view].Add(Stopwatch.GetElapsedTime(write.AcknowledgedAt, now).TotalMilliseconds);
                        write.Pending.Remove(view);
                    }
            waiting.RemoveAll(w => w.Pending.Count == 0);
            await Task.Delay(10, CancellationToken.None);
        }
    }

    /// <summary>
    /// The demo generator's base loaded until the store holds at least the events asked, then each insights view rebuilt
    /// by Marten's daemon from nothing, no service running (a node running the views would fight a second daemon).
    /// </summary>
    private static async Task<IEnumerable<string>> RebuildAsync(string repoRoot, long events)
    {
        await using var cluster = await LocalPostgresCluster.StartAsync(new LocalPostgresOptions
        {
            DataDirectory = Path.Combine(Path.GetTempPath(), $"ledger-bench-rebuild-{Guid.NewGuid():N}"),
            Throwaway = true,
        });
        await using (var connection = new NpgsqlConnection(cluster.ConnectionString))
        {
            await connection.OpenAsync();
            foreach (var script in Directory.GetFiles(Path.Combine(repoRoot, "migrations"), "*.sql").Order())
                await new NpgsqlCommand(await File.ReadAllTextAsync(script), connection).ExecuteNonQueryAsync();
        }
        using var store = DocumentStore.For(opts =>
        {
            LedgerStore.Configure(opts, cluster.ConnectionString, JasperFx.AutoCreate.None);
            InsightsModule.Register(opts);
        });
        var generator = new DemoDataGenerator(Brands, seed: 2017, DateTimeOffset.UtcNow);
        long loaded = 0;
        var loading = Stopwatch.StartNew();
        while (loaded < events)
        {
            loaded += await DemoDataCommand.LoadAsync(store, generator.Customers(5_000).ToList());
            Console.WriteLine($"  {loaded:N0} events loaded ({loaded / loading.Elapsed.TotalSeconds:N0}/s)");
        }
        await using var database = NpgsqlDataSource.Create(cluster.ConnectionString);
        long contacts;
        await using (var count = database.CreateCommand($"select count(*) from {LedgerStore.Schema}.mt_events where type = 'interaction_recorded'"))
            contacts = (long)(await count.ExecuteScalarAsync())!;

        var rows = new List<string>
        {
            $"## Rebuild from {loaded:N0} events ({contacts:N0} contacts)", "",
            "Each view emptied, then rebuilt by Marten's daemon (what `ProjectionCoordinator` runs on the node holding the view). " +
            "Target: at least 50,000 events/s.", "",
            "| view | seconds | events/s | documents |", "|---|---|---|---|",
        };
        using var daemon = await store.BuildProjectionDaemonAsync();
        foreach (var (view, table) in new[] { (ContactFactProjection.Name, InsightsTables.Contacts), (CaseFactProjection.Name, InsightsTables.Cases) })
        {
            await EmptyAsync(database);
            var watch = Stopwatch.StartNew();
            await daemon.RebuildProjectionAsync(view, CancellationToken.None);
            var elapsed = watch.Elapsed.TotalSeconds;
            await using var count = database.CreateCommand($"select count(*) from {table}");
            var documents = (long)(await count.ExecuteScalarAsync())!;
            rows.Add(string.Create(CultureInfo.InvariantCulture, $"| {view} | {elapsed:F1} | {loaded / elapsed:N0} | {documents:N0} |"));
            Console.WriteLine(rows[^1]);
        }
        await EmptyAsync(database);
        var together = Stopwatch.StartNew();
        await Task.WhenAll(daemon.RebuildProjectionAsync(ContactFactProjection.Name, CancellationToken.None),
            daemon.RebuildProjectionAsync(CaseFactProjection.Name, CancellationToken.None));
        rows.Add(string.Create(CultureInfo.InvariantCulture,
            $"| both at once | {together.Elapsed.TotalSeconds:F1} | {loaded / together.Elapsed.TotalSeconds:N0} | |"));

        // The operator's rebuild (rebuild-insights): both views in set-based SQL, in the database, no service running.
        await EmptyAsync(database);
        var report = await new InsightsRebuild(cluster.ConnectionString).RunAsync(TimeSpan.FromSeconds(60));
        rows.Add(string.Create(CultureInfo.InvariantCulture,
            $"| both, `rebuild-insights` (set-based SQL) | {report.Elapsed.TotalSeconds:F1} | {loaded / report.Elapsed.TotalSeconds:N0} | {report.Contacts + report.Cases:N0} |"));
        Console.WriteLine(rows[^1]);
        return rows;
    }

    /// <summary>From nothing: the views' rows are upserts from the events, so a rebuild over rows already there would only rewrite them.</summary>
    private static async Task EmptyAsync(NpgsqlDataSource database)
    {
        await using var command = database.CreateCommand($"truncate {InsightsTables.Contacts}, {InsightsTables.Cases}");
        await command.ExecuteNonQueryAsync();
    }
}
