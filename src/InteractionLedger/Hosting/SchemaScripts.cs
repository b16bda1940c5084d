using Npgsql;

namespace InteractionLedger.Hosting;

/// <summary>
/// The hand-written schema scripts of migrations/ (those outside the Marten model: 004 the access ledger, 006 the
/// console's ended sessions), embedded in the service, which runs them itself where it owns the schema. Each is safe to
/// re-run.
/// </summary>
public static class SchemaScripts
{
    public const string AccessLedger = "access_ledger.sql";
    public const string ConsoleSessions = "console_sessions.sql";

    public static async Task ApplyAsync(NpgsqlDataSource dataSource, string script, CancellationToken cancellation)
    {
        await using var stream = typeof(SchemaScripts).Assembly.GetManifestResourceStream(script)
                                 ?? throw new InvalidOperationException($"The schema script {script} is not embedded in the service.");
        var sql = await new StreamReader(stream).ReadToEndAsync(cancellation);
        // Two instances starting at once would race on the same DDL: one creates, the other waits, then finds it done.
        await using var connection = await dataSource.OpenConnectionAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        await using (var create = new NpgsqlCommand($"select pg_advisory_xact_lock({DatabaseLocks.SchemaScripts});\n" + sql, connection, transaction))
            await create.ExecuteNonQueryAsync(cancellation);
        await transaction.CommitAsync(cancellation);
    }
}
