using InteractionLedger.LocalPostgres;

namespace InteractionLedger.Hosting;

/// <summary>
/// The PostgreSQL server the ledger uses: <c>ConnectionStrings:Ledger</c> when configured, otherwise a private
/// cluster started from the machine's binaries, kept in <c>Ledger:LocalPostgres:DataDirectory</c> across
/// restarts and stopped with the service (disposed with the host's service provider).
/// </summary>
public sealed class LedgerDatabase : IAsyncDisposable
{
    private readonly LocalPostgresCluster? _embedded;

    private LedgerDatabase(string connectionString, string description, LocalPostgresCluster? embedded, string? embeddedDataDirectory = null)
    {
        ConnectionString = connectionString;
        Description = description;
        _embedded = embedded;
        _embeddedDataDirectory = embeddedDataDirectory;
    }

    private readonly string? _embeddedDataDirectory;

    public string ConnectionString { get; }

    /// <summary>Which database this is, for people (no password): printed by the service and by every database command.</summary>
    public string Description { get; }

    /// <summary>
    /// Where a development setup keeps the access ledger's key and checkpoints when none is configured: beside the
    /// embedded cluster's folder, or per database in the user's data folder.
    /// </summary>
    public string DevelopmentAccessLedgerDirectory
    {
        get
        {
            // Inside the cluster's own folder: two clusters whose folders share a parent must not share a key and checkpoints.
            if (_embeddedDataDirectory is not null) return Path.Combine(_embeddedDataDirectory, "access-ledger");
            var target = new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString);
            return Path.Combine(Path.GetDirectoryName(LocalPostgresOptions.DefaultServiceDataDirectory())!, "access-ledger",
                $"{target.Host}-{target.Port}-{target.Database}".Replace('/', '_'));
        }
    }

    /// <summary>
    /// For commands that only read code and configuration (help, codegen, openapi): nothing is started and nothing is
    /// ever connected to; the connection string only lets the store be configured.
    /// </summary>
    public static LedgerDatabase NotNeeded(IConfiguration configuration) =>
        new(configuration.GetConnectionString("Ledger") is { Length: > 0 } configured ? configured : "Host=database-not-configured.invalid;Database=ledger",
            "none (this command does not use the database)", embedded: null);

    /// <exception cref="PostgresNotInstalledException">No connection string, and no PostgreSQL to start one.</exception>
    /// <exception cref="ClusterInUseException">The embedded folder is in use in a way this process cannot join.</exception>
    public static async Task<LedgerDatabase> ResolveAsync(IConfiguration configuration, Action<string> log)
    {
        if (configuration.GetConnectionString("Ledger") is { Length: > 0 } configured)
        {
            var target = new Npgsql.NpgsqlConnectionStringBuilder(configured);
            return new LedgerDatabase(configured, $"PostgreSQL {target.Host}:{target.Port}/{target.Database} as {target.Username} (ConnectionStrings:Ledger)",
                embedded: null);
        }

        var dataDirectory = configuration["Ledger:LocalPostgres:DataDirectory"] is { Length: > 0 } configuredDirectory
            ? Path.GetFullPath(configuredDirectory)
            : LocalPostgresOptions.DefaultServiceDataDirectory();
        var cluster = await LocalPostgresCluster.StartAsync(
            new LocalPostgresOptions
            {
                DataDirectory = dataDirectory,
                Port = configuration.GetValue("Ledger:LocalPostgres:Port", 0),
            },
            log);

        // If the process ends without disposing the host (an unhandled crash), still stop using the server.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Dispose();
        return new LedgerDatabase(cluster.ConnectionString,
            $"embedded PostgreSQL on 127.0.0.1:{cluster.Port}, kept in {dataDirectory}" + (cluster.Joined ? " (shared with the process that started it)" : ""),
            cluster, dataDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        if (_embedded is not null) await _embedded.StopAsync();
    }
}
