using InteractionLedger.Access;
using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.OpenApi;
using Npgsql;

namespace InteractionLedger.Hosting;

public static class OpenApiSetup
{
    private const string ApiKeyScheme = "ApiKey";
    private const string BearerScheme = "Bearer";
    public const string DocumentName = "v1";

    public static IServiceCollection AddLedgerOpenApi(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(swagger =>
        {
            swagger.SwaggerDoc(DocumentName, new OpenApiInfo
            {
                Title = "InteractionLedger",
                Version = "1.0",
                Description = "The system of record of every contact a customer has with the brands of a group, on every channel: " +
                              "record contacts, follow cases across channels, and read a customer's unified timeline.",
            });
            swagger.AddSecurityDefinition(ApiKeyScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = Access.ApiKeyAuthenticationHandler.Header,
                Description = "A system's API key (a chatbot, an integration, a monitoring scraper). In Development, GET /dev/api-keys lists the keys that work.",
            });
            swagger.AddSecurityDefinition(BearerScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "JWT",
                Description = "A person's token from the group's identity provider (Ledger:People). In Development, POST /dev/sign-in issues one for a persona.",
            });
            // Either credential: two requirements, any one of which suffices.
            swagger.AddSecurityRequirement(document => new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, document)] = [] });
            swagger.AddSecurityRequirement(document => new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] });
            swagger.SupportNonNullableReferenceTypes();
            // OpenAPI 3.0 ignores a description beside a $ref: wrapping the reference in allOf keeps it.
            swagger.UseAllOfToExtendReferenceSchemas();
            swagger.OperationFilter<PurposeHeaderFilter>();
            swagger.OperationFilter<RateLimitResponseFilter>();
            swagger.OperationFilter<StandardResponsesFilter>();
            swagger.OperationFilter<ParameterDescriptionsFilter>();
            swagger.OperationFilter<SampleExamplesFilter>();
            swagger.SchemaFilter<RequiredPropertiesFilter>();
            swagger.SchemaFilter<ProblemSchemasFilter>();
            swagger.DocumentFilter<DocumentFilter>();
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

/// <summary>Shows, on every read of personal data, the purpose header it requires.</summary>
public sealed class PurposeHeaderFilter : Swashbuckle.AspNetCore.SwaggerGen.IOperationFilter
{
    public void Apply(OpenApiOperation operation, Swashbuckle.AspNetCore.SwaggerGen.OperationFilterContext context)
    {
        if (!context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<Privacy.PersonalDataReadMarker>().Any()) return;
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = Privacy.PersonalDataGate.PurposeHeader, In = ParameterLocation.Header, Required = true,
            Description = "Why you read this customer's data: " +
                          string.Join(", ", Privacy.PurposePolicy.Rules.Where(r => r.StatableForReads).Select(r => ApiJson.Name(r.Purpose))) +
                          ". Decides what you get; every read is recorded in the access ledger.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        });
    }
}

/// <summary>Every authenticated operation may answer 429 with Retry-After (per-principal rate limits, README).</summary>
public sealed class RateLimitResponseFilter : Swashbuckle.AspNetCore.SwaggerGen.IOperationFilter
{
    public void Apply(OpenApiOperation operation, Swashbuckle.AspNetCore.SwaggerGen.OperationFilterContext context)
    {
        if (context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<Microsoft.AspNetCore.Authorization.IAllowAnonymous>().Any()) return;
        operation.Responses ??= [];
        operation.Responses.TryAdd("429", new OpenApiResponse
        {
            Description = "Too many requests from this principal: retry after the number of seconds in Retry-After.",
            Headers = new Dictionary<string, IOpenApiHeader>
            {
                ["Retry-After"] = new OpenApiHeader
                {
                    Description = "Seconds to wait before retrying.", Schema = new OpenApiSchema { Type = JsonSchemaType.Integer },
                },
            },
        });
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
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false, ResponseWriter = WriteAsync }).WithTags("Health").AllowAnonymous()
            .WithReachRule(ReachRule.NoCustomerData);
        app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = WriteAsync }).WithTags("Health").AllowAnonymous()
            .WithReachRule(ReachRule.NoCustomerData);
    }

    private static Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString()),
            // The asynchronous views' lag, in seconds (Insights.ProjectionLagHealthCheck).
            lagSeconds = report.Entries.Where(e => e.Value.Data.Count > 0).SelectMany(e => e.Value.Data).ToDictionary(d => d.Key, d => d.Value),
        }));
    }
}
