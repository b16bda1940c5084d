using System.Globalization;
using System.Security.Cryptography;
using InteractionLedger.Access;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Localization;

namespace InteractionLedger.WebConsole;

/// <summary>
/// The console (<c>/console</c>): the agent's screen and the privacy officer's desk, server-rendered Razor Pages that
/// call the API as the signed-in person (<see cref="ConsoleApi"/>). No client library, no build step: one stylesheet
/// and one small script of its own, served from the assembly.
/// </summary>
public static class ConsoleModule
{
    public const string Root = "/console";
    /// <summary>The languages of the console's words.</summary>
    public static readonly CultureInfo[] Languages = [new("en"), new("fr")];

    /// <summary>The locales dates and numbers follow, from the browser's preference (en-GB writes 04/12/2026, en-US 12/4/2026).</summary>
    private static readonly CultureInfo[] Locales =
        new[] { "en", "en-GB", "en-US", "en-IE", "fr", "fr-FR", "fr-BE", "fr-CH", "fr-CA", "fr-LU" }.Select(c => new CultureInfo(c)).ToArray();

    /// <param name="ownsSchema">Whether the service creates its tables (embedded database, Development); elsewhere migrations/006 does.</param>
    public static IServiceCollection AddLedgerConsole(this IServiceCollection services, IConfiguration configuration, bool isDevelopment, bool ownsSchema)
    {
        var options = configuration.GetSection("Ledger:Console").Get<ConsoleOptions>() ?? new ConsoleOptions();
        options.Validate();
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        services.AddConsoleAuthentication(options, isDevelopment);
        services.AddSingleton<ConsoleSessions>();
        if (ownsSchema) services.AddHostedService<ConsoleSessionsSetup>();
        services.AddRazorPages(pages =>
        {
            pages.RootDirectory = "/WebConsole/Pages";
            pages.Conventions.AuthorizeFolder("/", ConsoleAuthentication.Policies.SignedIn);
            pages.Conventions.AuthorizeFolder("/Agent", ConsoleAuthentication.Policies.Agent);
            pages.Conventions.AuthorizeFolder("/Privacy", ConsoleAuthentication.Policies.PrivacyOfficer);
            // The ledger's integrity and retention: the privacy officer's, and the administrator's who runs the service.
            pages.Conventions.AuthorizeFolder("/Oversight", ConsoleAuthentication.Policies.Oversight);
            // Figures across the base and the campaign planner's lists: the analyst's (the API decides each read again).
            pages.Conventions.AuthorizeFolder("/Insights", ConsoleAuthentication.Policies.Insights);
            pages.Conventions.AllowAnonymousToPage("/SignIn");
            pages.Conventions.AllowAnonymousToPage("/Language");
            pages.Conventions.AllowAnonymousToPage("/NotFound");
        }).AddMvcOptions(mvc => mvc.ModelBinderProviders.Insert(0, new NamedEnumBinderProvider()));
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = "ledger-console-antiforgery";
            antiforgery.Cookie.Path = Root;
            antiforgery.Cookie.SameSite = options.SameSite(SameSiteMode.Strict);
            // Antiforgery refuses to work at all (500) on a request it sees as HTTP with a Secure-always cookie: it follows
            // the request's scheme, which behind a TLS terminator is HTTPS once forwarded headers are on (README).
            antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            antiforgery.FormFieldName = "__RequestVerificationToken";
        });
        // Sessions are encrypted with the data-protection keys: instances behind one address must share them.
        if (options.KeysDirectory is { Length: > 0 } keys)
            services.AddDataProtection().SetApplicationName("InteractionLedger").PersistKeysToFileSystem(new DirectoryInfo(keys));
        services.Configure<RequestLocalizationOptions>(localization =>
        {
            localization.DefaultRequestCulture = new RequestCulture("en");
            localization.SupportedCultures = Locales;
            localization.SupportedUICultures = Languages;
            localization.FallBackToParentUICultures = true;
            localization.RequestCultureProviders = [new CookieRequestCultureProvider { CookieName = LanguageCookie }, new AcceptLanguageHeaderRequestCultureProvider()];
        });
        services.AddSingleton<ConsoleText>();
        // "Done" messages after a write travel in a cookie: the console's, as its session's is.
        services.Configure<Microsoft.AspNetCore.Mvc.CookieTempDataProviderOptions>(tempData =>
        {
            tempData.Cookie.Path = Root;
            tempData.Cookie.SameSite = options.SameSite(SameSiteMode.Lax);
            tempData.Cookie.SecurePolicy = ConsoleAuthentication.SecurePolicy(options, isDevelopment);
        });
        // Names with accents written as they are (Razor still encodes what HTML would interpret).
        services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(encoding =>
            encoding.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        services.AddSingleton<ConsoleApiAddress>();
        services.AddHttpClient<ConsoleApi>((provider, client) =>
        {
            client.BaseAddress = provider.GetRequiredService<ConsoleApiAddress>().Base;
            client.Timeout = TimeSpan.FromSeconds(30);
        })
        // HttpClient's own log lines carry the URL, and a lookup's URL carries the identifier the agent typed.
        .RemoveAllLoggers();
        return services;
    }

    public const string LanguageCookie = "ledger-console-language";

    /// <summary>Whether a return address is a page of the console on this host: the only place sign-in or a language switch sends anyone.</summary>
    public static bool IsConsolePage(string? url, Microsoft.AspNetCore.Mvc.IUrlHelper helper) =>
        url is not null && helper.IsLocalUrl(url) && (url == Root || url.StartsWith(Root + "/", StringComparison.Ordinal) || url.StartsWith(Root + "?", StringComparison.Ordinal))
        // Dot segments climb out of /console once the browser resolves them, written plainly or encoded.
        && !url.Contains("..", StringComparison.Ordinal) && !url.Contains("%2e", StringComparison.OrdinalIgnoreCase) && !url.Contains('\\');

    /// <summary>Security headers, language and no caching for every console answer; the pages and their assets.</summary>
    public static void UseLedgerConsole(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ConsoleOptions>>().Value;
        if (!app.Environment.IsDevelopment() && string.IsNullOrEmpty(options.KeysDirectory))
            app.Logger.LogWarning("Ledger:Console:KeysDirectory is not set: console sessions last only as long as this instance, and do not move between instances");
        var policy = ContentSecurityPolicy(options);
        app.UseWhen(http => http.Request.Path.StartsWithSegments(Root), console =>
        {
            console.UseRequestLocalization();
            console.Use((http, next) =>
            {
                var headers = http.Response.Headers;
                headers.ContentSecurityPolicy = policy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "same-origin";
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                if (!options.EmbeddedCrossSite && options.FrameAncestors.Length == 0) headers.XFrameOptions = "DENY";
                // Browsers heed it over HTTPS only, which is how the console is reached outside Development.
                if (!app.Environment.IsDevelopment()) headers.StrictTransportSecurity = "max-age=31536000";
                // Personal data must not stay in a shared or back-forward cache after the agent moved on.
                // (Written as antiforgery writes it on pages with a form, so it has nothing to override.)
                if (!http.Request.Path.StartsWithSegments($"{Root}/assets"))
                {
                    headers.CacheControl = "no-cache, no-store";
                    headers.Pragma = "no-cache";
                }
                return next(http);
            });
        });
    }

    public static string ContentSecurityPolicy(ConsoleOptions options)
    {
        var ancestors = options.FrameAncestors.Where(a => !string.IsNullOrWhiteSpace(a)).ToList();
        var formAction = "'self'";
        // Signing out of the identity provider is a redirect after a form post, which form-action governs.
        if (options.OpenIdConnect.Configured && Uri.TryCreate(options.OpenIdConnect.Authority, UriKind.Absolute, out var authority))
            formAction += $" {authority.GetLeftPart(UriPartial.Authority)}";
        return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
               $"form-action {formAction}; base-uri 'none'; object-src 'none'; " +
               $"frame-ancestors {(ancestors.Count == 0 ? "'none'" : string.Join(' ', ancestors))}";
    }

    public static void MapLedgerConsole(this WebApplication app)
    {
        app.MapRazorPages().WithMetadata(ReachRule.ThroughTheApi);
        app.MapGet($"{Root}/assets/{{name}}", (string name, HttpContext http) =>
            {
                if (ConsoleAssets.Find(name) is not { } asset) return Results.NotFound();
                http.Response.Headers.CacheControl = http.Request.Query["v"] == asset.Version
                    ? "public, max-age=31536000, immutable" : "no-cache";
                return Results.Bytes(asset.Content, asset.ContentType, entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{asset.Version}\""));
            })
            .AllowAnonymous().ExcludeFromDescription().WithReachRule(ReachRule.NoCustomerData);
    }
}

/// <summary>The console's stylesheet and script, embedded in the service, addressed by a hash of their content.</summary>
public static class ConsoleAssets
{
    public sealed record Asset(byte[] Content, string ContentType, string Version);

    private static readonly Dictionary<string, Asset> All = Load();

    public static Asset? Find(string name) => All.GetValueOrDefault(name);

    /// <summary>The URL of an asset, with its content hash: a new release is fetched at once, an unchanged one never again.</summary>
    public static string Url(string name) => $"{ConsoleModule.Root}/assets/{name}?v={All[name].Version}";

    private static Dictionary<string, Asset> Load()
    {
        var assembly = typeof(ConsoleAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("console/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var content = buffer.ToArray();
            var name = resource["console/".Length..];
            var type = name.EndsWith(".css", StringComparison.Ordinal) ? "text/css; charset=utf-8"
                : name.EndsWith(".js", StringComparison.Ordinal) ? "text/javascript; charset=utf-8" : "application/octet-stream";
            assets[name] = new Asset(content, type, Convert.ToHexStringLower(SHA256.HashData(content))[..16]);
        }
        return assets;
    }
}
