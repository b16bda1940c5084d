using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using InteractionLedger.DemoData;
using InteractionLedger.Hosting;
using InteractionLedger.Identity;
using Marten;
using InteractionLedger.Interactions;
using InteractionLedger.LocalPostgres;
using Npgsql;

// Usage: dotnet run -c Release --project bench/InteractionLedger.Benchmark -- [--interactions N] [--clients C]
//        [--customers K] [--reads R] [--population P (demo customers loaded first, read through the unified view and bot context)]
//        [--url http://host:port (an already running service; else one is started)]
var options = BenchOptions.Parse(args);
var repoRoot = FindRepositoryRoot();
Console.WriteLine($"InteractionLedger benchmark: {options.Interactions} interactions over {options.Customers} customers, " +
                  $"{options.Clients} concurrent clients, then {options.Reads} timeline reads. {Environment.ProcessorCount} cores.");

await using var stack = options.Url is null ? await ServiceUnderTest.StartAsync(repoRoot) : null;

// A realistic population first, loaded straight through Marten with the service's own model and projections.
var population = new List<DemoCustomer>();
if (options.Population > 0 && stack is not null)
{
    var loadWatch = Stopwatch.StartNew();
    using var store = DocumentStore.For(o => LedgerStore.Configure(o, stack.ConnectionString, JasperFx.AutoCreate.None));
    var populationGenerator = new DemoDataGenerator(["horizon-telecom", "horizon-energie", "horizon-banque", "horizon-voyages", "horizon-maison"],
        seed: 2017, DateTimeOffset.UtcNow);
    var loadedEvents = 0;
    for (var loaded = 0; loaded < options.Population; loaded += 5_000)
    {
        var chunk = populationGenerator.Customers(Math.Min(5_000, options.Population - loaded)).ToList();
        loadedEvents += await DemoDataCommand.LoadAsync(store, chunk);
        population.AddRange(chunk.Select(c => c with { Events = c.Events.Where(e => e is IdentifierLinked).ToList() }));
    }
    Console.WriteLine($"Loaded a population of {population.Count} customers ({loadedEvents} events) in {loadWatch.Elapsed.TotalSeconds:F0} s.");
}
var baseUrl = options.Url ?? stack!.BaseUrl;
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Clients * 2 })
{
    BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(60),
};
// An agent acting for the whole group, serving customers: every read below is purpose-bound and audited.
http.DefaultRequestHeaders.Add("X-Api-Key", options.Url is null ? ServiceUnderTest.AgentKey : Environment.GetEnvironmentVariable("LEDGER_BENCH_KEY") ?? "dev-agent-group");
http.DefaultRequestHeaders.Add("X-Purpose", "service");

// Contacts shaped like the demo data, spread over the benchmark's own customers.
var generator = new DemoDataGenerator(["horizon-telecom", "horizon-energie", "horizon-banque", "horizon-voyages", "horizon-maison"],
    seed: Environment.TickCount, DateTimeOffset.UtcNow);
var contacts = new List<InteractionRecorded>(options.Interactions);
while (contacts.Count < options.Interactions)
    contacts.AddRange(generator.NextCustomer().Interactions.Select(i => i with { CaseId = null }));
contacts.RemoveRange(options.Interactions, contacts.Count - options.Interactions);

var customerIds = new Guid[options.Customers];
await Parallel.ForAsync(0, options.Customers, new ParallelOptions { MaxDegreeOfParallelism = options.Clients }, async (i, ct) =>
{
    var response = await http.PostAsJsonAsync("/customers", new { displayName = $"Bench customer {i}" }, ct);
    response.EnsureSuccessStatusCode();
    customerIds[i] = (await response.Content.ReadFromJsonAsync<JsonObject>(ct))!["customerId"]!.GetValue<Guid>();
});

// Warm-up: first requests pay for JIT and Wolverine's handler code generation.
for (var i = 0; i < 50; i++) await Record(contacts[i] with { InteractionId = Guid.NewGuid() }, customerIds[i % customerIds.Length]);

var writes = await Measure(options.Interactions, options.Clients, i => Record(contacts[i], customerIds[i % customerIds.Length]));
Report("record interaction (POST)", writes);

