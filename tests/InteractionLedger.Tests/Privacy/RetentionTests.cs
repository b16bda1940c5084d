using System.Net.Http.Json;
using System.Text.Json.Nodes;
using InteractionLedger.Tests.Support;
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

        run["interactionsCleared"]!.GetValue<int>().ShouldBe(1);
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

        var history = await officer.GetFromJsonAsync<JsonArray>($"/privacy/customers/{customerId}/consents");
        history!.Select(e => e!["kind"]!.GetValue<string>()).ShouldBe(["given", "expired"]);
        var runs = await officer.GetFromJsonAsync<JsonArray>("/privacy/retention/runs");
        runs!.ShouldHaveSingleItem()!["trigger"]!.GetValue<string>().ShouldBe("privacy-officer");

        var second = await (await officer.PostAsync("/privacy/retention/runs", null).EnsureAsync()).JsonAsync();
        second["interactionsCleared"]!.GetValue<int>().ShouldBe(0, "a second run finds nothing left to erase");
    }

    private static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
