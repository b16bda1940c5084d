using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using InteractionLedger.Customers;
using InteractionLedger.Tests.Support;

namespace InteractionLedger.Tests.Drills;

/// <summary>
/// Generated malformed and hostile requests against every endpoint: paths, query strings, headers and bodies.
/// Whatever arrives, the answer is never a 5xx, and a refused request writes nothing.
/// </summary>
public sealed class when_hostile_input_arrives(LedgerApi api)
{
    private const int Cases = 10_000;

    private static readonly string[] Hostile =
    [
        "", " ", "null", "-1", "0", "99999999999999999999", "1e309", "NaN", "true", "[]", "{}", "\"\"", "' OR 1=1 --",
        "Robert'); DROP TABLE ledger.mt_events;--", "../../etc/passwd", "%00", "\u0000", "\uFFFF", "😀😀😀", "\u202Eevil", "<script>alert(1)</script>",
        new string('a', 5_000), "2026-13-45T99:99:99Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "00000000-0000-0000-0000-000000000000",
        "phone", "email", "social-network", "horizon-telecom", "W/\"-5\"", "\"abc\"",
    ];

    private static readonly (HttpMethod Method, string Path)[] Routes =
    [
        (HttpMethod.Post, "/customers"), (HttpMethod.Get, "/customers/{c}"), (HttpMethod.Get, "/customers/{c}/overview"),
        (HttpMethod.Post, "/customers/{c}/interactions"), (HttpMethod.Get, "/customers/{c}/interactions/{x}"),
        (HttpMethod.Put, "/customers/{c}/interactions/{x}/rating"), (HttpMethod.Get, "/customers/{c}/timeline"),
        (HttpMethod.Post, "/customers/{c}/cases"), (HttpMethod.Get, "/customers/{c}/cases"), (HttpMethod.Get, "/customers/{c}/cases/{x}"),
        (HttpMethod.Post, "/customers/{c}/cases/{x}/interactions"), (HttpMethod.Post, "/customers/{c}/cases/{x}/resolve"),
        (HttpMethod.Post, "/customers/{c}/cases/{x}/reopen"), (HttpMethod.Post, "/customers/{c}/identifiers"),
        (HttpMethod.Post, "/customers/{c}/identifiers/unlink"), (HttpMethod.Get, "/identifiers"), (HttpMethod.Post, "/interactions"),
        (HttpMethod.Put, "/customers/{c}/preferred-channel"), (HttpMethod.Get, "/bot-context"), (HttpMethod.Post, "/customers/{c}/merges"),
        (HttpMethod.Post, "/customers/{c}/merges/{x}/undo"), (HttpMethod.Post, "/customers/{c}/possible-duplicates/{x}/dismiss"),
        (HttpMethod.Post, "/customers/{c}/consents"), (HttpMethod.Post, "/customers/{c}/consents/withdrawals"),
        (HttpMethod.Post, "/customers/{c}/objections"), (HttpMethod.Get, "/customers/{c}/consents"), (HttpMethod.Get, "/group"),
        (HttpMethod.Get, "/privacy/customers/{c}/accesses"), (HttpMethod.Get, "/privacy/accesses"), (HttpMethod.Get, "/privacy/customers/{c}/consents"),
        (HttpMethod.Get, "/privacy/customers/{c}/accesses-under-withdrawn-consent"), (HttpMethod.Get, "/privacy/record-of-processing"),
        (HttpMethod.Get, "/privacy/customers/{c}/export"), (HttpMethod.Get, "/privacy/access-ledger/verification"),
        (HttpMethod.Get, "/privacy/retention/runs"),
        // Erasure and retention runs are left out on purpose: a valid one would erase the very customer the drill counts on.
    ];

    /// <summary>Callers a request may come from: known keys of several roles, or hostile strings.</summary>
    private static readonly string?[] Keys = ["dev-agent-group", "dev-privacy-officer", "dev-bot-horizon-telecom", "dev-integration-horizon-energie", null];

    private static readonly string?[] Purposes = ["service", "data-subject-rights", "marketing", null];

    private static readonly string[] QueryKeys =
        ["channel", "brand", "reason", "caseId", "from", "to", "limit", "cursor", "status", "kind", "value", "customerId", "x",
         "principal", "purpose", "decision", "before"];

