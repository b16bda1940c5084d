using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using InteractionLedger.Tests.Support;

namespace InteractionLedger.Tests.Privacy;

public sealed class when_callers_read_customer_data(LedgerApi api)
{
    private HttpClient As(string? key, string? purpose = "service") => api.Factory.ClientAs(key, purpose);

    [Fact]
    public async Task nobody_reads_or_writes_without_a_known_key_but_health_and_the_api_description_stay_open()
    {
        var customerId = await As(Callers.TelecomAgent).RegisterAsync();
        using var anonymous = As(null);
        using var impostor = As("dev-agent-horizon-telecom-typo");

        (await anonymous.GetAsync($"/customers/{customerId}")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await anonymous.PostJsonAsync($"/customers/{customerId}/interactions", Contacts.Valid())).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await impostor.GetAsync($"/customers/{customerId}/timeline")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await anonymous.GetAsync("/privacy/record-of-processing")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await anonymous.GetAsync("/health/ready")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await anonymous.GetAsync("/swagger/v1/swagger.json")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await anonymous.GetAsync("/group")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var problem = await (await anonymous.GetAsync($"/customers/{customerId}")).ProblemAsync();
        problem["detail"]!.GetValue<string>().ShouldContain("X-Api-Key");
    }

    [Fact]
    public async Task a_role_calling_what_is_not_its_job_gets_403()
    {
        var customerId = await As(Callers.TelecomAgent).RegisterAsync();
        using var bot = As(Callers.TelecomBot);
        using var agent = As(Callers.TelecomAgent);
        using var administrator = As(Callers.Administrator);

        (await bot.PostJsonAsync($"/customers/{customerId}/cases", new { brand = "horizon-telecom", reason = "billing", title = "x", openedBy = "bot" }))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await agent.PostJsonAsync($"/privacy/customers/{customerId}/erasure", new { reason = "because" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await agent.GetAsync("/privacy/record-of-processing")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await agent.GetAsync("/privacy/access-ledger/verification")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await administrator.GetAsync("/privacy/access-ledger/verification")).StatusCode.ShouldBe(HttpStatusCode.OK);

        // An administrator may call read endpoints, but the purpose policy refuses it service reads, and says so on record.
        var refused = await administrator.GetAsync($"/customers/{customerId}/timeline");
        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await refused.ProblemAsync())["accessRecord"]!.GetValue<Guid>().ShouldNotBe(Guid.Empty);
        (await RecordsOf(customerId)).ShouldContain(r => r["principal"]!.GetValue<string>() == "administrator" && r["decision"]!.GetValue<string>() == "refused");
    }

