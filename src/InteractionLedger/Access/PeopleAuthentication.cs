using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace InteractionLedger.Access;

/// <summary>A public key the group's identity provider signs tokens with, when no <c>Authority</c> publishes them.</summary>
public sealed class SigningKeyConfiguration
{
    public string KeyId { get; set; } = "";
    /// <summary>The public key, PEM (RSA or EC).</summary>
    public string? PublicKeyPem { get; set; }
    /// <summary>A file holding the public key, PEM.</summary>
    public string? PublicKeyFile { get; set; }
}

/// <summary>
/// How people's tokens are checked (<c>Ledger:People</c>): the group's identity provider, the audience the ledger is
/// known by, and which claims carry the person's name, role and brands. Configured outside code, per deployment.
/// </summary>
public sealed class PeopleAuthenticationOptions
{
    /// <summary>The identity provider's issuer URL; its signing keys are read from its OpenID Connect metadata.</summary>
    public string? Authority { get; set; }
    /// <summary>Issuers accepted; defaults to the authority.</summary>
    public string[] Issuers { get; set; } = [];
    public string Audience { get; set; } = "interactionledger";
    /// <summary>Signing keys given directly, for a provider whose metadata the service cannot reach.</summary>
    public SigningKeyConfiguration[] SigningKeys { get; set; } = [];
    public string NameClaim { get; set; } = "name";
    public string RoleClaim { get; set; } = "roles";
    public string BrandsClaim { get; set; } = "brands";
    /// <summary>The value of the brands claim that means the whole group.</summary>
    public string GroupWideBrand { get; set; } = "*";
    /// <summary>Claims naming the application the person signed in to, first present wins.</summary>
    public string[] ApplicationClaims { get; set; } = ["azp", "client_id", "appid"];
    /// <summary>Role claim values of the identity provider mapped to the ledger's roles; by default the role names themselves.</summary>
    public Dictionary<string, Role> RoleValues { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The roles a person can hold: chatbots and integrations are systems and sign in with keys.</summary>
    public static readonly IReadOnlySet<Role> PersonRoles = new HashSet<Role> { Role.Agent, Role.PrivacyOfficer, Role.Administrator, Role.Analyst };

    public IEnumerable<SecurityKey> ResolveSigningKeys()
    {
        foreach (var key in SigningKeys)
        {
            var pem = key.PublicKeyPem ?? (key.PublicKeyFile is { } file ? File.ReadAllText(file) : null)
                      ?? throw new InvalidOperationException($"Ledger:People:SigningKeys: '{key.KeyId}' needs PublicKeyPem or PublicKeyFile.");
            yield return TryEc(pem) is { } ec ? new ECDsaSecurityKey(ec) { KeyId = key.KeyId } : new RsaSecurityKey(ImportRsa(pem)) { KeyId = key.KeyId };
        }
    }

    private static ECDsa? TryEc(string pem)
    {
        try { var ec = ECDsa.Create(); ec.ImportFromPem(pem); return ec; }
        catch (ArgumentException) { return null; }
        catch (CryptographicException) { return null; }
    }

    private static RSA ImportRsa(string pem)
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        return rsa;
    }
}

/// <summary>
/// People sign in with the group's identity provider and send its bearer token; systems send their API key. A desktop
/// or bot platform acting for an agent sends both: the token says who, the key says through which application (and
/// limits the brands to those the application serves). A key alone is never a person.
/// </summary>
public static class PeopleAuthentication
{
    public const string SelectorScheme = "Ledger";

