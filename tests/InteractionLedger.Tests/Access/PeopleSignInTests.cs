using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using InteractionLedger.Hosting;
using InteractionLedger.Tests.Support;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace InteractionLedger.Tests.Access;

/// <summary>
/// People sign in with the group's identity provider; the tests play that provider with a key of their own, configured
/// under Ledger:People as a deployment would, and mint every kind of bad token an attacker could send.
/// </summary>
public sealed class when_people_sign_in(LedgerApi api) : IAsyncLifetime
{
    private const string Issuer = "https://login.groupe-horizon.test";
    private const string Audience = "interactionledger";
    private static readonly RSA ProviderKey = RSA.Create(2048);
    private LedgerFactory _ledger = null!;
    private string _connectionString = "";

    public async ValueTask InitializeAsync()
    {
        _connectionString = await api.Server.CreateDatabaseAsync("people");
        _ledger = new LedgerFactory(_connectionString, "Development", settings: new Dictionary<string, string>
        {
            ["Ledger:People:Issuers:0"] = Issuer,
            ["Ledger:People:Audience"] = Audience,
            ["Ledger:People:SigningKeys:0:KeyId"] = "provider-1",
            ["Ledger:People:SigningKeys:0:PublicKeyPem"] = ProviderKey.ExportSubjectPublicKeyInfoPem(),
        });
    }

    public async ValueTask DisposeAsync() => await _ledger.DisposeAsync();

