using System.Net;
using System.Text.Json.Nodes;
using InteractionLedger.Customers;
using InteractionLedger.Tests.Support;

namespace InteractionLedger.Tests.Interactions;

public sealed class when_a_contact_is_badly_formed(LedgerApi api)
{
    /// <summary>Each case: a name, how it spoils a valid body, the field the problem must name.</summary>
    public static TheoryData<string, string> Spoilers => new()
    {
        { "unknown channel", "channel" },
        { "numeric channel", "channel" },
        { "unknown reason", "reason" },
        { "unknown outcome", "outcome" },
        { "unknown handler kind", "handledBy.kind" },
        { "missing interactionId", "interactionId" },
        { "missing occurredAt", "occurredAt" },
        { "missing brand", "brand" },
        { "missing channel", "channel" },
        { "missing direction", "direction" },
        { "missing handledBy", "handledBy" },
        { "agent without id", "handledBy.id" },
        { "unknown brand", "brand" },
        { "far future", "occurredAt" },
        { "oversized summary", "summary" },
        { "negative waiting time", "waitingSeconds" },
        { "date of the wrong type", "occurredAt" },
        { "interaction id not a uuid", "interactionId" },
    };

    private static JsonObject Spoil(string spoiler)
    {
        var body = Contacts.Valid();
        switch (spoiler)
        {
            case "unknown channel": body["channel"] = "carrier-pigeon"; break;
            case "numeric channel": body["channel"] = 3; break;
            case "unknown reason": body["reason"] = "gossip"; break;
            case "unknown outcome": body["outcome"] = "maybe"; break;
            case "unknown handler kind": body["handledBy"]!["kind"] = "alien"; break;
            case "missing interactionId": body.Remove("interactionId"); break;
            case "missing occurredAt": body.Remove("occurredAt"); break;
            case "missing brand": body.Remove("brand"); break;
            case "missing channel": body.Remove("channel"); break;
            case "missing direction": body.Remove("direction"); break;
            case "missing handledBy": body.Remove("handledBy"); break;
            case "agent without id": body["handledBy"] = new JsonObject { ["kind"] = "agent" }; break;
            case "unknown brand": body["brand"] = "acme"; break;
            case "far future": body["occurredAt"] = DateTimeOffset.UtcNow.AddHours(2).ToString("O"); break;
            case "oversized summary": body["summary"] = new string('x', 1001); break;
            case "negative waiting time": body["waitingSeconds"] = -5; break;
            case "date of the wrong type": body["occurredAt"] = 12; break;
            case "interaction id not a uuid": body["interactionId"] = "call-1"; break;
            default: throw new ArgumentOutOfRangeException(nameof(spoiler));
        }
        return body;
    }

    [Theory]
    [MemberData(nameof(Spoilers))]
    public async Task it_gets_a_400_problem_naming_the_field_and_nothing_is_written(string spoiler, string field)
    {
        var customerId = await api.RegisterCustomerAsync();

        var response = await api.SendJsonAsync(HttpMethod.Post, $"/customers/{customerId}/interactions", Spoil(spoiler).ToJsonString());

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.ProblemAsync()).ErrorFields().ShouldContain(field);
        (await api.GetAsync<CustomerProfile>($"/customers/{customerId}")).Version.ShouldBe(1);
    }

    [Theory]
    [InlineData("{\"interactionId\": ", "body")]
    [InlineData("not json at all", "body")]
    [InlineData("", "body")]
    public async Task malformed_json_gets_a_400_problem(string json, string field)
    {
        var customerId = await api.RegisterCustomerAsync();

        var response = await api.SendJsonAsync(HttpMethod.Post, $"/customers/{customerId}/interactions", json);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.ProblemAsync()).ErrorFields().ShouldContain(field);
    }

    [Fact]
    public async Task an_unknown_enum_value_is_answered_with_the_allowed_values()
    {
        var customerId = await api.RegisterCustomerAsync();

        var response = await api.SendJsonAsync(HttpMethod.Post, $"/customers/{customerId}/interactions", Spoil("unknown channel").ToJsonString());

        var message = (await response.ProblemAsync())["errors"]!["channel"]![0]!.GetValue<string>();
        message.ShouldContain("social-network");
        message.ShouldContain("click-to-call");
    }

    [Fact]
    public async Task a_contact_for_an_unknown_case_is_refused_naming_the_case()
    {
        var customerId = await api.RegisterCustomerAsync();

        var response = await api.PostJsonAsync($"/customers/{customerId}/interactions", Contacts.Valid(caseId: Guid.NewGuid()));

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await response.ProblemAsync()).ErrorFields().ShouldBe(["caseId"]);
        (await api.GetAsync<CustomerProfile>($"/customers/{customerId}")).Version.ShouldBe(1);
    }

    [Fact]
    public async Task a_malformed_if_match_is_a_400_naming_the_header()
    {
        var customerId = await api.RegisterCustomerAsync();

        var response = await api.SendJsonAsync(HttpMethod.Post, $"/customers/{customerId}/interactions",
            Contacts.Valid().ToJsonString(), ifMatch: "\"abc\"");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.ProblemAsync()).ErrorFields().ShouldBe(["If-Match"]);
    }
}

public sealed class when_a_body_is_absurdly_large(LedgerApi api)
{
    [Fact]
    public async Task it_is_refused_with_413_before_being_read()
    {
        var customerId = await api.RegisterCustomerAsync();
        var contact = Contacts.Valid();
        contact["summary"] = new string('x', 200_000);

        var response = await api.SendJsonAsync(HttpMethod.Post, $"/customers/{customerId}/interactions", contact.ToJsonString());

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await response.ProblemAsync()).ErrorFields().ShouldBe(["body"]);
    }
}