    [Fact]
    public async Task no_generated_request_gets_a_server_error_and_refused_ones_write_nothing()
    {
        var random = new Random(20171123);
        var customerId = await api.RegisterCustomerAsync();
        var validContact = Contacts.Valid();
        var versionBefore = (await api.GetAsync<CustomerProfile>($"/customers/{customerId}")).Version;
        var accepted = 0;
        var failures = new List<string>();
        var statuses = new Dictionary<int, int>();
        using var client = api.Factory.ClientAs(apiKey: null, purpose: null);

        for (var i = 0; i < Cases; i++)
        {
            var (method, template) = Routes[random.Next(Routes.Length)];
            var path = template
                .Replace("{c}", random.Next(4) == 0 ? PathSegment(random) : customerId.ToString())
                .Replace("{x}", random.Next(3) == 0 ? PathSegment(random) : Guid.NewGuid().ToString());
            var query = string.Join('&', Enumerable.Range(0, random.Next(4))
                .Select(_ => $"{QueryKeys[random.Next(QueryKeys.Length)]}={Uri.EscapeDataString(Pick(random))}"));
            using var request = new HttpRequestMessage(method, query.Length > 0 ? $"{path}?{query}" : path);
            if (random.Next(4) == 0) request.Headers.TryAddWithoutValidation("If-Match", Pick(random));
            if ((random.Next(8) == 0 ? Pick(random) : Keys[random.Next(Keys.Length)]) is { } key) request.Headers.TryAddWithoutValidation("X-Api-Key", key);
            if ((random.Next(8) == 0 ? Pick(random) : Purposes[random.Next(Purposes.Length)]) is { } purpose) request.Headers.TryAddWithoutValidation("X-Purpose", purpose);
            if (method != HttpMethod.Get) request.Content = new StringContent(Body(random, validContact), Encoding.UTF8, "application/json");

            var response = await client.SendAsync(request);
            statuses[(int)response.StatusCode] = statuses.GetValueOrDefault((int)response.StatusCode) + 1;

            if ((int)response.StatusCode >= 500)
                failures.Add($"{method} {request.RequestUri} → {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            if (response.IsSuccessStatusCode && method != HttpMethod.Get && path.Contains(customerId.ToString()))
                accepted++;
        }

        // Only accepted writes may have moved the target customer's stream (each by at most one event).
        var versionAfter = (await api.GetAsync<CustomerProfile>($"/customers/{customerId}")).Version;
        DrillReport.Record("Input fuzzing", "generated requests (bodies, paths, query strings, headers, keys, purposes)", Cases);
        DrillReport.Record("Input fuzzing", "answers by status", string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")));
        DrillReport.Record("Input fuzzing", "5xx answers", failures.Count);
        DrillReport.Record("Input fuzzing", "events written beyond accepted writes", Math.Max(0, versionAfter - versionBefore - accepted));
        failures.ShouldBeEmpty();
        (versionAfter - versionBefore).ShouldBeLessThanOrEqualTo(accepted);
    }

    private static string Pick(Random random) => Hostile[random.Next(Hostile.Length)];

    /// <summary>NUL never reaches the service in a path: the HTTP server (and the test client) refuse it first.</summary>
    private static string PathSegment(Random random)
    {
        var value = Uri.EscapeDataString(Pick(random));
        return value.Contains("%00") ? "nul" : value;
    }

    /// <summary>A valid contact mangled: fields dropped, retyped, nested or replaced; or no JSON at all.</summary>
    private static string Body(Random random, JsonObject valid)
    {
        switch (random.Next(6))
        {
            case 0: return Pick(random);
            case 1: return new string('{', random.Next(1, 2_000));
            case 2: return "{\"interaction\": " + valid.ToJsonString() + ", \"customer\": {\"identifiers\": [{\"kind\": \"" + Pick(random) + "\", \"value\": \"" + Pick(random).Replace("\"", "") + "\"}]}}";
        }
        var body = valid.DeepClone().AsObject();
        foreach (var key in body.Select(p => p.Key).ToList())
        {
            switch (random.Next(5))
            {
                case 0: body.Remove(key); break;
                case 1: body[key] = Pick(random); break;
                case 2: body[key] = random.Next(3) switch { 0 => JsonValue.Create(random.NextDouble() * 1e12), 1 => new JsonArray(1, 2), _ => null }; break;
            }
        }
        foreach (var extra in new[] { "satisfaction", "absorbedCustomerId", "decidedBy", "reason", "kind", "value", "expectedVersion" })
            if (random.Next(3) == 0) body[extra] = random.Next(2) == 0 ? Pick(random) : JsonValue.Create(random.Next(-10, 10));
        return body.ToJsonString();
    }
}
