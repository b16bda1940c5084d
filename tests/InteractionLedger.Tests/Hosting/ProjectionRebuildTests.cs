using System.Net.Http.Json;
using System.Text.Json;
using InteractionLedger.Cases;
using InteractionLedger.Customers;
using InteractionLedger.DemoData;
using InteractionLedger.Interactions;
using InteractionLedger.Tests.Support;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace InteractionLedger.Tests.Hosting;

/// <summary>
/// The views are inline projections, updated in the transaction of each write. Rebuilding them from the events
/// alone must give the very same documents, or an upcaster, a fix or a new view could never be replayed safely.
/// Runs on a database of its own: a rebuild empties the views while it works.
/// </summary>
public sealed class when_the_views_are_rebuilt_from_the_events(LedgerApi api)
{
    [Fact]
    public async Task they_equal_what_live_updating_produced()
    {
        await using var ledger = new LedgerFactory(await api.Server.CreateDatabaseAsync("rebuild"), "Development");
        using var client = ledger.CreateClient();
        var store = ledger.Services.GetRequiredService<IDocumentStore>();

        // Live writes through the API (decisions, replays, ratings, case moves) and a bulk-loaded demo population.
        var customer = (await (await client.PostAsJsonAsync("/customers", new { displayName = "Rebuild" }))
            .Content.ReadFromJsonAsync<CustomerReceipt>(InteractionLedger.Hosting.ApiJson.Options))!.CustomerId;
        var caseId = Guid.NewGuid();
        (await client.PostAsJsonAsync($"/customers/{customer}/cases",
            new { caseId, brand = "horizon-telecom", reason = "complaint", title = "Outage", openedBy = "agent-1" })).EnsureSuccessStatusCode();
        foreach (var channel in new[] { "phone", "email", "chat" })
        {
            var contact = Contacts.Valid(caseId: caseId);
            contact["channel"] = channel;
            (await client.PostAsync($"/customers/{customer}/interactions",
                new StringContent(contact.ToJsonString(), System.Text.Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        }
        (await client.PostAsJsonAsync($"/customers/{customer}/cases/{caseId}/resolve", new { resolvedBy = "agent-1" })).EnsureSuccessStatusCode();
        await DemoDataCommand.LoadAsync(store, new DemoDataGenerator(Contacts.Brands, 3, DateTimeOffset.UtcNow).Customers(60).ToList());

        var live = await Snapshot(store);

        using var daemon = await store.BuildProjectionDaemonAsync();
        await daemon.RebuildProjectionAsync<TimelineProjection>(TestContext.Current.CancellationToken);
        await daemon.RebuildProjectionAsync<CaseSummaryProjection>(TestContext.Current.CancellationToken);
        await daemon.RebuildProjectionAsync(typeof(Customer), TestContext.Current.CancellationToken);

        var rebuilt = await Snapshot(store);
        Differences(live.Timeline, rebuilt.Timeline).ShouldBeEmpty();
        Differences(live.Cases, rebuilt.Cases).ShouldBeEmpty();
        Differences(live.Customers, rebuilt.Customers).ShouldBeEmpty();
        live.Timeline.Count.ShouldBeGreaterThan(100);
    }

    /// <summary>Documents present on one side only, labelled, so a failure shows just what differs.</summary>
    private static List<string> Differences(List<string> live, List<string> rebuilt) =>
        live.Except(rebuilt).Select(d => "live:    " + d).Concat(rebuilt.Except(live).Select(d => "rebuilt: " + d)).ToList();

    private static async Task<(List<string> Timeline, List<string> Cases, List<string> Customers)> Snapshot(IDocumentStore store)
    {
        await using var session = store.QuerySession();
        static List<string> Json<T>(IEnumerable<T> docs) => docs.Select(d => JsonSerializer.Serialize(d)).Order().ToList();
        return (Json(await session.Query<TimelineEntry>().ToListAsync()),
            Json(await session.Query<CaseSummary>().ToListAsync()),
            Json(await session.Query<Customer>().ToListAsync()));
    }
}
