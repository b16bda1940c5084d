using System.Net.Http.Json;
using System.Text.Json.Nodes;
using InteractionLedger.Hosting;
using InteractionLedger.Tests.Support;

namespace InteractionLedger.Tests.WebConsole;

[CollectionDefinition("console")]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleHost>;

/// <summary>Customers prepared through the API for what the browser tests look at.</summary>
public static class ConsoleWorld
{
    public const string TelecomAgent = "agent-horizon-telecom";
    public const string TelecomAgentName = "Camille Martin";
    public const string PrivacyOfficer = "privacy-officer";

    public static async Task<Guid> CustomerAsync(this HttpClient api, string name, string brand = "horizon-telecom", int contacts = 3,
        string? summary = null)
    {
        var id = await api.RegisterAsync(brand, name);
        for (var i = 0; i < contacts; i++)
        {
            var contact = Contacts.Valid(occurredAt: DateTimeOffset.UtcNow.AddDays(-contacts + i).AddHours(-1), brand: brand);
            if (summary is not null) contact["summary"] = summary;
            await api.PostJsonAsync($"/customers/{id}/interactions", contact).EnsureAsync();
        }
        return id;
    }

    public static Task LinkAsync(this HttpClient api, Guid customerId, string kind, string value, string? brand = null) =>
        api.PostJsonAsync($"/customers/{customerId}/identifiers", new JsonObject
        {
            ["kind"] = kind, ["value"] = value, ["brand"] = brand, ["linkedBy"] = "test-setup", ["reason"] = "given by the customer",
        }).EnsureAsync();

    /// <summary>The contact form of the customer page as the page sends it (a browser adds the page's own time).</summary>
    public static Dictionary<string, string> ContactForm(string token, string brand = "horizon-telecom", string? reason = "Billing") => new()
    {
        ["Contact.InteractionId"] = Guid.NewGuid().ToString(), ["Contact.Brand"] = brand, ["Contact.Channel"] = "Phone",
        ["Contact.Direction"] = "Inbound", ["Contact.Reason"] = reason ?? "", ["Contact.Outcome"] = "Resolved", ["__RequestVerificationToken"] = token,
    };

    /// <summary>A unique e-mail address of the reserved example domain.</summary>
    public static string Email(string who) => $"{who}.{Guid.NewGuid():N}@example.com";

    /// <summary>A French mobile number nobody else in the test run holds.</summary>
    public static string Phone() => $"+3361{Random.Shared.Next(1_000_000, 9_999_999)}{Random.Shared.Next(0, 9)}";

    public static async Task<JsonObject> GetJsonAsync(this HttpClient api, string url) =>
        (await (await api.GetAsync(url)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonObject>(ApiJson.Options))!;
}
