using InteractionLedger.Hosting;
using System.Diagnostics;
using InteractionLedger.Customers;
using InteractionLedger.Group;
using JasperFx.CommandLine;
using Marten;

namespace InteractionLedger.DemoData;

public sealed class DemoDataInput : NetCoreInput
{
    [Description("How many customers to generate (default 3000)")]
    public int CustomersFlag { get; set; } = 3000;

    [Description("Random seed: the same seed gives the same data; use another one to add more customers (default 2017)")]
    public int SeedFlag { get; set; } = 2017;
}

/// <summary>
/// Fills the ledger with a living demo: customers of the configured group with histories across channels and
/// brands. Events go through Marten with the same inline projections as the API, many customers per transaction.
/// </summary>
[Description("Loads a realistic demo data set (a few thousand customers with cross-channel histories)", Name = "demo-data")]
public sealed class DemoDataCommand : JasperFxAsyncCommand<DemoDataInput>
{
    private const int CustomersPerTransaction = 100;

    public override async Task<bool> Execute(DemoDataInput input)
    {
        // The host is built, never started: no web server competes for the service's port, no background work runs,
        // and the service, if it is running, keeps answering while the data arrives (on the embedded database the
        // two processes share one server).
        using var host = input.BuildHost();
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var environment = host.Services.GetRequiredService<IHostEnvironment>();
        // Where the service owns its schema, the tables are made as it makes them, taking turns with it; elsewhere
        // they come from migrations/.
        if (environment.IsDevelopment())
            await SchemaOnStartup.ApplyAsync(store, host.Services.GetRequiredService<DatabaseLocks>(), CancellationToken.None);
        var group = host.Services.GetRequiredService<GroupCatalog>();
        var generator = new DemoDataGenerator(group.Brands.Select(b => b.Code).ToList(), input.SeedFlag, DateTimeOffset.UtcNow);

        var customers = generator.Customers(input.CustomersFlag).ToList();
        await using (var probe = store.QuerySession())
        {
            if (await probe.LoadAsync<Customer>(customers[0].CustomerId) is not null)
            {
                Console.Error.WriteLine($"Seed {input.SeedFlag} is already loaded. Pass --seed <another number> to add more customers.");
                return false;
            }
        }

        var progress = new LoadProgress(customers.Count);
        var events = await LoadAsync(store, customers, progress.Report);
        progress.Finish(events);

        var url = (host.Services.GetRequiredService<IConfiguration>()["urls"] ?? "http://127.0.0.1:5080").Split(';')[0].TrimEnd('/');
        var key = environment.IsDevelopment() ? "dev-agent-group" : "<an agent's API key>";
        Console.WriteLine("See one of them (with the service running: dotnet run --project src/InteractionLedger):");
        Console.WriteLine($"  curl -s -H 'X-Api-Key: {key}' -H 'X-Purpose: service' {url}/customers/{customers[0].CustomerId}/timeline");
        return true;
    }

    /// <summary>A line every two seconds: customers and events so far, the rate, and the time left at that rate.</summary>
    private sealed class LoadProgress(int total)
    {
        private readonly Stopwatch _watch = Stopwatch.StartNew();
        private TimeSpan _lastReport;

        public void Report(int customers, int events)
        {
            if (_watch.Elapsed - _lastReport < TimeSpan.FromSeconds(2) || customers == total) return;
            _lastReport = _watch.Elapsed;
            var rate = customers / _watch.Elapsed.TotalSeconds;
            Console.WriteLine($"  {customers:N0} / {total:N0} customers, {events:N0} events, {rate:N0} customers/s, about {(total - customers) / rate:N0} s left");
        }

        public void Finish(int events) =>
            Console.WriteLine($"Loaded {total:N0} customers ({events:N0} events) in {_watch.Elapsed.TotalSeconds:F1} s, " +
                              $"{total / _watch.Elapsed.TotalSeconds:N0} customers/s.");
    }

    /// <returns>The number of events appended.</returns>
    public static async Task<int> LoadAsync(IDocumentStore store, IReadOnlyList<DemoCustomer> customers, Action<int, int>? progress = null)
    {
        var appended = 0;
        var done = 0;
        foreach (var batch in customers.Chunk(CustomersPerTransaction))
        {
            await using var session = store.LightweightSession();
            foreach (var customer in batch)
            {
                session.Events.StartStream<Customer>(customer.CustomerId,
                    customer.Events.Select(e => CustomerStream.WithClientEventId(session, e)).ToArray());
                appended += customer.Events.Count;
            }
            await session.SaveChangesAsync();
            done += batch.Length;
            progress?.Invoke(done, appended);
        }
        return appended;
    }
}