    [Theory]
    [InlineData(null, "State why you read")]
    [InlineData("curiosity", "is not a purpose")]
    [InlineData("cross-brand-sharing", "consented to, not read for")]
    public async Task a_read_without_a_known_purpose_is_a_400_naming_the_purpose_and_reads_nothing(string? purpose, string message)
    {
        var customerId = await As(Callers.TelecomAgent).RegisterAsync();
        using var agent = As(Callers.TelecomAgent, purpose);

        foreach (var url in new[] { $"/customers/{customerId}", $"/customers/{customerId}/timeline", $"/customers/{customerId}/overview",
                     $"/customers/{customerId}/cases", $"/bot-context?brand=horizon-telecom&customerId={customerId}" })
        {
            var response = await agent.GetAsync(url);
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, url);
            var problem = await response.ProblemAsync();
            problem.ErrorFields().ShouldBe(["purpose"]);
            problem["errors"]!["purpose"]![0]!.GetValue<string>().ShouldContain(message);
        }
        (await RecordsOf(customerId)).ShouldBeEmpty();
    }

    [Fact]
    public async Task guessed_ids_of_another_brands_customer_answer_like_unknown_ones_and_the_attempt_is_on_record()
    {
        using var telecom = As(Callers.TelecomAgent);
        using var energie = As(Callers.EnergieAgent);
        var theirs = await telecom.RegisterAsync();
        var contact = Contacts.Valid();
        await telecom.PostJsonAsync($"/customers/{theirs}/interactions", contact).EnsureAsync();
        var interactionId = contact["interactionId"]!.GetValue<string>();
        var caseId = (await (await telecom.PostJsonAsync($"/customers/{theirs}/cases",
            new { brand = "horizon-telecom", reason = "billing", title = "Invoice doubled", openedBy = "agent-1" }).EnsureAsync()).JsonAsync())["caseId"]!;
        var mine = await energie.RegisterAsync("horizon-energie");

        foreach (var url in new[] { $"/customers/{theirs}", $"/customers/{theirs}/timeline", $"/customers/{theirs}/overview",
                     $"/customers/{theirs}/cases", $"/customers/{theirs}/cases/{caseId}", $"/customers/{theirs}/interactions/{interactionId}",
                     $"/customers/{theirs}/consents" })
            (await energie.GetAsync(url)).StatusCode.ShouldBe(HttpStatusCode.NotFound, url);
        (await energie.GetAsync($"/bot-context?brand=horizon-energie&customerId={theirs}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        // Their contact or case under my own customer's id is not mine either.
        (await energie.GetAsync($"/customers/{mine}/interactions/{interactionId}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await energie.GetAsync($"/customers/{mine}/cases/{caseId}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // Nor can it change them.
        (await energie.PutAsJsonAsync($"/customers/{theirs}/interactions/{interactionId}/rating", new { satisfaction = 1 })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await energie.PostJsonAsync($"/customers/{theirs}/cases/{caseId}/resolve", new { resolvedBy = "x", resolution = "closed" })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await energie.PostJsonAsync($"/customers/{theirs}/consents", new { consentId = Guid.NewGuid(), purpose = "marketing", collectedVia = "phone", notice = "n" }))
            .StatusCode.ShouldBe(HttpStatusCode.NotFound);
        // Out of reach is decided before anything else: even a contact for a brand it does not act for reads as unknown.
        (await energie.PostJsonAsync($"/customers/{theirs}/interactions", Contacts.Valid())).StatusCode.ShouldBe(HttpStatusCode.NotFound, "a Télécom contact");
        (await energie.PostJsonAsync($"/customers/{theirs}/interactions", Contacts.Valid(brand: "horizon-energie")))
            .StatusCode.ShouldBe(HttpStatusCode.NotFound, "a contact of its own brand does not open the door");
        (await energie.PostJsonAsync($"/customers/{mine}/consents",
                new { consentId = Guid.NewGuid(), purpose = "marketing", brand = "horizon-telecom", collectedVia = "phone", notice = "n" }))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden, "a consent for Télécom, recorded by Énergie");
        // Nor pull them into one of its own customers by a merge, to read them through it.
        (await energie.PostJsonAsync($"/customers/{mine}/merges", new { absorbedCustomerId = theirs, decidedBy = "agent-9", reason = "same person" }))
            .StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var attempts = await RecordsOf(theirs);
        attempts.Count(r => r["principal"]!.GetValue<string>() == "agent-horizon-energie" && r["decision"]!.GetValue<string>() == "refused")
            .ShouldBeGreaterThanOrEqualTo(7);
        (await telecom.GetAsync($"/customers/{theirs}/timeline")).StatusCode.ShouldBe(HttpStatusCode.OK, "nothing was changed by the attempts");
    }

    [Fact]
    public async Task another_brands_history_shows_only_once_the_customer_shares_it_across_the_group()
    {
        using var telecom = As(Callers.TelecomAgent);
        using var group = As("dev-integration-group");
        var customerId = await telecom.RegisterAsync();
        await telecom.PostJsonAsync($"/customers/{customerId}/interactions", Contacts.Valid()).EnsureAsync();
        // The group's own platform records the customer's contact with another brand: only it may bring a brand in.
        await group.PostJsonAsync($"/customers/{customerId}/interactions", Contacts.Valid(brand: "horizon-energie", channel: InteractionLedger.Interactions.Channel.Email)).EnsureAsync();

        var before = await (await telecom.GetAsync($"/customers/{customerId}/timeline")).JsonAsync();
        await telecom.PostJsonAsync($"/customers/{customerId}/consents",
            new { consentId = Guid.NewGuid(), purpose = "cross-brand-sharing", collectedVia = "phone", notice = "Group notice v3" }).EnsureAsync();
        var after = await (await telecom.GetAsync($"/customers/{customerId}/timeline")).JsonAsync();

        before["items"]!.AsArray().Select(i => i!["brand"]!.GetValue<string>()).ShouldBe(["horizon-telecom"]);
        before["access"]!["decision"]!.GetValue<string>().ShouldBe("reduced");
        before["access"]!["withheld"]![0]!["part"]!.GetValue<string>().ShouldBe("other-brands");
        before["access"]!["withheld"]![0]!["reason"]!.GetValue<string>().ShouldContain("horizon-energie");
        after["items"]!.AsArray().Select(i => i!["brand"]!.GetValue<string>()).ShouldBe(["horizon-energie", "horizon-telecom"], ignoreOrder: true);
        after["access"]!["decision"]!.GetValue<string>().ShouldBe("allowed");
    }

    [Fact]
    public async Task consent_withdrawn_between_two_reads_refuses_the_second_and_the_officer_sees_the_first_relied_on_it()
    {
        using var agent = As(Callers.TelecomAgent);
        using var marketing = As(Callers.TelecomAgent, "marketing");
        using var officer = As(Callers.PrivacyOfficer, purpose: null);
        var customerId = await agent.RegisterAsync();
        await agent.PostJsonAsync($"/customers/{customerId}/interactions", Contacts.Valid()).EnsureAsync();
        await agent.PostJsonAsync($"/customers/{customerId}/consents",
            new { consentId = Guid.NewGuid(), purpose = "marketing", brand = "horizon-telecom", collectedVia = "self-service", notice = "Offers v2" }).EnsureAsync();

        var first = await marketing.GetAsync($"/customers/{customerId}/overview");
        await agent.PostJsonAsync($"/customers/{customerId}/consents/withdrawals", new { purpose = "marketing", brand = "horizon-telecom", collectedVia = "email" }).EnsureAsync();
        var second = await marketing.GetAsync($"/customers/{customerId}/overview");

        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        var view = await first.JsonAsync();
        view["access"]!["decision"]!.GetValue<string>().ShouldBe("reduced");
        view["access"]!["withheld"]!.AsArray().Select(w => w!["part"]!.GetValue<string>()).ShouldContain("free-text");
        view["now"]!["lastContacts"]![0]!.GetValue<string>().ShouldNotContain("invoice");
        second.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await second.ProblemAsync())["detail"]!.GetValue<string>().ShouldContain("withdrew");

        var history = await officer.GetFromJsonAsync<JsonArray>($"/privacy/customers/{customerId}/consents");
        history!.Select(e => e!["kind"]!.GetValue<string>()).ShouldBe(["given", "withdrawn"]);
        var underWithdrawn = (await officer.GetFromJsonAsync<JsonObject>($"/privacy/customers/{customerId}/accesses-under-withdrawn-consent"))!;
        underWithdrawn["next"].ShouldBeNull();
        underWithdrawn["items"]!.AsArray().ShouldHaveSingleItem()!["purpose"]!.GetValue<string>().ShouldBe("marketing");
    }

    [Fact]
    public async Task a_bot_gets_compact_context_without_what_agents_wrote_and_says_what_it_left_out()
    {
        using var agent = As(Callers.TelecomAgent);
        using var bot = As(Callers.TelecomBot);
        var customerId = await agent.RegisterAsync(displayName: "Zoé Garnier");
        await agent.PostJsonAsync($"/customers/{customerId}/interactions", Contacts.Valid()).EnsureAsync();

        var context = await (await bot.GetAsync($"/bot-context?brand=horizon-telecom&customerId={customerId}").EnsureAsync()).JsonAsync();

        context["displayName"]!.GetValue<string>().ShouldBe("Zoé Garnier");
        context["lastContacts"]![0]!.GetValue<string>().ShouldNotContain("invoice");
        var withheld = context["access"]!["withheld"]!.AsArray().Select(w => w!["part"]!.GetValue<string>()).ToList();
        withheld.ShouldContain("free-text");
        withheld.ShouldContain("profiling");
        context["nextStep"]!["reason"]!.GetValue<string>().ShouldContain("withheld");
    }

    private async Task<List<JsonNode>> RecordsOf(Guid customerId)
    {
        using var officer = As(Callers.PrivacyOfficer, purpose: null);
        var page = await officer.GetFromJsonAsync<JsonObject>($"/privacy/customers/{customerId}/accesses?limit=200");
        // The officer's own reading of the ledger is recorded too: what is counted here is everyone else's reads.
        return page!["items"]!.AsArray().Select(r => r!["record"]!).Where(r => r["view"]!.GetValue<string>() != "access-ledger").ToList();
    }
}