var readRandom = new Random(42);
var readTargets = Enumerable.Range(0, options.Reads).Select(_ => customerIds[readRandom.Next(customerIds.Length)]).ToArray();
var reads = await Measure(options.Reads, options.Clients, async i =>
{
    using var response = await http.GetAsync($"/customers/{readTargets[i]}/timeline?limit=50");
    response.EnsureSuccessStatusCode();
    await response.Content.ReadAsByteArrayAsync();
});
Report("read timeline, 50 items (GET)", reads);

// The physical limit on the same PostgreSQL: the minimal SQL of an append (bump a stream version, insert one event
// row, commit) and of a timeline read, through raw Npgsql with no HTTP, no JSON contract, no views.
if (stack is not null)
{
    await using var raw = NpgsqlDataSource.Create(stack.ConnectionString);
    await using (var setup = raw.CreateCommand("""
        create schema if not exists baseline;
        create table if not exists baseline.streams (id uuid primary key, version bigint not null);
        create table if not exists baseline.events (stream_id uuid not null, version bigint not null, data jsonb not null,
            primary key (stream_id, version));
        """)) await setup.ExecuteNonQueryAsync();
    var streams = Enumerable.Range(0, options.Customers).Select(_ => Guid.NewGuid()).ToArray();
    foreach (var id in streams)
    {
        await using var insert = raw.CreateCommand("insert into baseline.streams values (@id, 0)");
        insert.Parameters.AddWithValue("id", id);
        await insert.ExecuteNonQueryAsync();
    }
    var payload = System.Text.Json.JsonSerializer.Serialize(contacts[0], ApiJson.Options);
    var rawWrites = await Measure(options.Interactions, options.Clients, async i =>
    {
        await using var connection = await raw.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var bump = new NpgsqlCommand("update baseline.streams set version = version + 1 where id = @id returning version", connection, transaction);
        bump.Parameters.AddWithValue("id", streams[i % streams.Length]);
        var version = (long)(await bump.ExecuteScalarAsync())!;
        await using var append = new NpgsqlCommand("insert into baseline.events values (@id, @v, @data::jsonb)", connection, transaction);
        append.Parameters.AddWithValue("id", streams[i % streams.Length]);
        append.Parameters.AddWithValue("v", version);
        append.Parameters.AddWithValue("data", payload);
        await append.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    });
    Report("baseline: raw SQL append (no HTTP)", rawWrites);
    var rawReads = await Measure(options.Reads, options.Clients, async i =>
    {
        await using var read = raw.CreateCommand("select data from baseline.events where stream_id = @id order by version desc limit 50");
        read.Parameters.AddWithValue("id", streams[(int)((long)i * 7919 % streams.Length)]);
        await using var reader = await read.ExecuteReaderAsync();
        while (await reader.ReadAsync()) reader.GetString(0);
    });
    Report("baseline: raw SQL read of 50 events (no HTTP)", rawReads);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"ratios: HTTP append / raw append = {Rate(writes) / Rate(rawWrites):F2}; HTTP timeline / raw read = {Rate(reads) / Rate(rawReads):F2}"));
}

