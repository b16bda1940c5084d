using InteractionLedger.Customers;
using InteractionLedger.Interactions;
using System.Net.Http.Json;
using InteractionLedger.DemoData;
using InteractionLedger.Hosting;
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
        // Identity and merges: identifiers shared and claimed, a contact resolved by identifier, a merge and an undo.
        var other = (await (await client.PostAsJsonAsync("/customers", new { displayName = "Other" }))
            .Content.ReadFromJsonAsync<CustomerReceipt>(InteractionLedger.Hosting.ApiJson.Options))!.CustomerId;
        foreach (var holder in new[] { customer, other })
            (await client.PostAsJsonAsync($"/customers/{holder}/identifiers",
                new { kind = "phone", value = "04 78 00 00 01", linkedBy = "a", reason = "r" })).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync($"/customers/{customer}/identifiers",
            new { kind = "email", value = "rebuild@example.com", verified = true, linkedBy = "a", reason = "r" })).EnsureSuccessStatusCode();
        (await client.PostAsync("/interactions", new StringContent(new System.Text.Json.Nodes.JsonObject
        {
            ["customer"] = new System.Text.Json.Nodes.JsonObject { ["identifiers"] = System.Text.Json.Nodes.JsonNode.Parse("[{\"kind\":\"email\",\"value\":\"REBUILD@example.com\"}]") },
            ["interaction"] = Contacts.Valid(),
        }.ToJsonString(), System.Text.Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        (await client.PutAsJsonAsync($"/customers/{customer}/preferred-channel", new { channel = "sms", recordedBy = "a" })).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync($"/customers/{customer}/merges", new { absorbedCustomerId = other, decidedBy = "a", reason = "r" })).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync($"/customers/{customer}/merges/{other}/undo", new { decidedBy = "a", reason = "r" })).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync($"/customers/{other}/merges", new { absorbedCustomerId = customer, decidedBy = "a", reason = "r" })).EnsureSuccessStatusCode();

        // Consent statements, an erased customer and a retention run: views must not bring back what was erased.
        (await client.PostAsJsonAsync($"/customers/{customer}/consents", new { consentId = Guid.NewGuid(), purpose = "marketing", collectedVia = "phone", notice = "v1" })).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync($"/customers/{customer}/consents/withdrawals", new { purpose = "marketing", collectedVia = "email" })).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync($"/customers/{customer}/objections", new { purpose = "analytics", collectedVia = "email" })).EnsureSuccessStatusCode();
        var leaving = (await (await client.PostAsJsonAsync("/customers", new { displayName = "Leaving" }))
            .Content.ReadFromJsonAsync<CustomerReceipt>(InteractionLedger.Hosting.ApiJson.Options))!.CustomerId;
        (await client.PostAsJsonAsync($"/customers/{leaving}/identifiers",
            new { kind = "email", value = "leaving@example.com", verified = true, linkedBy = "a", reason = "r" })).EnsureSuccessStatusCode();
        var old = Contacts.Valid(occurredAt: DateTimeOffset.UtcNow.AddYears(-4));
        (await client.PostAsync($"/customers/{leaving}/interactions", new StringContent(old.ToJsonString(), System.Text.Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        old = Contacts.Valid(occurredAt: DateTimeOffset.UtcNow.AddYears(-4));
        (await client.PostAsync($"/customers/{customer}/interactions", new StringContent(old.ToJsonString(), System.Text.Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        // A customer silent for four years sharing the phone above: retention erases their contact details only.
        var quiet = (await (await client.PostAsJsonAsync("/customers", new { displayName = "Quiet" }))
            .Content.ReadFromJsonAsync<CustomerReceipt>(InteractionLedger.Hosting.ApiJson.Options))!.CustomerId;
        (await client.PostAsync($"/customers/{quiet}/interactions", new StringContent(Contacts.Valid(occurredAt: DateTimeOffset.UtcNow.AddYears(-4)).ToJsonString(),
            System.Text.Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync($"/customers/{quiet}/identifiers", new { kind = "phone", value = "04 78 00 00 01", linkedBy = "a", reason = "r" })).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync($"/customers/{quiet}/identifiers", new { kind = "email", value = "quiet@example.com", linkedBy = "a", reason = "r" })).EnsureSuccessStatusCode();
        using var officer = ledger.ClientAs(Callers.PrivacyOfficer, purpose: null);
        (await officer.PostAsJsonAsync($"/privacy/customers/{leaving}/erasure", new { reason = "art. 17" })).EnsureSuccessStatusCode();
        (await officer.PostAsync("/privacy/retention/runs", null)).EnsureSuccessStatusCode();

        await DemoDataCommand.LoadAsync(store, new DemoDataGenerator(Contacts.Brands, 3, DateTimeOffset.UtcNow).Customers(60).ToList());

        var live = await ViewSnapshot.TakeAsync(store);
        await ViewSnapshot.RebuildAllAsync(store, TestContext.Current.CancellationToken);
        var rebuilt = await ViewSnapshot.TakeAsync(store);

        live.DifferencesFrom(rebuilt).ShouldBeEmpty();
        live["overviews"].ShouldContain(o => o.Contains($"\"StatedPreferredChannel\":{(int)Channel.Sms}"), "the stated preference is part of what is compared");
        live["interactions"].Count.ShouldBeGreaterThan(100);
        live["consents"].ShouldContain(c => c.Contains("withdrawn"));
        live["claims"].ShouldNotContain(c => c.Contains("leaving@example.com"));
        live["claims"].ShouldNotContain(c => c.Contains("quiet@example.com"));
        live["claims"].ShouldContain(c => c.Contains("33478000001"), "the active customer keeps the shared phone");
        live["interactions"].Count(t => t.Contains("\"Summary\":null")).ShouldBeGreaterThanOrEqualTo(1, "retention cleared the old contact's text");
    }
}

/// <summary>
/// An upgrade that rebuilds the views on a live store has no dark minute: the rebuild fills tables beside the live
/// ones and switches, so reads of existing customers answer throughout, writes made meanwhile are in the result, and
/// the views it leaves are those a replay from nothing gives.
/// </summary>
public sealed class when_the_views_are_rebuilt_on_a_live_store(LedgerApi api)
{
    [Fact]
    public async Task reads_never_miss_an_existing_customer_and_the_result_equals_a_replay_from_nothing()
    {
        await using var ledger = new LedgerFactory(await api.Server.CreateDatabaseAsync("live_rebuild"), "Development");
        var store = ledger.Services.GetRequiredService<IDocumentStore>();
        var customers = new DemoDataGenerator(Contacts.Brands, 5, DateTimeOffset.UtcNow).Customers(600).ToList();
        await DemoDataCommand.LoadAsync(store, customers);
        using var reader = ledger.ClientAs(LedgerFactory.GroupAgentKey);
        var watched = customers.Take(25).Select(c => c.CustomerId).ToList();

        var rebuild = new ViewRebuild(ledger.Services.GetRequiredService<LedgerDatabase>(), ledger.Services.GetRequiredService<DatabaseLocks>());
        var running = Task.Run(() => rebuild.RunAsync(cancellation: TestContext.Current.CancellationToken));
        var missing = new List<string>();
        var reads = 0;
        var written = new List<Guid>();
        while (!running.IsCompleted)
        {
            foreach (var customerId in watched)
            {
                var overview = await reader.GetAsync($"/customers/{customerId}/overview");
                var timeline = await reader.GetAsync($"/customers/{customerId}/timeline?limit=5");
                reads += 2;
                if (overview.StatusCode != System.Net.HttpStatusCode.OK) missing.Add($"overview {customerId}: {(int)overview.StatusCode}");
                if (timeline.StatusCode != System.Net.HttpStatusCode.OK) missing.Add($"timeline {customerId}: {(int)timeline.StatusCode}");
                if (running.IsCompleted) break;
            }
            // Writes go on during the rebuild too: they must be in the views it leaves.
            var contact = Contacts.Valid();
            var recorded = await reader.PostJsonAsync($"/customers/{watched[written.Count % watched.Count]}/interactions", contact);
            if (recorded.IsSuccessStatusCode) written.Add(Guid.Parse(contact["interactionId"]!.GetValue<string>()));
        }
        var report = await running;
        DrillReport.Record("Views rebuilt on a live store", "reads of existing customers during the rebuild", reads);
        DrillReport.Record("Views rebuilt on a live store", "of them answered other than 200", missing.Count);
        DrillReport.Record("Views rebuilt on a live store", "contacts recorded during the rebuild", written.Count);
        DrillReport.Record("Views rebuilt on a live store", "events replayed; time to switch; writes held at the switch; attempts of the switch",
            $"{report.Events:N0}; {report.Elapsed.TotalSeconds:F1} s; {report.WritersHeld.TotalMilliseconds:F0} ms; {report.SwitchAttempts}");

        missing.ShouldBeEmpty();
        reads.ShouldBeGreaterThan(20);
        written.ShouldNotBeEmpty();
        report.Views.ShouldContain("mt_doc_customeroverview");
        var switched = await ViewSnapshot.TakeAsync(store);
        switched["interactions"].Count(t => written.Any(id => t.Contains(id.ToString()))).ShouldBe(written.Count, "contacts written during the rebuild are in its views");
        await ViewSnapshot.RebuildAllAsync(store, TestContext.Current.CancellationToken);
        switched.DifferencesFrom(await ViewSnapshot.TakeAsync(store)).ShouldBeEmpty();
    }
}
