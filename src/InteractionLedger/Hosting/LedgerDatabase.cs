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

    private LedgerDatabase(string connectionString, LocalPostgresCluster? embedded, string? embeddedDataDirectory = null)
    {
        ConnectionString = connectionString;
        _embedded = embedded;
        _embeddedDataDirectory = embeddedDataDirectory;
    }

    private readonly string? _embeddedDataDirectory;

    public string ConnectionString { get; }

    /// <summary>
    /// Where a development setup keeps the access ledger's key and checkpoints when none is configured: beside the
    /// embedded cluster's folder, or per database in the user's data folder.
    /// </summary>
    public string DevelopmentAccessLedgerDirectory
    {
        get
        {
            if (_embeddedDataDirectory is not null) return Path.Combine(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(_embeddedDataDirectory))!, "access-ledger");
            var target = new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString);
            return Path.Combine(Path.GetDirectoryName(LocalPostgresOptions.DefaultServiceDataDirectory())!, "access-ledger",
                $"{target.Host}-{target.Port}-{target.Database}".Replace('/', '_'));
        }
    }

    public static async Task<LedgerDatabase> ResolveAsync(IConfiguration configuration)
    {
        if (configuration.GetConnectionString("Ledger") is { Length: > 0 } configured)
        {
            return new LedgerDatabase(configured, embedded: null);
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
            message => Console.WriteLine($"[ledger] {message}"));

        // If the process ends without disposing the host (an unhandled crash), still stop the server.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Dispose();
        return new LedgerDatabase(cluster.ConnectionString, cluster, dataDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        if (_embedded is not null) await _embedded.StopAsync();
    }
}
