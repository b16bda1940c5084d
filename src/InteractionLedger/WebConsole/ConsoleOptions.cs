namespace InteractionLedger.WebConsole;

/// <summary>
/// The console's settings (<c>Ledger:Console</c>), per deployment: the group's identity provider, how long a session
/// lasts, which desktops may embed it, and where it reaches the API.
/// </summary>
public sealed class ConsoleOptions
{
    /// <summary>Minutes without a request after which a person signs in again (sliding); never longer than their token.</summary>
    public int SessionMinutes { get; set; } = 30;

    /// <summary>
    /// Origins allowed to frame the console (a telephony or CRM desktop), e.g. <c>https://crm.example.com</c>. Empty: no
    /// one may frame it. When an origin is listed the session cookie is sent in a cross-site frame, which browsers only
    /// allow over HTTPS.
    /// </summary>
    public string[] FrameAncestors { get; set; } = [];

    /// <summary>Where the console calls the API as the signed-in person. Default: the service's own first HTTP address.</summary>
    public string? ApiAddress { get; set; }

    /// <summary>The time zone dates are shown in (IANA id); the group's agents work in France.</summary>
    public string TimeZone { get; set; } = "Europe/Paris";

    /// <summary>
    /// A folder every instance shares for the data-protection keys that encrypt session cookies and antiforgery tokens.
    /// Unset, each instance keeps its own, and a person moving between instances (or across a restart) signs in again.
    /// </summary>
    public string? KeysDirectory { get; set; }

    public OpenIdConnectSettings OpenIdConnect { get; set; } = new();

    /// <summary>Refuses, at start, settings the console would misuse: a token sent in clear, a zone unknown, a policy injected.</summary>
    public void Validate()
    {
        if (!string.IsNullOrWhiteSpace(ApiAddress)
            && (!Uri.TryCreate(ApiAddress, UriKind.Absolute, out var api) || (api.Scheme != Uri.UriSchemeHttps && !api.IsLoopback)))
            throw new InvalidOperationException("Ledger:Console:ApiAddress must be an https address or a loopback one: the console sends people's tokens to it.");
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out _))
            throw new InvalidOperationException($"Ledger:Console:TimeZone '{TimeZone}' is not a time zone this machine knows (an IANA id, e.g. Europe/Paris).");
        foreach (var origin in FrameAncestors.Where(a => !string.IsNullOrWhiteSpace(a)))
            if (origin != "'self'" && (!Uri.TryCreate(origin, UriKind.Absolute, out var framing) || framing.Scheme is not ("https" or "http")
                                       || framing.GetLeftPart(UriPartial.Authority) != origin.TrimEnd('/')))
                throw new InvalidOperationException($"Ledger:Console:FrameAncestors: '{origin}' is not an origin (scheme://host[:port]) or 'self'.");
    }

    public TimeSpan Session => TimeSpan.FromMinutes(Math.Clamp(SessionMinutes, 1, 24 * 60));

    /// <summary>A console cookie's SameSite: <c>None</c> inside another site's frame (sent there only so), else <paramref name="alone"/>.</summary>
    public SameSiteMode SameSite(SameSiteMode alone) => EmbeddedCrossSite ? SameSiteMode.None : alone;

    /// <summary>Whether the console must be reachable from a frame of another site.</summary>
    public bool EmbeddedCrossSite => FrameAncestors.Any(a => !string.IsNullOrWhiteSpace(a) && a != "'self'");
}

/// <summary>The group's identity provider, as the console signs people in with it (authorization code with PKCE).</summary>
public sealed class OpenIdConnectSettings
{
    /// <summary>The provider's issuer URL; unset, the console offers no sign-in outside Development.</summary>
    public string? Authority { get; set; }
    public string? ClientId { get; set; }
    /// <summary>Set from a secret store (environment variable <c>Ledger__Console__OpenIdConnect__ClientSecret</c>), never in a file.</summary>
    public string? ClientSecret { get; set; }
    /// <summary>Scopes asked for besides <c>openid profile</c>: the one that gets an access token for the ledger's audience.</summary>
    public string[] Scopes { get; set; } = [];
    /// <summary>The provider's name on the sign-in button.</summary>
    public string DisplayName { get; set; } = "the group's sign-in";

    public bool Configured => !string.IsNullOrWhiteSpace(Authority) && !string.IsNullOrWhiteSpace(ClientId);
}