// What the purpose-bound read costs: the same read of the same customers, in process (no HTTP), without and with
// the policy decision and the access record the service writes before answering.
if (stack is not null)
{
    using var store = DocumentStore.For(o => LedgerStore.Configure(o, stack.ConnectionString, JasperFx.AutoCreate.None));
    await using var auditSource = NpgsqlDataSource.Create(stack.ConnectionString);
    var accessLedger = new InteractionLedger.Privacy.AccessLedger(auditSource);
    var agent = new InteractionLedger.Access.Caller("bench-agent", InteractionLedger.Access.Role.Agent, null);
    var brands = new[] { "horizon-telecom", "horizon-energie", "horizon-banque", "horizon-voyages", "horizon-maison" };
    var targets = Enumerable.Range(0, options.Reads).Select(i => customerIds[i * 31 % customerIds.Length]).ToArray();
    async Task<InteractionLedger.Merging.CustomerGroup> ReadAsync(IQuerySession session, Guid customerId)
    {
        var group = (await InteractionLedger.Merging.CustomerGroup.LoadAsync(session, customerId, CancellationToken.None))!;
        await session.LoadManyAsync<InteractionLedger.Overview.CustomerOverview>(CancellationToken.None, group.Members);
        return group;
    }
    var plain = await Measure(options.Reads, options.Clients, async i =>
    {
        await using var session = store.QuerySession();
        await ReadAsync(session, targets[i]);
    });
    var audited = await Measure(options.Reads, options.Clients, async i =>
    {
        await using var session = store.QuerySession();
        var group = await ReadAsync(session, targets[i]);
        var now = DateTimeOffset.UtcNow;
        var decision = InteractionLedger.Privacy.AccessPolicy.Decide(new(agent, InteractionLedger.Privacy.Purpose.Service,
            InteractionLedger.Privacy.DataView.Overview, group.People, brands, now));
        await accessLedger.AppendAsync(new InteractionLedger.Privacy.AccessRecord(InteractionLedger.Interactions.TimelineEntry.AtStoredPrecision(now),
            agent.Id, "agent", null, group.Root, "overview", "service", "contract", ApiJson.Name(decision.Outcome),
            decision.Returned.Select(ApiJson.Name).ToList(), decision.Withheld, null, decision.ConsentsReliedOn, null, $"bench-{i}"), CancellationToken.None);
    });
    Report("customer read in process, no policy, no access record", plain);
    Report("customer read in process, policy decision + access record", audited);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"ratio: purpose-bound audited read / same read unaudited = {Rate(audited) / Rate(plain):F2}; p50 {Median(audited) - Median(plain):F1} ms added"));
}

if (population.Count > 0)
{
    var pick = new Random(7);
    var viewTargets = Enumerable.Range(0, options.Reads).Select(_ => population[pick.Next(population.Count)].CustomerId).ToArray();
    Report("unified view for an agent (GET overview)", await Measure(options.Reads, options.Clients, async i =>
    {
        using var response = await http.GetAsync($"/customers/{viewTargets[i]}/overview");
        response.EnsureSuccessStatusCode();
        await response.Content.ReadAsByteArrayAsync();
    }));

    var phones = population.SelectMany(c => c.Identifiers.Where(id => id.Kind == IdentifierKind.Phone)).Select(id => id.Original).ToArray();
    var botTargets = Enumerable.Range(0, options.Reads).Select(_ => phones[pick.Next(phones.Length)]).ToArray();
    var sizes = new int[options.Reads];
    Report("chatbot context by phone number (GET bot-context)", await Measure(options.Reads, options.Clients, async i =>
    {
        using var response = await http.GetAsync($"/bot-context?brand=horizon-telecom&kind=phone&value={Uri.EscapeDataString(botTargets[i])}");
        response.EnsureSuccessStatusCode();
        sizes[i] = (await response.Content.ReadAsByteArrayAsync()).Length;
    }));
    Console.WriteLine($"bot context size: average {sizes.Average():F0} bytes, largest {sizes.Max()} bytes");
}
return 0;

async Task Record(InteractionRecorded contact, Guid customerId)
{
    var body = new
    {
        contact.InteractionId, contact.OccurredAt, contact.Brand, contact.Channel, contact.Direction, contact.Reason,
        contact.HandledBy, contact.Outcome, contact.WaitingSeconds, contact.HandlingSeconds, contact.Summary,
    };
    using var response = await http.PostAsJsonAsync($"/customers/{customerId}/interactions", body, ApiJson.Options);
    if (!response.IsSuccessStatusCode)
        throw new InvalidOperationException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
}

static async Task<(TimeSpan Elapsed, double[] LatenciesMs)> Measure(int count, int clients, Func<int, Task> operation)
{
    var latencies = new double[count];
    var next = -1;
    var watch = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < count)
        {
            var started = Stopwatch.GetTimestamp();
            await operation(i);
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
    })));
    return (watch.Elapsed, latencies);
}

static double Rate((TimeSpan Elapsed, double[] LatenciesMs) result) => result.LatenciesMs.Length / result.Elapsed.TotalSeconds;

static double Median((TimeSpan Elapsed, double[] LatenciesMs) result) => result.LatenciesMs.Order().ElementAt(result.LatenciesMs.Length / 2);

