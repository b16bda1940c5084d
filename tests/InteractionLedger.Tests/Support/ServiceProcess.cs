using System.Diagnostics;

namespace InteractionLedger.Tests.Support;

/// <summary>The service as its own process, exactly as `dotnet run` starts it, for what only a real process can show.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    /// <summary>
    /// The service's own build output (built before the tests through the project reference): the test folder
    /// also holds the test-only assemblies, which the service's command-line scan must not meet.
    /// </summary>
    public static readonly string ServiceDll = FindServiceDll();

    private readonly Process _process;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output;

    private ServiceProcess(Process process, HttpClient client, System.Collections.Concurrent.ConcurrentQueue<string> output,
        IDisposable killIfTheRunStops)
    {
        _process = process;
        Client = client;
        _output = output;
        _killIfTheRunStops = killIfTheRunStops;
    }

    /// <summary>Until the process has stopped: killed if the run stops, or ends, with it running.</summary>
    private readonly IDisposable _killIfTheRunStops;

    public HttpClient Client { get; }

    private bool _disposed;

    /// <summary>What the service printed so far, standard output and error interleaved.</summary>
    public string Output => string.Join('\n', _output);

    /// <param name="environment">Variables for the service; its connection string is removed unless given here.</param>
    public static async Task<ServiceProcess> StartAsync(Dictionary<string, string> environment, int? port = null)
    {
        var listenOn = port ?? FreePort();
        var start = new ProcessStartInfo("dotnet", [ServiceDll, "--urls", $"http://127.0.0.1:{listenOn}"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(ServiceDll),
        };
        start.Environment.Remove("ConnectionStrings__Ledger");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment) start.Environment[key] = value;
        if (environment.TryGetValue("ConnectionStrings__Ledger", out var connectionString) && !environment.ContainsKey("Ledger__AccessLedger__Directory"))
            start.Environment["Ledger__AccessLedger__Directory"] = LedgerFactory.AccessLedgerDirectoryOf(connectionString);
        var process = Process.Start(start)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        // Its start is a step (a test's own step covers the rest of its life); killed if the run stops or ends with it running.
        var watched = RunWatch.Begin($"service process {process.Id} on port {listenOn} starting", () => string.Join('\n', output));
        var killIfTheRunStops = RunWatch.CleanUpIfStopped(() => process.Kill(entireProcessTree: true));
        process.OutputDataReceived += (_, line) => { if (line.Data is not null) output.Enqueue(line.Data); };
        process.ErrorDataReceived += (_, line) => { if (line.Data is not null) output.Enqueue(line.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{listenOn}"), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("X-Api-Key", LedgerFactory.GroupAgentKey);
        client.DefaultRequestHeaders.Add("X-Purpose", "service");
        var deadline = DateTime.UtcNow.AddSeconds(90);
        try
        {
            while (true)
            {
                process.HasExited.ShouldBeFalse($"the service exited while starting:\n{string.Join('\n', output)}");
                try
                {
                    if ((await client.GetAsync("/health/ready")).IsSuccessStatusCode)
                    {
                        watched.Dispose();
                        return new ServiceProcess(process, client, output, killIfTheRunStops);
                    }
                }
                catch (HttpRequestException)
                {
                    // not listening yet
                }
                DateTime.UtcNow.ShouldBeLessThan(deadline, $"the service did not become ready:\n{string.Join('\n', output)}");
                await Task.Delay(250);
            }
        }
        catch
        {
            // A service that did not start is not left running behind the test.
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            watched.Dispose();
            killIfTheRunStops.Dispose();
            client.Dispose();
            throw;
        }
    }

    public int Port => Client.BaseAddress!.Port;

    /// <summary>kill -9: no shutdown, no flush, nothing the process could still finish.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _killIfTheRunStops.Dispose();
    }

    /// <summary>Stops the service as an orchestrator would: SIGTERM, then a graceful shutdown.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        Client.Dispose();
        try
        {
            if (_process.HasExited) return;
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString()])) await term.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // Never left running behind the test: a service that ignores SIGTERM is killed, and the test fails.
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
                throw new TimeoutException($"The service did not stop within 60 s of SIGTERM. Its output:\n{Output}");
            }
        }
        finally
        {
            _killIfTheRunStops.Dispose();
            _process.Dispose();
        }
    }

    /// <summary>Runs one of the service's commands (demo-data, help…) as a separate process, as README shows them.</summary>
    public static Process StartCommand(Dictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", [ServiceDll, .. arguments])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(ServiceDll),
        };
        start.Environment.Remove("ConnectionStrings__Ledger");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        foreach (var (key, value) in environment) start.Environment[key] = value;
        return Process.Start(start)!;
    }

    private static string FindServiceDll()
    {
        var configuration = typeof(ServiceProcess).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
            .OfType<System.Reflection.AssemblyConfigurationAttribute>().Single().Configuration;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var dll = Path.Combine(dir.FullName, "src", "InteractionLedger", "bin", configuration, "net10.0", "InteractionLedger.dll");
            if (File.Exists(dll)) return dll;
        }
        throw new InvalidOperationException("The service's build output was not found.");
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
