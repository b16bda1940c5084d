using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using InteractionLedger.Interactions;
using InteractionLedger.Hosting;
using InteractionLedger.LocalPostgres;
using InteractionLedger.Tests.Support;

namespace InteractionLedger.Tests.Drills;

/// <summary>
/// The service is killed (kill -9) in the middle of a concurrent write load. Clients retry what was not
/// acknowledged, with the same interaction ids, once it is back. Nothing acknowledged may be lost, nothing may be
/// recorded twice, and every stream's version must equal its number of events.
/// </summary>
public sealed class when_the_service_is_killed_under_load
{
    private const int Customers = 25;
    private const int Writers = 8;

    [Fact]
    public async Task nothing_acknowledged_is_lost_and_retries_record_nothing_twice()
    {
        await using var database = await LocalPostgresCluster.StartAsync(new LocalPostgresOptions
        {
            DataDirectory = Path.Combine(Path.GetTempPath(), $"ledger-kill-{Guid.NewGuid():N}"),
            Throwaway = true,
        });
        var environment = new Dictionary<string, string> { ["ConnectionStrings__Ledger"] = database.ConnectionString };
        var service = await ServiceProcess.StartAsync(environment);
        var customers = new List<Guid>();
        for (var i = 0; i < Customers; i++)
        {
            var registered = await service.Client.PostAsJsonAsync("/customers", new { displayName = $"Drill {i}" });
            customers.Add((await registered.Content.ReadFromJsonAsync<JsonObject>())!["customerId"]!.GetValue<Guid>());
        }

        var acknowledged = new ConcurrentDictionary<Guid, Guid>();   // interaction → customer
        var unacknowledged = new ConcurrentDictionary<Guid, (Guid Customer, string Body)>();
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var customer = customers[(writer + n) % customers.Count];
                var contact = Contacts.Valid();
                var id = Guid.Parse(contact["interactionId"]!.GetValue<string>());
                var body = contact.ToJsonString();
                try
                {
                    var response = await service.Client.PostAsync($"/customers/{customer}/interactions", new StringContent(body, Encoding.UTF8, "application/json"));
                    if (response.StatusCode == HttpStatusCode.Created) acknowledged[id] = customer;
                    else unacknowledged[id] = (customer, body);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    unacknowledged[id] = (customer, body);
                    await Task.Delay(50);
                }
            }
        })).ToList();

        await Task.Delay(TimeSpan.FromSeconds(2));
        var port = service.Port;
        await service.KillAsync();
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        stop.Cancel();
        await Task.WhenAll(load);
        acknowledged.Count.ShouldBeGreaterThan(20, "the load was running when the service died");

        var ackedBeforeKill = acknowledged.Count;
        var recovering = System.Diagnostics.Stopwatch.StartNew();
        await using var restarted = await ServiceProcess.StartAsync(environment, port);
        recovering.Stop();
        var duplicatesReported = 0;
        foreach (var (id, (customer, body)) in unacknowledged)
        {
            var retry = await restarted.Client.PostAsync($"/customers/{customer}/interactions", new StringContent(body, Encoding.UTF8, "application/json"));
            retry.StatusCode.ShouldBeOneOf(HttpStatusCode.Created, HttpStatusCode.OK); // OK: it had landed before the kill
            if (retry.StatusCode == HttpStatusCode.OK) duplicatesReported++;
            acknowledged[id] = customer;
        }

        var lost = 0;
        var duplicates = 0;
        var inconsistent = 0;
        var checks = new List<Action>();
        foreach (var customer in customers)
        {
            var timeline = (await restarted.Client.GetFromJsonAsync<TimelinePage>($"/customers/{customer}/timeline?limit=200", ApiJson.Options))!;
            var expected = acknowledged.Where(a => a.Value == customer).Select(a => a.Key).ToList();
            var found = timeline.Items.Select(i => i.InteractionId).ToList();
            lost += expected.Except(found).Count();
            duplicates += found.Count - found.Distinct().Count();
            var profile = (await restarted.Client.GetFromJsonAsync<JsonObject>($"/customers/{customer}"))!;
            if (profile["version"]!.GetValue<long>() != 1 + expected.Count || profile["interactionCount"]!.GetValue<int>() != expected.Count) inconsistent++;
            checks.Add(() =>
            {
                found.ShouldBe(expected, ignoreOrder: true);
                profile["version"]!.GetValue<long>().ShouldBe(1 + expected.Count);
                profile["interactionCount"]!.GetValue<int>().ShouldBe(expected.Count);
            });
        }
        DrillReport.Record("Service killed (kill -9) under load", "writers / customers", $"{Writers} / {Customers}");
        DrillReport.Record("Service killed (kill -9) under load", "acknowledged before the kill", ackedBeforeKill);
        DrillReport.Record("Service killed (kill -9) under load", "unacknowledged, retried with the same ids after restart", unacknowledged.Count);
        DrillReport.Record("Service killed (kill -9) under load", "of those, found already recorded (answered replayed)", duplicatesReported);
        DrillReport.Record("Service killed (kill -9) under load", "acknowledged but lost", lost);
        DrillReport.Record("Service killed (kill -9) under load", "duplicates after retries", duplicates);
        DrillReport.Record("Service killed (kill -9) under load", "customers whose views disagree with their events", inconsistent);
        DrillReport.Record("Service killed (kill -9) under load", "time to recover (restart to ready)", recovering.Elapsed);
        foreach (var check in checks) check();
        duplicatesReported.ShouldBeLessThanOrEqualTo(Writers, "only requests in flight at the kill can have landed unacknowledged");
    }
}