    public static void AddPeopleTokens(this Microsoft.AspNetCore.Authentication.AuthenticationBuilder authentication,
        PeopleAuthenticationOptions people, DevelopmentSignIn? development, IReadOnlyCollection<string> brandCodes, bool isDevelopment)
    {
        authentication.AddPolicyScheme(SelectorScheme, "API key or bearer token", o => o.ForwardDefaultSelector = http =>
            http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                ? JwtBearerDefaults.AuthenticationScheme
                : ApiKeyAuthenticationHandler.SchemeName);

        authentication.AddJwtBearer(o =>
        {
            o.MapInboundClaims = false;
            // The provider's signing keys are fetched from its metadata: over plain HTTP anyone on the path could swap them.
            o.RequireHttpsMetadata = !isDevelopment;
            if (!string.IsNullOrWhiteSpace(people.Authority)) o.Authority = people.Authority;
            var keys = people.ResolveSigningKeys().ToList();
            var issuers = people.Issuers.Where(i => !string.IsNullOrWhiteSpace(i)).ToList();
            if (issuers.Count == 0 && !string.IsNullOrWhiteSpace(people.Authority)) issuers.Add(people.Authority!);
            var audiences = new List<string> { people.Audience };
            if (development is not null)
            {
                keys.Add(development.SigningKey);
                issuers.Add(DevelopmentSignIn.Issuer);
                audiences.Add(DevelopmentSignIn.Audience);
            }
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidateIssuer = true,
                ValidIssuers = issuers,
                ValidateAudience = true,
                ValidAudiences = audiences,
                ValidateLifetime = true,
                RequireExpirationTime = true,
                RequireSignedTokens = true,
                ValidateIssuerSigningKey = true,
                // Only asymmetric signatures: a shared secret would let whoever holds it mint any person.
                ValidAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
                    SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384],
                ClockSkew = TimeSpan.FromSeconds(30),
                NameClaimType = people.NameClaim,
            };
            if (keys.Count > 0) o.TokenValidationParameters.IssuerSigningKeys = keys;
            o.Events = new JwtBearerEvents
            {
                OnTokenValidated = context =>
                {
                    var (caller, failure) = ToCaller(context.Principal!, context.HttpContext, people, brandCodes);
                    if (failure is not null) context.Fail(failure);
                    else context.Principal = caller!.ToPrincipal(JwtBearerDefaults.AuthenticationScheme);
                    return Task.CompletedTask;
                },
                OnChallenge = async context =>
                {
                    context.HandleResponse();
                    await ApiKeyAuthenticationHandler.WriteUnauthenticatedAsync(context.HttpContext,
                        "Send a valid bearer token of the group's identity provider (people) or an API key (systems).");
                },
                OnForbidden = context => ApiKeyAuthenticationHandler.WriteForbiddenAsync(context.HttpContext),
            };
        });
    }

    /// <summary>The ledger's caller from a validated token, or why the token does not make one.</summary>
    internal static (Caller?, string?) ToCaller(ClaimsPrincipal token, HttpContext http, PeopleAuthenticationOptions people,
        IReadOnlyCollection<string> brandCodes)
    {
        var subject = token.FindFirstValue("sub");
        if (string.IsNullOrWhiteSpace(subject) || subject.Length > 200) return (null, "The token names no subject.");

        // With a mapping configured, only mapped values count (a role named "administrator" of another application
        // must not become the ledger's); without one, only the exact role names (no numbers, no comma lists).
        var roles = token.FindAll(people.RoleClaim).Select(c => people.RoleValues.Count > 0
                ? people.RoleValues.TryGetValue(c.Value, out var mapped) ? mapped : (Role?)null
                : Enum.GetNames<Role>().FirstOrDefault(n => string.Equals(n, c.Value, StringComparison.OrdinalIgnoreCase)) is { } name
                    ? Enum.Parse<Role>(name) : null)
            .OfType<Role>().Distinct().ToList();
        if (roles.Count == 0) return (null, "The token carries no role of the ledger.");
        if (roles.Count > 1) return (null, "The token carries several roles of the ledger; a person acts in one role at a time.");
        if (!PeopleAuthenticationOptions.PersonRoles.Contains(roles[0])) return (null, "A person's token cannot carry a system's role.");

        var brandValues = token.FindAll(people.BrandsClaim).Select(c => c.Value).ToList();
        if (brandValues.Count == 0) return (null, "The token names no brand the person acts for.");
        // The whole group only when that is all the claim says: "*" beside brands is a malformed claim, not a widening.
        if (brandValues.Contains(people.GroupWideBrand) && brandValues.Count > 1) return (null, "The token names the whole group and some brands at once.");
        HashSet<string>? brands = brandValues.Contains(people.GroupWideBrand) ? null : brandValues.ToHashSet();
        if (brands is not null && brands.Any(b => !brandCodes.Contains(b))) return (null, "The token names a brand the group does not have.");

        var application = people.ApplicationClaims.Select(token.FindFirstValue).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
        if (http.Request.Headers.TryGetValue(ApiKeyAuthenticationHandler.Header, out var keys))
        {
            // The application the person works through: its key must be valid, and it narrows the person's brands.
            var (system, failure) = ApiKeyAuthenticationHandler.Identify(keys, http.RequestServices.GetRequiredService<PrincipalDirectory>());
            if (system is null) return (null, failure);
            application = system.Id;
            if (system.Brands is not null) brands = brands is null ? system.Brands.ToHashSet() : brands.Intersect(system.Brands).ToHashSet();
            if (brands is { Count: 0 }) return (null, "The person acts for no brand the application serves.");
        }

        var name = token.FindFirstValue(people.NameClaim);
        return (new Caller(subject, roles[0], brands, new Person(subject, name is { Length: <= 200 } ? name : null), application ?? "unidentified-client"), null);
    }
}
