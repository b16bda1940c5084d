using System.Net.Http.Json;
using System.Text.Json.Nodes;
using InteractionLedger.Hosting;
using InteractionLedger.Overview;
using InteractionLedger.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace InteractionLedger.Tests.Overview;

/// <summary>Through the API, with the service's clock under the test's control.</summary>
public sealed class when_time_passes_without_contact(LedgerApi api)
{
    [Fact]
    public async Task the_customer_becomes_dormant_and_the_bot_is_told_to_reconnect()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        await using var ledger = new LedgerFactory(await api.Server.CreateDatabaseAsync("clock"), "Development", clock);
        using var client = ledger.CreateClient();
        var customerId = (await (await client.PostAsJsonAsync("/customers", new { displayName = "Alice Blanc" }))
            .Content.ReadFromJsonAsync<JsonObject>())!["customerId"]!.GetValue<Guid>();
        var contact = Contacts.Valid(occurredAt: clock.GetUtcNow().AddHours(-1));
        (await client.PostAsync($"/customers/{customerId}/interactions",
            new StringContent(contact.ToJsonString(), System.Text.Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();

        var active = await client.GetFromJsonAsync<UnifiedCustomerView>($"/customers/{customerId}/overview", ApiJson.Options);
        clock.Advance(TimeSpan.FromDays(181));
        var dormant = await client.GetFromJsonAsync<UnifiedCustomerView>($"/customers/{customerId}/overview", ApiJson.Options);
        var bot = await client.GetFromJsonAsync<BotContext>($"/bot-context?brand=horizon-telecom&customerId={customerId}", ApiJson.Options);

        active!.Intensity!.Dormant.ShouldBeFalse();
        active.Intensity!.ContactsLast30Days.ShouldBe(1);
        dormant!.Intensity!.Dormant.ShouldBeTrue();
        dormant.Intensity!.ContactsLast30Days.ShouldBe(0);
        dormant.Intensity!.DaysSinceLastContact.ShouldBe(181);
        bot!.NextStep.Action.ShouldBe("reconnect");
    }
}
