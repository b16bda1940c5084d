using System.Text;
using InteractionLedger.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace InteractionLedger.Tests.Hosting;

/// <summary>Every request in http-samples/, in file order, against the test server: the samples cannot rot.</summary>
public sealed class when_replaying_the_http_samples(LedgerApi api)
{
    private static string SamplesFolder => Path.Combine(AppContext.BaseDirectory, "http-samples");

    [Fact]
    public async Task every_sample_request_gets_its_expected_status_and_a_second_run_only_replays()
    {
        var files = Directory.GetFiles(SamplesFolder, "*.http").Order().ToList();
        files.Count.ShouldBeGreaterThanOrEqualTo(8);
        var samples = files.SelectMany(HttpSampleFile.Parse).ToList();

        // Without the test client's default key and purpose: the samples must carry what a user has to send.
        using var client = api.Factory.ClientAs(apiKey: null, purpose: null);
        foreach (var run in new[] { "first run", "second run" })
        {
            foreach (var sample in samples)
            {
                using var request = new HttpRequestMessage(sample.Method, new Uri(sample.Url).PathAndQuery);
                if (sample.Body is not null)
                {
                    var contentType = sample.Headers.FirstOrDefault(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).Value;
                    request.Content = new StringContent(sample.Body, Encoding.UTF8, contentType ?? "application/json");
                }
                foreach (var header in sample.Headers.Where(h => !h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)))
                    request.Headers.TryAddWithoutValidation(header.Key, header.Value);

                var response = await client.SendAsync(request);

                ((int)response.StatusCode).ShouldBeOneOf(sample.ExpectedStatuses.ToArray(),
                    $"{run}: {sample} answered {await response.Content.ReadAsStringAsync()}");
            }
        }
    }

    [Fact]
    public void every_endpoint_of_the_api_appears_in_the_samples()
    {
        var sampled = Directory.GetFiles(SamplesFolder, "*.http").SelectMany(HttpSampleFile.Parse)
            .Select(s => $"{s.Method} {Normalise(new Uri(s.Url).AbsolutePath)}").ToHashSet();
        var endpoints = api.Factory.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && !raw.StartsWith("/swagger", StringComparison.Ordinal) && !raw.Contains("{**"))
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => $"{m} {Normalise(e.RoutePattern.RawText!)}"))
            .ToHashSet();

        endpoints.Except(sampled).ShouldBeEmpty("endpoints without a sample in http-samples/");
    }

    /// <summary>Route templates and concrete URLs compared by shape: every id or parameter segment becomes {}.</summary>
    private static string Normalise(string path) => "/" + string.Join('/', path.Trim('/').Split('/')
        .Select(segment => segment.StartsWith('{') || Guid.TryParse(segment, out _) ? "{}" : segment));
}
