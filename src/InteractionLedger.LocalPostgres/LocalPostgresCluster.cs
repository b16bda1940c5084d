using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace InteractionLedger.LocalPostgres;

/// <summary>
/// A private PostgreSQL cluster run from the machine's binaries, listening on loopback only.
/// Layout of <see cref="LocalPostgresOptions.DataDirectory"/>: <c>data/</c> (the cluster), <c>run/</c> (its socket),
/// <c>postgres.log</c>, <c>password</c>, and two lock files through which any number of processes share it.
/// </summary>
/// <remarks>
/// Every process using the folder holds <c>users.lock</c> shared for as long as it uses the server; starting and
/// stopping happen under <c>starting.lock</c>. The first process starts the server; the next ones find it through
/// the folder (its port in <c>postmaster.pid</c>, its password) and use it; the last one to stop stops it. A server
/// found running while nobody holds <c>users.lock</c> was left by processes that died: it is stopped and started
/// afresh. So a service and a <c>demo-data</c> run, in either order, share one server and neither stops it under
/// the other.
/// </remarks>
public sealed class LocalPostgresCluster : IAsyncDisposable, IDisposable
{
    private readonly LocalPostgresOptions _options;
    private readonly string _binDirectory;
    private readonly Action<string> _log;
    private int _stopped;
    private FolderLock? _use;

    private LocalPostgresCluster(LocalPostgresOptions options, string binDirectory, int port, Action<string> log)
    {
        _options = options;
        _binDirectory = binDirectory;
        _log = log;
        Port = port;
    }

    /// <summary>The superuser's password, generated with the cluster and kept in <see cref="PasswordPath"/> (mode 0600).</summary>
    private string _password = "";

    public int Port { get; }

    /// <summary>True when another process started the server and this one joined it.</summary>
    public bool Joined { get; private init; }

    /// <summary>Connection string to the cluster's application database.</summary>
    public string ConnectionString => ConnectionStringFor(_options.Database);

    public string RootDirectory => _options.DataDirectory;

    private string DataPath => Path.Combine(_options.DataDirectory, "data");
    private string SocketPath => Path.Combine(_options.DataDirectory, "run");
    /// <summary>The server's own log.</summary>
    public string LogPath => Path.Combine(_options.DataDirectory, "postgres.log");
    private string PasswordPath => Path.Combine(_options.DataDirectory, "password");
    private string HbaPath => Path.Combine(DataPath, "pg_hba.conf");
    private static string UsersLock(string folder) => Path.Combine(folder, "users.lock");
    private static string StartingLock(string folder) => Path.Combine(folder, "starting.lock");
    private static readonly TimeSpan StartingPatience = TimeSpan.FromMinutes(2);

    /// <summary>PostgreSQL refuses to run as root, so as root every server binary runs as the postgres user.</summary>
    private static bool RunningAsRoot => Environment.UserName == "root";

    public string ConnectionStringFor(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Password = _password,
        Database = database,
        MaxPoolSize = 100,
    }.ConnectionString;

    /// <exception cref="PostgresNotInstalledException">No server binaries on this machine.</exception>
    /// <exception cref="ClusterInUseException">Another process uses the folder in a way this one cannot join.</exception>
    public static async Task<LocalPostgresCluster> StartAsync(
        LocalPostgresOptions options, Action<string>? log = null, CancellationToken cancellation = default)
    {
        log ??= _ => { };
        var bin = PostgresBinaries.Find() ?? throw new PostgresNotInstalledException(PostgresBinaries.InstallHint);
        var folder = options.DataDirectory;
        if (!Directory.Exists(folder)) Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        RefuseFolderOthersControl(folder);

        using var starting = await FolderLock.ExclusiveAsync(StartingLock(folder), StartingPatience, cancellation);
        using (var alone = FolderLock.TryExclusive(UsersLock(folder)))
        {
            if (alone is not null)
            {
                var cluster = new LocalPostgresCluster(options, bin, options.Port == 0 ? FreeLoopbackPort() : options.Port, log);
                await cluster.InitializeAndStartAsync(cancellation);
                // From sole user to one user among those to come (still under starting.lock, so nobody slips in between).
                alone.Dispose();
                cluster._use = cluster.Use();
                return cluster;
            }
        }
        return await JoinAsync(options, bin, log, cancellation);
    }

