using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.OpenApi;
using Npgsql;

namespace InteractionLedger.Hosting;

public static class OpenApiSetup
{
    public static IServiceCollection AddLedgerOpenApi(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(swagger =>
        {
            swagger.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "InteractionLedger",
                Version = "v1",
                Description = "The system of record of every contact a customer has with the brands of a group, on every channel: " +
                              "record contacts, follow cases across channels, and read a customer's unified timeline.",
            });
            var xml = Path.Combine(AppContext.BaseDirectory, "InteractionLedger.xml");
            if (File.Exists(xml)) swagger.IncludeXmlComments(xml, includeControllerXmlComments: false);
        });
        return services;
    }

    public static WebApplication UseLedgerOpenApi(this WebApplication app)
    {
        app.UseSwagger();
        app.UseSwaggerUI(ui => ui.DocumentTitle = "InteractionLedger API");
        return app;
    }
}

/// <summary>Ready means the ledger can reach its database; live means the process answers.</summary>
public sealed class DatabaseHealthCheck(LedgerDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellation = default)
    {
        try
        {
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync(cancellation);
            await using var command = new NpgsqlCommand("select 1", connection);
            await command.ExecuteScalarAsync(cancellation);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The database cannot be reached.", e);
        }
    }
}

public static class HealthEndpoints
{
    public static void MapLedgerHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false, ResponseWriter = WriteAsync }).WithTags("Health").AllowAnonymous();
        app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = WriteAsync }).WithTags("Health").AllowAnonymous();
    }

    private static Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString()),
        }));
    }
}
