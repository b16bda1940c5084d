using System.Net;
using System.Text.Json.Nodes;
using InteractionLedger.LocalPostgres;
using InteractionLedger.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace InteractionLedger.Tests.Privacy;

/// <summary>
/// Distinctive values planted in every personal field, then every kind of failure we can provoke: refused input,
/// conflicts, a stale version, another brand's customer, a database error carrying the row, a handler failing, the
/// database going away. Neither the service's log (every level down to Debug, every category) nor PostgreSQL's own
/// log may hold any of them, nor may a span of the traces (its name, attributes, events or status).
/// </summary>
public sealed class when_things_fail_the_logs_hold_nothing_personal
{
    private static readonly string Tag = Guid.NewGuid().ToString("N")[..8];
    private static readonly string Name = $"Eulalie Trombert-{Tag}";
    private static readonly string Email = $"eulalie.{Tag}@example.net";
    private static readonly string Phone = $"+3367{string.Concat(Tag.Select(c => (char)('0' + c % 10)))}";
    private static readonly string Summary = $"Lives at 12 rue des Glycines, {Tag}, asked about her overdraft";
    private static readonly string Comment = $"Very rude agent {Tag}";
    private static readonly string[] Planted = [Name, Email, Phone, Summary, Comment, Tag];

    [Fact]
    public async Task no_planted_value_appears_in_the_services_or_the_databases_log()
    {
        await using var cluster = await LocalPostgresCluster.StartAsync(new LocalPostgresOptions
        {
            DataDirectory = Path.Combine(Path.GetTempPath(), $"ledger-logs-{Guid.NewGuid():N}"),
            Throwaway = true,
            WithoutDurability = true,
        });
        var log = new CapturedLog();
        using var traces = new CapturedTraces();
        await using var ledger = new LedgerFactory(cluster.ConnectionString, "Development",
            settings: new Dictionary<string, string>
            {
                ["Logging:LogLevel:Default"] = "Debug", ["Logging:LogLevel:Wolverine"] = "Debug",
                ["Logging:LogLevel:Marten"] = "Debug", ["Logging:LogLevel:Microsoft.AspNetCore"] = "Debug", ["Logging:LogLevel:Npgsql"] = "Debug",
                // Spans are made only when a collector is configured: one that listens nowhere (the discard port).
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:9",
            },
            services: services => services.AddSingleton<ILoggerProvider>(log));
        using var client = ledger.CreateClient();

        // The customer, named by every personal identifier.
        var created = await client.PostJsonAsync("/interactions", new JsonObject
        {
            ["customer"] = new JsonObject
            {
                ["displayName"] = Name,
                ["identifiers"] = new JsonArray(new JsonObject { ["kind"] = "email", ["value"] = Email }, new JsonObject { ["kind"] = "phone", ["value"] = Phone }),
            },
            ["interaction"] = Contacts.Valid(),
        }).EnsureAsync();
        var customerId = (await created.JsonAsync())["customerId"]!.GetValue<Guid>();
        var contactId = Guid.NewGuid();
        var contact = Contacts.Valid(interactionId: contactId);
        contact["summary"] = Summary;
        await client.PostJsonAsync($"/customers/{customerId}/interactions", contact).EnsureAsync();

        // Refused input, with personal values beside the mistake.
        var invalid = Contacts.Valid();
        invalid["summary"] = Summary;
        invalid["channel"] = "carrier-pigeon";
        (await client.PostJsonAsync($"/customers/{customerId}/interactions", invalid)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await client.PostAsync($"/customers/{customerId}/interactions", new StringContent(
            Contacts.Valid().ToJsonString().Replace("\"summary\":\"", $"\"summary\":\"{Summary}\\u0000"), System.Text.Encoding.UTF8, "application/json")))
            .StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await client.PostJsonAsync("/customers", new { displayName = Name + new string('x', 300) })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        // Conflicts: the same contact id with other content, a stale version, a rating given twice.
        var changed = contact.DeepClone().AsObject();
        changed["outcome"] = "abandoned";
        (await client.PostJsonAsync($"/customers/{customerId}/interactions", changed)).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        var stale = Contacts.Valid();
        stale["summary"] = Summary;
        stale["expectedVersion"] = 1;
        (await client.PostJsonAsync($"/customers/{customerId}/interactions", stale)).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        await client.PutAsync($"/customers/{customerId}/interactions/{contactId}/rating", Json(new JsonObject { ["satisfaction"] = 1, ["comment"] = Comment }));
        (await client.PutAsync($"/customers/{customerId}/interactions/{contactId}/rating", Json(new JsonObject { ["satisfaction"] = 2, ["comment"] = Comment })))
            .StatusCode.ShouldBe(HttpStatusCode.Conflict);

        // Another brand's caller, naming the customer by its values.
        using var energie = ledger.ClientAs("dev-integration-horizon-energie");
        var probe = Contacts.Valid(brand: "horizon-energie");
        probe["summary"] = Summary;
        (await energie.PostJsonAsync($"/customers/{customerId}/interactions", probe)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await energie.GetAsync($"/identifiers?kind=email&value={Uri.EscapeDataString(Email)}")).StatusCode.ShouldBe(HttpStatusCode.OK);

        // A database error whose message quotes the row, and the handler failing on it.
        await using (var connection = new NpgsqlConnection(cluster.ConnectionString))
        {
            await connection.OpenAsync();
            await using var trap = new NpgsqlCommand($"""
                create function ledger.refuse_trapped() returns trigger language plpgsql as $$
                begin
                  if new.data::text like '%TRAP-{Tag}%' then raise exception 'refused row %', new.data::text; end if;
                  return new;
                end $$;
                create trigger refuse_trapped before insert on ledger.mt_events for each row execute function ledger.refuse_trapped();
                """, connection);
            await trap.ExecuteNonQueryAsync();
        }
        var trapped = Contacts.Valid();
        trapped["summary"] = $"TRAP-{Tag} {Summary}";
        (await client.PostJsonAsync($"/customers/{customerId}/interactions", trapped)).StatusCode.ShouldBe(HttpStatusCode.InternalServerError);

        // The database going away under writes that carry personal values.
        await cluster.RestartAsync(immediate: true, downtime: TimeSpan.FromSeconds(1));
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var during = Contacts.Valid();
            during["summary"] = Summary;
            await client.PostJsonAsync($"/customers/{customerId}/interactions", during);
        }

