using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using InteractionLedger.Access;
using InteractionLedger.Benchmark;
using InteractionLedger.Customers;
using InteractionLedger.DemoData;
using InteractionLedger.Hosting;
using InteractionLedger.Interactions;
using InteractionLedger.Merging;
using InteractionLedger.Overview;
using InteractionLedger.Privacy;
using Marten;
using Npgsql;

// Usage: dotnet run -c Release --project bench/InteractionLedger.Benchmark -- [--rounds 3] [--clients 1,4,16] [--ops 1500]
//        [--history 200 (contacts per long-history customer)] [--population P (demo customers loaded first)] [--out docs/benchmarks]
//        [--peak-seconds S (the design peak, 300 writes/s + 150 reads/s, for S seconds)] [--peak-writes W] [--peak-reads R (another rate)]
//        [--rebuild (rebuild every view, timed)] [--no-telemetry (the service without OpenTelemetry, to measure its cost)]
//        or: --access-ledger [--records 10000000] (the access ledger at volume: load, full and incremental verification, lookups)
//        or: --console [--contacts 200] [--views 1000] (the agent's customer page, rendered server-side, as an agent opens it)
//        or: --insights [--peak-seconds 120] [--events 1000000] (the insights' views: lag at the design peak, rebuild from a million events)
var repoRoot = FindRepositoryRoot();
if (args.Contains("--console"))
{
    string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
    await ConsolePage.RunAsync(repoRoot, int.Parse(Option("--contacts") ?? "200", CultureInfo.InvariantCulture),
        int.Parse(Option("--views") ?? "1000", CultureInfo.InvariantCulture), Option("--out") ?? "docs/benchmarks");
    return 0;
}
if (args.Contains("--insights"))
{
    string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
    await InsightsViews.RunAsync(repoRoot, int.Parse(Option("--peak-seconds") ?? "120", CultureInfo.InvariantCulture),
        int.Parse(Option("--peak-writes") ?? "300", CultureInfo.InvariantCulture), int.Parse(Option("--peak-reads") ?? "150", CultureInfo.InvariantCulture),
        long.Parse(Option("--events") ?? "1000000", CultureInfo.InvariantCulture), Option("--out") ?? "docs/benchmarks");
    return 0;
}
if (args.Contains("--access-ledger"))
{
    var records = args.SkipWhile(a => a != "--records").Skip(1).FirstOrDefault() is { } n ? long.Parse(n, CultureInfo.InvariantCulture) : 10_000_000;
    await AccessLedgerVolume.RunAsync(repoRoot, records, args.SkipWhile(a => a != "--out").Skip(1).FirstOrDefault() ?? "docs/benchmarks");
    return 0;
}
var options = BenchOptions.Parse(args);
var brands = new[] { "horizon-telecom", "horizon-energie", "horizon-banque", "horizon-voyages", "horizon-maison" };
Console.WriteLine($"InteractionLedger benchmark: {options.Rounds} rounds at {string.Join("/", options.Clients)} clients, " +
                  $"up to {options.Ops} operations per measurement, {Environment.ProcessorCount} cores.");

await using var stack = await ServiceUnderTest.StartAsync(repoRoot, telemetry: !args.Contains("--no-telemetry"));
using var store = DocumentStore.For(o => LedgerStore.Configure(o, stack.ConnectionString, JasperFx.AutoCreate.None));
var figures = new Dictionary<string, double>();

if (options.Population > 0)
{
    var watch = System.Diagnostics.Stopwatch.StartNew();
    var generator = new DemoDataGenerator(brands, seed: 2017, DateTimeOffset.UtcNow);
    var events = 0;
    for (var loaded = 0; loaded < options.Population; loaded += 5_000)
        events += await DemoDataCommand.LoadAsync(store, generator.Customers(Math.Min(5_000, options.Population - loaded)).ToList());
    figures["population: customers"] = options.Population;
    figures["population: events"] = events;
    figures["population: load, events/s"] = events / watch.Elapsed.TotalSeconds;
    Console.WriteLine($"Loaded {options.Population} demo customers ({events} events) in {watch.Elapsed.TotalSeconds:F0} s.");
}

