using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using InteractionLedger.LocalPostgres;
using InteractionLedger.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace InteractionLedger.Tests.Drills;

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
        var log = new CapturedLog();
        await using var ledger = new LedgerFactory(cluster.ConnectionString, "Development",
            services: services => services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(log));
        using var client = ledger.CreateClient();
        var customerId = (await (await client.PostAsJsonAsync("/customers", new { displayName = "Outage" }))
            .Content.ReadFromJsonAsync<JsonObject>())!["customerId"]!.GetValue<Guid>();
        var acknowledged = new List<string>();
        var seen = new Dictionary<int, int>();
        var retryAfterMissing = 0;
        async Task<HttpResponseMessage> WriteAsync()
        {
            var contact = Contacts.Valid();
            var response = await client.PostAsync($"/customers/{customerId}/interactions",
                new StringContent(contact.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
            if (response.StatusCode == HttpStatusCode.Created) acknowledged.Add(contact["interactionId"]!.GetValue<string>());
            return response;
        }
        void Count(HttpResponseMessage response)
        {
            seen[(int)response.StatusCode] = seen.GetValueOrDefault((int)response.StatusCode) + 1;
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is null) retryAfterMissing++;
        }

        // Clients keep writing and reading while PostgreSQL is stopped abruptly (-m immediate) and started again.
        var outage = cluster.RestartAsync(immediate: true, downtime: TimeSpan.FromSeconds(3));
        while (!outage.IsCompleted)
        {
            Count(await WriteAsync());
            Count(await client.GetAsync($"/customers/{customerId}/timeline"));
            await Task.Delay(100);
        }
        await outage;
        var back = System.Diagnostics.Stopwatch.StartNew();
        HttpResponseMessage retried;
        var attempts = 0;
        do Count(retried = await WriteAsync());
        while (retried.StatusCode == HttpStatusCode.ServiceUnavailable && ++attempts < 40 && await Delay());
        back.Stop();

        // A client told 503 + Retry-After retries, reads included: a pooled connection from before the outage can
        // still fail once after the database is back.
        HttpResponseMessage read;
        attempts = 0;
        do Count(read = await client.GetAsync($"/customers/{customerId}"));
        while (read.StatusCode == HttpStatusCode.ServiceUnavailable && ++attempts < 40 && await Delay());
        var stored = (await read.Content.ReadFromJsonAsync<JsonObject>())!["interactionCount"]!.GetValue<int>();
        DrillReport.Record("Database stopped abruptly", "answers during the outage and the retries after it", string.Join(", ", seen.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")));
        DrillReport.Record("Database stopped abruptly", "503 without Retry-After", retryAfterMissing);
        DrillReport.Record("Database stopped abruptly", "acknowledged writes", acknowledged.Count);
        DrillReport.Record("Database stopped abruptly", "acknowledged writes lost", Math.Max(0, acknowledged.Count - stored));
        DrillReport.Record("Database stopped abruptly", "writes stored that were not acknowledged (partial or phantom)", Math.Max(0, stored - acknowledged.Count));
        DrillReport.Record("Database stopped abruptly", "time from the database back to the first acknowledged write, service not restarted", back.Elapsed);

        seen.Keys.ShouldNotContain(500);
        seen.ShouldContainKey(503);
        // Each 503 is in the log once, with the trace id an operator can follow.
        log.Lines.Count(l => l.StartsWith("Warning") && l.Contains("answered 503") && l.Contains("(trace ")).ShouldBe(seen[503]);
        retryAfterMissing.ShouldBe(0);
        retried.StatusCode.ShouldBe(HttpStatusCode.Created);
        stored.ShouldBe(acknowledged.Count);
    }

    private static async Task<bool> Delay()
    {
        await Task.Delay(500);
        return true;
    }
}
