using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using InteractionLedger.Cases;
using InteractionLedger.Group;
using InteractionLedger.Hosting;
using InteractionLedger.Interactions;
using InteractionLedger.Overview;
using InteractionLedger.Tests.Support;

namespace InteractionLedger.Tests.Overview;

public sealed class when_an_agent_opens_the_unified_view(LedgerApi api)
{
    [Fact]
    public async Task it_sums_up_the_customer_across_channels_brands_and_cases()
    {
        var customerId = await api.RegisterCustomerAsync("Jeanne Martin");
        var now = DateTimeOffset.UtcNow;
        var caseId = (await (await api.PostJsonAsync($"/customers/{customerId}/cases",
            new { brand = "horizon-energie", reason = "billing", title = "Estimated reading", openedBy = "agent-1" }))
            .Content.ReadFromJsonAsync<CaseReceipt>(ApiJson.Options))!.CaseId;
        var phone = await api.RecordAsync(customerId, Contacts.Valid(Channel.Phone, occurredAt: now.AddDays(-20), brand: "horizon-energie", caseId: caseId));
        await api.RecordAsync(customerId, Contacts.Valid(Channel.Email, occurredAt: now.AddDays(-10), brand: "horizon-energie", caseId: caseId));
        await api.RecordAsync(customerId, Contacts.Valid(Channel.Phone, occurredAt: now.AddDays(-5), brand: "horizon-telecom"));
        await api.RecordAsync(customerId, Contacts.Valid(Channel.Chat, occurredAt: now.AddDays(-200), brand: "horizon-banque"));
        await api.SendJsonAsync(HttpMethod.Put, $"/customers/{customerId}/interactions/{phone["interactionId"]}/rating", "{\"satisfaction\": 1}");
        await api.PostJsonAsync($"/customers/{customerId}/identifiers", new { kind = "phone", value = "06 11 22 33 44", linkedBy = "agent-1", reason = "given" });

        var view = await api.GetAsync<UnifiedCustomerView>($"/customers/{customerId}/overview");

        view.ContactCount.ShouldBe(4);
        view.Who.DisplayName.ShouldBe("Jeanne Martin");
        view.Who.Brands.ShouldBe(["horizon-banque", "horizon-energie", "horizon-telecom"]);
        view.Who.Identifiers.ShouldHaveSingleItem().Value.ShouldBe("06 11 22 33 44");
        view.Reach.ContactsByChannel[Channel.Phone].ShouldBe(2);
        view.Reach.PreferredChannel.ShouldBe(new PreferredChannel(Channel.Phone, "behaviour"));
        view.Reach.ChannelsLast90Days.ShouldBe([Channel.Phone, Channel.Email], ignoreOrder: true);
        var open = view.Now.OpenCases.ShouldHaveSingleItem();
        open.ContactCount.ShouldBe(2);
        open.Channels.ShouldBe([Channel.Phone, Channel.Email]);
        view.Now.LastContacts.Count.ShouldBe(4);
        view.Now.LastContacts[0].ShouldContain("Horizon Télécom");
        view.Quality!.SatisfactionByChannel.ShouldHaveSingleItem().ShouldBe(new ChannelSatisfaction(Channel.Phone, 1, 1, 1));
        view.Quality!.NegativeShare.ShouldBe(1);
        view.Quality!.IndustryContactsPerAnswer.ShouldBe(2.8);
        view.Intensity!.ContactsLast30Days.ShouldBe(3);
        view.Intensity!.ContactsLast365Days.ShouldBe(4);
        view.Intensity!.Level.ShouldBe(RelationalIntensity.Medium);
        view.Intensity!.Dormant.ShouldBeFalse();

        (await api.PostJsonAsync($"/customers/{customerId}/cases/{caseId}/resolve", new { resolvedBy = "agent-1" })).EnsureSuccessStatusCode();
        (await api.SendJsonAsync(HttpMethod.Put, $"/customers/{customerId}/preferred-channel", "{\"channel\": \"sms\", \"recordedBy\": \"agent-1\"}"))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        var after = await api.GetAsync<UnifiedCustomerView>($"/customers/{customerId}/overview");
        after.Reach.PreferredChannel.ShouldBe(new PreferredChannel(Channel.Sms, "stated"));
        after.Quality!.ContactsPerResolvedCase.ShouldBe(2);
        after.Now.OpenCases.ShouldBeEmpty();
    }

