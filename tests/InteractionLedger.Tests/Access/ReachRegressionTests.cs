using System.Net;
using System.Text.Json.Nodes;
using InteractionLedger.Access;
using InteractionLedger.Tests.Support;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace InteractionLedger.Tests.Access;

/// <summary>What an attacker holding a brand-scoped key tried, one finding at a time (issue "Trust, part 1").</summary>
public sealed class when_a_brand_scoped_caller_reaches_for_another_brands_customer(LedgerApi api)
{
    private HttpClient As(string key, string purpose = "service") => api.Factory.ClientAs(key, purpose);

    private static JsonObject ByIdentifiers(JsonObject customer, string brand = "horizon-telecom") => new()
    {
        ["customer"] = customer,
        ["interaction"] = Contacts.Valid(brand: brand),
    };

    [Fact]
    public async Task recording_a_contact_of_its_own_brand_does_not_open_the_door()
    {
        var theirs = await ReachWorld.CreateAsync(api.Factory, "horizon-energie");
        using var telecom = As(Callers.TelecomIntegration);

        (await telecom.PostJsonAsync($"/customers/{theirs.Id}/interactions", Contacts.Valid())).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        using var agent = As(Callers.TelecomAgent);
        var overview = await agent.GetAsync($"/customers/{theirs.Id}/overview");
        overview.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await overview.Content.ReadAsStringAsync()).ShouldNotContain(theirs.Name);
        (await agent.PostJsonAsync($"/customers/{theirs.Id}/identifiers/unlink",
            new { kind = "phone", value = theirs.Phone, unlinkedBy = "agent-1", reason = "x" })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await ReachWorld.ContactCountAsync(api.Factory, theirs.Id)).ShouldBe(1, "nothing was appended to the other brand's customer");
    }

    [Fact]
    public async Task an_identifier_held_only_by_another_brands_customer_is_unknown_to_it_and_never_appends_there()
    {
        var theirs = await ReachWorld.CreateAsync(api.Factory, "horizon-energie");
        using var telecom = As(Callers.TelecomIntegration);

        foreach (var identifier in new JsonObject[]
                 {
                     new() { ["kind"] = "phone", ["value"] = theirs.Phone },
                     new() { ["kind"] = "email", ["value"] = theirs.Email.ToUpperInvariant() },
                 })
        {
            var answer = await telecom.PostJsonAsync("/interactions", ByIdentifiers(new JsonObject { ["identifiers"] = new JsonArray(identifier) }));
            answer.StatusCode.ShouldBe(HttpStatusCode.Created);
            var receipt = await answer.JsonAsync();
            receipt["customerCreated"]!.GetValue<bool>().ShouldBeTrue("a new customer of Télécom's, not theirs");
            receipt["customerId"]!.GetValue<Guid>().ShouldNotBe(theirs.Id);
        }

        var byNumber = await telecom.PostJsonAsync("/interactions", ByIdentifiers(new JsonObject
        {
            ["identifiers"] = new JsonArray(new JsonObject { ["kind"] = "brand-customer-number", ["value"] = theirs.Number, ["brand"] = "horizon-energie" }),
        }));
        byNumber.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await byNumber.JsonAsync())["field"]!.GetValue<string>().ShouldBe("customer.identifiers[0].brand");

        var byId = await telecom.PostJsonAsync("/interactions", ByIdentifiers(new JsonObject { ["customerId"] = theirs.Id.ToString() }));
        var unknown = await telecom.PostJsonAsync("/interactions", ByIdentifiers(new JsonObject { ["customerId"] = Guid.NewGuid().ToString() }));
        byId.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await byId.JsonAsync())["type"]!.ToString().ShouldBe((await unknown.JsonAsync())["type"]!.ToString());

        (await ReachWorld.ContactCountAsync(api.Factory, theirs.Id)).ShouldBe(1);
    }

    [Fact]
    public async Task the_other_holder_of_a_shared_identifier_is_a_possible_duplicate_only_group_callers_see()
    {
        var theirs = await ReachWorld.CreateAsync(api.Factory, "horizon-energie");
        using var telecom = As(Callers.TelecomIntegration);
        var created = await (await telecom.PostJsonAsync("/interactions",
            ByIdentifiers(new JsonObject { ["identifiers"] = new JsonArray(new JsonObject { ["kind"] = "phone", ["value"] = theirs.Phone }) }))).JsonAsync();
        var mine = created["customerId"]!.GetValue<Guid>();

        var asTelecom = await (await As(Callers.TelecomAgent).GetAsync($"/customers/{mine}")).Content.ReadAsStringAsync();
        asTelecom.ShouldNotContain(theirs.Id.ToString());
        var asGroup = await (await As(LedgerFactory.GroupAgentKey).GetAsync($"/customers/{mine}")).Content.ReadAsStringAsync();
        asGroup.ShouldContain(theirs.Id.ToString());
    }

    [Fact]
    public async Task candidates_cursors_bot_context_and_undo_name_nothing_outside_reach()
    {
        var first = await ReachWorld.CreateAsync(api.Factory, "horizon-energie");
        var second = await ReachWorld.CreateAsync(api.Factory, "horizon-energie");
        using var energie = As("dev-agent-horizon-energie");
        await energie.PostJsonAsync($"/customers/{second.Id}/identifiers",
            new { kind = "phone", value = first.Phone, linkedBy = "agent-2", reason = "Household phone" }).EnsureAsync();

        // Two Énergie customers share the phone: Énergie is asked to choose, Télécom never hears of them.
        var shared = ByIdentifiers(new JsonObject { ["identifiers"] = new JsonArray(new JsonObject { ["kind"] = "phone", ["value"] = first.Phone }) },
            "horizon-energie");
        (await energie.PostJsonAsync("/interactions", shared)).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        using var telecom = As(Callers.TelecomIntegration);
        var answer = await telecom.PostJsonAsync("/interactions",
            ByIdentifiers(new JsonObject { ["identifiers"] = new JsonArray(new JsonObject { ["kind"] = "phone", ["value"] = first.Phone }) }));
        var body = await answer.Content.ReadAsStringAsync();
        answer.StatusCode.ShouldBe(HttpStatusCode.Created);
        body.ShouldNotContain(first.Id.ToString());
        body.ShouldNotContain(second.Id.ToString());

        // A bot: an identifier only another brand holds reads exactly like one nobody holds.
        using var bot = As(Callers.TelecomBot);
        var held = await (await bot.GetAsync($"/bot-context?brand=horizon-telecom&kind=email&value={Uri.EscapeDataString(first.Email)}")).JsonAsync();
        var nobody = await (await bot.GetAsync($"/bot-context?brand=horizon-telecom&kind=email&value=nobody.{Guid.NewGuid():N}@example.org")).JsonAsync();
        held.ToJsonString().ShouldBe(nobody.ToJsonString());
        (await bot.GetAsync($"/bot-context?brand=horizon-energie&customerId={first.Id}")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        // Undo of a merge that never happened: the same 404 for a real customer of theirs and for an unknown id.
        var mine = await As(Callers.TelecomAgent).RegisterAsync();
        var undoTheirs = await As(Callers.TelecomAgent).PostJsonAsync($"/customers/{mine}/merges/{first.Id}/undo", new { decidedBy = "a", reason = "b" });
        var undoNobody = await As(Callers.TelecomAgent).PostJsonAsync($"/customers/{mine}/merges/{Guid.NewGuid()}/undo", new { decidedBy = "a", reason = "b" });
        undoTheirs.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        undoNobody.StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // A cursor is only good on the timeline it was made for.
        for (var i = 0; i < 3; i++) await api.RecordAsync(mine, Contacts.Valid());
        var page = await (await As(Callers.TelecomAgent).GetAsync($"/customers/{mine}/timeline?limit=1")).JsonAsync();
        var cursor = page["next"]!.GetValue<string>();
        var other = await As(Callers.TelecomAgent).RegisterAsync();
        (await As(Callers.TelecomAgent).GetAsync($"/customers/{other}/timeline?cursor={cursor}")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await As(Callers.TelecomAgent).GetAsync($"/customers/{mine}/timeline?cursor={cursor}")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task a_customer_who_shares_across_brands_is_within_reach_and_an_erased_one_is_gone_only_for_those_who_knew_them()
    {
        var sharing = await ReachWorld.CreateAsync(api.Factory, "horizon-energie", sharesAcrossBrands: true);
        using var telecom = As(Callers.TelecomAgent);
        (await telecom.GetAsync($"/customers/{sharing.Id}/overview")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await telecom.PostJsonAsync($"/customers/{sharing.Id}/interactions", Contacts.Valid())).StatusCode.ShouldBe(HttpStatusCode.Created);

        var erased = await ReachWorld.CreateErasedAsync(api.Factory, "horizon-energie");
        (await telecom.GetAsync($"/customers/{erased.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await As("dev-agent-horizon-energie").GetAsync($"/customers/{erased.Id}")).StatusCode.ShouldBe(HttpStatusCode.Gone);
    }

    [Fact]
    public async Task what_another_brand_holds_changes_nothing_a_brand_scoped_caller_can_observe()
    {
        var theirs = await ReachWorld.CreateAsync(api.Factory, "horizon-energie");
        using var telecom = As(Callers.TelecomAgent);
        var mine = await telecom.RegisterAsync();

        // Linking their phone to my customer: my lookup resolves to mine, as if nobody else held it.
        await telecom.PostJsonAsync($"/customers/{mine}/identifiers", new { kind = "phone", value = theirs.Phone, linkedBy = "a", reason = "b" }).EnsureAsync();
        var lookup = await (await telecom.GetAsync($"/identifiers?kind=phone&value={Uri.EscapeDataString(theirs.Phone)}")).JsonAsync();
        lookup["resolvesTo"]!.GetValue<Guid>().ShouldBe(mine);
        lookup["access"]![0]!["accessRecord"]!.GetValue<Guid>().ShouldNotBe(Guid.Empty, "a random reference, not a position that counts others' records");

        // A verified e-mail they hold is linked exactly as one nobody holds: same strength, same version step.
        var before = await (await telecom.GetAsync($"/customers/{mine}")).JsonAsync();
        var held = await (await telecom.PostJsonAsync($"/customers/{mine}/identifiers",
            new { kind = "email", value = theirs.Email, verified = true, linkedBy = "a", reason = "b" }).EnsureAsync()).JsonAsync();
        var fresh = await (await telecom.PostJsonAsync($"/customers/{mine}/identifiers",
            new { kind = "email", value = $"fresh.{Guid.NewGuid():N}@example.org", verified = true, linkedBy = "a", reason = "b" }).EnsureAsync()).JsonAsync();
        (held["version"]!.GetValue<long>() - before["version"]!.GetValue<long>()).ShouldBe(fresh["version"]!.GetValue<long>() - held["version"]!.GetValue<long>());
        held["possibleDuplicates"]!.AsArray().ShouldBeEmpty();
        var profile = await (await telecom.GetAsync($"/customers/{mine}")).JsonAsync();
        profile["identifiers"]!.AsArray().Where(i => i!["identifier"]!["kind"]!.GetValue<string>() == "email")
            .Select(i => i!["strength"]!.GetValue<string>()).Distinct().ShouldBe(["strong"]);
        profile["possibleDuplicates"]!.AsArray().ShouldBeEmpty();

        // ... and their own verification of it is untouched; the group sees both holders.
        using var energie = As("dev-agent-horizon-energie");
        await energie.PostJsonAsync($"/customers/{theirs.Id}/identifiers", new { kind = "email", value = theirs.Email, verified = true, linkedBy = "a", reason = "b" }).EnsureAsync();
        var theirProfile = await (await energie.GetAsync($"/customers/{theirs.Id}")).JsonAsync();
        theirProfile["identifiers"]!.AsArray().Single(i => i!["identifier"]!["kind"]!.GetValue<string>() == "email")!["strength"]!.GetValue<string>().ShouldBe("strong");
        theirProfile.ToJsonString().ShouldNotContain(mine.ToString());
        (await (await As(LedgerFactory.GroupAgentKey).GetAsync($"/customers/{mine}")).Content.ReadAsStringAsync()).ShouldContain(theirs.Id.ToString());

        // Their customer number can be neither linked nor unlinked by another brand.
        (await telecom.PostJsonAsync($"/customers/{mine}/identifiers/unlink",
            new { kind = "brand-customer-number", value = theirs.Number, brand = "horizon-energie", unlinkedBy = "a", reason = "b" }))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task on_a_customer_of_both_brands_what_the_other_brand_collected_stays_with_it()
    {
        var shared = await ReachWorld.CreateAsync(api.Factory, "horizon-energie");
        using var group = As("dev-integration-group");
        await group.PostJsonAsync($"/customers/{shared.Id}/interactions",
            Contacts.Valid(occurredAt: DateTimeOffset.UtcNow.AddDays(-400))).EnsureAsync();
        using var telecom = As(Callers.TelecomAgent);

        var profile = await (await telecom.GetAsync($"/customers/{shared.Id}")).Content.ReadAsStringAsync();
        var overview = await (await telecom.GetAsync($"/customers/{shared.Id}/overview")).JsonAsync();
        foreach (var text in new[] { profile, overview.ToJsonString() })
            foreach (var value in shared.PersonalValues) text.ShouldNotContain(value, Case.Insensitive);
        overview["who"]!["lastContactAt"]!.GetValue<DateTimeOffset>().ShouldBeLessThan(DateTimeOffset.UtcNow.AddDays(-300), "their contact's date is theirs");

        var lookup = await (await telecom.GetAsync($"/identifiers?kind=email&value={Uri.EscapeDataString(shared.Email)}")).JsonAsync();
        lookup["holders"]!.AsArray().ShouldBeEmpty("that they know this address is theirs");
        var relinked = await (await telecom.PostJsonAsync($"/customers/{shared.Id}/identifiers",
            new { kind = "email", value = shared.Email, linkedBy = "a", reason = "b" }).EnsureAsync()).JsonAsync();
        relinked["replayed"]!.GetValue<bool>().ShouldBeFalse("holding it through their brand is not holding it through mine");
    }

    [Fact]
    public async Task on_a_shared_customer_probes_through_dismissals_merges_undo_and_the_recent_window_tell_nothing()
    {
        var shared = await ReachWorld.CreateAsync(api.Factory, "horizon-banque");
        using var group = As("dev-integration-group");
        await group.PostJsonAsync($"/customers/{shared.Id}/interactions", Contacts.Valid(occurredAt: DateTimeOffset.UtcNow.AddDays(-100))).EnsureAsync();
        for (var i = 1; i <= 10; i++)
            await group.PostJsonAsync($"/customers/{shared.Id}/interactions", Contacts.Valid(brand: "horizon-banque", occurredAt: DateTimeOffset.UtcNow.AddDays(-i))).EnsureAsync();
        using var telecom = As(Callers.TelecomAgent);

        // Their contacts cannot join my brand's case, whose figures I am shown (third outside test).
        var myCase = Guid.NewGuid();
        await group.PostJsonAsync($"/customers/{shared.Id}/cases", new { caseId = myCase, brand = "horizon-telecom", reason = "billing", title = "t", openedBy = "a" }).EnsureAsync();
        (await group.PostJsonAsync($"/customers/{shared.Id}/interactions", Contacts.Valid(brand: "horizon-banque", caseId: myCase)))
            .StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await group.PostJsonAsync($"/customers/{shared.Id}/cases/{myCase}/interactions", new { interactionId = shared.InteractionId, attachedBy = "a" }))
            .StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);

        // Their eleven newer contacts do not push mine out of what I am shown.
        var overview = await (await telecom.GetAsync($"/customers/{shared.Id}/overview")).JsonAsync();
        overview["now"]!["lastContacts"]!.AsArray().Count.ShouldBe(1);
        overview["who"]!["lastContactAt"].ShouldNotBeNull();

        // A customer of mine holding their phone cannot be dismissed as a duplicate: it is not listed to me.
        var mine = await telecom.RegisterAsync();
        await telecom.PostJsonAsync($"/customers/{mine}/identifiers", new { kind = "phone", value = shared.Phone, linkedBy = "a", reason = "b" }).EnsureAsync();
        var other = await telecom.RegisterAsync();
        var heldByThem = await telecom.PostJsonAsync($"/customers/{shared.Id}/possible-duplicates/{mine}/dismiss", new { dismissedBy = "a", reason = "b" });
        var notHeld = await telecom.PostJsonAsync($"/customers/{shared.Id}/possible-duplicates/{other}/dismiss", new { dismissedBy = "a", reason = "b" });
        heldByThem.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        notHeld.StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // Incomplete requests naming another brand's customer are refused for their input, as for an unknown id.
        var theirs = await ReachWorld.CreateAsync(api.Factory, "horizon-banque");
        (await telecom.PostJsonAsync($"/customers/{mine}/merges", new { absorbedCustomerId = theirs.Id })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await telecom.PostJsonAsync($"/customers/{mine}/possible-duplicates/{theirs.Id}/dismiss", new { })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        // Once a merge is undone, the customer restored out of my reach is, to me, one never merged here.
        using var groupAgent = As(LedgerFactory.GroupAgentKey);
        await groupAgent.PostJsonAsync($"/customers/{shared.Id}/merges", new { absorbedCustomerId = theirs.Id, decidedBy = "a", reason = "same" }).EnsureAsync();
        await telecom.PostJsonAsync($"/customers/{shared.Id}/merges/{theirs.Id}/undo", new { decidedBy = "a", reason = "not the same" }).EnsureAsync();
        (await telecom.PostJsonAsync($"/customers/{shared.Id}/merges/{theirs.Id}/undo", new { decidedBy = "a", reason = "again" }))
            .StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // Each brand's link of one address keeps the other's: neither hides nor weakens it for the other.
        using var banque = As("dev-agent-horizon-banque");
        var address = $"both.{Guid.NewGuid():N}@example.org";
        await telecom.PostJsonAsync($"/customers/{shared.Id}/identifiers", new { kind = "email", value = address, linkedBy = "a", reason = "b" }).EnsureAsync();
        await banque.PostJsonAsync($"/customers/{shared.Id}/identifiers", new { kind = "email", value = address, verified = true, linkedBy = "a", reason = "b" }).EnsureAsync();
        var seenByTelecom = (await (await telecom.GetAsync($"/customers/{shared.Id}")).JsonAsync())["identifiers"]!.AsArray()
            .Single(i => i!["identifier"]!["value"]!.GetValue<string>() == address)!;
        seenByTelecom["identifier"]!["brand"]!.GetValue<string>().ShouldBe("horizon-telecom", "which other brands hold it too is not shown");
        seenByTelecom.AsObject().ContainsKey("collectedFor").ShouldBeTrue();
        seenByTelecom["collectedFor"].ShouldBeNull();
        (await (await banque.GetAsync($"/customers/{shared.Id}")).JsonAsync())["identifiers"]!.AsArray()
            .Single(i => i!["identifier"]!["value"]!.GetValue<string>() == address)!["strength"]!.GetValue<string>().ShouldBe("strong");
        (await (await telecom.GetAsync($"/identifiers?kind=email&value={address}")).JsonAsync())["resolvesTo"]!.GetValue<Guid>().ShouldBe(shared.Id);

        // Télécom's customer gave the address up: Télécom no longer knows them by it, Banque still does.
        await telecom.PostJsonAsync($"/customers/{shared.Id}/identifiers/unlink", new { kind = "email", value = address, unlinkedBy = "a", reason = "Gave it up" })
            .EnsureAsync();
        (await (await telecom.GetAsync($"/customers/{shared.Id}")).Content.ReadAsStringAsync()).ShouldNotContain(address);
        (await (await banque.GetAsync($"/customers/{shared.Id}")).Content.ReadAsStringAsync()).ShouldContain(address);
        (await (await banque.GetAsync($"/identifiers?kind=email&value={address}")).JsonAsync())["resolvesTo"]!.GetValue<Guid>().ShouldBe(shared.Id);
        (await telecom.PostJsonAsync($"/customers/{shared.Id}/identifiers/unlink", new { kind = "email", value = address, unlinkedBy = "a", reason = "again" }))
            .StatusCode.ShouldBe(HttpStatusCode.NotFound, "to Télécom the customer is not known by it any more");
    }

    [Fact]
    public async Task a_brand_scoped_principal_never_reaches_the_privacy_officers_desk_whatever_its_role()
    {
        await using var factory = new LedgerFactory(await api.Server.CreateDatabaseAsync("scopedofficer"), "Development", settings: new Dictionary<string, string>
        {
            ["Ledger:Principals:0:Id"] = "officer-telecom", ["Ledger:Principals:0:Role"] = "PrivacyOfficer",
            ["Ledger:Principals:0:Brands:0"] = "horizon-telecom",
            ["Ledger:Principals:0:KeySha256"] = InteractionLedger.Access.PrincipalDirectory.Hash("scoped-officer-key"),
        });
        using var officer = factory.ClientAs("scoped-officer-key", "data-subject-rights");
        (await officer.GetAsync("/privacy/accesses")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await officer.GetAsync($"/privacy/customers/{Guid.NewGuid()}/export")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public void every_endpoint_declares_its_reach_rule_and_every_route_naming_a_customer_one_that_checks_it()
    {
        var endpoints = api.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        endpoints.Count.ShouldBeGreaterThan(30);
        var undeclared = endpoints.Where(e => e.Metadata.GetMetadata<ReachRule>() is null).Select(e => e.RoutePattern.RawText).ToList();
        undeclared.ShouldBeEmpty("every route declares how the reach rule applies to it (Access/CustomerReach.cs)");

        // A console page checks nothing itself: it calls the API's routes, checked here, as the signed-in person (and a
        // test, console_pages_reach_customers_only_through_the_api, keeps it from reaching data any other way).
        ReachRule[] checking = [ReachRule.CustomerInRoute, ReachRule.PersonalDataGate, ReachRule.GroupWide, ReachRule.ThroughTheApi];
        var unchecked_ = endpoints.Where(e => e.RoutePattern.Parameters.Any(p => p.Name == "customerId"))
            .Where(e => !e.Metadata.OfType<ReachRule>().Any(checking.Contains)).Select(e => e.RoutePattern.RawText).ToList();
        unchecked_.ShouldBeEmpty("a route naming {customerId} checks the reach rule");

        // Writes need the filter itself: the gate decides reads only.
        var writes = endpoints.Where(e => e.RoutePattern.Parameters.Any(p => p.Name == "customerId")
                                          && e.Metadata.GetMetadata<ReachRule>() != ReachRule.ThroughTheApi
                                          && e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()!.HttpMethods.Any(m => m != "GET"))
            .Where(e => !e.Metadata.OfType<ReachRule>().Any(r => r == ReachRule.CustomerInRoute || r == ReachRule.GroupWide))
            .Select(e => e.RoutePattern.RawText).ToList();
        writes.ShouldBeEmpty();
    }
}
