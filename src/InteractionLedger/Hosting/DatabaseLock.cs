using Npgsql;

namespace InteractionLedger.Hosting;

/// <summary>
/// PostgreSQL session advisory locks, each held on a connection of its own outside the pool: among any number of
/// service instances on one database, only the holder runs the guarded job, and the lock ends with its connection
/// (closed when the job ends, or dropped by the server if its holder dies). Pooled connections keep their session
/// state here (no reset on close), so a lock taken on one could outlive its job.
/// </summary>
public sealed class DatabaseLocks(string connectionString)
{
    /// <summary>Taken per transaction (not on a connection of its own) by <see cref="SchemaScripts"/>.</summary>
    public const long SchemaScripts = 7420001;
    public const long AccessLedgerMaintenance = 7420002;
    public const long Retention = 7420003;
    public const long SchemaChanges = 7420004;
    public const long ViewRebuild = 7420005;
    public const long SignalSweep = 7420006;

    private readonly string _unpooled = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;

    /// <summary>The lock, or null when another session holds it.</summary>
    public async Task<DatabaseLock?> TryAcquireAsync(long key, CancellationToken cancellation)
    {
        var connection = await OpenAsync(cancellation);
        try
        {
            await using var command = LockCommand("select pg_try_advisory_lock($1)", key, connection);
            if ((bool)(await command.ExecuteScalarAsync(cancellation))!) return new DatabaseLock(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        await connection.DisposeAsync();
        return null;
    }

    /// <summary>The lock, waiting as long as it takes for whoever holds it to finish (or for the caller to give up).</summary>
    public async Task<DatabaseLock> AcquireAsync(long key, CancellationToken cancellation)
    {
        var connection = await OpenAsync(cancellation);
        try
        {
            await using var command = LockCommand("select pg_advisory_lock($1)", key, connection);
            await command.ExecuteNonQueryAsync(cancellation);
            return new DatabaseLock(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellation)
    {
        var connection = new NpgsqlConnection(_unpooled);
        try
        {
            await connection.OpenAsync(cancellation);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static NpgsqlCommand LockCommand(string sql, long key, NpgsqlConnection connection) =>
        new(sql, connection) { CommandTimeout = 0, Parameters = { new NpgsqlParameter<long> { TypedValue = key } } };
}

/// <summary>A held advisory lock: released by closing its (unpooled) connection.</summary>
public sealed class DatabaseLock(NpgsqlConnection connection) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => connection.DisposeAsync();
}