using var ledger = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri(stack.BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
// An agent acting for the whole group, serving customers: every ledger read below is purpose-bound and audited.
ledger.DefaultRequestHeaders.Add("X-Api-Key", ServiceUnderTest.AgentKey);
ledger.DefaultRequestHeaders.Add("X-Purpose", "service");

// Write targets (500 customers each side) and customers with a long history to read (64 each side, same length).
var writeTargets = new Guid[500];
await Parallel.ForAsync(0, writeTargets.Length, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
{
    using var response = await ledger.PostAsJsonAsync("/customers", new { displayName = $"Bench customer {i}" }, ct);
    response.EnsureSuccessStatusCode();
    writeTargets[i] = (await response.Content.ReadFromJsonAsync<JsonObject>(ct))!["customerId"]!.GetValue<Guid>();
});
var longHistory = Enumerable.Range(0, 64).Select(_ => Guid.CreateVersion7()).ToArray();
await LoadLongHistoriesAsync(store, longHistory, options.History);

await using var raw = NpgsqlDataSource.Create(stack.ConnectionString);
var rawWriteTargets = Enumerable.Range(0, writeTargets.Length).Select(_ => Guid.NewGuid()).ToArray();
var rawLongHistory = Enumerable.Range(0, longHistory.Length).Select(_ => Guid.NewGuid()).ToArray();
await RawBaseline.CreateAsync(raw, rawWriteTargets, rawLongHistory, options.History);

await using var ef = await EfCoreBaseline.StartAsync(stack.ConnectionString);
var efWriteTargets = Enumerable.Range(0, writeTargets.Length).Select(_ => Guid.NewGuid()).ToArray();
var efLongHistory = Enumerable.Range(0, longHistory.Length).Select(_ => Guid.NewGuid()).ToArray();
await EfCoreBaseline.SeedAsync(stack.ConnectionString, efWriteTargets, efLongHistory, options.History);
using var efClient = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri(ef.BaseUrl) };

