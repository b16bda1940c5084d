using InteractionLedger.Hosting;
using Npgsql;

namespace InteractionLedger.Privacy;

/// <summary>The access ledger's registrations: its keys and checkpoint folder (outside the database), writer, verifier, schedule.</summary>
public static class AccessLedgerModule
{
    public static IServiceCollection AddAccessLedger(this IServiceCollection services, IConfiguration configuration, LedgerDatabase database,
        bool ownsSchema, bool developmentKeyAllowed)
    {
        var options = configuration.GetSection("Ledger:AccessLedger").Get<AccessLedgerOptions>() ?? new AccessLedgerOptions();
        if (developmentKeyAllowed) options.Directory ??= database.DevelopmentAccessLedgerDirectory;
        var keys = AccessLedgerKeys.Load(options, generateIfMissing: developmentKeyAllowed);
        if (options.Directory is null && options.CheckpointDirectory is null)
            throw new InvalidOperationException("Ledger:AccessLedger:CheckpointDirectory is not set: say where the access ledger's signed checkpoints are written (outside the database); see README, 'The access ledger'.");
        if (options.CheckpointEveryMinutes <= 0) throw new InvalidOperationException("Ledger:AccessLedger:CheckpointEveryMinutes must be positive.");
        if (options.RetentionMonths < 1) throw new InvalidOperationException("Ledger:AccessLedger:RetentionMonths must be at least 1.");

        services.AddSingleton(options);
        services.AddSingleton(keys);
        services.AddSingleton<AccessLedger>();
        services.AddSingleton<CheckpointSink>();
        services.AddSingleton<AccessLedgerVerifier>();
        services.AddSingleton<AccessLedgerMaintenance>();
        services.AddHostedService(provider => new AccessLedgerSetup(provider.GetRequiredService<NpgsqlDataSource>(),
            provider.GetRequiredService<TimeProvider>(), ownsSchema, provider.GetRequiredService<ILogger<AccessLedgerSetup>>()));
        services.AddHostedService<AccessLedgerSchedule>();
        return services;
    }
}

/// <summary>
/// At start: the ledger's tables where the service owns the schema, and this month's and the next two months'
/// partitions everywhere (a write finding none creates it too).
/// </summary>
public sealed class AccessLedgerSetup(NpgsqlDataSource dataSource, TimeProvider clock, bool ownsSchema, ILogger<AccessLedgerSetup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellation)
    {
        if (ownsSchema) await AccessLedger.CreateSchemaAsync(dataSource, cancellation);
        try
        {
            await AccessLedgerPartitions.EnsureAheadAsync(dataSource, clock.GetUtcNow(), cancellation);
        }
        catch (PostgresException e)
        {
            logger.LogError("The access ledger's partitions could not be created ({SqlState}): grant CREATE on schema ledger to the service's login, or create them ahead (README)", e.SqlState);
        }
    }

    public Task StopAsync(CancellationToken cancellation) => Task.CompletedTask;
}
