using InteractionLedger.LocalPostgres;
using Npgsql;

namespace InteractionLedger.Tests.Support;

/// <summary>
/// The PostgreSQL server of the test run: the one LEDGER_TEST_POSTGRES names (a connection string to a server
/// where the tests may create databases), otherwise a throwaway cluster on a free port, deleted afterwards.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string ServerVariable = "LEDGER_TEST_POSTGRES";

    private readonly LocalPostgresCluster? _cluster;
    private readonly string _serverConnectionString;
    private readonly List<string> _created = [];

    private readonly IDisposable? _stopIfTheRunStops;

    private TestDatabase(LocalPostgresCluster? cluster, string serverConnectionString)
    {
        _cluster = cluster;
        _serverConnectionString = serverConnectionString;
        if (cluster is not null)
            _stopIfTheRunStops = RunWatch.CleanUpIfStopped(() => cluster.StopAsync(immediate: true).Wait(TimeSpan.FromSeconds(30)));
    }

    public static async Task<TestDatabase> StartAsync()
    {
        if (Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } server)
            return new TestDatabase(null, server);

        var cluster = await LocalPostgresCluster.StartAsync(new LocalPostgresOptions
        {
            DataDirectory = Path.Combine(Path.GetTempPath(), $"ledger-tests-{Guid.NewGuid():N}"),
            Throwaway = true,
            WithoutDurability = true,
            Database = "postgres",
            // Every host and service process of the run shares this server, two collections at a time, each with pools
            // of its own that keep idle connections: twice the embedded default, so a slow stretch that holds more of
            // them open (101 at once were seen in a normal run) never reaches the limit.
            Settings = new Dictionary<string, string> { ["max_connections"] = "400" },
        });
        return new TestDatabase(cluster, cluster.ConnectionString);
    }

    /// <summary>A new, empty database on the test server; dropped when the run ends.</summary>
    public async Task<string> CreateDatabaseAsync(string purpose)
    {
        var name = $"ledger_{purpose}_{Guid.NewGuid():N}"[..40];
        await using (var connection = new NpgsqlConnection(_serverConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"create database {name}", connection);
            await create.ExecuteNonQueryAsync();
        }
        _created.Add(name);
        return new NpgsqlConnectionStringBuilder(_serverConnectionString) { Database = name }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_cluster is not null)
        {
            using (RunWatch.Begin("test cluster stopping")) await _cluster.StopAsync();
            _stopIfTheRunStops?.Dispose();
            return;
        }
        await using var connection = new NpgsqlConnection(_serverConnectionString);
        await connection.OpenAsync();
        foreach (var name in _created)
        {
            await using var drop = new NpgsqlCommand($"drop database if exists {name} with (force)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
