using System.Security.Claims;
using InteractionLedger.Access;
using InteractionLedger.Group;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace InteractionLedger.WebConsole;

/// <summary>
/// A person signs in to the console with the group's identity provider (or, in Development, as a persona); the
/// session cookie keeps their access token, and every page calls the API with it. The console holds no rights of its
/// own: the token it keeps is checked by the API exactly as a desktop's would be.
/// </summary>
public static class ConsoleAuthentication
{
    public const string Scheme = "Console";
    public const string OpenIdConnectScheme = "ConsoleOpenIdConnect";
    /// <summary>The console's name in the access ledger and in event metadata when a persona signs in (Development).</summary>
    public const string Application = "console";
    private const string ExpiresAt = "expires_at";

    public static class Policies
    {
        public const string SignedIn = "Console";
        public const string Agent = "ConsoleAgent";
        public const string PrivacyOfficer = "ConsolePrivacyOfficer";
        public const string Oversight = "ConsoleOversight";
        public const string Insights = "ConsoleInsights";
    }

    public static void AddConsoleAuthentication(this IServiceCollection services, ConsoleOptions options, bool isDevelopment)
    {
        var authentication = services.AddAuthentication().AddCookie(Scheme, cookie =>
        {
            cookie.Cookie.Name = "ledger-console";
            cookie.Cookie.Path = ConsoleModule.Root;
            cookie.Cookie.HttpOnly = true;
            // Inside a desktop of another site the cookie is only sent with SameSite=None, which browsers accept over HTTPS only.
            cookie.Cookie.SameSite = options.SameSite(SameSiteMode.Lax);
            // Outside Development the service sits behind a TLS terminator and sees plain HTTP: Secure, whatever the scheme seen.
            cookie.Cookie.SecurePolicy = SecurePolicy(options, isDevelopment);
            cookie.ExpireTimeSpan = options.Session;
            cookie.SlidingExpiration = true;
            cookie.LoginPath = $"{ConsoleModule.Root}/sign-in";
            cookie.AccessDeniedPath = $"{ConsoleModule.Root}/denied";
            cookie.ReturnUrlParameter = "returnUrl";
            cookie.Events.OnValidatePrincipal = async context =>
            {
                var services = context.HttpContext.RequestServices;
                // The session never outlives the token the API would accept: sign in again rather than fail every read.
                var expired = ExpiryOf(context.Properties) is { } at && at <= services.GetRequiredService<TimeProvider>().GetUtcNow();
                // A session signed out (anywhere, on any instance) is over, even in a copied cookie.
                var ended = ConsoleSessions.IdOf(context.Principal) is not { } session
                            || await services.GetRequiredService<ConsoleSessions>().EndedAsync(session, context.HttpContext.RequestAborted);
                if (expired || ended)
                {
                    context.RejectPrincipal();
                    await context.HttpContext.SignOutAsync(Scheme);
                }
            };
        });

        if (options.OpenIdConnect.Configured)
            authentication.AddOpenIdConnect(OpenIdConnectScheme, options.OpenIdConnect.DisplayName, oidc =>
            {
                var provider = options.OpenIdConnect;
                oidc.SignInScheme = Scheme;
                oidc.Authority = provider.Authority;
                oidc.ClientId = provider.ClientId;
                oidc.ClientSecret = provider.ClientSecret;
                oidc.RequireHttpsMetadata = !isDevelopment;
                oidc.ResponseType = OpenIdConnectResponseType.Code;
                oidc.UsePkce = true;
                oidc.MapInboundClaims = false;
                oidc.SaveTokens = true;
                oidc.GetClaimsFromUserInfoEndpoint = false;
                oidc.CallbackPath = $"{ConsoleModule.Root}/signin-oidc";
                oidc.SignedOutCallbackPath = $"{ConsoleModule.Root}/signout-callback-oidc";
                oidc.SignedOutRedirectUri = $"{ConsoleModule.Root}/sign-in?signedOut=true";
                oidc.Scope.Clear();
                foreach (var scope in new[] { "openid", "profile" }.Concat(provider.Scopes).Distinct()) oidc.Scope.Add(scope);
                oidc.CorrelationCookie.Path = ConsoleModule.Root;
                oidc.NonceCookie.Path = ConsoleModule.Root;
                oidc.CorrelationCookie.SecurePolicy = CookieSecurePolicy.Always;
                oidc.NonceCookie.SecurePolicy = CookieSecurePolicy.Always;
                oidc.Events.OnTokenValidated = async context =>
                {
                    // Who the person is to the ledger comes from the access token the API will be sent, checked as the API checks it.
                    var accessToken = context.TokenEndpointResponse?.AccessToken;
                    var (caller, failure) = accessToken is null ? (null, "The identity provider gave no access token for the ledger.")
                        : await ValidateAsync(context.HttpContext, accessToken);
                    if (caller is null) { context.Fail(failure!); return; }
                    await EndCurrentSessionAsync(context.HttpContext);
                    context.Principal = ConsoleSessions.Open(caller);
                };
                oidc.Events.OnRemoteFailure = context =>
                {
                    context.Response.Redirect($"{ConsoleModule.Root}/sign-in?failed=true");
                    context.HandleResponse();
                    return Task.CompletedTask;
                };
            });

        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.SignedIn, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser()
                .RequireRole(nameof(Role.Agent), nameof(Role.PrivacyOfficer), nameof(Role.Administrator), nameof(Role.Analyst)))
            .AddPolicy(Policies.Agent, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser().RequireRole(nameof(Role.Agent)))
            .AddPolicy(Policies.PrivacyOfficer, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser().RequireRole(nameof(Role.PrivacyOfficer)))
            .AddPolicy(Policies.Oversight, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser()
                .RequireRole(nameof(Role.PrivacyOfficer), nameof(Role.Administrator)))
            .AddPolicy(Policies.Insights, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser().RequireRole(nameof(Role.Analyst)));
    }

    /// <summary>
    /// The ledger's caller an access token makes, checked with the API's own validation (issuers, audience, keys, the
    /// role and brand claims), or why it makes none.
    /// </summary>
    public static async Task<(Caller? Caller, string? Failure)> ValidateAsync(HttpContext http, string accessToken)
    {
        var services = http.RequestServices;
        var bearer = services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme);
        var parameters = bearer.TokenValidationParameters.Clone();
        if (bearer.ConfigurationManager is { } metadata)
        {
            var configuration = await metadata.GetConfigurationAsync(http.RequestAborted);
            parameters.IssuerSigningKeys = (parameters.IssuerSigningKeys ?? []).Concat(configuration.SigningKeys).ToList();
        }
        var result = await new JsonWebTokenHandler { MapInboundClaims = false }.ValidateTokenAsync(accessToken, parameters);
        if (!result.IsValid) return (null, "The access token is not one the ledger accepts.");
        return PeopleAuthentication.ToCaller(new ClaimsPrincipal(result.ClaimsIdentity), http,
            services.GetRequiredService<PeopleAuthenticationOptions>(), services.GetRequiredService<GroupCatalog>().Brands.Select(b => b.Code).ToList());
    }

    /// <summary>Opens the session of a person whose access token was checked (ending the one this browser had).</summary>
    public static async Task SignInAsync(HttpContext http, Caller caller, string accessToken, DateTimeOffset expiresAt)
    {
        await EndCurrentSessionAsync(http);
        var properties = new AuthenticationProperties { IsPersistent = false, AllowRefresh = true };
        properties.StoreTokens([
            new AuthenticationToken { Name = "access_token", Value = accessToken },
            new AuthenticationToken { Name = ExpiresAt, Value = expiresAt.ToString("o", System.Globalization.CultureInfo.InvariantCulture) },
        ]);
        await http.SignInAsync(Scheme, ConsoleSessions.Open(caller), properties);
    }

    /// <summary>Ends the session here and for every copy of its cookie.</summary>
    public static async Task SignOutAsync(HttpContext http)
    {
        await EndCurrentSessionAsync(http);
        await http.SignOutAsync(Scheme);
    }

    /// <summary>Records this browser's session, if any, as ended: a copy of its cookie is refused from now on.</summary>
    private static async Task EndCurrentSessionAsync(HttpContext http)
    {
        var result = await http.AuthenticateAsync(Scheme);
        if (ConsoleSessions.IdOf(result.Principal) is { } session)
            await http.RequestServices.GetRequiredService<ConsoleSessions>().EndAsync(session,
                ExpiryOf(result.Properties) ?? http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().AddDays(1), http.RequestAborted);
    }

    public static CookieSecurePolicy SecurePolicy(ConsoleOptions options, bool isDevelopment) =>
        options.EmbeddedCrossSite || !isDevelopment ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;

    private static DateTimeOffset? ExpiryOf(AuthenticationProperties? properties) =>
        properties?.GetTokenValue(ExpiresAt) is { } expires
        && DateTimeOffset.TryParse(expires, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var at)
            ? at : null;

    /// <summary>The signed-in person's access token, which the console sends the API.</summary>
    public static Task<string?> AccessTokenAsync(HttpContext http) => http.GetTokenAsync(Scheme, "access_token");

    /// <summary>Whether this session came from the identity provider (so signing out also ends its session there).</summary>
    public static async Task<bool> SignedInWithProviderAsync(HttpContext http) => await http.GetTokenAsync(Scheme, "id_token") is not null;
}