    private static string Mint(string subject = "u-4711", string name = "Camille Martin", object? roles = null, object? brands = null,
        string issuer = Issuer, string audience = Audience, DateTime? notBefore = null, DateTime? expires = null, SecurityKey? key = null,
        bool withoutRole = false)
    {
        var claims = new Dictionary<string, object> { ["sub"] = subject, ["name"] = name, ["azp"] = "agent-desktop", ["brands"] = brands ?? new[] { "horizon-telecom" } };
        if (!withoutRole) claims["roles"] = roles ?? new[] { "Agent" };
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer, Audience = audience, Claims = claims,
            IssuedAt = (notBefore ?? now).AddSeconds(-1), NotBefore = notBefore ?? now.AddSeconds(-1), Expires = expires ?? now.AddMinutes(30),
            SigningCredentials = new SigningCredentials(key ?? new RsaSecurityKey(ProviderKey) { KeyId = "provider-1" }, SecurityAlgorithms.RsaSha256),
        });
    }

    private HttpClient As(string token, string? apiKey = null)
    {
        var client = _ledger.ClientAs(apiKey);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private async Task<Guid> TelecomCustomerAsync()
    {
        using var integration = _ledger.ClientAs(Callers.TelecomIntegration);
        return await integration.RegisterAsync(displayName: "Paul Verlaine");
    }

    private async Task<JsonArray> AccessesOfAsync(Guid customerId)
    {
        using var officer = _ledger.ClientAs(Callers.PrivacyOfficer, purpose: null);
        // The officer's own reading of the ledger is recorded too; what is looked at here is everyone else's reads.
        var records = (await (await officer.GetAsync($"/privacy/customers/{customerId}/accesses")).JsonAsync())["items"]!.AsArray();
        return new JsonArray(records.Where(r => r!["record"]!["view"]!.GetValue<string>() != "access-ledger").Select(r => r!.DeepClone()).ToArray());
    }

    [Fact]
    public async Task an_agents_read_is_recorded_with_the_person_the_application_and_the_request()
    {
        var customerId = await TelecomCustomerAsync();
        using var agent = As(Mint());

        (await agent.GetAsync($"/customers/{customerId}")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var record = (await AccessesOfAsync(customerId)).Select(r => r!["record"]!).First(r => r["view"]!.GetValue<string>() == "profile");
        record["principal"]!.GetValue<string>().ShouldBe("u-4711");
        record["person"]!["subject"]!.GetValue<string>().ShouldBe("u-4711");
        record["person"]!["name"]!.GetValue<string>().ShouldBe("Camille Martin");
        record["application"]!.GetValue<string>().ShouldBe("agent-desktop");
        record["requestId"]!.GetValue<string>().ShouldNotBeNullOrEmpty();
        using var officer = _ledger.ClientAs(Callers.PrivacyOfficer, purpose: null);
        var byPerson = (await (await officer.GetAsync("/privacy/accesses?person=u-4711")).JsonAsync())["items"]!.AsArray();
        byPerson.ShouldNotBeEmpty();
        byPerson.ShouldAllBe(r => r!["record"]!["person"]!["subject"]!.GetValue<string>() == "u-4711");
    }

    [Fact]
    public async Task a_desktop_forwarding_the_agents_token_is_the_application_and_narrows_the_brands_to_its_own()
    {
        var customerId = await TelecomCustomerAsync();
        // A group agent working through Horizon Énergie's desktop reaches what that desktop serves, no more.
        using var throughEnergie = As(Mint(subject: "u-group", brands: new[] { "*" }), apiKey: Callers.EnergieAgent);
        (await throughEnergie.GetAsync($"/customers/{customerId}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using var throughTelecom = As(Mint(subject: "u-group", brands: new[] { "*" }), apiKey: Callers.TelecomAgent);
        (await throughTelecom.GetAsync($"/customers/{customerId}")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var records = (await AccessesOfAsync(customerId)).Select(r => r!["record"]!).Where(r => r["principal"]!.GetValue<string>() == "u-group").ToList();
        records.Select(r => r["application"]!.GetValue<string>()).Order().ShouldBe(["agent-horizon-energie", "agent-horizon-telecom"]);
        records.ShouldAllBe(r => r["person"]!["subject"]!.GetValue<string>() == "u-group");
        // An unknown key beside a valid token is refused, not ignored.
        using var unknownKey = As(Mint(), apiKey: "not-a-key");
        (await unknownKey.GetAsync($"/customers/{customerId}")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task a_system_key_alone_is_never_a_person()
    {
        var customerId = await TelecomCustomerAsync();
        using var bot = _ledger.ClientAs(Callers.TelecomAgent);
        (await bot.GetAsync($"/customers/{customerId}")).EnsureSuccessStatusCode();

        var record = (await AccessesOfAsync(customerId)).Select(r => r!["record"]!).First(r => r["view"]!.GetValue<string>() == "profile");
        record["person"].ShouldBeNull();
        record["application"]!.GetValue<string>().ShouldBe("agent-horizon-telecom");
    }

    public static TheoryData<string, string> BadTokens()
    {
        var now = DateTime.UtcNow;
        var unknownKey = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "provider-1" };
        var header = Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""");
        var payload = Base64UrlEncoder.Encode(
            $$"""{"sub":"u-4711","roles":["Agent"],"brands":["horizon-telecom"],"iss":"{{Issuer}}","aud":"{{Audience}}","exp":{{new DateTimeOffset(now.AddMinutes(5)).ToUnixTimeSeconds()}}}""");
        return new TheoryData<string, string>
        {
            { "expired", Mint(notBefore: now.AddHours(-2), expires: now.AddHours(-1)) },
            { "not yet valid", Mint(notBefore: now.AddHours(1), expires: now.AddHours(2)) },
            { "another audience", Mint(audience: "another-service") },
            { "another issuer", Mint(issuer: "https://evil.example") },
            { "unsigned (alg none)", $"{header}.{payload}." },
            { "signed with an unknown key", Mint(key: unknownKey) },
            { "no role claim", Mint(withoutRole: true) },
            { "no subject", Mint(subject: "") },
            { "a system's role", Mint(roles: new[] { "Integration" }) },
            { "two roles", Mint(roles: new[] { "Agent", "PrivacyOfficer" }) },
            { "a brand the group does not have", Mint(brands: new[] { "horizon-spatial" }) },
            { "the whole group beside a brand", Mint(brands: new[] { "horizon-telecom", "*" }) },
            { "a role by its number", Mint(roles: new[] { "4" }) },
            { "roles as a comma list", Mint(roles: new[] { "agent,administrator" }) },
            { "no brand", Mint(brands: Array.Empty<string>()) },
            { "garbage", "not.a.token" },
        };
    }

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task a_bad_token_is_a_401_and_reads_nothing(string why, string token)
    {
        var customerId = await TelecomCustomerAsync();
        using var caller = As(token);

        var response = await caller.GetAsync($"/customers/{customerId}");

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, why);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json", why);
        (await response.Content.ReadAsStringAsync()).ShouldNotContain("Verlaine", customMessage: why);
        (await AccessesOfAsync(customerId)).ShouldBeEmpty(why);
    }

    [Fact]
    public async Task a_role_that_may_not_call_a_route_is_a_403()
    {
        using var agent = As(Mint());
        (await agent.GetAsync("/privacy/accesses")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        using var brandOfficer = As(Mint(roles: new[] { "PrivacyOfficer" }, brands: new[] { "horizon-telecom" }));
        (await brandOfficer.GetAsync("/privacy/accesses")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        using var officer = As(Mint(subject: "u-dpo", roles: new[] { "PrivacyOfficer" }, brands: new[] { "*" }));
        (await officer.GetAsync("/privacy/accesses")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task the_development_sign_in_issues_a_personas_token_and_its_reads_name_the_persona()
    {
        using var anonymous = _ledger.ClientAs(null, purpose: null);
        var personas = (await anonymous.GetFromJsonAsync<JsonArray>("/dev/personas"))!;
        personas.Select(p => p!["id"]!.GetValue<string>()).ShouldBe(
            ["agent-horizon-telecom", "agent-horizon-energie", "agent-horizon-banque", "agent-horizon-voyages", "agent-horizon-maison",
             "agent-group", "analyst-horizon-telecom", "analyst-group", "privacy-officer", "administrator"]);
        var signIn = await anonymous.PostAsJsonAsync("/dev/sign-in", new { persona = "agent-horizon-telecom" });
        signIn.StatusCode.ShouldBe(HttpStatusCode.OK);
        var token = (await signIn.JsonAsync())["accessToken"]!.GetValue<string>();
        var customerId = await TelecomCustomerAsync();

        using var persona = As(token);
        (await persona.GetAsync($"/customers/{customerId}")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var record = (await AccessesOfAsync(customerId)).Select(r => r!["record"]!).First(r => r["view"]!.GetValue<string>() == "profile");
        record["person"]!["name"]!.GetValue<string>().ShouldBe("Camille Martin");
        record["person"]!["subject"]!.GetValue<string>().ShouldBe("dev-agent-horizon-telecom");
        (await anonymous.PostAsJsonAsync("/dev/sign-in", new { persona = "the-ceo" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task every_write_names_the_person_the_application_and_the_request_in_its_event_metadata()
    {
        var customerId = await TelecomCustomerAsync();
        using var agent = As(Mint(subject: "u-writer", name: "Léa Petit"));

        (await agent.PostJsonAsync($"/customers/{customerId}/interactions", Contacts.Valid())).EnsureSuccessStatusCode();

        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select user_name, headers::text from ledger.mt_events where stream_id = $1 and type = 'interaction_recorded'", connection);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = customerId });
        await using var reader = await command.ExecuteReaderAsync();
        (await reader.ReadAsync()).ShouldBeTrue();
        reader.GetString(0).ShouldBe("u-writer");
        var headers = JsonNode.Parse(reader.GetString(1))!;
        headers["person"]!.GetValue<string>().ShouldBe("u-writer");
        headers["personName"]!.GetValue<string>().ShouldBe("Léa Petit");
        headers["application"]!.GetValue<string>().ShouldBe("agent-desktop");
        headers["request"]!.GetValue<string>().ShouldNotBeNullOrEmpty();
    }
}