var template = new DemoDataGenerator(brands, seed: 11, DateTimeOffset.UtcNow).NextCustomer().Interactions.First();
// Customers known by an e-mail address, for contacts that name their customer by identifier (resolved on the write
// path): each one's first contact creates it.
const int identifiedTargets = 500;
await Parallel.ForAsync(0, identifiedTargets, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) => await RecordByIdentifier(i));
var accessLedger = new AccessLedger(raw, AccessLedgerKeys.Of("bench-in-process", System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
var agent = new Caller("bench-agent", Role.Agent, null);

// Warm-up of every path (JIT, Wolverine's handler code, EF's model), then the measured rounds, interleaved.
for (var i = 0; i < 100; i++)
{
    await RecordInLedger(i);
    await RecordInEf(i);
    await ReadLedgerTimeline(i);
    await ReadEfTimeline(i);
}

var samples = new List<Sample>();
for (var round = 1; round <= options.Rounds; round++)
{
    Console.WriteLine($"Round {round}");
    foreach (var clients in options.Clients)
    {
        var ops = Math.Min(options.Ops, 300 * clients);
        samples.Add(await Sample.MeasureAsync("record interaction (HTTP)", clients, round, ops, RecordInLedger));
        samples.Add(await Sample.MeasureAsync("record interaction by identifier (HTTP)", clients, round, ops, RecordByIdentifier));
        samples.Add(await Sample.MeasureAsync("baseline: raw SQL append", clients, round, ops, i => RawBaseline.AppendAsync(raw, rawWriteTargets[i % rawWriteTargets.Length])));
        samples.Add(await Sample.MeasureAsync("baseline: EF Core record (HTTP)", clients, round, ops, RecordInEf));
        samples.Add(await Sample.MeasureAsync("read timeline, 50 (HTTP)", clients, round, ops, ReadLedgerTimeline));
        samples.Add(await Sample.MeasureAsync("baseline: raw SQL read 50", clients, round, ops, i => RawBaseline.ReadAsync(raw, rawLongHistory[i * 7 % rawLongHistory.Length])));
        samples.Add(await Sample.MeasureAsync("baseline: EF Core timeline (HTTP)", clients, round, ops, ReadEfTimeline));
        samples.Add(await Sample.MeasureAsync("unified view (HTTP)", clients, round, ops, i => Get($"/customers/{longHistory[i * 5 % longHistory.Length]}/overview")));
        samples.Add(await Sample.MeasureAsync("chatbot context (HTTP)", clients, round, ops,
            i => Get($"/bot-context?brand=horizon-telecom&customerId={longHistory[i * 3 % longHistory.Length]}")));
        // The ceiling of any endpoint of this service on this machine: a request that reaches no database.
        samples.Add(await Sample.MeasureAsync("baseline: HTTP floor, GET /health/live", clients, round, ops, _ => Get("/health/live")));
        samples.Add(await Sample.MeasureAsync("customer read, in process", clients, round, ops, i => ReadInProcess(i, audited: false)));
        samples.Add(await Sample.MeasureAsync("customer read + access record, in process", clients, round, ops, i => ReadInProcess(i, audited: true)));
    }
}
figures["service resident memory after the scenarios, MB"] = stack.ResidentBytes / 1024.0 / 1024.0;

// Projection lag. Every view is inline (updated in the write's own transaction), so there is no async view to lag:
// checked rather than assumed, by reading the timeline entry and the unified view right after each acknowledgement.
var readYourWrites = 0;
const int visibilityChecks = 200;
for (var i = 0; i < visibilityChecks; i++)
{
    var customerId = writeTargets[i % writeTargets.Length];
    var before = await ContactCountAsync(customerId);
    var interactionId = await RecordInLedger(i);
    using var entry = await ledger.GetAsync($"/customers/{customerId}/interactions/{interactionId}");
    if (entry.IsSuccessStatusCode && await ContactCountAsync(customerId) == before + 1) readYourWrites++;
}
// The agent's and the bot's views are updated in the write's transaction; the insights' asynchronous views are measured by --insights.
figures[$"writes visible in the timeline and the unified view at acknowledgement, of {visibilityChecks}"] = readYourWrites;


// The design peak of a large contact center: writes and reads together at a fixed arrival rate (open loop: latency is
// counted from when a request was due, so a service falling behind shows it), with the service's memory sampled.
if (options.PeakSeconds > 0)
{
    var peak = await DesignPeak.RunAsync(options.PeakSeconds, options.PeakWrites, options.PeakReads, RecordInLedger,
        i => (i % 3) switch
        {
            0 => ReadLedgerTimeline(i),
            1 => Get($"/customers/{longHistory[i * 5 % longHistory.Length]}/overview"),
            _ => Get($"/bot-context?brand=horizon-telecom&customerId={longHistory[i * 3 % longHistory.Length]}"),
        },
        () => stack.ResidentBytes, () => ManagedHeap.CollectAsync(stack.ProcessId, TimeSpan.FromSeconds(30)));
    foreach (var (name, value) in peak) figures[name] = value;
}

// Rebuilding every view from the events alone, on whatever the store holds by now (use --population for a large one).
if (options.Rebuild)
{
    long events;
    await using (var count = raw.CreateCommand($"select count(*) from {LedgerStore.Schema}.mt_events")) events = (long)(await count.ExecuteScalarAsync())!;
    using var daemon = await store.BuildProjectionDaemonAsync();
    var rebuilds = new (string Name, Func<Task> Run)[]
    {
        ("customer", () => daemon.RebuildProjectionAsync(typeof(Customer), CancellationToken.None)),
        ("timeline", () => daemon.RebuildProjectionAsync<TimelineProjection>(CancellationToken.None)),
        ("cases", () => daemon.RebuildProjectionAsync<InteractionLedger.Cases.CaseSummaryProjection>(CancellationToken.None)),
        ("identifier claims", () => daemon.RebuildProjectionAsync<InteractionLedger.Identity.IdentifierClaimProjection>(CancellationToken.None)),
        ("overview", () => daemon.RebuildProjectionAsync<CustomerOverviewProjection>(CancellationToken.None)),
        ("consent history", () => daemon.RebuildProjectionAsync<InteractionLedger.Consent.ConsentHistoryProjection>(CancellationToken.None)),
    };
    var total = System.Diagnostics.Stopwatch.StartNew();
    foreach (var (name, rebuild) in rebuilds)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await rebuild();
        figures[$"rebuild {name}: events/s"] = events / watch.Elapsed.TotalSeconds;
        Console.WriteLine($"rebuilt {name} over {events} events in {watch.Elapsed.TotalSeconds:F1} s");
    }
    figures["rebuild of all views one after the other: events/s"] = events / total.Elapsed.TotalSeconds;
    // What an operator rebuilding everything would run: each view reads the events on its own, so they overlap.
    var together = System.Diagnostics.Stopwatch.StartNew();
    await Task.WhenAll(rebuilds.Select(r => r.Run()));
    figures["rebuild of all views at once: events/s (target >= 10,000)"] = events / together.Elapsed.TotalSeconds;
    Console.WriteLine($"rebuilt all views at once over {events} events in {together.Elapsed.TotalSeconds:F1} s");
    figures["rebuild: events in the store"] = events;
}

var results = samples.GroupBy(s => (s.Scenario, s.Clients)).Select(g => ScenarioResult.From(g.ToList()))
    .OrderBy(r => r.Scenario.StartsWith("baseline", StringComparison.Ordinal)).ThenBy(r => r.Scenario).ThenBy(r => r.Clients).ToList();
double Throughput(string scenario, int clients) => results.Single(r => r.Scenario == scenario && r.Clients == clients).MedianThroughput;
var ratios = new List<Ratio>();
foreach (var clients in samples.Count > 0 ? options.Clients : [])
{
    var atTarget = clients == options.Clients.Max();
    ratios.Add(new("HTTP record / raw SQL append", clients, Throughput("record interaction (HTTP)", clients) / Throughput("baseline: raw SQL append", clients), atTarget ? 0.5 : null));
    ratios.Add(new("HTTP record / EF Core record", clients, Throughput("record interaction (HTTP)", clients) / Throughput("baseline: EF Core record (HTTP)", clients), atTarget ? 1.0 : null));
    ratios.Add(new("HTTP record by identifier / raw SQL append", clients, Throughput("record interaction by identifier (HTTP)", clients) / Throughput("baseline: raw SQL append", clients), null));
    ratios.Add(new("HTTP timeline / raw SQL read", clients, Throughput("read timeline, 50 (HTTP)", clients) / Throughput("baseline: raw SQL read 50", clients), atTarget ? 0.5 : null));
    ratios.Add(new("HTTP timeline / EF Core timeline", clients, Throughput("read timeline, 50 (HTTP)", clients) / Throughput("baseline: EF Core timeline (HTTP)", clients), null));
    ratios.Add(new("HTTP floor (no database) / raw SQL read", clients, Throughput("baseline: HTTP floor, GET /health/live", clients) / Throughput("baseline: raw SQL read 50", clients), null));
    ratios.Add(new("audited read / same read unaudited (in process)", clients,
        Throughput("customer read + access record, in process", clients) / Throughput("customer read, in process", clients), null));
}
if (samples.Count > 0)
    figures["timeline p99 at the highest concurrency, ms (target < 20)"] =
        results.Single(r => r.Scenario == "read timeline, 50 (HTTP)" && r.Clients == options.Clients.Max()).MedianP99Ms;

var report = new BenchmarkReport(DateTimeOffset.UtcNow, $"{Environment.ProcessorCount} cores, PostgreSQL 15 durable defaults, service in Release over loopback",
    "dotnet run -c Release --project bench/InteractionLedger.Benchmark -- " + string.Join(' ', args), options.Rounds, results, ratios, figures);
await report.WriteAsync(Path.IsPathRooted(options.Out) ? options.Out : Path.Combine(repoRoot, options.Out));
Console.WriteLine();
foreach (var ratio in ratios)
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{ratio.Name} at {ratio.Clients}: {ratio.Value:F2}{(ratio.Target is { } t ? $" (target {t:F2})" : "")}"));
foreach (var (name, value) in figures) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {value:F1}"));
Console.WriteLine($"Written to {options.Out}/latest.md, latest.json, latest.svg");
return 0;

async Task<Guid> RecordInLedger(int i)
{
    var interactionId = Guid.CreateVersion7();
    using var response = await ledger.PostAsJsonAsync($"/customers/{writeTargets[i % writeTargets.Length]}/interactions", Contact(interactionId), ApiJson.Options);
    if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    return interactionId;
}

async Task RecordByIdentifier(int i)
{
    var body = new
    {
        Customer = new { Identifiers = new[] { new { Kind = "email", Value = $"bench-{i % identifiedTargets}@example.com" } }, DisplayName = $"Identified {i % identifiedTargets}" },
        Interaction = Contact(Guid.CreateVersion7()),
    };
    using var response = await ledger.PostAsJsonAsync("/interactions", body, ApiJson.Options);
    if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"by identifier {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
}

object Contact(Guid interactionId) => new
{
    InteractionId = interactionId, OccurredAt = DateTimeOffset.UtcNow.AddMinutes(-1), template.Brand, template.Channel, template.Direction,
    template.Reason, template.HandledBy, template.Outcome, template.WaitingSeconds, template.HandlingSeconds, template.Summary,
};

async Task<int> ContactCountAsync(Guid customerId) =>
    (await ledger.GetFromJsonAsync<JsonObject>($"/customers/{customerId}/overview"))!["contactCount"]!.GetValue<int>();

async Task RecordInEf(int i)
{
    var body = new InteractionRow
    {
        Id = Guid.CreateVersion7(), OccurredAt = DateTimeOffset.UtcNow.AddMinutes(-1), Brand = template.Brand, Channel = template.Channel.ToString(),
        Direction = template.Direction.ToString(), Reason = template.Reason.ToString(), Outcome = template.Outcome.ToString(),
        HandledBy = template.HandledBy.Id, WaitingSeconds = template.WaitingSeconds, HandlingSeconds = template.HandlingSeconds, Summary = template.Summary,
    };
    using var response = await efClient.PostAsJsonAsync($"/customers/{efWriteTargets[i % efWriteTargets.Length]}/interactions", body, ApiJson.Options);
    if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"EF baseline {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
}

Task ReadLedgerTimeline(int i) => Get($"/customers/{longHistory[i * 7 % longHistory.Length]}/timeline?limit=50");

async Task ReadEfTimeline(int i)
{
    using var response = await efClient.GetAsync($"/customers/{efLongHistory[i * 7 % efLongHistory.Length]}/timeline");
    response.EnsureSuccessStatusCode();
    await response.Content.ReadAsByteArrayAsync();
}

async Task Get(string url)
{
    using var response = await ledger.GetAsync(url);
    if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{url}: {(int)response.StatusCode}");
    await response.Content.ReadAsByteArrayAsync();
}

// The same customer read in process, without and with the policy decision and the access record the service writes.
async Task ReadInProcess(int i, bool audited)
{
    await using var session = store.QuerySession();
    var group = (await CustomerGroup.LoadAsync(session, longHistory[i * 5 % longHistory.Length], CancellationToken.None))!;
    await session.LoadManyAsync<CustomerOverview>(CancellationToken.None, group.Members);
    if (!audited) return;
    var now = TimelineEntry.AtStoredPrecision(DateTimeOffset.UtcNow);
    var decision = AccessPolicy.Decide(new(agent, Purpose.Service, DataView.Overview, group.People, brands, now));
    await accessLedger.AppendAsync(new AccessRecord(now, agent.Id, "agent", null, group.Root, "overview", "service", "contract",
        ApiJson.Name(decision.Outcome), decision.Returned.Select(ApiJson.Name).ToList(), decision.Withheld, null, decision.ConsentsReliedOn,
        null, $"bench-{i}"), CancellationToken.None);
}

static async Task LoadLongHistoriesAsync(IDocumentStore store, IReadOnlyList<Guid> customers, int history)
{
    var now = DateTimeOffset.UtcNow;
    foreach (var chunk in customers.Chunk(8))
    {
        await using var session = store.LightweightSession();
        foreach (var customerId in chunk)
        {
            var events = new List<object> { new CustomerRegistered(customerId, "Long history", now.AddYears(-3), "horizon-telecom") };
            for (var n = 0; n < history; n++)
                events.Add(new InteractionRecorded(Guid.CreateVersion7(), TimelineEntry.AtStoredPrecision(now.AddHours(-history + n)), now,
                    n % 3 == 0 ? "horizon-energie" : "horizon-telecom", (Channel)(n % 11), Direction.Inbound, (ContactReason)(n % 8),
                    new HandledBy(HandlerKind.Agent, "agent-042"), Outcome.Resolved, 45, 320,
                    "Customer asked why the last invoice doubled; explained the end of the promotion.", null));
            session.Events.StartStream<Customer>(customerId, events.ToArray());
        }
        await session.SaveChangesAsync();
    }
}

static string FindRepositoryRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "InteractionLedger.sln"))) return dir.FullName;
    throw new InvalidOperationException("Run the benchmark from inside the repository.");
}

internal sealed record BenchOptions(int Rounds, int[] Clients, int Ops, int History, int Population, string Out, int PeakSeconds,
    int PeakWrites, int PeakReads, bool Rebuild)
{
    public static BenchOptions Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        int Number(string name, int fallback) => Value(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        return new BenchOptions(Number("--rounds", 3),
            (Value("--clients") ?? "1,4,16").Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray(),
            Number("--ops", 1500), Number("--history", 200), Number("--population", 0), Value("--out") ?? "docs/benchmarks",
            Number("--peak-seconds", 0), Number("--peak-writes", 300), Number("--peak-reads", 150), args.Contains("--rebuild"));
    }
}
