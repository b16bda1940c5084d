using System.Net.Http.Json;
using System.Text.Json.Nodes;
using InteractionLedger.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace InteractionLedger.Tests.Privacy;

/// <summary>On a database and a clock of its own: retention erases what is old everywhere it lives.</summary>
public sealed class when_retention_runs(LedgerApi api)
{
    [Fact]
    public async Task free_text_past_its_period_is_gone_from_events_and_views_and_lapsed_consents_expire()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2022, 3, 1, 9, 0, 0, TimeSpan.Zero));
        var connectionString = await api.Server.CreateDatabaseAsync("retention");
        await using var ledger = new LedgerFactory(connectionString, "Development", clock);
        using var agent = ledger.ClientAs(Callers.TelecomAgent);
        using var officer = ledger.ClientAs(Callers.PrivacyOfficer, purpose: null);
        var marker = Guid.NewGuid().ToString("N")[..10];

        var customerId = await agent.RegisterAsync();
        var quietId = await agent.RegisterAsync(displayName: "Quiet Customer");
        var phone = "+3361" + Random.Shared.Next(1000000, 9999999);
        var email = $"quiet.{marker}@example.org";
        foreach (var holder in new[] { customerId, quietId })
            await agent.PostJsonAsync($"/customers/{holder}/identifiers", new { kind = "phone", value = phone, linkedBy = "a", reason = "caller id" }).EnsureAsync();
        await agent.PostJsonAsync($"/customers/{quietId}/identifiers", new { kind = "email", value = email, verified = true, linkedBy = "a", reason = "r" }).EnsureAsync();
        await agent.PostJsonAsync($"/customers/{quietId}/identifiers", new { kind = "brand-customer-number", value = "TC-" + marker, brand = "horizon-telecom", linkedBy = "a", reason = "r" }).EnsureAsync();
        await agent.PostJsonAsync($"/customers/{quietId}/interactions", Contacts.Valid(occurredAt: clock.GetUtcNow().AddHours(-3))).EnsureAsync();
        var old = Contacts.Valid(occurredAt: clock.GetUtcNow().AddHours(-2));
        old["summary"] = $"Old story {marker}";
        await agent.PostJsonAsync($"/customers/{customerId}/interactions", old).EnsureAsync();
        (await agent.PutAsJsonAsync($"/customers/{customerId}/interactions/{old["interactionId"]}/rating", new { satisfaction = 2, comment = $"Old comment {marker}" }))
            .EnsureSuccessStatusCode();
        await agent.PostJsonAsync($"/customers/{customerId}/consents", new
        {
            consentId = Guid.NewGuid(), purpose = "personalisation", collectedVia = "phone", notice = "v1", expiresAt = clock.GetUtcNow().AddYears(1),
        }).EnsureAsync();

        clock.Advance(TimeSpan.FromDays(4 * 365));
        var recent = Contacts.Valid(occurredAt: clock.GetUtcNow().AddHours(-1));
        recent["summary"] = $"Fresh story {marker}";
        await agent.PostJsonAsync($"/customers/{customerId}/interactions", recent).EnsureAsync();

        var run = await (await officer.PostAsync("/privacy/retention/runs", null).EnsureAsync()).JsonAsync();

        run["interactionsCleared"]!.GetValue<int>().ShouldBe(2, "the old contacts of both customers");
        run["consentsExpired"]!.GetValue<int>().ShouldBe(1);
        var timeline = await agent.GetFromJsonAsync<JsonObject>($"/customers/{customerId}/timeline");
        var items = timeline!["items"]!.AsArray();
        items.Single(i => i!["interactionId"]!.GetValue<string>() == old["interactionId"]!.GetValue<string>())!["summary"].ShouldBeNull();
        items.Single(i => i!["interactionId"]!.GetValue<string>() == old["interactionId"]!.GetValue<string>())!["rating"]!["comment"].ShouldBeNull();
        items.Single(i => i!["interactionId"]!.GetValue<string>() == recent["interactionId"]!.GetValue<string>())!["summary"]!
            .GetValue<string>().ShouldContain("Fresh");
        var overview = await agent.GetFromJsonAsync<JsonObject>($"/customers/{customerId}/overview");
        overview!["now"]!["lastContacts"]!.ToJsonString().ShouldNotContain("Old story");
        (await CountAsync(connectionString, $"select count(*) from ledger.mt_events where data::text like '%Old %{marker}%'")).ShouldBe(0);
        (await CountAsync(connectionString, $"select count(*) from ledger.mt_events where data::text like '%Fresh story {marker}%'")).ShouldBe(1);

        // The customer silent for four years loses how to reach them; the contract number stays; the active one keeps the shared phone.
        run["contactDetailsErased"]!.GetValue<int>().ShouldBe(2);
        var quiet = await agent.GetFromJsonAsync<JsonObject>($"/customers/{quietId}");
        quiet!["identifiers"]!.AsArray().Select(i => i!["identifier"]!["kind"]!.GetValue<string>()).ShouldBe(["brand-customer-number"]);
        quiet["possibleDuplicates"]!.AsArray().ShouldAllBe(d => !d!["identifierKey"]!.GetValue<string>().Contains(phone));
        var byPhone = await agent.GetFromJsonAsync<JsonObject>($"/identifiers?kind=phone&value={Uri.EscapeDataString(phone)}");
        byPhone!["holders"]!.AsArray().Select(h => h!["customerId"]!.GetValue<Guid>()).ShouldBe([customerId]);
        var byEmail = await agent.GetFromJsonAsync<JsonObject>($"/identifiers?kind=email&value={Uri.EscapeDataString(email)}");
        byEmail!["holders"]!.AsArray().ShouldBeEmpty();
        (await CountAsync(connectionString, $"select count(*) from ledger.mt_events where stream_id = '{quietId}' and (data::text like '%{phone[1..]}%' or data::text like '%{marker}@%')")).ShouldBe(0);
        (await CountAsync(connectionString, $"select count(*) from ledger.mt_doc_identifierclaim where id like '%{marker}@%'")).ShouldBe(0);
        (await CountAsync(connectionString, $"select count(*) from ledger.mt_events where stream_id = '{customerId}' and data::text like '%{phone[1..]}%'")).ShouldBeGreaterThan(0);

        var history = await officer.GetFromJsonAsync<JsonArray>($"/privacy/customers/{customerId}/consents");
        history!.Select(e => e!["kind"]!.GetValue<string>()).ShouldBe(["given", "expired"]);
        var runs = (await officer.GetFromJsonAsync<JsonObject>("/privacy/retention/runs"))!["items"]!.AsArray();
        runs.ShouldHaveSingleItem()!["trigger"]!.GetValue<string>().ShouldBe("privacy-officer");

        // Asked again at once, the run just made answers; a minute later, a new run starts.
        (await (await officer.PostAsync("/privacy/retention/runs", null).EnsureAsync()).JsonAsync())["id"]!.GetValue<Guid>()
            .ShouldBe(run["id"]!.GetValue<Guid>());
        clock.Advance(TimeSpan.FromMinutes(2));
        var second = await (await officer.PostAsync("/privacy/retention/runs", null).EnsureAsync()).JsonAsync();
        second["interactionsCleared"]!.GetValue<int>().ShouldBe(0, "a second run finds nothing left to erase");
        second["contactDetailsErased"]!.GetValue<int>().ShouldBe(0);
    }

    [Fact]
    public async Task a_started_service_runs_it_on_schedule_at_once_when_the_last_scheduled_run_is_a_period_old()
    {
        var connectionString = await api.Server.CreateDatabaseAsync("retention_schedule");
        await using (var yesterday = new LedgerFactory(connectionString, "Development"))
        {
            // The last scheduled run, a day and an hour ago: a service restarted daily must not wait another day.
            await using var session = yesterday.Services.GetRequiredService<Marten.IDocumentStore>().LightweightSession();
            session.Store(new InteractionLedger.Privacy.RetentionRun
            {
                Id = Guid.NewGuid(), Trigger = "schedule", StartedAt = DateTimeOffset.UtcNow.AddHours(-25), FinishedAt = DateTimeOffset.UtcNow.AddHours(-25),
            });
            await session.SaveChangesAsync();
        }
        await using var ledger = new LedgerFactory(connectionString, "Development", settings: new Dictionary<string, string>
        {
            ["Ledger:Retention:Scheduled"] = "true",
            ["Ledger:Retention:RunEveryHours"] = "24",
        });
        using var officer = ledger.ClientAs(Callers.PrivacyOfficer, purpose: null);

        // The runs are polled until the schedule's new one is listed, for at most half a minute.
        var runs = (await officer.GetFromJsonAsync<JsonObject>("/privacy/retention/runs"))!["items"]!.AsArray();
        for (var poll = 0; runs.Count < 2 && poll < 300; poll++)
        {
            await Task.Delay(100);
            runs = (await officer.GetFromJsonAsync<JsonObject>("/privacy/retention/runs"))!["items"]!.AsArray();
        }

        runs.Count.ShouldBe(2);
        runs.ShouldAllBe(r => r!["trigger"]!.GetValue<string>() == "schedule");
        runs[0]!["startedAt"]!.GetValue<DateTimeOffset>().ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddMinutes(-1));
    }

    [Fact]
    public async Task four_simultaneous_requests_on_two_instances_make_one_run()
    {
        var connectionString = await api.Server.CreateDatabaseAsync("retention_once");
        await using var first = new LedgerFactory(connectionString, "Development");
        await using var second = new LedgerFactory(connectionString, "Development");
        using var officerOnFirst = first.ClientAs(Callers.PrivacyOfficer, purpose: null);
        using var adminOnSecond = second.ClientAs(Callers.Administrator, purpose: null);
        (await officerOnFirst.GetAsync("/privacy/retention/runs")).EnsureSuccessStatusCode();
        (await adminOnSecond.GetAsync("/privacy/retention/runs")).EnsureSuccessStatusCode();

        var answers = await Task.WhenAll(new[] { officerOnFirst, adminOnSecond, officerOnFirst, adminOnSecond }
            .Select(async client => await (await client.PostAsync("/privacy/retention/runs", null).EnsureAsync()).JsonAsync()));

        answers.Select(a => a["id"]!.GetValue<Guid>()).Distinct().ShouldHaveSingleItem();
        (await officerOnFirst.GetFromJsonAsync<JsonObject>("/privacy/retention/runs"))!["items"]!.AsArray().Count.ShouldBe(1);
    }

    private static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
