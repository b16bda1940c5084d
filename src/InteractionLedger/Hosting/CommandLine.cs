using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace InteractionLedger.Hosting;

/// <summary>What a command line asks of this process, decided before anything is started.</summary>
public enum LedgerCommand
{
    /// <summary>The service itself (no command, or <c>run</c>).</summary>
    Service,

    /// <summary>A command that works on the ledger's database (<c>db-apply</c>, <c>projections</c>, <c>demo-data</c>…).</summary>
    Database,

    /// <summary>A command that reads only the code and configuration (<c>help</c>, <c>codegen</c>, <c>openapi</c>…): no database is started.</summary>
    WithoutDatabase,
}

public static class LedgerCommandLine
{
    private static readonly HashSet<string> WithoutDatabase = new(StringComparer.OrdinalIgnoreCase)
    {
        "help", "?", "codegen", "openapi", "event-model", "describe-event-model", "scaffold",
    };

    /// <remarks>As JasperFx reads a command line: the command is the first argument, and a first argument that is a flag
    /// (<c>--urls …</c>) means the service.</remarks>
    public static LedgerCommand Classify(IReadOnlyList<string> args)
    {
        var name = args.Count == 0 || args[0].StartsWith('-') ? null : args[0];
        if (name is null || name.Equals("run", StringComparison.OrdinalIgnoreCase)) return LedgerCommand.Service;
        return WithoutDatabase.Contains(name) ? LedgerCommand.WithoutDatabase : LedgerCommand.Database;
    }
}

/// <summary>
/// The few lines a person starting the service needs: where it answers, where its data lives, how to sign in. The
/// framework's own start-up lines are left to the log (at Information for Microsoft.Hosting.Lifetime outside Development).
/// </summary>
public sealed class StartupSummary(IServer server, IHostApplicationLifetime lifetime, LedgerDatabase database, IHostEnvironment environment)
    : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            Console.WriteLine($"InteractionLedger ({environment.EnvironmentName}) answers on {string.Join(", ", addresses)}  (API document: /swagger)");
            Console.WriteLine($"Data: {database.Description}");
            if (environment.IsDevelopment())
            {
                Console.WriteLine("Sign in: POST /dev/sign-in {\"persona\": \"agent-group\"} for a person's token (personas: GET /dev/personas), " +
                                  "or send X-Api-Key: dev-agent-group (all development keys: GET /dev/api-keys). Ctrl+C stops.");
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
