using System.Security.Claims;
using Npgsql;

namespace InteractionLedger.WebConsole;

/// <summary>
/// Console sessions that were signed out. The session lives in its cookie; signing out also records its id here, and
/// every request of every instance checks it, so a copy of the cookie is worth nothing once the person signed out.
/// Holds random session ids and times only.
/// </summary>
public sealed class ConsoleSessions(NpgsqlDataSource dataSource, TimeProvider clock)
{
    public const string Claim = "ledger:console-session";

    /// <summary>The principal of a new session: the person, and the session's own id.</summary>
    public static ClaimsPrincipal Open(Access.Caller caller)
    {
        var principal = caller.ToPrincipal(ConsoleAuthentication.Scheme);
        ((ClaimsIdentity)principal.Identity!).AddClaim(new Claim(Claim, Guid.NewGuid().ToString()));
        return principal;
    }

    public static Guid? IdOf(ClaimsPrincipal? user) => Guid.TryParse(user?.FindFirstValue(Claim), out var id) ? id : null;

    public async Task EndAsync(Guid session, DateTimeOffset expiresAt, CancellationToken cancellation)
    {
        var now = clock.GetUtcNow();
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            "insert into ledger.console_sessions_ended (session_id, ended_at, expires_at) values ($1, $2, $3) on conflict do nothing")
        {
            Parameters = { new() { Value = session }, new() { Value = now }, new() { Value = expiresAt < now ? now : expiresAt } },
        });
        // Rows of sessions whose token has expired anyway are of no more use.
        batch.BatchCommands.Add(new NpgsqlBatchCommand("delete from ledger.console_sessions_ended where expires_at < $1") { Parameters = { new() { Value = now } } });
        await batch.ExecuteNonQueryAsync(cancellation);
    }

    public async Task<bool> EndedAsync(Guid session, CancellationToken cancellation)
    {
        await using var command = dataSource.CreateCommand("select exists (select 1 from ledger.console_sessions_ended where session_id = $1)");
        command.Parameters.Add(new NpgsqlParameter { Value = session });
        return (bool)(await command.ExecuteScalarAsync(cancellation))!;
    }
}

/// <summary>Creates the ended-sessions table at start where the service owns the schema (embedded database, Development).</summary>
public sealed class ConsoleSessionsSetup(NpgsqlDataSource dataSource) : IHostedService
{
    public Task StartAsync(CancellationToken cancellation) => Hosting.SchemaScripts.ApplyAsync(dataSource, Hosting.SchemaScripts.ConsoleSessions, cancellation);

    public Task StopAsync(CancellationToken cancellation) => Task.CompletedTask;
}
