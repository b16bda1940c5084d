using JasperFx.CommandLine;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.Swagger;

namespace InteractionLedger.Hosting;

public sealed class OpenApiInput : NetCoreInput
{
    [Description("File to write the document to (default: standard output)")]
    public string? OutputFlag { get; set; }
}

/// <summary>
/// Writes the API document clients are generated from, exactly as the service serves it at /swagger/v1/swagger.json,
/// without starting the service or a database (CI lints it; a client generator can read it from a build).
/// </summary>
[Description("Writes the OpenAPI document (JSON) without starting the service or a database", Name = "openapi")]
public sealed class OpenApiCommand : JasperFxAsyncCommand<OpenApiInput>
{
    public override async Task<bool> Execute(OpenApiInput input)
    {
        // `dotnet run` runs in the project's folder, where a path relative to the repository does not lead.
        if (input.OutputFlag is { Length: > 0 } output && Path.GetDirectoryName(Path.GetFullPath(output)) is { } folder && !Directory.Exists(folder))
        {
            Console.Error.WriteLine($"No folder {folder} to write {output} in (the command runs in {Environment.CurrentDirectory}): give a path from there, or an absolute one.");
            return false;
        }
        using var host = input.BuildHost();
        // A service that is not started has not handed its routes to routing yet (that happens as its pipeline is
        // built at start): UseEndpoints hands them over now, which is all the API explorer needs.
        if (host is WebApplication app)
        {
            app.UseRouting();
            app.UseEndpoints(_ => { });
        }
        var document = host.Services.GetRequiredService<ISwaggerProvider>().GetSwagger(OpenApiSetup.DocumentName);
        await using var text = input.OutputFlag is { Length: > 0 } path ? new StreamWriter(path) : new StreamWriter(Console.OpenStandardOutput());
        document.SerializeAsV3(new OpenApiJsonWriter(text));
        await text.FlushAsync();
        if (input.OutputFlag is { Length: > 0 }) Console.Error.WriteLine($"Wrote {input.OutputFlag}");
        return true;
    }
}
