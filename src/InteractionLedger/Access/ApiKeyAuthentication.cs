using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace InteractionLedger.Access;

public sealed class ApiKeyAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger,
    UrlEncoder encoder, PrincipalDirectory directory) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(Header, out var values)) return Task.FromResult(AuthenticateResult.NoResult());
        var (caller, failure) = Identify(values, directory);
        return Task.FromResult(caller is not null
            ? AuthenticateResult.Success(new AuthenticationTicket(caller.ToPrincipal(SchemeName), SchemeName))
            : AuthenticateResult.Fail(failure!));
    }

    /// <summary>The system a sent key names, or why it names none: one rule for a key sent alone or beside a person's token.</summary>
    public static (Caller? Caller, string? Failure) Identify(Microsoft.Extensions.Primitives.StringValues values, PrincipalDirectory directory)
    {
        if (values.Count != 1 || string.IsNullOrEmpty(values[0]) || values[0]!.Length > 200) return (null, $"Send exactly one {Header}.");
        return directory.Find(values[0]!) is { } caller ? (caller, null) : (null, "Unknown API key.");
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        WriteUnauthenticatedAsync(Context, $"Send your API key in the {Header} header, or a person's bearer token.");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => WriteForbiddenAsync(Context);

    /// <summary>The 401 of either scheme: one problem shape, whichever credential was missing or wrong.</summary>
    public static async Task WriteUnauthenticatedAsync(HttpContext http, string detail)
    {
        http.Response.StatusCode = StatusCodes.Status401Unauthorized;
        http.Response.Headers.WWWAuthenticate = $"Bearer, {SchemeName} header=\"{Header}\"";
        await Results.Problem(statusCode: 401, title: "Authentication required.", detail: detail,
            type: Http.ProblemTypes.Of("unauthenticated")).ExecuteAsync(http);
    }

    public static async Task WriteForbiddenAsync(HttpContext http)
    {
        http.Response.StatusCode = StatusCodes.Status403Forbidden;
        var caller = Caller.From(http.User);
        await Results.Problem(statusCode: 403, title: "Not allowed for your role.",
            detail: $"'{caller.Id}' ({caller.Role}) may not call this endpoint.", type: Http.ProblemTypes.Of("forbidden-role"))
            .ExecuteAsync(http);
    }
}

/// <summary>Endpoint policies: which roles may call which endpoints. What they may read is <c>Privacy.AccessPolicy</c>'s.</summary>
public static class LedgerPolicies
{
    public const string RecordContacts = nameof(RecordContacts);
    public const string ManageCases = nameof(ManageCases);
    public const string ManageIdentity = nameof(ManageIdentity);
    public const string RecordConsent = nameof(RecordConsent);
    public const string ReadPersonalData = nameof(ReadPersonalData);
    public const string PrivacyOfficer = nameof(PrivacyOfficer);
    public const string Oversight = nameof(Oversight);
    public const string Monitoring = nameof(Monitoring);
    public const string ReadInsights = nameof(ReadInsights);

    private static readonly Dictionary<string, Role[]> Roles = new()
    {
        [RecordContacts] = [Role.Agent, Role.Chatbot, Role.Integration],
        [ManageCases] = [Role.Agent, Role.Integration],
        [ManageIdentity] = [Role.Agent, Role.Integration],
        [RecordConsent] = [Role.Agent, Role.Chatbot, Role.Integration, Role.PrivacyOfficer],
        // Every role that serves customers may try: the purpose policy decides, and records, what each one gets.
        // Monitoring may not even try: a refusal that depends on the customer existing would be an oracle.
        [ReadPersonalData] = Enum.GetValues<Role>().Where(role => role != Role.Monitoring).ToArray(),
        [PrivacyOfficer] = [Role.PrivacyOfficer],
        [Oversight] = [Role.PrivacyOfficer, Role.Administrator],
        // Operational figures (/metrics): they name no customer, and no caller that reads customers needs them.
        [Monitoring] = [Role.Monitoring, Role.Administrator],
        // Figures across the base and the worklists built from them; the purpose policy decides each read.
        [ReadInsights] = [Role.Analyst, Role.Agent, Role.Integration, Role.Administrator],
    };

    private static readonly HashSet<string> GroupWideOnly = [PrivacyOfficer, Oversight, Monitoring];

    public static IServiceCollection AddLedgerAuthentication(this IServiceCollection services, IConfiguration configuration,
        IReadOnlyCollection<string> brandCodes, bool isDevelopment)
    {
        var configured = configuration.GetSection("Ledger:Principals").Get<PrincipalConfiguration[]>() ?? [];
        PrincipalDirectory directory;
        if (configured.Length > 0) directory = new PrincipalDirectory(configured);
        else if (isDevelopment)
        {
            // Listed at GET /dev/api-keys; the start-up summary names one.
            directory = new PrincipalDirectory(DevelopmentPrincipals.For(brandCodes).Select(d => d.Principal));
        }
        else throw new InvalidOperationException(
            "Ledger:Principals lists nobody: configure the callers (Id, Role, Brands, KeySha256); see README, 'Who may call'.");

        var people = configuration.GetSection("Ledger:People").Get<PeopleAuthenticationOptions>() ?? new PeopleAuthenticationOptions();
        var development = isDevelopment ? new DevelopmentSignIn(brandCodes) : null;
        if (development is not null) services.AddSingleton(development);

        services.AddSingleton(directory);
        services.AddSingleton(people);
        var authentication = services.AddAuthentication(PeopleAuthentication.SelectorScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        authentication.AddPeopleTokens(people, development, brandCodes, isDevelopment);
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicies();
        return services;
    }

    private static void AddPolicies(this Microsoft.AspNetCore.Authorization.AuthorizationBuilder builder)
    {
        foreach (var (name, roles) in Roles)
            builder.AddPolicy(name, p =>
            {
                p.RequireAuthenticatedUser().RequireRole(roles.Select(r => r.ToString()));
                // The privacy officer's desk and oversight see across the whole base: a principal limited to some
                // brands must not reach them, whatever role it was configured with.
                if (GroupWideOnly.Contains(name)) p.RequireAssertion(c => !c.User.HasClaim(claim => claim.Type == Caller.BrandClaim));
            });
    }
}
