using System.Net;
using System.Net.Http.Json;
using InteractionLedger.Customers;
using InteractionLedger.Hosting;
using InteractionLedger.Interactions;
using InteractionLedger.Merging;
using InteractionLedger.Overview;
using InteractionLedger.Tests.Support;

namespace InteractionLedger.Tests.Merging;

public sealed class when_two_customers_are_the_same_person(LedgerApi api)
{
    private Task<HttpResponseMessage> Merge(Guid survivor, Guid absorbed) =>
        api.PostJsonAsync($"/customers/{survivor}/merges", new { absorbedCustomerId = absorbed, decidedBy = "agent-7", reason = "Same person, confirmed on the phone" });

    private Task<HttpResponseMessage> Unmerge(Guid survivor, Guid absorbed) =>
        api.PostJsonAsync($"/customers/{survivor}/merges/{absorbed}/undo", new { decidedBy = "agent-9", reason = "Twins, not one person" });

    private async Task<(Guid Customer, Guid Interaction)> CustomerWithOneContact(Channel channel)
    {
        var customerId = await api.RegisterCustomerAsync();
        var receipt = await api.RecordAsync(customerId, Contacts.Valid(channel));
        return (customerId, receipt["interactionId"]!.GetValue<Guid>());
    }

    private async Task<HashSet<Guid>> TimelineOf(Guid customerId) =>
        (await api.GetAsync<TimelinePage>($"/customers/{customerId}/timeline?limit=200")).Items.Select(i => i.InteractionId).ToHashSet();

    [Fact]
    public async Task the_survivor_shows_both_histories_the_absorbed_id_keeps_answering_and_an_undo_restores_both()
    {
        var (survivor, survivorCall) = await CustomerWithOneContact(Channel.Phone);
        var (absorbed, absorbedMail) = await CustomerWithOneContact(Channel.Email);

        (await Merge(survivor, absorbed)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Merge(survivor, absorbed)).StatusCode.ShouldBe(HttpStatusCode.OK); // a retry changes nothing

        (await TimelineOf(survivor)).ShouldBe([survivorCall, absorbedMail], ignoreOrder: true);
        var viaAbsorbed = await api.GetAsync<UnifiedCustomerView>($"/customers/{absorbed}/overview");
        viaAbsorbed.CustomerId.ShouldBe(survivor);
        viaAbsorbed.MergedInto.ShouldBe(survivor);
        viaAbsorbed.ContactCount.ShouldBe(2);
        (await api.GetAsync<TimelinePage>($"/customers/{absorbed}/timeline")).CustomerId.ShouldBe(survivor);

        // Life goes on after the merge, on each side.
        var laterCall = (await api.RecordAsync(survivor, Contacts.Valid(Channel.Chat)))["interactionId"]!.GetValue<Guid>();
        var laterMail = (await api.RecordAsync(absorbed, Contacts.Valid(Channel.Sms)))["interactionId"]!.GetValue<Guid>();
        (await TimelineOf(survivor)).Count.ShouldBe(4);

        (await Unmerge(survivor, absorbed)).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await TimelineOf(survivor)).ShouldBe([survivorCall, laterCall], ignoreOrder: true);
        (await TimelineOf(absorbed)).ShouldBe([absorbedMail, laterMail], ignoreOrder: true);
        (await api.GetAsync<UnifiedCustomerView>($"/customers/{absorbed}/overview")).MergedInto.ShouldBeNull();
        (await api.GetAsync<CustomerProfile>($"/customers/{survivor}")).MergedCustomers.ShouldBeEmpty();
    }

    [Fact]
    public async Task merges_of_merged_customers_chain_and_unwind()
    {
        var (a, aContact) = await CustomerWithOneContact(Channel.Phone);
        var (b, bContact) = await CustomerWithOneContact(Channel.Email);
        var (c, cContact) = await CustomerWithOneContact(Channel.Chat);

        (await Merge(b, a)).EnsureSuccessStatusCode();
        (await Merge(c, b)).EnsureSuccessStatusCode();

        (await TimelineOf(c)).ShouldBe([aContact, bContact, cContact], ignoreOrder: true);
        (await api.GetAsync<UnifiedCustomerView>($"/customers/{a}/overview")).CustomerId.ShouldBe(c);
        (await Merge(a, c)).StatusCode.ShouldBe(HttpStatusCode.Conflict); // a is not a survivor any more

        (await Unmerge(c, b)).EnsureSuccessStatusCode();
        (await TimelineOf(b)).ShouldBe([aContact, bContact], ignoreOrder: true);
        (await TimelineOf(c)).ShouldBe([cContact]);
    }

    [Fact]
    public async Task merging_into_oneself_or_an_unknown_customer_is_refused_by_field()
    {
        var (customer, _) = await CustomerWithOneContact(Channel.Phone);

        var self = await Merge(customer, customer);
        var unknown = await Merge(customer, Guid.NewGuid());
        var undoUnknown = await Unmerge(customer, Guid.NewGuid());

        self.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await self.ProblemAsync()).ErrorFields().ShouldBe(["absorbedCustomerId"]);
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        undoUnknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task confirming_a_possible_duplicate_by_a_merge_clears_it()
    {
        var parent = await api.RegisterCustomerAsync();
        var other = await api.RegisterCustomerAsync();
        var phone = $"06{Random.Shared.Next(10000000, 99999999)}";
        await api.PostJsonAsync($"/customers/{parent}/identifiers", new { kind = "phone", value = phone, linkedBy = "a", reason = "r" });
        await api.PostJsonAsync($"/customers/{other}/identifiers", new { kind = "phone", value = phone, linkedBy = "a", reason = "r" });
        (await api.GetAsync<CustomerProfile>($"/customers/{other}")).PossibleDuplicates.ShouldNotBeEmpty();

        (await Merge(parent, other)).EnsureSuccessStatusCode();

        (await api.GetAsync<CustomerProfile>($"/customers/{other}")).PossibleDuplicates.ShouldBeEmpty();
        (await api.GetAsync<CustomerProfile>($"/customers/{other}")).MergedInto.ShouldBe(parent);
    }
}
