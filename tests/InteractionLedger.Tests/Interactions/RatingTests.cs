using System.Net;
using System.Text.Json.Nodes;
using InteractionLedger.Interactions;
using InteractionLedger.Tests.Support;

namespace InteractionLedger.Tests.Interactions;

public sealed class when_a_customer_rates_a_contact(LedgerApi api)
{
    private Task<HttpResponseMessage> Rate(Guid customerId, Guid interactionId, object body) =>
        api.SendJsonAsync(HttpMethod.Put, $"/customers/{customerId}/interactions/{interactionId}/rating",
            System.Text.Json.JsonSerializer.Serialize(body));

    [Fact]
    public async Task the_rating_attaches_to_the_contact_once()
    {
        var customerId = await api.RegisterCustomerAsync();
        var interactionId = (await api.RecordAsync(customerId, Contacts.Valid()))["interactionId"]!.GetValue<Guid>();

        var rated = await Rate(customerId, interactionId, new { satisfaction = 2, comment = "Too long on hold." });
        var same = await Rate(customerId, interactionId, new { satisfaction = 2, comment = "Too long on hold." });
        var changed = await Rate(customerId, interactionId, new { satisfaction = 5 });

        rated.StatusCode.ShouldBe(HttpStatusCode.OK);
        same.StatusCode.ShouldBe(HttpStatusCode.OK);
        changed.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        var item = await api.GetAsync<TimelineItem>($"/customers/{customerId}/interactions/{interactionId}");
        item.Rating!.Satisfaction.ShouldBe(2);
        item.Rating.Comment.ShouldBe("Too long on hold.");
    }

    [Theory]
    [InlineData(9)]
    [InlineData(0)]
    public async Task a_rating_outside_1_to_5_is_refused_naming_satisfaction(int satisfaction)
    {
        var customerId = await api.RegisterCustomerAsync();
        var interactionId = (await api.RecordAsync(customerId, Contacts.Valid()))["interactionId"]!.GetValue<Guid>();

        var response = await Rate(customerId, interactionId, new { satisfaction });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.ProblemAsync()).ErrorFields().ShouldBe(["satisfaction"]);
        (await api.GetAsync<TimelineItem>($"/customers/{customerId}/interactions/{interactionId}")).Rating.ShouldBeNull();
    }

    [Fact]
    public async Task rating_a_contact_of_another_customer_is_not_found()
    {
        var customerId = await api.RegisterCustomerAsync();
        var stranger = await api.RegisterCustomerAsync();
        var interactionId = (await api.RecordAsync(customerId, Contacts.Valid()))["interactionId"]!.GetValue<Guid>();

        var response = await Rate(stranger, interactionId, new { satisfaction = 4 });

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.ProblemAsync()).ErrorFields().ShouldBe(["interactionId"]);
    }
}
