using System.Net.Http.Json;
using System.Text.Json.Nodes;
using InteractionLedger.Hosting;
using InteractionLedger.Interactions;

namespace InteractionLedger.Tests.Support;

/// <summary>Request bodies as JSON objects, so tests can also send what a typed client never would.</summary>
public static class Contacts
{
    public static readonly string[] Brands = ["horizon-telecom", "horizon-energie", "horizon-banque"];

    public static JsonObject Valid(Channel channel = Channel.Phone, Guid? interactionId = null, DateTimeOffset? occurredAt = null,
        string brand = "horizon-telecom", ContactReason reason = ContactReason.Billing, Guid? caseId = null) => new()
    {
        ["interactionId"] = (interactionId ?? Guid.NewGuid()).ToString(),
        ["occurredAt"] = (occurredAt ?? DateTimeOffset.UtcNow.AddMinutes(-10)).ToString("O"),
        ["brand"] = brand,
        ["channel"] = ApiJson.Name(channel),
        ["direction"] = "inbound",
        ["reason"] = ApiJson.Name(reason),
        ["handledBy"] = channel == Channel.Chatbot
            ? new JsonObject { ["kind"] = "bot", ["id"] = "bot-horizon" }
            : new JsonObject { ["kind"] = "agent", ["id"] = "agent-042" },
        ["outcome"] = "resolved",
        ["waitingSeconds"] = 45,
        ["handlingSeconds"] = 320,
        ["summary"] = "Customer asked why the last invoice doubled; explained the end of the promotion.",
        ["caseId"] = caseId?.ToString(),
    };

    public static async Task<JsonObject> RecordAsync(this LedgerApi api, Guid customerId, JsonObject contact, string? ifMatch = null)
    {
        var response = await api.SendJsonAsync(HttpMethod.Post, $"/customers/{customerId}/interactions", contact.ToJsonString(), ifMatch);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonObject>(ApiJson.Options))!;
    }

    public static async Task<JsonObject> ProblemAsync(this HttpResponseMessage response)
    {
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>The field names a problem response's <c>errors</c> names.</summary>
    public static IReadOnlyList<string> ErrorFields(this JsonObject problem) =>
        problem["errors"]?.AsObject().Select(e => e.Key).ToList() ?? [];
}
