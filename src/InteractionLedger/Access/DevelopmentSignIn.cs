using System.ComponentModel.DataAnnotations;
using InteractionLedger.Group;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace InteractionLedger.Access;

/// <summary>A named person a new user can sign in as in Development, without an identity provider.</summary>
/// <param name="Id">The persona's id, to send as <c>persona</c> to <c>POST /dev/sign-in</c>.</param>
/// <param name="Name">The person's display name.</param>
/// <param name="Role">The persona's role.</param>
/// <param name="Brands">The brands the persona acts for; empty for the whole group.</param>
public sealed record Persona(string Id, string Name, Role Role, IReadOnlyList<string> Brands)
{
    /// <summary>The brands it acts for, in words: their codes, or <c>whole group</c>.</summary>
    public string ScopeText => Brands.Count == 0 ? "whole group" : string.Join(", ", Brands);
}

/// <summary>Which development persona to sign in as.</summary>
/// <param name="Persona">One of <c>GET /dev/personas</c>.</param>
public sealed record DevelopmentSignInRequest([property: Required] string? Persona);

/// <summary>A bearer token for a development persona.</summary>
/// <param name="AccessToken">Send as <c>Authorization: Bearer …</c>.</param>
/// <param name="TokenType">Always <c>Bearer</c>.</param>
/// <param name="ExpiresIn">Seconds until the token expires (8 hours from issue).</param>
/// <param name="Persona">The persona the token was issued for.</param>
public sealed record DevelopmentToken(string AccessToken, string TokenType, int ExpiresIn, Persona Persona);

/// <summary>
/// A token issuer for Development only: it signs, with a key made at start-up and never written anywhere, the same kind
/// of token the group's identity provider issues, for a few named personas. Outside Development it does not exist
/// (its routes are not mapped and its key is not trusted).
/// </summary>
public sealed class DevelopmentSignIn
{
    public const string Issuer = "interactionledger-development-sign-in";
    public const string Audience = "interactionledger";
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    private static readonly string[] AgentNames = ["Camille Martin", "Lucas Bernard", "Léa Petit", "Hugo Moreau", "Chloé Laurent", "Nathan Simon"];

    public DevelopmentSignIn(IEnumerable<string> brandCodes)
    {
        SigningKey = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "development-" + Guid.NewGuid().ToString("N")[..8] };
        var brands = brandCodes.ToList();
        var personas = brands.Select((brand, i) => new Persona($"agent-{brand}", AgentNames[i % AgentNames.Length], Role.Agent, [brand])).ToList();
        personas.Add(new Persona("agent-group", "Inès Garcia", Role.Agent, []));
        personas.Add(new Persona($"analyst-{brands[0]}", "Manon Lefèvre", Role.Analyst, [brands[0]]));
        personas.Add(new Persona("analyst-group", "Julien Fontaine", Role.Analyst, []));
        personas.Add(new Persona("privacy-officer", "Sophie Durand", Role.PrivacyOfficer, []));
        personas.Add(new Persona("administrator", "Thomas Roux", Role.Administrator, []));
        Personas = personas;
    }

    public RsaSecurityKey SigningKey { get; }
    public IReadOnlyList<Persona> Personas { get; }

    /// <param name="application">The application the persona signs in to, as the identity provider's <c>azp</c> names it.</param>
    public DevelopmentToken Issue(Persona persona, DateTimeOffset now, string application = "development-sign-in")
    {
        var claims = new Dictionary<string, object>
        {
            ["sub"] = $"dev-{persona.Id}",
            ["name"] = persona.Name,
            ["roles"] = new[] { persona.Role.ToString() },
            ["brands"] = persona.Brands.Count == 0 ? ["*"] : persona.Brands.ToArray(),
            ["azp"] = application,
        };
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.Add(Lifetime).UtcDateTime,
            Claims = claims,
            SigningCredentials = new SigningCredentials(SigningKey, SecurityAlgorithms.RsaSha256),
        });
        return new DevelopmentToken(token, "Bearer", (int)Lifetime.TotalSeconds, persona);
    }
}

/// <summary>The development sign-in routes; mapped in Development only, open to anyone there.</summary>
public static class DevelopmentSignInModule
{
    public static IEndpointRouteBuilder MapDevelopmentSignInModule(this IEndpointRouteBuilder app, IWebHostEnvironment environment)
    {
        if (!environment.IsDevelopment()) return app;
        var dev = app.MapGroup("/dev").WithTags("Development sign-in").AllowAnonymous().WithReachRule(ReachRule.NoCustomerData);
        dev.MapGet("/personas", (DevelopmentSignIn signIn) => Results.Ok(signIn.Personas))
            .WithName("ListDevelopmentPersonas")
            .WithSummary("Development only: the personas a new user can sign in as.")
            .Produces<List<Persona>>();
        // Only the keys that work: none once Ledger:Principals are configured.
        dev.MapGet("/api-keys", (GroupCatalog group, PrincipalDirectory directory) => Results.Ok(
                DevelopmentPrincipals.For(group.Brands.Select(b => b.Code)).Where(d => directory.Find(d.Key) is not null)
                    .Select(d => new DevelopmentApiKey(d.Key, d.Principal.Role, d.Principal.Brands)).ToList()))
            .WithName("ListDevelopmentApiKeys")
            .WithSummary("Development only: the API keys accepted while no Ledger:Principals are configured (send one in X-Api-Key).")
            .Produces<List<DevelopmentApiKey>>();
        dev.MapPost("/sign-in", (DevelopmentSignInRequest request, DevelopmentSignIn signIn, TimeProvider clock) =>
                signIn.Personas.FirstOrDefault(p => p.Id == request.Persona) is { } persona
                    ? Results.Ok(signIn.Issue(persona, clock.GetUtcNow()))
                    : Http.InputErrors.For("persona", $"Use one of: {string.Join(", ", signIn.Personas.Select(p => p.Id))}.").ToResult())
            .WithName("DevelopmentSignIn")
            .WithSummary("Development only: a bearer token for a persona, as the group's identity provider would issue it.")
            .Produces<DevelopmentToken>()
            .ProducesValidationProblem();
        return app;
    }
}

/// <summary>A development API key and the principal it stands for.</summary>
/// <param name="Key">The value to send in X-Api-Key.</param>
/// <param name="Role">What the key may do.</param>
/// <param name="Brands">The brands it acts for; empty for the whole group.</param>
public sealed record DevelopmentApiKey(string Key, Role Role, string[] Brands);
