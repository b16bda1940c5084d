using System.Diagnostics;
using InteractionLedger.LocalPostgres;
using Npgsql;

namespace InteractionLedger.Benchmark;

/// <summary>
/// A PostgreSQL cluster with durable settings (what production would run) and the service, built in the same
/// configuration as the benchmark, running as its own process on Kestrel: requests cross a real loopback socket.
/// The schema comes from migrations/, as in production.
/// </summary>
public sealed class ServiceUnderTest : IAsyncDisposable
{
    private readonly LocalPostgresCluster _database;
    private readonly Process _service;

    private ServiceUnderTest(LocalPostgresCluster database, Process service, string baseUrl)
    {
        _database = database;
        _service = service;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    /// <summary>A key made up for this run; the service only knows its hash, as in production.</summary>
    public static readonly string AgentKey = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public string ConnectionString => _database.ConnectionString;

    public int ProcessId => _service.Id;

    /// <summary>The service process's resident memory now.</summary>
    public long ResidentBytes
    {
        get
        {
            _service.Refresh();
            return _service.WorkingSet64;
        }
    }

    /// <param name="telemetry">False starts the service without telemetry (Ledger:Telemetry:Enabled), to measure its cost.</param>
    /// <param name="environment">Production by default; Development for the console's scenario, whose development
    /// personas sign in without an identity provider (the pages and the API are the same code either way).</param>
    public static async Task<ServiceUnderTest> StartAsync(string repoRoot, bool telemetry = true, string environment = "Production")
    {
        var database = await LocalPostgresCluster.StartAsync(new LocalPostgresOptions
        {
            DataDirectory = Path.Combine(Path.GetTempPath(), $"ledger-bench-{Guid.NewGuid():N}"),
            Throwaway = true,
        });
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync();
            foreach (var script in Directory.GetFiles(Path.Combine(repoRoot, "migrations"), "*.sql").Order())
                await new NpgsqlCommand(await File.ReadAllTextAsync(script), connection).ExecuteNonQueryAsync();
        }

        var configuration = typeof(ServiceUnderTest).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
            .OfType<System.Reflection.AssemblyConfigurationAttribute>().Single().Configuration;
        var serviceFolder = Path.Combine(repoRoot, "src", "InteractionLedger", "bin", configuration, "net10.0");
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(serviceFolder, "InteractionLedger.dll"), "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = serviceFolder,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ConnectionStrings__Ledger"] = database.ConnectionString;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        start.Environment["Ledger__Principals__0__Id"] = "bench-agent";
        start.Environment["Ledger__Principals__0__Role"] = "Agent";
        start.Environment["Ledger__Principals__0__KeySha256"] = InteractionLedger.Access.PrincipalDirectory.Hash(AgentKey);
        // Production needs the access ledger's key and checkpoint folder outside the database: a throwaway pair.
        start.Environment["Ledger__AccessLedger__Keys__0__Id"] = "bench";
        start.Environment["Ledger__AccessLedger__Keys__0__Secret"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        start.Environment["Ledger__AccessLedger__Directory"] = Path.Combine(Path.GetTempPath(), $"ledger-bench-access-{Guid.NewGuid():N}");
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Ledger__Telemetry__Enabled"] = telemetry ? "true" : "false";
        var service = Process.Start(start)!;
        service.OutputDataReceived += (_, _) => { };
        service.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"[service] {e.Data}"); };
        service.BeginOutputReadLine();
        service.BeginErrorReadLine();

        var baseUrl = $"http://127.0.0.1:{port}";
        using var probe = new HttpClient { BaseAddress = new Uri(baseUrl) };
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if ((await probe.GetAsync("/health/ready")).IsSuccessStatusCode) break;
            }
            catch (HttpRequestException) when (attempt < 120 && !service.HasExited)
            {
            }
            if (service.HasExited || attempt >= 120) throw new InvalidOperationException("The service did not become ready.");
            await Task.Delay(500);
        }
        Console.WriteLine($"Service ({configuration}) ready at {baseUrl}, database 127.0.0.1:{database.Port} (telemetry {(telemetry ? "on" : "off")})");
        var stack = new ServiceUnderTest(database, service, baseUrl);
        // Interrupted (Ctrl+C, a time limit's SIGTERM): still stop the service and delete the throwaway cluster.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stack.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Console.CancelKeyPress += (_, _) => stack.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return stack;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        if (!_service.HasExited)
        {
            _service.Kill(entireProcessTree: true);
            await _service.WaitForExitAsync();
        }
        await _database.StopAsync();
    }
}
