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
        using var host = input.BuildHost();
        await host.StartAsync();
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var group = host.Services.GetRequiredService<GroupCatalog>();
        var generator = new DemoDataGenerator(group.Brands.Select(b => b.Code).ToList(), input.SeedFlag, DateTimeOffset.UtcNow);

        var watch = Stopwatch.StartNew();
        var customers = generator.Customers(input.CustomersFlag).ToList();
        await using (var probe = store.QuerySession())
        {
            if (await probe.LoadAsync<Customer>(customers[0].CustomerId) is not null)
            {
                Console.Error.WriteLine($"Seed {input.SeedFlag} is already loaded. Pass --seed <another number> to add more customers.");
                await host.StopAsync();
                return false;
            }
        }

        var events = await LoadAsync(store, customers);
        Console.WriteLine($"Loaded {customers.Count} customers, {customers.Sum(c => c.Interactions.Count())} interactions " +
                          $"({events} events) in {watch.Elapsed.TotalSeconds:F1} s.");
        Console.WriteLine($"Try: GET /customers/{customers[0].CustomerId}/timeline");
        await host.StopAsync();
        return true;
    }

    /// <returns>The number of events appended.</returns>
    public static async Task<int> LoadAsync(IDocumentStore store, IReadOnlyList<DemoCustomer> customers)
    {
        var appended = 0;
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
        }
        return appended;
    }
}
