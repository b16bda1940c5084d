using System.Net;
using InteractionLedger.Tests.Support;

namespace InteractionLedger.Tests.Hosting;

/// <summary>
/// The metrics endpoint serves Prometheus text to monitoring (and administrators) only: the callers that read
/// customers get nothing there, and a monitoring key gets nothing personal anywhere.
/// </summary>
public sealed class when_operations_scrape_the_metrics(LedgerApi api)
{
    [Fact]
    public async Task monitoring_reads_the_ledgers_meters_and_no_customer_data_caller_does()
    {
        using var agent = api.Factory.ClientAs(Callers.TelecomAgent);
        var customerId = await agent.RegisterAsync();
        await agent.PostJsonAsync($"/customers/{customerId}/interactions", Contacts.Valid()).EnsureAsync();
        (await agent.GetAsync($"/customers/{customerId}/overview")).EnsureSuccessStatusCode();

        using var monitoring = api.Factory.ClientAs(Callers.Monitoring, purpose: null);
        // The exporter answers from a copy up to 300 ms old (another test may just have scraped), and a request's duration
        // is recorded once its response has gone: read until the meters of this test's requests are there.
        var text = await ((Func<Task<string>>)(async () =>
        {
            var scrape = await monitoring.GetAsync("/metrics");
            scrape.StatusCode.ShouldBe(HttpStatusCode.OK);
            return await scrape.Content.ReadAsStringAsync();
        })).WaitForAsync(t => t.Contains("http_server_request_duration") && t.Contains("ledger_contacts_recorded"),
            "the scrape holds this test's requests", TimeSpan.FromSeconds(10));
        text.ShouldContain("ledger_access_decisions");
        text.ShouldContain("ledger_contacts_recorded");
        text.ShouldContain("ledger_access_records_batch_duration");
        text.ShouldContain("http_server_request_duration");
        text.ShouldNotContain(customerId.ToString());
        text.Split('\n').Where(l => l.Contains("Username=")).ShouldBeEmpty("Npgsql's pool names (connection strings) are not labels");
        text.ShouldNotContain("Host=");

        (await api.Factory.ClientAs(Callers.Administrator, purpose: null).GetAsync("/metrics")).StatusCode.ShouldBe(HttpStatusCode.OK);
        foreach (var reader in new[] { Callers.TelecomAgent, Callers.TelecomBot, Callers.TelecomIntegration, Callers.PrivacyOfficer })
            (await api.Factory.ClientAs(reader, purpose: null).GetAsync("/metrics")).StatusCode.ShouldBe(HttpStatusCode.Forbidden, reader);
        using var anonymous = api.Factory.ClientAs(apiKey: null, purpose: null);
        (await anonymous.GetAsync("/metrics")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        using var monitoringReading = api.Factory.ClientAs(Callers.Monitoring, "service");
        // Refused before anything is looked up: the same answer for a customer that exists and one that does not.
        foreach (var probe in new[] { customerId, Guid.NewGuid() })
        {
            var refused = await monitoringReading.GetAsync($"/customers/{probe}/overview");
            refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await refused.JsonAsync())["type"]!.GetValue<string>().ShouldBe("/problems/forbidden-role");
        }
        (await monitoringReading.PostJsonAsync($"/customers/{customerId}/interactions", Contacts.Valid())).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }
}

/// <summary>Structured logs by configuration alone: one JSON object per line, each with its trace id, nothing else in scope.</summary>
public sealed class when_the_service_logs_as_json
{
    [Fact]
    public async Task every_line_is_json_and_a_refused_request_is_logged_once_with_its_trace_id()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"ledger-json-{Guid.NewGuid():N}");
        try
        {
            await using var service = await ServiceProcess.StartAsync(new()
            {
                ["Ledger__LocalPostgres__DataDirectory"] = folder,
                ["Logging__Console__FormatterName"] = "json",
                ["Logging__Console__FormatterOptions__IncludeScopes"] = "true",
                ["Logging__LogLevel__Default"] = "Information",
            });
            var customerId = Guid.NewGuid();
            var refused = await service.Client.PostAsync($"/customers/{customerId}/interactions",
                new StringContent("{\"channel\": ", System.Text.Encoding.UTF8, "application/json"));
            refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);

            var deadline = DateTime.UtcNow.AddSeconds(10);
            System.Text.Json.Nodes.JsonObject? line = null;
            while (line is null && DateTime.UtcNow < deadline)
            {
                line = service.Output.Split('\n').Where(l => l.StartsWith('{'))
                    .Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!.AsObject())
                    .FirstOrDefault(l => l["Message"]!.GetValue<string>().Contains("answered 400"));
                if (line is null) await Task.Delay(200);
            }
            line.ShouldNotBeNull(service.Output);
            var traceId = line["Scopes"]!.AsArray().Select(s => s!["TraceId"]?.GetValue<string>()).Single(t => t is not null)!;
            line["Message"]!.GetValue<string>().ShouldContain($"(trace {traceId})");
            line.ToJsonString().Contains(customerId.ToString()).ShouldBeFalse(line.ToJsonString() + "the route template is logged, not the customer's id");
            service.Output.Split('\n').Count(l => l.Contains("answered 400")).ShouldBe(1);
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}
