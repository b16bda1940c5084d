namespace InteractionLedger.LocalPostgres;

public sealed record LocalPostgresOptions
{
    /// <summary>Where the cluster keeps its files. Kept across restarts unless <see cref="Throwaway"/>.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Loopback port; 0 picks a free one at start.</summary>
    public int Port { get; init; }

    /// <summary>A throwaway cluster (tests, benchmarks) is deleted when stopped.</summary>
    public bool Throwaway { get; init; }

    /// <summary>
    /// Runs without fsync and synchronous commit: for test suites only, where speed matters and a crash loses
    /// nothing of value. Otherwise PostgreSQL's defaults hold: an acknowledged commit survives a crash.
    /// </summary>
    public bool WithoutDurability { get; init; }

    public string Database { get; init; } = "ledger";

    /// <summary>Extra settings passed to the server (-c name=value).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>The default folder of the service's own cluster: documented in README.</summary>
    public static string DefaultServiceDataDirectory() =>
        Environment.UserName == "root" || Environment.GetEnvironmentVariable("HOME") is null
            // /root is mode 700, and the server must run as the postgres user when we are root.
            ? "/var/lib/interactionledger/postgres"
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "interactionledger", "postgres");
}