    [Fact]
    public void dormancy_and_intensity_follow_the_clock_of_the_read()
    {
        var policy = new RelationshipPolicy { DormantAfterDays = 180 };
        var lastContact = new DateTimeOffset(2026, 1, 10, 9, 0, 0, TimeSpan.Zero);
        var overview = new CustomerOverview { Id = Guid.NewGuid(), ContactCount = 1, FirstContactAt = lastContact, LastContactAt = lastContact };
        overview.RecentContacts.Add(new ContactLine(Guid.NewGuid(), lastContact, "horizon-telecom", Channel.Phone, ContactReason.Billing,
            Outcome.Resolved, null, null, null));
        overview.ContactStamps.Add(new ContactStamp(lastContact, Channel.Phone));
        var group = new GroupCatalog { Name = "G", Brands = [new Brand("horizon-telecom", "Horizon Télécom")] };

        var soon = UnifiedCustomerView.Build(overview.Id, [overview], lastContact.AddDays(179), policy, group);
        var later = UnifiedCustomerView.Build(overview.Id, [overview], lastContact.AddDays(181), policy, group);
        var muchLater = UnifiedCustomerView.Build(overview.Id, [overview], lastContact.AddDays(400), policy, group);

        soon.Intensity!.Dormant.ShouldBeFalse();
        soon.Intensity!.Level.ShouldBe(RelationalIntensity.Low);
        later.Intensity!.Dormant.ShouldBeTrue();
        later.Intensity!.DaysSinceLastContact.ShouldBe(181);
        muchLater.Intensity!.Level.ShouldBe(RelationalIntensity.None);
        muchLater.Reach.PreferredChannel.ShouldBe(new PreferredChannel(Channel.Phone, "behaviour"));
    }
}

public sealed class when_a_chatbot_starts_a_conversation(LedgerApi api)
{
    [Fact]
    public async Task it_gets_a_small_context_and_is_told_to_continue_the_open_case()
    {
        var customerId = await api.RegisterCustomerAsync("Hugo Lefebvre");
        var phone = $"06{Random.Shared.Next(10000000, 99999999)}";
        await api.PostJsonAsync($"/customers/{customerId}/identifiers", new { kind = "phone", value = phone, linkedBy = "a", reason = "given" });
        var caseId = (await (await api.PostJsonAsync($"/customers/{customerId}/cases",
            new { brand = "horizon-telecom", reason = "technical-help", title = "Fibre drops at night", openedBy = "agent-1" }))
            .Content.ReadFromJsonAsync<CaseReceipt>(ApiJson.Options))!.CaseId;
        await api.RecordAsync(customerId, Contacts.Valid(Channel.Phone, caseId: caseId));

        var response = await api.Client.GetAsync($"/bot-context?brand=horizon-telecom&kind=phone&value={phone}");
        var json = await response.Content.ReadAsStringAsync();
        var context = (await response.Content.ReadFromJsonAsync<BotContext>(ApiJson.Options))!;

        json.Length.ShouldBeLessThan(4096);
        context.Known.ShouldBeTrue();
        context.CustomerId.ShouldBe(customerId);
        context.DisplayName.ShouldBe("Hugo Lefebvre");
        context.PreferredChannel.ShouldBe(Channel.Phone);
        context.OpenCases.ShouldHaveSingleItem().CaseId.ShouldBe(caseId);
        context.NextStep.Action.ShouldBe("continue-case");
        context.NextStep.CaseId.ShouldBe(caseId);
    }

    [Fact]
    public async Task after_two_negative_contacts_it_is_told_to_offer_a_human()
    {
        var customerId = await api.RegisterCustomerAsync();
        foreach (var minutesAgo in new[] { 30, 20 })
        {
            var contact = Contacts.Valid(Channel.Chatbot, occurredAt: DateTimeOffset.UtcNow.AddMinutes(-minutesAgo));
            contact["outcome"] = "unresolved";
            var id = (await api.RecordAsync(customerId, contact))["interactionId"];
            await api.SendJsonAsync(HttpMethod.Put, $"/customers/{customerId}/interactions/{id}/rating", "{\"satisfaction\": 1}");
        }

        var context = await api.GetAsync<BotContext>($"/bot-context?brand=horizon-telecom&customerId={customerId}");

        context.NextStep.Action.ShouldBe("offer-human");
        context.LastContacts.Count.ShouldBe(2);
    }

    [Fact]
    public async Task an_unknown_identifier_gives_no_history_and_asks_to_identify()
    {
        var context = await api.GetAsync<BotContext>("/bot-context?brand=horizon-banque&kind=chat-session&value=" + Guid.NewGuid());

        context.Known.ShouldBeFalse();
        context.CustomerId.ShouldBeNull();
        context.NextStep.Action.ShouldBe("identify");
    }

    [Fact]
    public async Task the_brand_is_required()
    {
        var response = await api.Client.GetAsync($"/bot-context?customerId={Guid.NewGuid()}");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.ProblemAsync()).ErrorFields().ShouldBe(["brand"]);
    }
}
