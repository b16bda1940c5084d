using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;

namespace InteractionLedger.Access;

/// <summary>What a caller is to the ledger; decides which endpoints and which purposes are open to it.</summary>
/// <remarks>Monitoring reads the service's operational metrics and nothing personal (every purpose refuses it).</remarks>
public enum Role { Agent, Chatbot, PrivacyOfficer, Integration, Administrator, Monitoring, Analyst }

/// <summary>A caller configured under <c>Ledger:Principals</c>.</summary>
public sealed class PrincipalConfiguration
{
    public string Id { get; set; } = "";
    public Role Role { get; set; }
    /// <summary>The brands it acts for; empty means the whole group.</summary>
    public string[] Brands { get; set; } = [];
    /// <summary>SHA-256 of its API key, hex. The key itself is never stored.</summary>
    public string KeySha256 { get; set; } = "";
}

/// <summary>A person signed in with the group's identity provider: who the access ledger and event metadata name.</summary>
/// <param name="Subject">The identity provider's stable id for the person (<c>sub</c>).</param>
/// <param name="Name">The display name the token carried, as the privacy officer reads it.</param>
public sealed record Person(string Subject, string? Name);

/// <summary>The authenticated caller, as every endpoint and the access policy see it.</summary>
/// <param name="Id">The person's subject when a person signed in, else the API key's principal: what rate limits count.</param>
/// <param name="Brands">Null when the caller acts for the whole group.</param>
/// <param name="Person">The person acting, when the call carries their token; null for a system calling with its key alone.</param>
/// <param name="Application">The application the call came through: the API key's principal, else the token's client id.</param>
public sealed record Caller(string Id, Role Role, IReadOnlySet<string>? Brands, Person? Person = null, string? Application = null)
{
    public const string BrandClaim = "ledger:brand";
    public const string PersonNameClaim = "ledger:person-name";
    public const string PersonClaim = "ledger:person";
    public const string ApplicationClaim = "ledger:application";

    /// <summary>Who acted, as a record or a log names them: the person and the application they used, or the key.</summary>
    public string ApplicationId => Application ?? Id;

    public bool ActsFor(string brand) => Brands is null || Brands.Contains(brand);

    public bool ActsForAny(IEnumerable<string> brands) => Brands is null || brands.Any(Brands.Contains);

    public string ScopeText => Brands is null ? "the whole group" : string.Join(", ", Brands.Order());

    public static Caller From(ClaimsPrincipal user)
    {
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier)
                 ?? throw new InvalidOperationException("An endpoint reading the caller was reached without authentication.");
        var role = Enum.Parse<Role>(user.FindFirstValue(ClaimTypes.Role)!);
        var brands = user.FindAll(BrandClaim).Select(c => c.Value).ToHashSet();
        var person = user.HasClaim(c => c.Type == PersonClaim) ? new Person(id, user.FindFirstValue(PersonNameClaim)) : null;
        return new Caller(id, role, brands.Count == 0 ? null : brands, person, user.FindFirstValue(ApplicationClaim));
    }

    public ClaimsPrincipal ToPrincipal(string scheme)
    {
        List<Claim> claims = [new(ClaimTypes.NameIdentifier, Id), new(ClaimTypes.Role, Role.ToString()),
            ..(Brands ?? new HashSet<string>()).Select(b => new Claim(BrandClaim, b))];
        if (Person is not null)
        {
            claims.Add(new Claim(PersonClaim, "true"));
            if (Person.Name is not null) claims.Add(new Claim(PersonNameClaim, Person.Name));
        }
        if (Application is not null) claims.Add(new Claim(ApplicationClaim, Application));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }
}

public sealed class PrincipalDirectory
{
    private readonly Dictionary<string, Caller> _byKeyHash;

    public PrincipalDirectory(IEnumerable<PrincipalConfiguration> principals)
    {
        _byKeyHash = new Dictionary<string, Caller>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in principals)
        {
            if (string.IsNullOrWhiteSpace(p.Id)) throw new InvalidOperationException("Ledger:Principals: every principal needs an Id.");
            if (p.KeySha256 is not { Length: 64 } || !p.KeySha256.All(Uri.IsHexDigit))
                throw new InvalidOperationException($"Ledger:Principals: '{p.Id}' needs KeySha256, the 64 hex digits of SHA-256 of its key.");
            if (!_byKeyHash.TryAdd(p.KeySha256, new Caller(p.Id, p.Role, p.Brands is { Length: > 0 } ? p.Brands.ToHashSet() : null)))
                throw new InvalidOperationException($"Ledger:Principals: '{p.Id}' shares its key with another principal.");
        }
    }

    /// <summary>
    /// A plain SHA-256 suffices: API keys are long random tokens, not passwords, so a slow hash would only slow
    /// every request without making a stolen configuration file any easier to reverse.
    /// </summary>
    public static string Hash(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public Caller? Find(string key) => _byKeyHash.GetValueOrDefault(Hash(key));
}

/// <summary>
/// Keys anyone can read in the README, so a new user can try the service at once. Only ever used when no principal
/// is configured and the ledger runs on its own embedded database or in Development; announced at start-up.
/// </summary>
public static class DevelopmentPrincipals
{
    public static IReadOnlyList<(string Key, PrincipalConfiguration Principal)> For(IEnumerable<string> brandCodes)
    {
        var principals = new List<(string, PrincipalConfiguration)>();
        foreach (var brand in brandCodes)
        {
            principals.Add(Dev($"agent-{brand}", Role.Agent, [brand]));
            principals.Add(Dev($"bot-{brand}", Role.Chatbot, [brand]));
            principals.Add(Dev($"integration-{brand}", Role.Integration, [brand]));
        }
        foreach (var brand in brandCodes) principals.Add(Dev($"analyst-{brand}", Role.Analyst, [brand]));
        principals.Add(Dev("agent-group", Role.Agent, []));
        principals.Add(Dev("analyst-group", Role.Analyst, []));
        principals.Add(Dev("integration-group", Role.Integration, []));
        principals.Add(Dev("privacy-officer", Role.PrivacyOfficer, []));
        principals.Add(Dev("administrator", Role.Administrator, []));
        principals.Add(Dev("monitoring", Role.Monitoring, []));
        return principals;
    }

    private static (string, PrincipalConfiguration) Dev(string id, Role role, string[] brands)
    {
        var key = $"dev-{id}";
        return (key, new PrincipalConfiguration { Id = id, Role = role, Brands = brands, KeySha256 = PrincipalDirectory.Hash(key) });
    }
}
