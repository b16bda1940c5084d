using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace InteractionLedger.Tests.Hosting;

/// <summary>
/// The README's promise for the service run with no connection string: it starts its own PostgreSQL, keeps the
/// data in its folder across restarts, stops the server when it stops, and says what to install when it cannot.
/// The service runs as its own process, exactly as `dotnet run` would start it.
/// </summary>
public sealed class when_the_service_runs_on_its_embedded_database
{
    /// <summary>
    /// The service's own build output (built before the tests through the project reference): the test folder
    /// also holds the test-only assemblies, which the service's command-line scan must not meet.
    /// </summary>
    private static readonly string ServiceDll = FindServiceDll();

    private static string FindServiceDll()
    {
        var configuration = typeof(when_the_service_runs_on_its_embedded_database).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
            .OfType<System.Reflection.AssemblyConfigurationAttribute>().Single().Configuration;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var dll = Path.Combine(dir.FullName, "src", "InteractionLedger", "bin", configuration, "net10.0", "InteractionLedger.dll");
            if (File.Exists(dll)) return dll;
        }
        throw new InvalidOperationException("The service's build output was not found.");
    }

    [Fact]
    public async Task it_keeps_the_data_across_restarts_and_stops_its_server_with_it()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"ledger-embedded-{Guid.NewGuid():N}");
        try
        {
            Guid customerId;
            await using (var first = await RunningService.StartAsync(folder))
            {
                var registered = await first.Client.PostAsJsonAsync("/customers", new { displayName = "Persistent" });
                customerId = (await registered.Content.ReadFromJsonAsync<JsonObject>())!["customerId"]!.GetValue<Guid>();
            }
            File.Exists(Path.Combine(folder, "data", "postmaster.pid")).ShouldBeFalse("the server must stop with the service");

            await using (var second = await RunningService.StartAsync(folder))
            {
                (await second.Client.GetAsync($"/customers/{customerId}")).IsSuccessStatusCode.ShouldBeTrue();
            }
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task without_postgresql_binaries_it_says_what_to_install_and_exits_non_zero()
    {
        var start = new ProcessStartInfo("dotnet", [ServiceDll]) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.Environment["LEDGER_PG_BIN"] = "/nonexistent/postgresql/bin";
        start.Environment.Remove("ConnectionStrings__Ledger");
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        process.ExitCode.ShouldBe(2);
        (await stderr).ShouldContain("apt-get install -y postgresql");
    }

    private sealed class RunningService : IAsyncDisposable
    {
        private readonly Process _process;

        private RunningService(Process process, HttpClient client)
        {
            _process = process;
            Client = client;
        }

        public HttpClient Client { get; }

        public static async Task<RunningService> StartAsync(string dataFolder)
        {
            var port = FreePort();
            var start = new ProcessStartInfo("dotnet", [ServiceDll, "--urls", $"http://127.0.0.1:{port}"])
            {
                RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(ServiceDll),
            };
            start.Environment.Remove("ConnectionStrings__Ledger");
            start.Environment["Ledger__LocalPostgres__DataDirectory"] = dataFolder;
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
            var process = Process.Start(start)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (true)
            {
                process.HasExited.ShouldBeFalse("the service exited while starting");
                try
                {
                    if ((await client.GetAsync("/health/ready")).IsSuccessStatusCode) return new RunningService(process, client);
                }
                catch (HttpRequestException)
                {
                    // not listening yet
                }
                DateTime.UtcNow.ShouldBeLessThan(deadline, "the service did not become ready");
                await Task.Delay(250);
            }
        }

        /// <summary>Stops the service as an orchestrator would: SIGTERM, then a graceful shutdown.</summary>
        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString()])) await term.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await _process.WaitForExitAsync(timeout.Token);
            _process.Dispose();
        }

        private static int FreePort()
        {
            using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start();
            return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
