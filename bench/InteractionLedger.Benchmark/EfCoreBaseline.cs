using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Net.Sockets;
using InteractionLedger.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace InteractionLedger.Benchmark;

/// <summary>
/// What a team would build instead of an event-sourced ledger: an interactions table behind EF Core and a minimal
/// HTTP endpoint, doing what the ledger's endpoint does for the same request (customer must exist, idempotent on the
/// interaction id, a version per customer for optimistic concurrency), on the same PostgreSQL. Hosted in the benchmark
/// process on Kestrel, so requests also cross a loopback socket.
/// </summary>
public sealed class EfCoreBaseline : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EfCoreBaseline(WebApplication app, string baseUrl) => (_app, BaseUrl) = (app, baseUrl);

    public string BaseUrl { get; }

    public static async Task<EfCoreBaseline> StartAsync(string connectionString)
    {
        var port = FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Services.AddDbContextPool<InteractionsContext>(o => o.UseNpgsql(connectionString));
        builder.Services.ConfigureHttpJsonOptions(json => ApiJson.Configure(json.SerializerOptions));
        var app = builder.Build();

        app.MapPost("/customers/{customerId:guid}/interactions", async (Guid customerId, InteractionRow body, InteractionsContext db) =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            var customer = await db.Customers.FindAsync(customerId);
            if (customer is null) return Results.NotFound();
            if (await db.Interactions.AsNoTracking().AnyAsync(i => i.Id == body.Id)) return Results.Ok(new { replayed = true });
            customer.Version++;
            db.Interactions.Add(body with { CustomerId = customerId, Version = customer.Version, RecordedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
            return Results.Created($"/customers/{customerId}/interactions/{body.Id}", new { version = customer.Version });
        });
        app.MapGet("/customers/{customerId:guid}/timeline", async (Guid customerId, InteractionsContext db) =>
            Results.Ok(await db.Interactions.AsNoTracking().Where(i => i.CustomerId == customerId)
                .OrderByDescending(i => i.OccurredAt).ThenByDescending(i => i.Id).Take(50).ToListAsync()));

        await using (var scope = app.Services.CreateAsyncScope())
        {
            // The database already holds the ledger's tables, so EnsureCreated would do nothing: create ours alone.
            var db = scope.ServiceProvider.GetRequiredService<InteractionsContext>();
            await db.GetService<Microsoft.EntityFrameworkCore.Storage.IRelationalDatabaseCreator>().CreateTablesAsync();
        }
        await app.StartAsync();
        return new EfCoreBaseline(app, $"http://127.0.0.1:{port}");
    }

    /// <summary>Customers to write to, and customers with a long history to read, in the baseline's own tables.</summary>
    public static async Task SeedAsync(string connectionString, IReadOnlyList<Guid> customers, IReadOnlyList<Guid> longHistory, int history)
    {
        await using var source = Npgsql.NpgsqlDataSource.Create(connectionString);
        await using var seed = source.CreateCommand("""
            insert into efbaseline.customers (id, version) select unnest($1::uuid[]), 0
            """);
        seed.Parameters.Add(new Npgsql.NpgsqlParameter<Guid[]> { TypedValue = [.. customers, .. longHistory] });
        await seed.ExecuteNonQueryAsync();
        await using var rows = source.CreateCommand("""
            insert into efbaseline.interactions (id, customer_id, version, occurred_at, recorded_at, brand, channel, direction, reason,
                outcome, handled_by, waiting_seconds, handling_seconds, summary)
            select gen_random_uuid(), c, v, now() - v * interval '1 hour', now(), 'horizon-telecom', 'Phone', 'Inbound', 'Billing',
                'Resolved', 'agent-042', 45, 320, 'Customer asked why the last invoice doubled; explained the end of the promotion.'
            from unnest($1::uuid[]) c, generate_series(1, $2) v
            """);
        rows.Parameters.Add(new Npgsql.NpgsqlParameter<Guid[]> { TypedValue = longHistory.ToArray() });
        rows.Parameters.Add(new Npgsql.NpgsqlParameter<int> { TypedValue = history });
        await rows.ExecuteNonQueryAsync();
        await using var versions = source.CreateCommand("update efbaseline.customers set version = $2 where id = any($1)");
        versions.Parameters.Add(new Npgsql.NpgsqlParameter<Guid[]> { TypedValue = longHistory.ToArray() });
        versions.Parameters.Add(new Npgsql.NpgsqlParameter<int> { TypedValue = history });
        await versions.ExecuteNonQueryAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed class BaselineCustomer
{
    public Guid Id { get; set; }
    [ConcurrencyCheck] public long Version { get; set; }
}

/// <summary>One contact as a row: the same fields the ledger records.</summary>
public sealed record InteractionRow
{
    public Guid Id { get; init; }
    public Guid CustomerId { get; init; }
    public long Version { get; init; }
    public DateTimeOffset OccurredAt { get; init; }
    public DateTimeOffset RecordedAt { get; init; }
    public string Brand { get; init; } = "";
    public string Channel { get; init; } = "";
    public string Direction { get; init; } = "";
    public string Reason { get; init; } = "";
    public string Outcome { get; init; } = "";
    public string? HandledBy { get; init; }
    public int? WaitingSeconds { get; init; }
    public int? HandlingSeconds { get; init; }
    public string? Summary { get; init; }
}

public sealed class InteractionsContext(DbContextOptions<InteractionsContext> options) : DbContext(options)
{
    public DbSet<BaselineCustomer> Customers => Set<BaselineCustomer>();
    public DbSet<InteractionRow> Interactions => Set<InteractionRow>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.HasDefaultSchema("efbaseline");
        model.Entity<BaselineCustomer>().ToTable("customers").Property(c => c.Id).HasColumnName("id");
        model.Entity<BaselineCustomer>().Property(c => c.Version).HasColumnName("version");
        var interaction = model.Entity<InteractionRow>().ToTable("interactions");
        interaction.HasKey(i => i.Id);
        foreach (var property in interaction.Metadata.GetProperties())
            property.SetColumnName(System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name));
        interaction.HasIndex(i => new { i.CustomerId, i.OccurredAt, i.Id }).IsDescending(false, true, true);
    }
}
