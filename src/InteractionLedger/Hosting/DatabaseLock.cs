using Npgsql;

namespace InteractionLedger.Hosting;

/// <summary>
/// A PostgreSQL session advisory lock held on a connection of its own: among any number of service instances on one
/// database, only the holder runs the guarded job; the lock goes with the connection if its holder dies.
/// </summary>
public sealed class DatabaseLock : IAsyncDisposable
{
    public const long AccessLedgerMaintenance = 7420002;
    public const long Retention = 7420003;

    private readonly NpgsqlConnection _connection;
    private readonly long _key;

    private DatabaseLock(NpgsqlConnection connection, long key)
    {
        _connection = connection;
        _key = key;
    }

    /// <summary>The lock, or null when another session holds it.</summary>
    public static async Task<DatabaseLock?> TryAcquireAsync(NpgsqlDataSource dataSource, long key, CancellationToken cancellation)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellation);
        try
        {
            await using var command = new NpgsqlCommand("select pg_try_advisory_lock($1)", connection);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = key });
            if ((bool)(await command.ExecuteScalarAsync(cancellation))!) return new DatabaseLock(connection, key);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        await connection.DisposeAsync();
        return null;
    }

    /// <summary>The lock, waiting for whoever holds it to finish.</summary>
    public static async Task<DatabaseLock> AcquireAsync(NpgsqlDataSource dataSource, long key, CancellationToken cancellation)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellation);
        try
        {
            await using var command = new NpgsqlCommand("select pg_advisory_lock($1)", connection);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = key });
            await command.ExecuteNonQueryAsync(cancellation);
            return new DatabaseLock(connection, key);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var command = new NpgsqlCommand("select pg_advisory_unlock($1)", _connection);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = _key });
            await command.ExecuteNonQueryAsync();
        }
        finally
        {
            // The connection string sets no reset on close: a lock left on a pooled connection would outlive its job.
            await _connection.CloseAsync();
            await _connection.DisposeAsync();
        }
    }
}
