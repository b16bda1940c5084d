using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using InteractionLedger.Tests.Support;

namespace InteractionLedger.Tests.Privacy;

public sealed class when_the_privacy_officer_answers_a_customer_and_a_regulator(LedgerApi api)
{
    [Fact]
    public async Task the_export_holds_everything_about_the_customer_and_is_itself_on_record()
    {
        using var agent = api.Factory.ClientAs(Callers.TelecomAgent);
        using var officer = api.Factory.ClientAs(Callers.PrivacyOfficer, "data-subject-rights");
        var customerId = await agent.RegisterAsync(displayName: "Lina Export");
        await agent.PostJsonAsync($"/customers/{customerId}/identifiers",
            new { kind = "phone", value = "+3361" + Random.Shared.Next(1000000, 9999999), linkedBy = "a", reason = "r" }).EnsureAsync();
        var contact = Contacts.Valid();
        await agent.PostJsonAsync($"/customers/{customerId}/interactions", contact).EnsureAsync();
        (await agent.PutAsJsonAsync($"/customers/{customerId}/interactions/{contact["interactionId"]}/rating", new { satisfaction = 4, comment = "Quick" }))
            .EnsureSuccessStatusCode();
        await agent.PostJsonAsync($"/customers/{customerId}/cases", new { brand = "horizon-telecom", reason = "billing", title = "Invoice", openedBy = "a" }).EnsureAsync();
        await agent.PostJsonAsync($"/customers/{customerId}/consents", new { consentId = Guid.NewGuid(), purpose = "personalisation", collectedVia = "chat", notice = "v1" }).EnsureAsync();
        (await agent.GetAsync($"/customers/{customerId}/timeline")).EnsureSuccessStatusCode();

        var export = await (await officer.GetAsync($"/privacy/customers/{customerId}/export").EnsureAsync()).JsonAsync();

        export["customers"]![0]!["displayName"]!.GetValue<string>().ShouldBe("Lina Export");
        export["customers"]![0]!["identifiers"]!.AsObject().Count.ShouldBe(1);
        export["interactions"]!.AsArray().ShouldHaveSingleItem()!["rating"]!["comment"]!.GetValue<string>().ShouldBe("Quick");
        export["cases"]!.AsArray().ShouldHaveSingleItem();
        export["consents"]!.AsArray().ShouldHaveSingleItem()!["purpose"]!.GetValue<string>().ShouldBe("personalisation");
        export["accesses"]!.AsArray().ShouldContain(a => a!["record"]!["view"]!.GetValue<string>() == "timeline");
        export["events"]!.AsArray().Count.ShouldBe(6);
        export["access"]!["decision"]!.GetValue<string>().ShouldBe("allowed");
        export["access"]!["legalBasis"]!.GetValue<string>().ShouldBe("legal-obligation");

        // Only a privacy officer exports, and only for the customer's rights.
        (await api.Factory.ClientAs(Callers.PrivacyOfficer, "service").GetAsync($"/privacy/customers/{customerId}/export"))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await agent.GetAsync($"/privacy/customers/{customerId}/export")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var records = await officer.GetFromJsonAsync<JsonObject>($"/privacy/accesses?customerId={customerId}&purpose=data-subject-rights");
        records!["items"]!.AsArray().Select(r => r!["record"]!["view"]!.GetValue<string>()).ShouldContain("export");
    }

    [Fact]
    public async Task the_record_of_processing_lists_every_purpose_with_its_basis_who_uses_it_and_how_much()
    {
        using var agent = api.Factory.ClientAs(Callers.TelecomAgent);
        using var marketing = api.Factory.ClientAs(Callers.TelecomAgent, "marketing");
        using var officer = api.Factory.ClientAs(Callers.PrivacyOfficer, purpose: null);
        var customerId = await agent.RegisterAsync();
        (await agent.GetAsync($"/customers/{customerId}")).EnsureSuccessStatusCode();
        (await marketing.GetAsync($"/customers/{customerId}")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        var record = await officer.GetFromJsonAsync<JsonObject>("/privacy/record-of-processing");

        var activities = record!["activities"]!.AsArray();
        activities.Select(a => a!["purpose"]!.GetValue<string>()).ShouldBe(
            ["service", "personalisation", "marketing", "analytics", "cross-brand-sharing", "bot-profiling", "data-subject-rights"]);
        var service = activities.Single(a => a!["purpose"]!.GetValue<string>() == "service")!;
        service["legalBasis"]!.GetValue<string>().ShouldBe("contract");
        service["rolesAndParts"]!["agent"]!.AsArray().ShouldNotBeEmpty();
        service["reads"]!.AsArray().ShouldContain(v => v!["role"]!.GetValue<string>() == "agent" && v["decision"]!.GetValue<string>() == "allowed");
        activities.Single(a => a!["purpose"]!.GetValue<string>() == "marketing")!["reads"]!.AsArray()
            .ShouldContain(v => v!["decision"]!.GetValue<string>() == "refused");
        activities.Single(a => a!["purpose"]!.GetValue<string>() == "marketing")!["legalBasis"]!.GetValue<string>().ShouldBe("consent");
    }
}
