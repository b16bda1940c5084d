using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using InteractionLedger.Hosting;
using InteractionLedger.Privacy;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace InteractionLedger.WebConsole;

/// <summary>A problem the API answered, as the console shows it: its own title, detail and messages per field.</summary>
public sealed record ApiProblem(int Status, string Title, string? Detail, IReadOnlyDictionary<string, string[]> Errors)
{
    /// <summary>Someone else wrote first (a stale version), or the request conflicts with the customer's state.</summary>
    public bool IsConflict => Status is StatusCodes.Status409Conflict or StatusCodes.Status412PreconditionFailed;

    public static ApiProblem Read(int status, string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            var errors = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
            if (root.TryGetProperty("errors", out var fields) && fields.ValueKind == JsonValueKind.Object)
                foreach (var field in fields.EnumerateObject())
                    errors[field.Name] = field.Value.ValueKind == JsonValueKind.Array
                        ? field.Value.EnumerateArray().Select(m => m.ToString()).ToArray() : [field.Value.ToString()];
            return new ApiProblem(status, Text(root, "title") ?? $"HTTP {status}", Text(root, "detail"), errors);
        }
        catch (JsonException)
        {
            return new ApiProblem(status, $"HTTP {status}", null, new Dictionary<string, string[]>());
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>A problem to show, or nothing (a partial's model is never null: a null one would be its page's).</summary>
public sealed record ProblemShown(ApiProblem? Problem);

/// <summary>What the API answered: the value, or its problem.</summary>
public sealed record ApiAnswer<T>(int Status, T? Value, ApiProblem? Problem)
{
    public bool Succeeded => Problem is null;
}

/// <summary>
/// The console's way to the ledger: the API itself, called as the signed-in person with their access token. A page is
/// just another caller: the same role policies, reach rule, purpose gate and access records apply to it, and the
/// person is who the access ledger names.
/// </summary>
public sealed class ConsoleApi(HttpClient client, IHttpContextAccessor accessor)
{
    public Task<ApiAnswer<T>> GetAsync<T>(string path, Purpose? purpose, CancellationToken cancellation) =>
        SendAsync<T>(HttpMethod.Get, path, body: null, purpose, ifMatch: null, cancellation);

    public async Task<ApiAnswer<T>> SendAsync<T>(HttpMethod method, string path, object? body, Purpose? purpose, string? ifMatch,
        CancellationToken cancellation)
    {
        using var response = await SendRawAsync(method, path, body, purpose, ifMatch, cancellation);
        var text = await response.Content.ReadAsStringAsync(cancellation);
        var status = (int)response.StatusCode;
        if (!response.IsSuccessStatusCode) return new ApiAnswer<T>(status, default, ApiProblem.Read(status, text));
        return new ApiAnswer<T>(status, JsonSerializer.Deserialize<T>(text, ApiJson.Options), null);
    }

    /// <summary>The answer as bytes (an export to download), or its problem.</summary>
    public async Task<ApiAnswer<byte[]>> GetBytesAsync(string path, Purpose? purpose, CancellationToken cancellation)
    {
        using var response = await SendRawAsync(HttpMethod.Get, path, null, purpose, null, cancellation);
        var status = (int)response.StatusCode;
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellation);
        return response.IsSuccessStatusCode ? new ApiAnswer<byte[]>(status, bytes, null)
            : new ApiAnswer<byte[]>(status, null, ApiProblem.Read(status, Encoding.UTF8.GetString(bytes)));
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, object? body, Purpose? purpose, string? ifMatch,
        CancellationToken cancellation)
    {
        var http = accessor.HttpContext ?? throw new InvalidOperationException("The console calls the API only while serving a page.");
        using var request = new HttpRequestMessage(method, path);
        var token = await ConsoleAuthentication.AccessTokenAsync(http);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (purpose is { } stated) request.Headers.Add(PersonalDataGate.PurposeHeader, ApiJson.Name(stated));
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        if (body is not null)
            request.Content = new StringContent(JsonSerializer.Serialize(body, body.GetType(), ApiJson.Options), Encoding.UTF8, "application/json");
        return await client.SendAsync(request, cancellation);
    }
}

/// <summary>Where the console reaches the API: <c>Ledger:Console:ApiAddress</c>, else the service's own first HTTP address.</summary>
public sealed class ConsoleApiAddress(IServer server, IOptions<ConsoleOptions> options)
{
    private Uri? _resolved;

    public Uri Base => _resolved ??= Resolve();

    private Uri Resolve()
    {
        if (!string.IsNullOrWhiteSpace(options.Value.ApiAddress)) return new Uri(options.Value.ApiAddress);
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
        var chosen = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) ?? addresses.FirstOrDefault()
                     ?? throw new InvalidOperationException("The console found no address the service listens on: set Ledger:Console:ApiAddress.");
        // A wildcard address is where the service listens, not a host to call: the same machine answers on loopback.
        var uri = new UriBuilder(chosen.Replace("://+", "://localhost").Replace("://*", "://localhost").Replace("://[::]", "://localhost")
            .Replace("://0.0.0.0", "://localhost"));
        return uri.Uri;
    }
}
