using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using InteractionLedger.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace InteractionLedger.Tests.WebConsole;

/// <summary>
/// Signing in with the group's identity provider: a small OpenID Connect provider (authorization code, PKCE, signed
/// tokens) stands in for it, and the console is configured for it only through configuration.
/// </summary>
[Collection("console")]
public sealed class OpenIdConnectTests(ConsoleHost host, LedgerApi api)
{
    [Fact]
    public async Task a_person_signs_in_with_the_identity_provider_reads_as_themselves_and_signs_out_of_both()
    {
        await using var provider = await TestIdentityProvider.StartAsync(subject: "idp-7731", name: "Inès Provider", role: "Agent", brand: "horizon-telecom");
        await using var factory = new LedgerFactory(await api.Server.CreateDatabaseAsync("consoleoidc"), "Development", settings: new Dictionary<string, string>
        {
            ["Ledger:People:Authority"] = provider.Issuer,
            ["Ledger:Console:OpenIdConnect:Authority"] = provider.Issuer,
            ["Ledger:Console:OpenIdConnect:ClientId"] = TestIdentityProvider.ClientId,
            ["Ledger:Console:OpenIdConnect:ClientSecret"] = "test-only-secret",
            ["Ledger:Console:OpenIdConnect:Scopes:0"] = "interactionledger",
            ["Ledger:Console:OpenIdConnect:DisplayName"] = "Horizon ID",
        });
        var baseUrl = ConsoleHost.StartOnKestrel(factory);
        using var seed = new HttpClient { BaseAddress = new Uri(baseUrl) };
        seed.DefaultRequestHeaders.Add("X-Api-Key", "dev-agent-horizon-telecom");
        var customer = await seed.CustomerAsync("Sandrine Provider-Read", contacts: 1);

        await using var context = await host.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseUrl, Locale = "en-GB" });
        var page = await context.NewPageAsync();
        try
        {
            await page.GotoAsync($"/console/customers/{customer}");
            await page.WaitForURLAsync(new Regex("/console/sign-in"));
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with Horizon ID" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sandrine Provider-Read" })).ToBeVisibleAsync();
            await Expect(page.GetByTestId("person")).ToHaveTextAsync("Inès Provider");
            provider.CodesRedeemed.ShouldBe(1);
            provider.LastChallengeMethod.ShouldBe("S256");

            await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
            await page.WaitForURLAsync(new Regex("/console/sign-in\\?signedOut=true"));
            provider.SignOuts.ShouldBe(1);
        }
        catch
        {
            Directory.CreateDirectory("TestResults");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = "TestResults/console-oidc.png", FullPage = true });
            throw;
        }

        // The read is on record under the person the provider named, through the console's client.
        seed.DefaultRequestHeaders.Remove("X-Api-Key");
        seed.DefaultRequestHeaders.Add("X-Api-Key", "dev-privacy-officer");
        var records = await seed.GetJsonAsync($"/privacy/customers/{customer}/accesses");
        var read = records["items"]!.AsArray().Select(r => r!["record"]!).First(r => r["person"] is not null);
        read["person"]!["subject"]!.GetValue<string>().ShouldBe("idp-7731");
        read["person"]!["name"]!.GetValue<string>().ShouldBe("Inès Provider");
        read["application"]!.GetValue<string>().ShouldBe(TestIdentityProvider.ClientId);
    }
}

/// <summary>An OpenID Connect provider just big enough for the console's sign-in: discovery, keys, authorize, token, end session.</summary>
public sealed class TestIdentityProvider : IAsyncDisposable
{
    public const string ClientId = "ledger-console";
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, (string Nonce, string Challenge)> _codes = new();
    private readonly RsaSecurityKey _key = new(RSA.Create(2048)) { KeyId = "test-idp-key" };

    private TestIdentityProvider(WebApplication app) => _app = app;

    public string Issuer { get; private set; } = "";
    public int CodesRedeemed { get; private set; }
    public int SignOuts { get; private set; }
    public string? LastChallengeMethod { get; private set; }

    public static async Task<TestIdentityProvider> StartAsync(string subject, string name, string role, string brand)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var provider = new TestIdentityProvider(app);
        app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = provider.Issuer, ["authorization_endpoint"] = $"{provider.Issuer}/authorize", ["token_endpoint"] = $"{provider.Issuer}/token",
            ["jwks_uri"] = $"{provider.Issuer}/jwks", ["end_session_endpoint"] = $"{provider.Issuer}/logout",
            ["response_types_supported"] = new[] { "code" }, ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" }, ["code_challenge_methods_supported"] = new[] { "S256" },
        }));
        app.MapGet("/jwks", () =>
        {
            var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(provider._key);
            return Results.Json(new { keys = new[] { new { kty = "RSA", use = "sig", kid = jwk.Kid, alg = "RS256", n = jwk.N, e = jwk.E } } });
        });
        // The person is already signed in at the provider: the code comes back at once.
        app.MapGet("/authorize", (HttpRequest request) =>
        {
            var code = Guid.NewGuid().ToString("N");
            provider._codes[code] = (request.Query["nonce"].ToString(), request.Query["code_challenge"].ToString());
            provider.LastChallengeMethod = request.Query["code_challenge_method"];
            return Results.Redirect($"{request.Query["redirect_uri"]}?code={code}&state={Uri.EscapeDataString(request.Query["state"].ToString())}");
        });
        app.MapPost("/token", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            if (!provider._codes.TryRemove(form["code"].ToString(), out var issued)) return Results.BadRequest(new { error = "invalid_grant" });
            var verifier = form["code_verifier"].ToString();
            var challenge = Base64UrlEncoder.Encode(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(verifier)));
            if (challenge != issued.Challenge) return Results.BadRequest(new { error = "invalid_grant", error_description = "PKCE" });
            provider.CodesRedeemed++;
            var now = DateTime.UtcNow;
            string Token(string audience, Dictionary<string, object> claims) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Issuer = provider.Issuer, Audience = audience, IssuedAt = now, NotBefore = now, Expires = now.AddHours(1), Claims = claims,
                SigningCredentials = new SigningCredentials(provider._key, SecurityAlgorithms.RsaSha256),
            });
            return Results.Json(new Dictionary<string, object>
            {
                ["id_token"] = Token(ClientId, new() { ["sub"] = subject, ["name"] = name, ["nonce"] = issued.Nonce }),
                ["access_token"] = Token("interactionledger", new()
                {
                    ["sub"] = subject, ["name"] = name, ["roles"] = new[] { role }, ["brands"] = new[] { brand }, ["azp"] = ClientId,
                }),
                ["token_type"] = "Bearer", ["expires_in"] = 3600,
            });
        });
        app.MapGet("/logout", (HttpRequest request) =>
        {
            provider.SignOuts++;
            return Results.Redirect($"{request.Query["post_logout_redirect_uri"]}?state={Uri.EscapeDataString(request.Query["state"].ToString())}");
        });
        await app.StartAsync();
        provider.Issuer = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return provider;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
