using InteractionLedger.Privacy;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using InteractionLedger.Customers;
using InteractionLedger.Hosting;
using InteractionLedger.Interactions;
using InteractionLedger.Tests.Support;

namespace InteractionLedger.Tests.Interactions;

public sealed class when_recording_interactions(LedgerApi api)
{
    public static TheoryData<Channel> AllChannels => new(Enum.GetValues<Channel>());

    [Theory]
    [MemberData(nameof(AllChannels))]
    public async Task every_channel_is_recorded_and_shown_on_the_timeline(Channel channel)
    {
        var customerId = await api.RegisterCustomerAsync();
        var contact = Contacts.Valid(channel);

        var response = await api.SendJsonAsync(HttpMethod.Post, $"/customers/{customerId}/interactions", contact.ToJsonString());

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        response.Headers.ETag!.Tag.ShouldBe("\"2\"");
        var receipt = (await response.Content.ReadFromJsonAsync<InteractionReceipt>(ApiJson.Options))!;
        receipt.Version.ShouldBe(2);
        receipt.Replayed.ShouldBeFalse();

        var timeline = await api.GetAsync<TimelinePage>($"/customers/{customerId}/timeline");
        var item = timeline.Items.ShouldHaveSingleItem();
        item.InteractionId.ShouldBe(receipt.InteractionId);
        item.Channel.ShouldBe(channel);
        item.Summary.ShouldBe(contact["summary"]!.GetValue<string>());

        var single = await api.GetAsync<TimelineItem>(response.Headers.Location!.ToString());
        single.ShouldBe(item with { Access = single.Access });
        single.Access!.Decision.ShouldBe(AccessOutcome.Allowed);
    }

    [Fact]
    public async Task re_sending_the_same_interaction_records_it_once_and_answers_the_original_result()
    {
        var customerId = await api.RegisterCustomerAsync();
        var contact = Contacts.Valid();

        var first = await api.RecordAsync(customerId, contact);
        await api.RecordAsync(customerId, Contacts.Valid(Channel.Email));
        var second = await api.SendJsonAsync(HttpMethod.Post, $"/customers/{customerId}/interactions", contact.ToJsonString());

        second.StatusCode.ShouldBe(HttpStatusCode.OK);
        second.Headers.ETag!.Tag.ShouldBe("\"3\"");
        var replay = (await second.Content.ReadFromJsonAsync<InteractionReceipt>(ApiJson.Options))!;
        replay.InteractionId.ShouldBe(first["interactionId"]!.GetValue<Guid>());
        replay.Version.ShouldBe(first["version"]!.GetValue<long>());
        replay.Replayed.ShouldBeTrue();
        replay.Version.ShouldBe(2);
        (await api.GetAsync<TimelinePage>($"/customers/{customerId}/timeline")).Items.Count.ShouldBe(2);
        (await api.GetAsync<CustomerProfile>($"/customers/{customerId}")).Version.ShouldBe(3);
    }

    [Fact]
    public async Task a_contact_sent_concurrently_by_retrying_connectors_is_recorded_once()
    {
        var customerId = await api.RegisterCustomerAsync();
        var contact = Contacts.Valid().ToJsonString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() =>
            api.SendJsonAsync(HttpMethod.Post, $"/customers/{customerId}/interactions", contact))));

        responses.Count(r => r.StatusCode == HttpStatusCode.Created).ShouldBe(1);
        responses.Count(r => r.StatusCode == HttpStatusCode.OK).ShouldBe(9);
        var versions = await Task.WhenAll(responses.Select(async r =>
            (await r.Content.ReadFromJsonAsync<InteractionReceipt>(ApiJson.Options))!.Version));
        versions.ShouldAllBe(v => v == 2);
        (await api.GetAsync<CustomerProfile>($"/customers/{customerId}")).Version.ShouldBe(2);
    }

    [Fact]
    public async Task reusing_an_interaction_id_for_different_content_or_another_customer_is_a_conflict()
    {
        var customerId = await api.RegisterCustomerAsync();
        var other = await api.RegisterCustomerAsync();
        var contact = Contacts.Valid();
        await api.RecordAsync(customerId, contact);

        var changed = contact.DeepClone().AsObject();
        changed["channel"] = "email";
        var sameCustomer = await api.SendJsonAsync(HttpMethod.Post, $"/customers/{customerId}/interactions", changed.ToJsonString());
        var otherCustomer = await api.SendJsonAsync(HttpMethod.Post, $"/customers/{other}/interactions", contact.ToJsonString());

        sameCustomer.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await sameCustomer.ProblemAsync()).ErrorFields().ShouldBe(["interactionId"]);
        otherCustomer.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await api.GetAsync<TimelinePage>($"/customers/{other}/timeline")).Items.ShouldBeEmpty();
    }

    [Fact]
    public async Task concurrent_contacts_for_one_customer_are_all_kept_with_contiguous_versions()
    {
        var customerId = await api.RegisterCustomerAsync();
        const int writers = 40;

        var receipts = await Task.WhenAll(Enumerable.Range(0, writers).Select(i =>
            Task.Run(() => api.RecordAsync(customerId, Contacts.Valid((Channel)(i % 11))))));

        receipts.Select(r => r["version"]!.GetValue<long>()).Order().ShouldBe(Enumerable.Range(2, writers).Select(v => (long)v));
        var timeline = await api.GetAsync<TimelinePage>($"/customers/{customerId}/timeline?limit=200");
        timeline.Items.Select(i => i.InteractionId).ShouldBe(
            receipts.Select(r => r["interactionId"]!.GetValue<Guid>()), ignoreOrder: true);
        (await api.GetAsync<CustomerProfile>($"/customers/{customerId}")).InteractionCount.ShouldBe(writers);
    }

    [Fact]
    public async Task a_stale_expected_version_is_refused_and_writes_nothing()
    {
        var customerId = await api.RegisterCustomerAsync();
        await api.RecordAsync(customerId, Contacts.Valid(), ifMatch: "\"1\"");

        var staleHeader = await api.SendJsonAsync(HttpMethod.Post, $"/customers/{customerId}/interactions",
            Contacts.Valid().ToJsonString(), ifMatch: "\"1\"");
        var staleField = Contacts.Valid();
        staleField["expectedVersion"] = 1;
        var staleBody = await api.SendJsonAsync(HttpMethod.Post, $"/customers/{customerId}/interactions", staleField.ToJsonString());

        staleHeader.StatusCode.ShouldBe(HttpStatusCode.PreconditionFailed);
        (await staleHeader.ProblemAsync()).ErrorFields().ShouldBe(["If-Match"]);
        staleBody.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await staleBody.ProblemAsync()).ErrorFields().ShouldBe(["expectedVersion"]);
        (await api.GetAsync<CustomerProfile>($"/customers/{customerId}")).Version.ShouldBe(2);

        var current = await api.RecordAsync(customerId, Contacts.Valid(), ifMatch: "W/\"2\"");
        current["version"]!.GetValue<long>().ShouldBe(3);
    }

    [Fact]
    public async Task a_contact_for_an_unknown_customer_is_not_found()
    {
        var response = await api.PostJsonAsync($"/customers/{Guid.NewGuid()}/interactions", Contacts.Valid());

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.ProblemAsync()).ErrorFields().ShouldBe(["customerId"]);
    }
}
