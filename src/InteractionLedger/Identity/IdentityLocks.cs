using Marten;
using Npgsql;

namespace InteractionLedger.Identity;

/// <summary>
/// Transaction-scoped advisory locks on identifier keys. Taken before any stream lock, in hash order, so writers
/// never wait for each other in a cycle; released by the commit or rollback of the session's transaction.
/// </summary>
public static class IdentityLocks
{
    public static async Task LockAsync(IDocumentSession session, IEnumerable<string> identifierKeys, CancellationToken cancellation)
    {
        var keys = identifierKeys.Distinct().ToArray();
        if (keys.Length == 0) return;
        await session.BeginTransactionAsync(cancellation);
        await using var command = new NpgsqlCommand(
            "select pg_advisory_xact_lock(h) from (select distinct hashtextextended(k, 0) as h from unnest(@keys) k) locks order by h",
            (NpgsqlConnection)session.Connection!);
        command.Parameters.AddWithValue("keys", keys);
        await command.ExecuteNonQueryAsync(cancellation);
    }
}
