using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using InteractionLedger.LocalPostgres;
using InteractionLedger.Tests.Support;

namespace InteractionLedger.Tests.Hosting;

/// <summary>
/// The database stops abruptly under a running service: clients are told to retry (503, Retry-After), never shown a
/// 500, and the service writes again as soon as the database is back, without a restart of its own.
/// </summary>
public sealed class when_the_database_goes_away
{
    [Fact]
    public async Task clients_get_503_with_retry_after_and_writes_resume_when_it_is_back()
    {
        await using var cluster = await LocalPostgresCluster.StartAsync(new LocalPostgresOptions
        {
            DataDirectory = Path.Combine(Path.GetTempPath(), $"ledger-outage-{Guid.NewGuid():N}"),
            Throwaway = true,
        });
        await using var ledger = new LedgerFactory(cluster.ConnectionString, "Development");
        using var client = ledger.CreateClient();
        var customerId = (await (await client.PostAsJsonAsync("/customers", new { displayName = "Outage" }))
            .Content.ReadFromJsonAsync<JsonObject>())!["customerId"]!.GetValue<Guid>();
        var contact = Contacts.Valid().ToJsonString();
        HttpContent Body() => new StringContent(contact, System.Text.Encoding.UTF8, "application/json");

        var stop = cluster.RestartAsync(immediate: true, downtime: TimeSpan.FromSeconds(3));
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var duringWrite = await client.PostAsync($"/customers/{customerId}/interactions", Body());
        var duringRead = await client.GetAsync($"/customers/{customerId}/timeline");
        await stop;

        duringWrite.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        duringWrite.Headers.RetryAfter.ShouldNotBeNull();
        duringRead.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        HttpResponseMessage retried;
        var attempts = 0;
        do retried = await client.PostAsync($"/customers/{customerId}/interactions", Body());
        while (retried.StatusCode == HttpStatusCode.ServiceUnavailable && ++attempts < 20 && await Delay());
        retried.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await client.GetFromJsonAsync<JsonObject>($"/customers/{customerId}"))!["interactionCount"]!.GetValue<int>().ShouldBe(1);
    }

    private static async Task<bool> Delay()
    {
        await Task.Delay(500);
        return true;
    }
}
