using System.Text;
using InteractionLedger.Hosting;
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
            .Select(s => (s.Method.Method, Segments: new Uri(s.Url).AbsolutePath.Trim('/').Split('/'))).ToList();
        var endpoints = api.Factory.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && !raw.StartsWith("/swagger", StringComparison.Ordinal) && !raw.Contains("{**"))
            // The console's pages and assets are for browsers, not API clients: its journeys have browser tests.
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IExcludeFromDescriptionMetadata>()?.ExcludeFromDescription != true
                        && e.Metadata.GetMetadata<InteractionLedger.Access.ReachRule>() != InteractionLedger.Access.ReachRule.ThroughTheApi)
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => (Method: m, Template: e.RoutePattern.RawText!)))
            .ToHashSet();

        // A sample covers a route when its method is the route's and its path matches the template: literal segments
        // equal, parameter segments anything.
        bool Covers((string Method, string[] Segments) sample, (string Method, string Template) route)
        {
            var template = route.Template.Trim('/').Split('/');
            return sample.Method == route.Method && sample.Segments.Length == template.Length &&
                   template.Zip(sample.Segments).All(pair => pair.First.StartsWith('{') || pair.First == pair.Second);
        }
        endpoints.Where(route => !sampled.Any(sample => Covers(sample, route))).Select(route => $"{route.Method} {route.Template}")
            .ShouldBeEmpty("endpoints without a sample in http-samples/");
    }
}
