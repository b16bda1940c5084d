using System.Diagnostics;
using InteractionLedger.Tests.Support;
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
    [Fact]
    public async Task it_keeps_the_data_across_restarts_and_stops_its_server_with_it()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"ledger-embedded-{Guid.NewGuid():N}");
        try
        {
            Guid customerId;
            await using (var first = await ServiceProcess.StartAsync(new() { ["Ledger__LocalPostgres__DataDirectory"] = folder }))
            {
                var registered = await first.Client.PostAsJsonAsync("/customers", new { displayName = "Persistent" });
                customerId = (await registered.Content.ReadFromJsonAsync<JsonObject>())!["customerId"]!.GetValue<Guid>();
            }
            File.Exists(Path.Combine(folder, "data", "postmaster.pid")).ShouldBeFalse("the server must stop with the service");

            await using (var second = await ServiceProcess.StartAsync(new() { ["Ledger__LocalPostgres__DataDirectory"] = folder }))
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
        var start = new ProcessStartInfo("dotnet", [ServiceProcess.ServiceDll]) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.Environment["LEDGER_PG_BIN"] = "/nonexistent/postgresql/bin";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment.Remove("ConnectionStrings__Ledger");
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        process.ExitCode.ShouldBe(2);
        (await stderr).ShouldContain("apt-get install -y postgresql");
    }
}

/// <summary>Outside Development the embedded database and its development keys are not a default anyone can fall into.</summary>
public sealed class when_a_production_service_has_no_database_configured
{
    [Fact]
    public async Task it_says_what_to_configure_and_exits_non_zero_starting_nothing()
    {
        var start = new ProcessStartInfo("dotnet", [ServiceProcess.ServiceDll]) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment.Remove("ConnectionStrings__Ledger");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        process.ExitCode.ShouldBe(2);
        (await stderr).ShouldContain("ConnectionStrings__Ledger");
        var printed = await stdout;
        printed.ShouldNotContain("dev-agent");
        printed.ShouldNotContain("PostgreSQL listening");
    }
}

/// <summary>Another account on the machine must not read the ledger: the embedded cluster authenticates every connection.</summary>
public sealed class when_anyone_connects_to_the_embedded_cluster
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task a_connection_without_the_generated_password_is_refused_and_the_password_is_private_to_its_owner()
    {
        await using var cluster = await InteractionLedger.LocalPostgres.LocalPostgresCluster.StartAsync(new InteractionLedger.LocalPostgres.LocalPostgresOptions
        {
            DataDirectory = Path.Combine(Path.GetTempPath(), $"ledger-auth-{Guid.NewGuid():N}"),
            Throwaway = true,
            WithoutDurability = true,
        });
        var withPassword = new Npgsql.NpgsqlConnectionStringBuilder(cluster.ConnectionString);
        withPassword.Password.ShouldNotBeNullOrEmpty();
        await using (var allowed = new Npgsql.NpgsqlConnection(withPassword.ConnectionString)) await allowed.OpenAsync();

        foreach (var password in new string?[] { null, "postgres", "wrong" })
        {
            var attempt = new Npgsql.NpgsqlConnectionStringBuilder(cluster.ConnectionString) { Password = password, Pooling = false };
            await using var refused = new Npgsql.NpgsqlConnection(attempt.ConnectionString);
            var failure = await Should.ThrowAsync<Exception>(() => refused.OpenAsync());
            (failure is Npgsql.PostgresException { SqlState: "28P01" } || failure.Message.Contains("password", StringComparison.OrdinalIgnoreCase))
                .ShouldBeTrue(failure.ToString());
        }

        var passwordFile = Path.Combine(cluster.RootDirectory, "password");
        (File.GetUnixFileMode(passwordFile) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite))
            .ShouldBe(UnixFileMode.None);
        (await File.ReadAllLinesAsync(Path.Combine(cluster.RootDirectory, "data", "pg_hba.conf")))
            .Where(line => !line.TrimStart().StartsWith('#') && line.Contains("trust")).ShouldBeEmpty();
    }
}

/// <summary>
/// README's own order (run the service, then load demo data in another terminal) and the other one: processes share
/// the embedded folder's server, the last one out stops it, and a server whose users all died is recovered.
/// </summary>
public sealed class when_several_processes_use_the_embedded_folder
{
    private static Dictionary<string, string> On(string folder) => new() { ["Ledger__LocalPostgres__DataDirectory"] = folder };

