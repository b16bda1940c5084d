using System.Net;
using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace InteractionLedger.Tests.Support;

/// <summary>
/// The service on a real Kestrel port (the console calls the API over HTTP as the signed-in person) on a database of
/// its own, and Debian's Chromium driven by Playwright. Failing browser steps leave a screenshot and a trace in
/// TestResults/console.
/// </summary>
public sealed partial class ConsoleHost(LedgerApi api) : IAsyncLifetime
{
    /// <summary>Where the browser is: <c>LEDGER_CHROMIUM</c>, else Debian's package (.ci/run installs it).</summary>
    public static string ChromiumPath => Environment.GetEnvironmentVariable("LEDGER_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public LedgerFactory Factory { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"No Chromium at {ChromiumPath}: install Debian's package (apt-get install chromium) or set LEDGER_CHROMIUM.");
        Factory = new LedgerFactory(await api.Server.CreateDatabaseAsync("console"), "Development");
        BaseUrl = StartOnKestrel(Factory);
        // Assertions wait 5 s by default, not the pages' timeout (for every page of the process): one that follows a
        // click covers a whole round trip (a form posted, a redirect, a page that reads and records), on two cores
        // shared with another collection.
        Assertions.SetDefaultExpectTimeout(15_000);
        using var launching = RunWatch.Begin("Chromium starting");
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // Tests and CI run as root, where Chromium's sandbox cannot start.
            Args = ["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
        });
    }

    public async ValueTask DisposeAsync()
    {
        using (RunWatch.Begin("Chromium closing"))
        {
            await Browser.DisposeAsync();
            Playwright.Dispose();
        }
        await Factory.DisposeAsync();
    }

    /// <summary>
    /// Starts the service on a real port (the console calls its own API over HTTP) and gives its address, on
    /// <c>localhost</c>: a browser treats that as a secure context, as it would the real host over HTTPS.
    /// </summary>
    public static string StartOnKestrel(LedgerFactory factory)
    {
        factory.UseKestrel(0);
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return address.Replace("://[::]", "://localhost").Replace("://0.0.0.0", "://localhost").Replace("://127.0.0.1", "://localhost");
    }

    /// <summary>An API client of the same service (a development key), to prepare what the browser will see.</summary>
    public HttpClient Api(string apiKey = LedgerFactory.GroupAgentKey)
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        client.DefaultRequestHeaders.Add("X-Purpose", "service");
        return client;
    }

    /// <summary>
    /// Runs a browser scenario in a fresh context (its own cookies); on failure keeps a screenshot and a Playwright
    /// trace (open with <c>npx playwright show-trace</c>) under TestResults/console, then fails.
    /// </summary>
    public async Task RunAsync(string name, Func<IPage, Task> scenario, string? locale = "en-GB")
    {
        await using var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl, Locale = locale, AcceptDownloads = true, ViewportSize = new ViewportSize { Width = 1360, Height = 900 },
        });
        await context.Tracing.StartAsync(new TracingStartOptions { Screenshots = true, Snapshots = true });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        // A script the page did not mean to run (a stored <script> executed) shows up as a dialog.
        page.Dialog += (_, dialog) => throw new InvalidOperationException($"A page opened a dialog: {dialog.Message}");
        try
        {
            await scenario(page);
            await context.Tracing.StopAsync();
        }
        catch
        {
            var folder = Path.Combine(RepositoryRoot(), "TestResults", "console");
            Directory.CreateDirectory(folder);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, $"{name}.png"), FullPage = true });
            await context.Tracing.StopAsync(new TracingStopOptions { Path = Path.Combine(folder, $"{name}-trace.zip") });
            throw;
        }
    }

    /// <summary>Signs in as a development persona, with one click as a new user would.</summary>
    public static async Task SignInAsync(IPage page, string persona)
    {
        await page.GotoAsync("/console/sign-in");
        await page.ClickAsync($"button[data-persona='{persona}']");
        await page.WaitForURLAsync(new Regex("/console/?$"));
    }

    /// <summary>axe finds no serious or critical violation on the page as it is now.</summary>
    public static async Task ShouldBeAccessibleAsync(IPage page)
    {
        var result = await page.RunAxe();
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} — {string.Join(" | ", v.Nodes.Take(3).Select(n => n.Html))}").ToList();
        serious.ShouldBeEmpty($"axe on {page.Url}");
    }

    /// <summary>When <c>LEDGER_CONSOLE_SCREENSHOTS</c> names a folder, the page as the README shows it.</summary>
    public static async Task ScreenshotForDocsAsync(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("LEDGER_CONSOLE_SCREENSHOTS") is not { Length: > 0 } folder) return;
        var path = Path.IsPathRooted(folder) ? folder : Path.Combine(RepositoryRoot(), folder);
        Directory.CreateDirectory(path);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(path, $"{name}.png"), FullPage = true });
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "InteractionLedger.sln"))) directory = directory.Parent;
        return directory?.FullName ?? Directory.GetCurrentDirectory();
    }

    /// <summary>
    /// A cookie-keeping HTTP client signed in as a persona, for what a browser would not show (headers, refusals).
    /// <paramref name="cookies"/>, when given, is its jar: a test can copy the session as an attacker would.
    /// </summary>
    public async Task<HttpClient> SignedInClientAsync(string persona, CookieContainer? cookies = null)
    {
        var client = ClientWith(cookies ?? new CookieContainer());
        (await SignInAsPersonaAsync(client, persona)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        return client;
    }

    /// <summary>A client of the console keeping its cookies in <paramref name="cookies"/>, following no redirect.</summary>
    public HttpClient ClientWith(CookieContainer cookies) =>
        new(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(BaseUrl) };

    /// <summary>Clicks a persona on the sign-in page, as the form sends it.</summary>
    public static async Task<HttpResponseMessage> SignInAsPersonaAsync(HttpClient client, string persona, string? returnUrl = null)
    {
        var form = new Dictionary<string, string>
        {
            ["persona"] = persona,
            ["__RequestVerificationToken"] = AntiforgeryToken(await client.GetStringAsync("/console/sign-in")),
        };
        if (returnUrl is not null) form["returnUrl"] = returnUrl;
        return await client.PostAsync("/console/sign-in?handler=Persona", new FormUrlEncodedContent(form));
    }

    public static string AntiforgeryToken(string html) => Token().Match(html).Groups[1].Value;

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
