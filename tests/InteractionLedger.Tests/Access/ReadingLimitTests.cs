using System.Net;
using System.Text.Json.Nodes;
using InteractionLedger.Tests.Support;

namespace InteractionLedger.Tests.Access;

/// <summary>A leaked key cannot page through the customer base at full speed, nor widely without the privacy officer seeing it.</summary>
public sealed class when_a_key_reads_too_fast_or_too_widely(LedgerApi api)
{
    [Fact]
    public async Task it_gets_429_with_retry_after_and_the_privacy_officer_sees_who_read_unusually_many_customers()
    {
        await using var limited = new LedgerFactory(await api.Server.CreateDatabaseAsync("limits"), "Development", settings: new Dictionary<string, string>
        {
            ["Ledger:ReadingLimits:Agent:RequestsPerSecond"] = "1",
            ["Ledger:ReadingLimits:Agent:Burst"] = "6",
            ["Ledger:ReadingLimits:Agent:DistinctCustomersPerHour"] = "2",
        });
        var customers = new List<Guid>();
        for (var i = 0; i < 3; i++) customers.Add((await ReachWorld.CreateAsync(limited, "horizon-telecom")).Id);

        using var agent = limited.ClientAs(Callers.TelecomAgent);
        var statuses = new List<HttpResponseMessage>();
        var reading = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 10; i++) statuses.Add(await agent.GetAsync($"/customers/{customers[i % 3]}"));
        reading.Stop();

        // The burst of 6, and one more for each second the ten reads took (a slow machine gives more).
        statuses.Count(r => r.StatusCode == HttpStatusCode.OK).ShouldBeInRange(6, 6 + (int)Math.Ceiling(reading.Elapsed.TotalSeconds));
        var refused = statuses.First(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        int.Parse(refused.Headers.GetValues("Retry-After").Single()).ShouldBeGreaterThanOrEqualTo(1);
        (await refused.Content.ReadAsStringAsync()).ShouldContain("rate-limited");
        (await limited.ClientAs("dev-agent-horizon-energie").GetAsync("/group")).StatusCode.ShouldBe(HttpStatusCode.OK, "limits are per principal");

        using var officer = limited.ClientAs(Callers.PrivacyOfficer);
        var report = await (await officer.GetAsync("/privacy/unusual-reading")).JsonAsync();
        var flag = report["flags"]!.AsArray().Single(f => f!["principal"]!.GetValue<string>() == "agent-horizon-telecom")!;
        flag["distinctCustomers"]!.GetValue<long>().ShouldBe(3);
        flag["threshold"]!.GetValue<long>().ShouldBe(2);
        (await officer.GetAsync("/privacy/unusual-reading?windowMinutes=0")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await agent.GetAsync("/privacy/unusual-reading")).StatusCode.ShouldBeOneOf(HttpStatusCode.Forbidden, HttpStatusCode.TooManyRequests);
    }
}