    [Fact]
    public async Task demo_data_loaded_into_a_running_service_leaves_it_answering_and_prints_a_command_that_works()
    {
        var folder = NewFolder();
        try
        {
            await using (var service = await ServiceProcess.StartAsync(On(folder)))
            {
                var (exit, output) = await RunToEndAsync(ServiceProcess.StartCommand(On(folder), "demo-data", "--customers", "150"));
                exit.ShouldBe(0, output);
                output.ShouldContain("shared with the process that started it");
                output.ShouldContain("Loaded 150 customers");

                (await service.Client.GetAsync("/health/ready")).IsSuccessStatusCode.ShouldBeTrue("the service keeps its database");
                var printed = output.Split('\n').Single(l => l.Contains("curl -s"));
                printed.ShouldContain("-H 'X-Api-Key: dev-agent-group' -H 'X-Purpose: service'");
                var path = new Uri(printed.Trim().Split(' ').Last()).PathAndQuery;
                (await service.Client.GetAsync(path)).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK, "the printed command works");
            }
            File.Exists(Path.Combine(folder, "data", "postmaster.pid")).ShouldBeFalse("the last process out stops the server");
        }
        finally
        {
            Delete(folder);
        }
    }

    [Fact]
    public async Task a_service_started_while_demo_data_loads_joins_its_server_and_outlives_it()
    {
        var folder = NewFolder();
        try
        {
            using var loading = ServiceProcess.StartCommand(On(folder), "demo-data", "--customers", "5000");
            var loaded = RunToEndAsync(loading);
            // The loader has started the server once it says which database it uses.
            while (!File.Exists(Path.Combine(folder, "data", "postmaster.pid")) || !File.Exists(Path.Combine(folder, "password")))
            {
                if (loading.HasExited) throw new ShouldAssertException($"demo-data ended before starting a server: {(await loaded).Output}");
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }

            await using (var service = await ServiceProcess.StartAsync(On(folder)))
            {
                var (exit, output) = await loaded;
                exit.ShouldBe(0, output);
                service.Output.ShouldContain("shared with the process that started it");
                output.ShouldContain("Other processes still use this PostgreSQL");

                (await service.Client.GetAsync("/health/ready")).IsSuccessStatusCode.ShouldBeTrue("the loader left the server running for the service");
                var path = new Uri(output.Split('\n').Single(l => l.Contains("curl -s")).Trim().Split(' ').Last()).PathAndQuery;
                (await service.Client.GetAsync(path)).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
            }
            File.Exists(Path.Combine(folder, "data", "postmaster.pid")).ShouldBeFalse("the last process out stops the server");
        }
        finally
        {
            Delete(folder);
        }
    }

    [Fact]
    public async Task a_server_left_by_a_killed_service_is_recovered_by_the_next_one()
    {
        var folder = NewFolder();
        try
        {
            Guid customerId;
            var first = await ServiceProcess.StartAsync(On(folder));
            var registered = await first.Client.PostAsJsonAsync("/customers", new { displayName = "Survivor" }, TestContext.Current.CancellationToken);
            customerId = (await registered.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken))!["customerId"]!.GetValue<Guid>();
            await first.KillAsync();
            File.Exists(Path.Combine(folder, "data", "postmaster.pid")).ShouldBeTrue("kill -9 leaves the server running");

            await using var second = await ServiceProcess.StartAsync(On(folder));
            second.Output.ShouldContain("left running by a process that has since died");
            (await second.Client.GetAsync($"/customers/{customerId}", TestContext.Current.CancellationToken)).IsSuccessStatusCode.ShouldBeTrue();
            await first.DisposeAsync();
        }
        finally
        {
            Delete(folder);
        }
    }

    [Fact]
    public async Task commands_that_need_no_database_start_none()
    {
        var folder = NewFolder();
        foreach (var command in new[] { "help", "openapi" })
        {
            var (exit, output) = await RunToEndAsync(ServiceProcess.StartCommand(On(folder), command));
            exit.ShouldBe(0, output);
            output.ShouldNotContain("Searching");
            Directory.Exists(folder).ShouldBeFalse($"'{command}' must not start a database");
        }
    }

    private static async Task<(int Exit, string Output)> RunToEndAsync(Process process)
    {
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string NewFolder() => Path.Combine(Path.GetTempPath(), $"ledger-shared-{Guid.NewGuid():N}");

    private static void Delete(string folder)
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }
}

/// <summary>Another account on the machine must not be able to plant or redirect the embedded cluster's files.</summary>
public sealed class when_another_account_prepares_the_embedded_folder
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task a_folder_others_may_write_in_is_refused_and_a_planted_link_is_never_written_through()
    {
        var open = Path.Combine(Path.GetTempPath(), $"ledger-open-{Guid.NewGuid():N}");
        Directory.CreateDirectory(open);
        File.SetUnixFileMode(open, (UnixFileMode)Convert.ToInt32("777", 8));
        try
        {
            var refused = await Should.ThrowAsync<InteractionLedger.LocalPostgres.ClusterInUseException>(() =>
                InteractionLedger.LocalPostgres.LocalPostgresCluster.StartAsync(new() { DataDirectory = open, Throwaway = true, WithoutDurability = true }));
            refused.Message.ShouldContain("writable by other accounts");
            Directory.Exists(Path.Combine(open, "data")).ShouldBeFalse();
        }
        finally
        {
            Directory.Delete(open, recursive: true);
        }

        var folder = Path.Combine(Path.GetTempPath(), $"ledger-link-{Guid.NewGuid():N}");
        var precious = Path.Combine(Path.GetTempPath(), $"precious-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(precious, "keep me");
        Directory.CreateDirectory(folder);
        File.CreateSymbolicLink(Path.Combine(folder, "password"), precious);
        try
        {
            await using (var cluster = await InteractionLedger.LocalPostgres.LocalPostgresCluster.StartAsync(new() { DataDirectory = folder, Throwaway = true, WithoutDurability = true }))
            {
                new FileInfo(Path.Combine(folder, "password")).LinkTarget.ShouldBeNull("the link was replaced by a file of the cluster's own");
            }
            (await File.ReadAllTextAsync(precious)).ShouldBe("keep me");
        }
        finally
        {
            File.Delete(precious);
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}
