using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using InteractionLedger.Customers;
using InteractionLedger.Hosting;
using InteractionLedger.Identity;
using InteractionLedger.Tests.Support;

namespace InteractionLedger.Tests.Identity;

public sealed class when_customers_are_known_by_identifiers(LedgerApi api)
{
    private static string UniqueEmail() => $"jeanne.{Guid.NewGuid():N}@example.com";
    private static string UniquePhone() => "+3361" + Random.Shared.Next(1000000, 9999999);

    private Task<HttpResponseMessage> Link(Guid customerId, string kind, string value, bool verified = false, string? brand = null) =>
        api.PostJsonAsync($"/customers/{customerId}/identifiers",
            new { kind, value, brand, verified, linkedBy = "agent-7", reason = "given on the phone" });

    private async Task<HttpResponseMessage> RecordFor(object customer, JsonObject? contact = null)
    {
        contact ??= Contacts.Valid();
        return await api.SendJsonAsync(HttpMethod.Post, "/interactions",
            new JsonObject { ["customer"] = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(customer, ApiJson.Options)), ["interaction"] = contact.DeepClone() }.ToJsonString());
    }

    [Fact]
    public async Task a_strong_identifier_belongs_to_one_customer_and_is_never_moved_silently()
    {
        var first = await api.RegisterCustomerAsync();
        var second = await api.RegisterCustomerAsync();
        var email = UniqueEmail();

        (await Link(first, "email", email, verified: true)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var again = await Link(first, "email", email.ToUpperInvariant(), verified: true);
        var stolen = await Link(second, "email", email, verified: true);

        (await again.Content.ReadFromJsonAsync<IdentifierReceipt>(ApiJson.Options))!.Replayed.ShouldBeTrue();
        stolen.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        var problem = await stolen.ProblemAsync();
        problem.ErrorFields().ShouldBe(["value"]);
        problem["detail"]!.GetValue<string>().ShouldContain(first.ToString());

        var unlinked = await api.PostJsonAsync($"/customers/{first}/identifiers/unlink",
            new { kind = "email", value = email, unlinkedBy = "agent-7", reason = "address given up" });
        unlinked.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Link(second, "email", email, verified: true)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var lookup = await api.GetAsync<IdentifierLookup>($"/identifiers?kind=email&value={Uri.EscapeDataString(email)}");
        lookup.ResolvesTo.ShouldBe(second);
    }

    [Fact]
    public async Task a_weak_identifier_may_be_shared_and_makes_possible_duplicates_instead_of_a_merge()
    {
        var parent = await api.RegisterCustomerAsync();
        var child = await api.RegisterCustomerAsync();
        var householdPhone = UniquePhone();

        await Link(parent, "phone", householdPhone);
        var shared = await Link(child, "phone", householdPhone);

        shared.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await shared.Content.ReadFromJsonAsync<IdentifierReceipt>(ApiJson.Options))!.PossibleDuplicates.ShouldBe([parent]);
        var profile = await api.GetAsync<CustomerProfile>($"/customers/{child}");
        profile.PossibleDuplicates.ShouldHaveSingleItem().OtherCustomerId.ShouldBe(parent);
        var lookup = await api.GetAsync<IdentifierLookup>($"/identifiers?kind=phone&value={Uri.EscapeDataString(householdPhone)}");
        lookup.Holders.Select(h => h.CustomerId).ShouldBe([parent, child], ignoreOrder: true);
        lookup.ResolvesTo.ShouldBeNull();

        var ambiguous = await RecordFor(new { identifiers = new[] { new { kind = "phone", value = householdPhone } } });
        ambiguous.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        var candidates = (await ambiguous.ProblemAsync())["candidates"]!.AsArray().Select(c => c!.GetValue<Guid>());
        candidates.ShouldBe([parent, child], ignoreOrder: true);

        var dismissed = await api.PostJsonAsync($"/customers/{child}/possible-duplicates/{parent}/dismiss",
            new { dismissedBy = "agent-7", reason = "Mother and son" });
        dismissed.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await api.GetAsync<CustomerProfile>($"/customers/{child}")).PossibleDuplicates.ShouldBeEmpty();
        (await api.PostJsonAsync($"/customers/{child}/possible-duplicates/{Guid.NewGuid()}/dismiss",
            new { dismissedBy = "agent-7", reason = "?" })).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var chosen = await RecordFor(new { customerId = child, identifiers = new[] { new { kind = "phone", value = householdPhone } } });
        chosen.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await chosen.Content.ReadFromJsonAsync<IdentifiedContactReceipt>(ApiJson.Options))!.CustomerId.ShouldBe(child);
    }

    [Fact]
    public async Task an_unknown_identifier_creates_the_customer_and_the_next_contact_finds_them()
    {
        var email = UniqueEmail();
        var party = new { identifiers = new[] { new { kind = "email", value = email } }, displayName = "Léa Petit" };

        var first = await RecordFor(party);
        var second = await RecordFor(new { identifiers = new[] { new { kind = "email", value = email.ToUpperInvariant() } } });

        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        var created = (await first.Content.ReadFromJsonAsync<IdentifiedContactReceipt>(ApiJson.Options))!;
        created.CustomerCreated.ShouldBeTrue();
        var found = (await second.Content.ReadFromJsonAsync<IdentifiedContactReceipt>(ApiJson.Options))!;
        found.CustomerCreated.ShouldBeFalse();
        found.CustomerId.ShouldBe(created.CustomerId);
        var profile = await api.GetAsync<CustomerProfile>($"/customers/{created.CustomerId}");
        profile.DisplayName.ShouldBe("Léa Petit");
        profile.InteractionCount.ShouldBe(2);
        profile.Identifiers.ShouldHaveSingleItem().Identifier.Original.ShouldBe(email);
    }

    [Fact]
    public async Task concurrent_first_contacts_naming_the_same_new_person_end_as_one_customer()
    {
        var email = UniqueEmail();
        var phone = UniquePhone();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => RecordFor(new
        {
            identifiers = i % 2 == 0
                ? new object[] { new { kind = "email", value = email } }
                : new object[] { new { kind = "email", value = email }, new { kind = "phone", value = phone } },
        }))));

        responses.ShouldAllBe(r => r.StatusCode == HttpStatusCode.Created);
        var receipts = await Task.WhenAll(responses.Select(r => r.Content.ReadFromJsonAsync<IdentifiedContactReceipt>(ApiJson.Options)));
        receipts.Select(r => r!.CustomerId).Distinct().ShouldHaveSingleItem();
        receipts.Count(r => r!.CustomerCreated).ShouldBe(1);
        (await api.GetAsync<CustomerProfile>($"/customers/{receipts[0]!.CustomerId}")).InteractionCount.ShouldBe(8);
    }

    [Fact]
    public async Task identifiers_of_two_different_customers_are_a_conflict_not_a_guess()
    {
        var first = await api.RegisterCustomerAsync();
        var second = await api.RegisterCustomerAsync();
        var email = UniqueEmail();
        var number = $"C-{Guid.NewGuid():N}"[..12];
        await Link(first, "email", email, verified: true);
        await Link(second, "brand-customer-number", number, brand: "horizon-telecom");

        var response = await RecordFor(new
        {
            identifiers = new object[]
            {
                new { kind = "email", value = email }, new { kind = "brand-customer-number", value = number, brand = "horizon-telecom" },
            },
        });

        response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await response.ProblemAsync())["candidates"]!.AsArray().Select(c => c!.GetValue<Guid>()).ShouldBe([first, second], ignoreOrder: true);
    }

    [Fact]
    public async Task a_re_sent_identified_contact_is_recorded_once()
    {
        var email = UniqueEmail();
        var contact = Contacts.Valid();
        var party = new { identifiers = new[] { new { kind = "email", value = email } } };

        var first = await RecordFor(party, contact);
        var again = await RecordFor(party, contact);

        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        again.StatusCode.ShouldBe(HttpStatusCode.OK);
        var replay = (await again.Content.ReadFromJsonAsync<IdentifiedContactReceipt>(ApiJson.Options))!;
        replay.Replayed.ShouldBeTrue();
        (await api.GetAsync<CustomerProfile>($"/customers/{replay.CustomerId}")).InteractionCount.ShouldBe(1);
    }

    [Theory]
    [InlineData("{\"interaction\": null, \"customer\": {\"identifiers\": [{\"kind\": \"email\", \"value\": \"a@b.fr\"}]}}", "interaction")]
    [InlineData("{\"customer\": {}}", "customer")]
    [InlineData("{\"customer\": {\"identifiers\": [{\"kind\": \"phone\", \"value\": \"12\"}]}}", "customer.identifiers[0].value")]
    [InlineData("{\"customer\": {\"identifiers\": [{\"kind\": \"brand-customer-number\", \"value\": \"12\"}]}}", "customer.identifiers[0].brand")]
    public async Task bad_identified_contacts_are_named_by_field(string json, string field)
    {
        var response = await api.SendJsonAsync(HttpMethod.Post, "/interactions", json);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.ProblemAsync()).ErrorFields().ShouldContain(field);
    }

    [Fact]
    public async Task lookup_of_an_unknown_identifier_resolves_to_nobody()
    {
        var lookup = await api.GetAsync<IdentifierLookup>($"/identifiers?kind=phone&value={Uri.EscapeDataString("06 00 00 00 01")}");

        lookup.Key.ShouldBe("phone:+33600000001");
        lookup.ResolvesTo.ShouldBeNull();
    }
}
