using System.Net.Http.Json;
using System.Text.Json.Nodes;
using InteractionLedger.Access;
using InteractionLedger.Hosting;

namespace InteractionLedger.Tests.Support;

/// <summary>The development keys (<c>DevelopmentPrincipals</c>) tests act with, and the calls they repeat.</summary>
public static class Callers
{
    public const string TelecomAgent = "dev-agent-horizon-telecom";
    public const string EnergieAgent = "dev-agent-horizon-energie";
    public const string TelecomBot = "dev-bot-horizon-telecom";
    public const string TelecomIntegration = "dev-integration-horizon-telecom";
    public const string PrivacyOfficer = "dev-privacy-officer";
    public const string Administrator = "dev-administrator";
    public const string Monitoring = "dev-monitoring";
    public const string TelecomAnalyst = "dev-analyst-horizon-telecom";

    /// <summary>The key of a caller of the role acting for Horizon Télécom (officer and administrator act for the group).</summary>
    public static string KeyOf(Role role) => role switch
    {
        Role.Agent => TelecomAgent,
        Role.Chatbot => TelecomBot,
        Role.Integration => TelecomIntegration,
        Role.PrivacyOfficer => PrivacyOfficer,
        Role.Monitoring => Monitoring,
        Role.Analyst => TelecomAnalyst,
        _ => Administrator,
    };

    /// <param name="brand">Null for no brand (only a caller acting for the whole group may register such a customer).</param>
    public static async Task<Guid> RegisterAsync(this HttpClient client, string? brand = "horizon-telecom", string? displayName = "Test Customer")
    {
        var response = await client.PostAsJsonAsync("/customers", new { displayName, brand }, ApiJson.Options);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>(ApiJson.Options))!["customerId"]!.GetValue<Guid>();
    }

    public static async Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, object body)
    {
        var json = body is JsonNode node ? node.ToJsonString() : System.Text.Json.JsonSerializer.Serialize(body, ApiJson.Options);
        return await client.PostAsync(url, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
    }

    public static async Task<HttpResponseMessage> EnsureAsync(this Task<HttpResponseMessage> sending)
    {
        var response = await sending;
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return response;
    }

    public static async Task<JsonObject> JsonAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonObject>(ApiJson.Options))!;
}