static void Report(string what, (TimeSpan Elapsed, double[] LatenciesMs) result)
{
    var sorted = result.LatenciesMs.Order().ToArray();
    double P(double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{what}: {sorted.Length} in {result.Elapsed.TotalSeconds:F1} s = {sorted.Length / result.Elapsed.TotalSeconds:F0}/s; " +
        $"latency ms p50 {P(0.50):F1}, p95 {P(0.95):F1}, p99 {P(0.99):F1}, max {sorted[^1]:F1}"));
}

static string FindRepositoryRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "InteractionLedger.sln"))) return dir.FullName;
    throw new InvalidOperationException("Run the benchmark from inside the repository.");
}

internal sealed record BenchOptions(int Interactions, int Clients, int Customers, int Reads, int Population, string? Url)
{
    public static BenchOptions Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        int Number(string name, int fallback) => Value(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        return new BenchOptions(Number("--interactions", 20_000), Number("--clients", 16), Number("--customers", 500),
            Number("--reads", 5_000), Number("--population", 0), Value("--url"));
    }
}

/// <summary>
/// A PostgreSQL cluster with durable settings (what production would run) and the service, built in the same
/// configuration as the benchmark, running as its own process on Kestrel: requests cross a real loopback socket.
/// The schema comes from migrations/, as in production.
/// </summary>
internal sealed class ServiceUnderTest : IAsyncDisposable
{
    private readonly LocalPostgresCluster _database;
    private readonly Process _service;

    private ServiceUnderTest(LocalPostgresCluster database, Process service, string baseUrl)
    {
        _database = database;
        _service = service;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    /// <summary>A key made up for this run; the service only knows its hash, as in production.</summary>
    public static readonly string AgentKey = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public string ConnectionString => _database.ConnectionString;

    public static async Task<ServiceUnderTest> StartAsync(string repoRoot)
    {
        var database = await LocalPostgresCluster.StartAsync(new LocalPostgresOptions
        {
            DataDirectory = Path.Combine(Path.GetTempPath(), $"ledger-bench-{Guid.NewGuid():N}"),
            Throwaway = true,
        });
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync();
            foreach (var script in Directory.GetFiles(Path.Combine(repoRoot, "migrations"), "*.sql").Order())
                await new NpgsqlCommand(await File.ReadAllTextAsync(script), connection).ExecuteNonQueryAsync();
        }

        var configuration = typeof(ServiceUnderTest).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
            .OfType<System.Reflection.AssemblyConfigurationAttribute>().Single().Configuration;
        var serviceFolder = Path.Combine(repoRoot, "src", "InteractionLedger", "bin", configuration, "net10.0");
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(serviceFolder, "InteractionLedger.dll"), "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = serviceFolder,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ConnectionStrings__Ledger"] = database.ConnectionString;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Ledger__Principals__0__Id"] = "bench-agent";
        start.Environment["Ledger__Principals__0__Role"] = "Agent";
        start.Environment["Ledger__Principals__0__KeySha256"] = InteractionLedger.Access.PrincipalDirectory.Hash(AgentKey);
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var service = Process.Start(start)!;
        service.OutputDataReceived += (_, _) => { };
        service.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"[service] {e.Data}"); };
        service.BeginOutputReadLine();
        service.BeginErrorReadLine();

        var baseUrl = $"http://127.0.0.1:{port}";
        using var probe = new HttpClient { BaseAddress = new Uri(baseUrl) };
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if ((await probe.GetAsync("/health/ready")).IsSuccessStatusCode) break;
            }
            catch (HttpRequestException) when (attempt < 120 && !service.HasExited)
            {
            }
            if (service.HasExited || attempt >= 120) throw new InvalidOperationException("The service did not become ready.");
            await Task.Delay(500);
        }
        Console.WriteLine($"Service ({configuration}) ready at {baseUrl}, database {database.ConnectionString}");
        var stack = new ServiceUnderTest(database, service, baseUrl);
        // Interrupted (Ctrl+C, a time limit's SIGTERM): still stop the service and delete the throwaway cluster.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stack.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Console.CancelKeyPress += (_, _) => stack.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return stack;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        if (!_service.HasExited)
        {
            _service.Kill(entireProcessTree: true);
            await _service.WaitForExitAsync();
        }
        await _database.StopAsync();
    }
}
