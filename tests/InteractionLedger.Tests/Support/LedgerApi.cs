using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using InteractionLedger.Hosting;
using JasperFx.CommandLine;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

[assembly: AssemblyFixture(typeof(InteractionLedger.Tests.Support.LedgerApi))]

namespace InteractionLedger.Tests.Support;

/// <summary>
/// The real service (Wolverine, Marten, every endpoint) on a fresh database of the test server, shared by all
/// test classes. Tests isolate themselves by working on customers of their own, so they may run in parallel.
/// </summary>
public sealed class LedgerApi : IAsyncLifetime
{
    public TestDatabase Server { get; private set; } = null!;
    public LedgerFactory Factory { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        RunWatch.Start();
        Server = await TestDatabase.StartAsync();
        Factory = new LedgerFactory(await Server.CreateDatabaseAsync("api"), "Development");
        Client = Factory.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        await DrillReport.WriteIfAskedAsync();
        Client.Dispose();
        await Factory.DisposeAsync();
        await Server.DisposeAsync();
        RunWatch.CleanUpLeftovers();
        if (Directory.Exists(LedgerFactory.TestRunFolder)) Directory.Delete(LedgerFactory.TestRunFolder, recursive: true);
    }

    public Task<Guid> RegisterCustomerAsync(string? displayName = "Test Customer") => Client.RegisterAsync(brand: null, displayName);

    public Task<HttpResponseMessage> PostJsonAsync(string url, object body, string? ifMatch = null) =>
        SendJsonAsync(HttpMethod.Post, url, JsonSerializer.Serialize(body, ApiJson.Options), ifMatch);

    public async Task<HttpResponseMessage> SendJsonAsync(HttpMethod method, string url, string json, string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(method, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return await Client.SendAsync(request);
    }

    public async Task<T> GetAsync<T>(string url)
    {
        var response = await Client.GetAsync(url);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<T>(ApiJson.Options))!;
    }
}

/// <param name="settings">Configuration on top of appsettings.json, e.g. the principals of a Production host.</param>
/// <param name="services">Registrations on top of the service's, e.g. a log capture.</param>
public sealed class LedgerFactory(string connectionString, string environment, TimeProvider? clock = null,
    IReadOnlyDictionary<string, string>? settings = null, Action<IServiceCollection>? services = null) : WebApplicationFactory<Program>
{
    static LedgerFactory()
    {
        // The service's Program ends in RunJasperFxCommands: under a test host it must start, not parse a command.
        JasperFxEnvironment.AutoStartHost = true;
    }

    /// <summary>The callers tests act as: the development keys (<c>DevelopmentPrincipals</c>), active in Development.</summary>
    public const string GroupAgentKey = "dev-agent-group";

    private string Database => new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Database!;

    protected override IHost CreateHost(IHostBuilder builder)
    {
        using (RunWatch.Begin($"host starting on {Database}")) return base.CreateHost(builder);
    }

    public override async ValueTask DisposeAsync()
    {
        using (RunWatch.Begin($"host stopping on {Database}")) await base.DisposeAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        builder.UseSetting("ConnectionStrings:Ledger", connectionString);
        // Retention runs when a test asks for it, not in the middle of another test's old contacts; so do the access
        // ledger's checkpoints, not in the middle of a test tampering with it.
        builder.UseSetting("Ledger:Retention:Scheduled", "false");
        builder.UseSetting("Ledger:AccessLedger:Scheduled", "false");
        // New proactive signals are announced when a test asks (SignalAnnouncer), not every five minutes.
        builder.UseSetting("Ledger:Insights:AnnounceSignalsEveryMinutes", "0");
        // Two hosts on one database (two instances) share its key and checkpoint folder, as two servers would.
        builder.UseSetting("Ledger:AccessLedger:Directory", AccessLedgerDirectoryOf(connectionString));
        // Test-speed cluster timings: a host runs its asynchronous views within a second of starting (Wolverine's defaults:
        // 10 s health checks, 60 s before a node is stale, assignments checked every 30 s).
        foreach (var (key, value) in ClusterTimings) builder.UseSetting(key, value);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) builder.UseSetting(key, value);
        if (clock is not null)
            builder.ConfigureServices(registrations => registrations.AddSingleton(clock));
        if (services is not null) builder.ConfigureServices(services);
    }

    /// <summary>
    /// Hosts here always stop cleanly, handing their views over at once, so a node is stale only after 30 s without a
    /// health check: a host held up by a loaded machine is not taken for dead. The drill of a node killed sets 5 s.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> ClusterTimings = new Dictionary<string, string>
    {
        ["Ledger:Cluster:HealthCheckSeconds"] = "1",
        ["Ledger:Cluster:StaleNodeSeconds"] = "30",
        ["Ledger:Cluster:CheckAssignmentsSeconds"] = "1",
        ["Ledger:Cluster:FirstHealthCheckSeconds"] = "0",
    };

    /// <summary>The test run's folder for one database's access ledger key and checkpoints (deleted with the run).</summary>
    public static string AccessLedgerDirectoryOf(string connectionString) =>
        Path.Combine(TestRunFolder, new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Database!);

    public static readonly string TestRunFolder = Path.Combine(Path.GetTempPath(), $"ledger-tests-access-{Environment.ProcessId}-{Guid.NewGuid():N}");

    /// <summary>By default, an agent acting for the whole group and serving the customer's request.</summary>
    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Add("X-Api-Key", GroupAgentKey);
        client.DefaultRequestHeaders.Add("X-Purpose", "service");
    }

    /// <summary>A client acting as another principal, reading for a purpose (none: no X-Purpose header).</summary>
    public HttpClient ClientAs(string? apiKey, string? purpose = "service")
    {
        var client = CreateDefaultClient();
        client.DefaultRequestHeaders.Remove("X-Api-Key");
        client.DefaultRequestHeaders.Remove("X-Purpose");
        if (apiKey is not null) client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        if (purpose is not null) client.DefaultRequestHeaders.Add("X-Purpose", purpose);
        return client;
    }
}
