using System.Net;
using System.Text.Json.Nodes;
using InteractionLedger.Tests.Support;

namespace InteractionLedger.Tests.Hosting;

public sealed class when_an_operator_or_integrator_looks_at_the_service(LedgerApi api)
{
    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task health_endpoints_answer_healthy(string path)
    {
        var response = await api.Client.GetAsync(path);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldContain("Healthy");
    }

    [Fact]
    public async Task the_openapi_document_describes_every_route_with_the_wire_names_of_the_vocabulary()
    {
        var document = JsonNode.Parse(await api.Client.GetStringAsync("/swagger/v1/swagger.json"))!;

        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();
        paths.ShouldContain("/customers/{customerId}/interactions");
        paths.ShouldContain("/customers/{customerId}/timeline");
        paths.ShouldContain("/customers/{customerId}/cases/{caseId}/reopen");
        var channels = document["components"]!["schemas"]!["Channel"]!["enum"]!.AsArray().Select(c => c!.GetValue<string>());
        channels.ShouldBe(["phone", "email", "chat", "chatbot", "social-network", "sms", "click-to-call", "video",
            "self-service", "face-to-face", "postal-mail"]);
        (await api.Client.GetAsync("/swagger/index.html")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task the_openapi_document_says_how_to_authenticate_and_which_reads_need_a_purpose()
    {
        using var anonymous = api.Factory.ClientAs(null, null);
        var document = JsonNode.Parse(await anonymous.GetStringAsync("/swagger/v1/swagger.json"))!;

        document["components"]!["securitySchemes"]!["ApiKey"]!["name"]!.GetValue<string>().ShouldBe("X-Api-Key");
        var timeline = document["paths"]!["/customers/{customerId}/timeline"]!["get"]!["parameters"]!.AsArray();
        timeline.ShouldContain(p => p!["name"]!.GetValue<string>() == "X-Purpose" && p["required"]!.GetValue<bool>());
        var record = document["paths"]!["/customers/{customerId}/interactions"]!["post"]!["parameters"]?.AsArray() ?? [];
        record.ShouldNotContain(p => p!["name"]!.GetValue<string>() == "X-Purpose");
    }
}
