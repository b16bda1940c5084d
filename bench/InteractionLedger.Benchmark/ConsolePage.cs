using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace InteractionLedger.Benchmark;

/// <summary>
/// The agent's customer page (<c>/console/customers/{id}</c>) for a customer with a long history, as a signed-in agent
/// opens it: rendered server-side from five API reads (overview, profile, consents, cases, the last contacts), each
/// one purpose-bound and recorded in the access ledger. One agent at a time (the figure the target is about), then four.
/// <c>dotnet run -c Release --project bench/InteractionLedger.Benchmark -- --console [--contacts 200] [--views 1000]</c>
/// </summary>
public static partial class ConsolePage
{
    private static readonly string[] Channels = ["phone", "email", "chat", "chatbot", "sms", "social-network"];
    private static readonly string[] Reasons = ["billing", "order", "technical-help", "complaint", "information-request"];

    public static async Task RunAsync(string repoRoot, int contacts, int views, string outFolder)
    {
        await using var stack = await ServiceUnderTest.StartAsync(repoRoot, telemetry: true, environment: "Development");
        using var api = new HttpClient { BaseAddress = new Uri(stack.BaseUrl) };
        api.DefaultRequestHeaders.Add("X-Api-Key", ServiceUnderTest.AgentKey);
        api.DefaultRequestHeaders.Add("X-Purpose", "service");

        var customer = await CustomerAsync(api, contacts);
        Console.WriteLine($"Customer {customer} has {contacts} contacts; signing an agent in to the console.");

        var single = await MeasureAsync(stack.BaseUrl, customer, views, agents: 1);
        var four = await MeasureAsync(stack.BaseUrl, customer, views, agents: 4);

        var lines = new List<string>
        {
            "# The agent's customer page", "",
            $"`dotnet run -c Release --project bench/InteractionLedger.Benchmark -- --console --contacts {contacts} --views {views}`, " +
            $"{Environment.ProcessorCount} cores, {DateTimeOffset.UtcNow:yyyy-MM-dd}. The service (Release, telemetry on) and its PostgreSQL share the " +
            "machine with the client. Each view is the whole server-side render of `/console/customers/{id}`: five API reads over " +
            "loopback as the signed-in agent (overview, profile, consents, cases, the last 10 contacts), each decided by the purpose gate " +
            "and committed to the access ledger before it answers. Target: p95 under 100 ms for a customer with 200 contacts.", "",
            "| agents at once | views | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | views/s |",
            "|---|---|---|---|---|---|---|",
            single.Row, four.Row,
        };
        Directory.CreateDirectory(Path.Combine(repoRoot, outFolder));
        var path = Path.Combine(repoRoot, outFolder, "console-page.md");
        await File.WriteAllLinesAsync(path, lines);
        foreach (var line in lines) Console.WriteLine(line);
        Console.WriteLine($"Written to {path}");
    }

    private static async Task<Guid> CustomerAsync(HttpClient api, int contacts)
    {
        var registered = await api.PostAsJsonAsync("/customers", new { displayName = "Bench Long History", brand = "horizon-telecom" });
        registered.EnsureSuccessStatusCode();
        var customer = (await registered.Content.ReadFromJsonAsync<JsonObject>())!["customerId"]!.GetValue<Guid>();
        var cases = new List<Guid>();
        for (var c = 0; c < 3; c++)
        {
            var opened = await api.PostAsJsonAsync($"/customers/{customer}/cases", new
            {
                brand = "horizon-telecom", reason = Reasons[c], title = $"Case {c + 1} of a long relationship", openedBy = "bench-agent",
            });
            opened.EnsureSuccessStatusCode();
            cases.Add((await opened.Content.ReadFromJsonAsync<JsonObject>())!["caseId"]!.GetValue<Guid>());
        }
        var start = DateTimeOffset.UtcNow.AddDays(-contacts);
        for (var i = 0; i < contacts; i++)
        {
            var interaction = Guid.NewGuid();
            var recorded = await api.PostAsJsonAsync($"/customers/{customer}/interactions", new
            {
                interactionId = interaction, occurredAt = start.AddDays(i), brand = "horizon-telecom", channel = Channels[i % Channels.Length],
                direction = "inbound", reason = Reasons[i % Reasons.Length], handledBy = new { kind = "agent", id = "agent-042" },
                outcome = i % 4 == 0 ? "unresolved" : "resolved", waitingSeconds = 30 + i % 120, handlingSeconds = 200 + i % 300,
                summary = $"Contact {i}: the customer asked about their contract and was answered.", caseId = i % 10 == 0 ? cases[i % 3] : (Guid?)null,
            });
            recorded.EnsureSuccessStatusCode();
            if (i % 3 == 0)
                (await api.PutAsJsonAsync($"/customers/{customer}/interactions/{interaction}/rating", new { satisfaction = 1 + i % 5 })).EnsureSuccessStatusCode();
        }
        return customer;
    }

    private sealed record Result(int Agents, int Views, double[] Milliseconds, double Seconds)
    {
        private double At(double share) => Milliseconds[Math.Min(Milliseconds.Length - 1, (int)Math.Ceiling(share * Milliseconds.Length) - 1)];

        public string Row => string.Create(CultureInfo.InvariantCulture,
            $"| {Agents} | {Views} | {At(0.50):F1} | {At(0.95):F1} | {At(0.99):F1} | {Milliseconds[^1]:F1} | {Views / Seconds:F0} |");
    }

    private static async Task<Result> MeasureAsync(string baseUrl, Guid customer, int views, int agents)
    {
        var clients = await Task.WhenAll(Enumerable.Range(0, agents).Select(_ => SignedInAgentAsync(baseUrl)));
        foreach (var client in clients)
            for (var warm = 0; warm < 30; warm++) await ViewAsync(client, customer);
        var timings = new List<double>();
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(clients.Select(async client =>
        {
            var own = new List<double>();
            for (var i = 0; i < views / agents; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await ViewAsync(client, customer);
                own.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            lock (timings) timings.AddRange(own);
        }));
        var elapsed = watch.Elapsed.TotalSeconds;
        foreach (var client in clients) client.Dispose();
        var sorted = timings.Order().ToArray();
        return new Result(agents, sorted.Length, sorted, elapsed);
    }

    private static async Task ViewAsync(HttpClient client, Guid customer)
    {
        using var response = await client.GetAsync($"/console/customers/{customer}");
        var html = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK || !html.Contains("Bench Long History", StringComparison.Ordinal))
            throw new InvalidOperationException($"The customer page answered {(int)response.StatusCode}.");
    }

    private static async Task<HttpClient> SignedInAgentAsync(string baseUrl)
    {
        var client = new HttpClient(new SocketsHttpHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false, UseCookies = true })
            { BaseAddress = new Uri(baseUrl) };
        var form = await client.GetStringAsync("/console/sign-in");
        var signedIn = await client.PostAsync("/console/sign-in?handler=Persona", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["persona"] = "agent-group", ["__RequestVerificationToken"] = Token().Match(form).Groups[1].Value,
        }));
        if (signedIn.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException("The development persona could not sign in.");
        return client;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