    /// <summary>
    /// The folder holds the database, its password and the development access-ledger key: another account that owns it
    /// or may write in it could plant a cluster (and its password) the service would then fill with customers, or
    /// swap a file for a link. Only this account's folder (or the postgres account's, which a root start hands it to),
    /// writable by nobody else, is used.
    /// </summary>
    private static void RefuseFolderOthersControl(string folder)
    {
        if (OperatingSystem.IsWindows()) return;
        var mode = File.GetUnixFileMode(folder);
        if ((mode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
            throw new ClusterInUseException($"{folder} is writable by other accounts (mode {Convert.ToString((int)mode, 8)}): " +
                                            "give the service a folder of its own (chmod 700), or another one (Ledger:LocalPostgres:DataDirectory).");
        var owner = OwnerOf(folder);
        if (owner != Environment.UserName && !(RunningAsRoot && owner == "postgres"))
            throw new ClusterInUseException($"{folder} belongs to the account '{owner}', not to this one ('{Environment.UserName}'): " +
                                            "use a folder of this account's (Ledger:LocalPostgres:DataDirectory).");
    }

    private static string OwnerOf(string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%U", path]) { RedirectStandardOutput = true, UseShellExecute = false })!;
        var owner = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return owner;
    }

    /// <summary>Another live process runs the folder's server: use it as it is.</summary>
    private static async Task<LocalPostgresCluster> JoinAsync(LocalPostgresOptions options, string bin, Action<string> log, CancellationToken cancellation)
    {
        var folder = options.DataDirectory;
        var refusal = $"The PostgreSQL of {folder} is in use by another process";
        var pid = Path.Combine(folder, "data", "postmaster.pid");
        var passwordPath = Path.Combine(folder, "password");
        // postmaster.pid: line 1 the server's pid, line 4 its port (PostgreSQL's documented layout).
        var lines = File.Exists(pid) ? await File.ReadAllLinesAsync(pid, cancellation) : [];
        if (lines.Length < 4 || !int.TryParse(lines[3], out var port) || !File.Exists(passwordPath))
            throw new ClusterInUseException($"{refusal}, which has not started its server: stop that process or give this one another " +
                                            "folder (Ledger:LocalPostgres:DataDirectory).");

        var cluster = new LocalPostgresCluster(options, bin, port, log)
        {
            Joined = true,
            _password = (await File.ReadAllTextAsync(passwordPath, cancellation)).Trim(),
        };
        try
        {
            await cluster.EnsureDatabaseAsync(options.Database, cancellation);
        }
        catch (NpgsqlException e)
        {
            throw new ClusterInUseException($"{refusal}, but its server on 127.0.0.1:{port} does not answer ({e.Message}).");
        }
        cluster._use = cluster.Use();
        if (options.Port != 0 && options.Port != port) log($"The running server listens on {port}, not on the configured {options.Port}.");
        log($"Using the PostgreSQL another process started for {folder} (127.0.0.1:{port}); the last process using it stops it.");
        return cluster;
    }

    /// <summary>Marks this process as a user of the folder's server; called while holding <c>starting.lock</c>.</summary>
    private FolderLock Use() =>
        FolderLock.TryShared(UsersLock(RootDirectory)) ?? throw new ClusterInUseException($"{RootDirectory} is being taken over by another process.");

    private async Task InitializeAndStartAsync(CancellationToken cancellation)
    {
        Directory.CreateDirectory(DataPath);
        Directory.CreateDirectory(SocketPath);
        if (RunningAsRoot)
        {
            await RunAsync("chown", ["-R", "postgres:postgres", _options.DataDirectory], asPostgres: false, cancellation);
        }

        var trustedBefore = false;
        if (!File.Exists(Path.Combine(DataPath, "PG_VERSION")))
        {
            _log($"Creating a PostgreSQL cluster in {DataPath}");
            await WritePasswordAsync(cancellation);
            // Every connection authenticates, on the socket as on 127.0.0.1: another account on this machine must not
            // read the ledger. The password is generated here and never leaves the folder.
            await RunAsync(Tool("initdb"),
                ["-D", DataPath, "-A", "scram-sha-256", "--pwfile", PasswordPath, "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"],
                asPostgres: true, cancellation, quiet: true);
        }
        else
        {
            var pidFile = Path.Combine(DataPath, "postmaster.pid");
            if (File.Exists(pidFile))
            {
                // Nobody alive uses the folder (we hold users.lock alone), so whoever started this server died without
                // stopping it: stop it, and start it afresh with this process's settings. Only if the pid is still
                // this folder's postmaster: after a reboot it may be any other program's, which must not be signalled.
                if (IsThisFoldersServer(await File.ReadAllLinesAsync(pidFile, cancellation)))
                {
                    _log("A server left running by a process that has since died holds this folder; restarting it.");
                    await RunAsync(Tool("pg_ctl"), ["-D", DataPath, "-m", "fast", "-w", "-s", "stop"], asPostgres: true,
                        cancellation, tolerateFailure: true);
                }
                else
                {
                    File.Delete(pidFile);
                }
            }
            if (File.Exists(PasswordPath)) _password = (await File.ReadAllTextAsync(PasswordPath, cancellation)).Trim();
            else
            {
                // Created by an earlier version, which trusted every local connection: given a password now.
                trustedBefore = true;
                await WritePasswordAsync(cancellation);
            }
        }

        await StartServerAsync(cancellation);
        if (trustedBefore) await RequirePasswordsAsync(cancellation);
        await EnsureDatabaseAsync(_options.Database, cancellation);
    }

    /// <summary>Whether postmaster.pid's process is a PostgreSQL server of this very data folder (its command line names it).</summary>
    private bool IsThisFoldersServer(string[] pidFile)
    {
        if (pidFile.Length == 0 || !int.TryParse(pidFile[0], out var pid)) return false;
        try
        {
            var commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
            return commandLine.Contains("postgres", StringComparison.Ordinal) && commandLine.Contains(DataPath, StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false; // no such process
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private async Task WritePasswordAsync(CancellationToken cancellation)
    {
        _password = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        // Created new, private from its first byte: a file or a link left in its place (an interrupted start) is
        // removed, never written through.
        if (File.Exists(PasswordPath) || new FileInfo(PasswordPath).LinkTarget is not null) File.Delete(PasswordPath);
        await using (var file = new FileStream(PasswordPath, new FileStreamOptions
                     {
                         Mode = FileMode.CreateNew, Access = FileAccess.Write,
                         UnixCreateMode = OperatingSystem.IsWindows() ? null : UnixFileMode.UserRead | UnixFileMode.UserWrite,
                     }))
        await using (var writer = new StreamWriter(file))
            await writer.WriteAsync(_password);
        // initdb, run as the postgres user, reads it once; root reads it whatever its owner. -h: never through a link.
        if (RunningAsRoot) await RunAsync("chown", ["-h", "postgres:postgres", PasswordPath], asPostgres: false, cancellation);
    }

    /// <summary>Sets the generated password on a cluster that trusted local connections, then stops trusting them.</summary>
    private async Task RequirePasswordsAsync(CancellationToken cancellation)
    {
        var trusting = new NpgsqlConnectionStringBuilder(ConnectionStringFor("postgres")) { Password = null }.ConnectionString;
        await using (var connection = new NpgsqlConnection(trusting))
        {
            await connection.OpenAsync(cancellation);
            await using var alter = new NpgsqlCommand($"alter user postgres password '{_password}'", connection);
            await alter.ExecuteNonQueryAsync(cancellation);
        }
        NpgsqlConnection.ClearAllPools();
        await File.WriteAllTextAsync(HbaPath, string.Join('\n',
            "# Written by InteractionLedger: every connection authenticates with the password kept beside the data folder.",
            "local all all scram-sha-256", "host all all 127.0.0.1/32 scram-sha-256", "host all all ::1/128 scram-sha-256", ""), cancellation);
        await RunAsync(Tool("pg_ctl"), ["-D", DataPath, "-s", "reload"], asPostgres: true, cancellation);
        _log("This cluster trusted local connections; it now requires the password kept in its folder.");
    }

    private async Task StartServerAsync(CancellationToken cancellation)
    {
        var serverOptions = new List<string>
        {
            $"-p {Port}", $"-k {SocketPath}", "-c listen_addresses=127.0.0.1", "-c max_connections=200",
        };
        serverOptions.AddRange(LogSettingsWithoutData.Select(s => $"-c {s.Key}={s.Value}"));
        if (_options.WithoutDurability)
        {
            serverOptions.AddRange(["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]);
        }
        serverOptions.AddRange(_options.Settings.Select(s => $"-c {s.Key}={s.Value}"));

        await RunAsync(Tool("pg_ctl"),
            ["-D", DataPath, "-o", string.Join(' ', serverOptions), "-l", LogPath, "-w", "-t", "60", "-s", "start"],
            asPostgres: true, cancellation, environment: ServerMemoryTuning);
    }

    /// <summary>Stops the server (immediately: as a crash would) and starts it again on the same port and data (fault drills).</summary>
    public async Task RestartAsync(bool immediate, TimeSpan downtime = default, CancellationToken cancellation = default)
    {
        await RunAsync(Tool("pg_ctl"), ["-D", DataPath, "-m", immediate ? "immediate" : "fast", "-w", "-s", "stop"],
            asPostgres: true, cancellation);
        if (downtime > TimeSpan.Zero) await Task.Delay(downtime, cancellation);
        await StartServerAsync(cancellation);
    }

    /// <summary>Creates the database when it does not exist yet and returns its connection string.</summary>
    public async Task<string> EnsureDatabaseAsync(string database, CancellationToken cancellation = default)
    {
        await using var connection = new NpgsqlConnection(ConnectionStringFor("postgres"));
        await connection.OpenAsync(cancellation);
        await using var exists = new NpgsqlCommand("select 1 from pg_database where datname = @name", connection);
        exists.Parameters.AddWithValue("name", database);
        if (await exists.ExecuteScalarAsync(cancellation) is null)
        {
            await using var create = new NpgsqlCommand($"create database \"{database.Replace("\"", "\"\"")}\"", connection);
            await create.ExecuteNonQueryAsync(cancellation);
        }

        return ConnectionStringFor(database);
    }

    /// <summary>Stops using the server, and stops the server when no other process uses it.</summary>
    /// <param name="immediate">Stops without a checkpoint, as a crash would (fault drills).</param>
    public async Task StopAsync(bool immediate = false)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        NpgsqlConnection.ClearAllPools();
        using var stopping = await FolderLock.ExclusiveAsync(StartingLock(RootDirectory), StartingPatience, CancellationToken.None);
        _use?.Dispose();
        using var last = FolderLock.TryExclusive(UsersLock(RootDirectory));
        if (last is null)
        {
            _log("Other processes still use this PostgreSQL: it keeps running for them.");
            return;
        }
        await RunAsync(Tool("pg_ctl"), ["-D", DataPath, "-m", immediate ? "immediate" : "fast", "-w", "-s", "stop"],
            asPostgres: true, CancellationToken.None, tolerateFailure: true);
        if (_options.Throwaway)
        {
            try { Directory.Delete(_options.DataDirectory, recursive: true); }
            catch (IOException) { /* a throwaway folder left in /tmp is harmless */ }
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    public void Dispose() => StopAsync().GetAwaiter().GetResult();

    private string Tool(string name) => Path.Combine(_binDirectory, name);

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// The server's log must never hold customer data: it outlives an erasure. No statement is logged, ever (not on
    /// error, not for being slow, not its parameters). Errors of statements are not logged by the server at all: even
    /// their primary message can quote a value ('invalid input syntax for type uuid: "…"'); the service logs each
    /// failure with its SQLSTATE instead. What remains is the server's own life (start, checkpoints, connections
    /// refused), tersely: no DETAIL ("Key (id)=(…)") or CONTEXT ("JSON data, line 1: …"). README gives DBAs the same
    /// settings for production servers.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> LogSettingsWithoutData = new Dictionary<string, string>
    {
        ["log_statement"] = "none",
        ["log_min_error_statement"] = "panic",
        ["log_min_duration_statement"] = "-1",
        ["log_error_verbosity"] = "terse",
        ["log_min_messages"] = "log",
        ["log_parameter_max_length"] = "0",
        ["log_parameter_max_length_on_error"] = "0",
    };

    /// <summary>
    /// glibc's malloc hands freed memory back to the kernel as soon as 128 KB sit free at the top of the heap. A
    /// backend frees its per-query memory after every statement, so under load each statement ends in a brk()
    /// that shrinks the heap, and on a virtual machine the TLB shootdown that follows costs more than the statement:
    /// profiled under the write benchmark, 12% of all CPU went there (bench/RESULTS.md). Keeping up to 64 MB per
    /// backend removes that; production servers deserve the same two variables in their service unit.
    /// </summary>
    private static readonly IReadOnlyDictionary<string, string> ServerMemoryTuning = new Dictionary<string, string>
    {
        ["MALLOC_TRIM_THRESHOLD_"] = (64 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["MALLOC_TOP_PAD_"] = (16 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static async Task RunAsync(string file, IReadOnlyList<string> arguments, bool asPostgres,
        CancellationToken cancellation, bool tolerateFailure = false, bool quiet = false,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = asPostgres && RunningAsRoot
            ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", file, .. arguments])
            : new ProcessStartInfo(file, arguments);
        start.UseShellExecute = false;
        start.RedirectStandardError = true;
        // Never redirected for pg_ctl start: the server it leaves running would inherit the pipe and hold it open.
        start.RedirectStandardOutput = quiet;
        start.WorkingDirectory = "/";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}");
        var stderr = process.StandardError.ReadToEndAsync(cancellation);
        var stdout = quiet ? process.StandardOutput.ReadToEndAsync(cancellation) : Task.FromResult("");
        await process.WaitForExitAsync(cancellation);
        var errors = await stderr;
        await stdout;
        if (process.ExitCode != 0 && !tolerateFailure)
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(file)} {string.Join(' ', arguments)} exited with {process.ExitCode}: {errors.Trim()}");
        }
    }
}

public sealed class PostgresNotInstalledException(string message) : Exception(message);