        // An erasure whose reason quotes the customer.
        using var officer = ledger.ClientAs(Callers.PrivacyOfficer, "data-subject-rights");
        (await officer.PostJsonAsync($"/privacy/customers/{customerId}/erasure", new { reason = $"Request by e-mail from {Email}" })).StatusCode.ShouldBe(HttpStatusCode.OK);

        log.Lines.ShouldContain(l => l.Contains("RecordInteraction"), "the failed command is in the log, by type");
        log.Lines.ShouldContain(l => l.Contains("SQLSTATE P0001"), "the database error is in the log, by SQLSTATE");
        var serviceHits = log.Lines.Where(l => Planted.Any(v => l.Contains(v, StringComparison.OrdinalIgnoreCase))).ToList();
        serviceHits.ShouldBeEmpty();

        log.Lines.Count(l => l.StartsWith("Error") && l.Contains("answered 500") && l.Contains("(trace ")).ShouldBe(1, "the bug is logged once, with its trace id");
        log.Lines.Where(l => l.StartsWith("Error") && (l.Contains("Invocation of") || l.Contains("Marten failed")))
            .ShouldBeEmpty("Wolverine's and Marten's own lines for a failure the request logs are detail, at Debug");
        log.Lines.ShouldContain(l => l.StartsWith("Information") && l.Contains("POST /customers/{customerId:guid}/interactions answered 400") && l.Contains("(trace "));

        traces.Spans.ShouldContain(s => s.StartsWith("Microsoft.AspNetCore"), "requests are traced");
        traces.Spans.ShouldContain(s => s.StartsWith("Npgsql"), "database commands are traced");
        // The listener hears this process whole: the test's own statement that sets the trap is not the service's.
        traces.Spans.Where(s => !s.Contains("create function ledger.refuse_trapped"))
            .Where(s => Planted.Any(v => s.Contains(v, StringComparison.OrdinalIgnoreCase))).ShouldBeEmpty();
        traces.Spans.Where(s => s.Contains(customerId.ToString())).ShouldBeEmpty("a span names a route, not the customer");

        var serverLog = await File.ReadAllTextAsync(cluster.LogPath);
        serverLog.ShouldNotBeEmpty();
        Planted.Where(v => serverLog.Contains(v, StringComparison.OrdinalIgnoreCase)).ShouldBeEmpty();
    }

    private static StringContent Json(JsonObject body) => new(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
}
