using Marten;

namespace InteractionLedger.Hosting;

/// <summary>
/// Where the service owns its schema (Development, the embedded database), creates or updates the model's tables
/// before anything else starts, holding a database-wide lock: PostgreSQL refuses two concurrent creations of the same
/// table (23505 on pg_type), so a service and a demo-data load, or two instances, starting together on a new database
/// take turns, and the second finds the work done.
/// </summary>
public sealed class SchemaOnStartup(IDocumentStore store, DatabaseLocks locks) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => ApplyAsync(store, locks, cancellationToken);

    public static async Task ApplyAsync(IDocumentStore store, DatabaseLocks locks, CancellationToken cancellation)
    {
        await using var held = await locks.AcquireAsync(DatabaseLocks.SchemaChanges, cancellation);
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
