using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using InteractionLedger.Client;
using InteractionLedger.Tests.Support;

namespace InteractionLedger.Tests.Hosting;

/// <summary>
/// The API document is what clients are generated from: it must be complete (every field, parameter and status
/// described, required fields marked, examples), lint clean, committed as served, and usable by a generator.
/// </summary>
public sealed class when_the_api_document_is_checked(LedgerApi api)
{
    private const string Regenerate = "regenerate it: dotnet run --project src/InteractionLedger -- openapi --output \"$PWD/docs/openapi.json\"";

    private async Task<JsonNode> ServedAsync() => JsonNode.Parse(await api.Client.GetStringAsync("/swagger/v1/swagger.json"))!;

    [Fact]
    public async Task the_committed_document_is_the_one_the_service_serves()
    {
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(Repository.PathOf("docs/openapi.json")));

        var served = await ServedAsync();
        JsonNode.DeepEquals(served, committed).ShouldBeTrue(
            $"docs/openapi.json is not what the service serves (first difference at {FirstDifference(served, committed, "$")}); {Regenerate}");
    }

    private static string? FirstDifference(JsonNode? served, JsonNode? committed, string path) => (served, committed) switch
    {
        (JsonObject a, JsonObject b) => a.Select(p => p.Key).Union(b.Select(p => p.Key))
            .Select(key => FirstDifference(a[key], b[key], $"{path}.{key}")).FirstOrDefault(d => d is not null),
        (JsonArray a, JsonArray b) when a.Count == b.Count => a.Select((item, i) => FirstDifference(item, b[i], $"{path}[{i}]")).FirstOrDefault(d => d is not null),
        _ => JsonNode.DeepEquals(served, committed) ? null : $"{path}: served {served?.ToJsonString() ?? "nothing"}, committed {committed?.ToJsonString() ?? "nothing"}",
    };

    [Fact]
    public async Task it_passes_the_linter_with_no_error()
    {
        var lint = new ProcessStartInfo("npx", ["--yes", "@redocly/cli@2.77.0", "lint", "docs/openapi.json", "--format=stylish"])
        {
            WorkingDirectory = Repository.Root, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        lint.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(lint)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        // npx fetches the linter on a machine that has not run it yet (.ci/run fetches it beforehand).
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"The linter did not finish within 3 minutes:\n{await output}{await errors}");
        }

        process.ExitCode.ShouldBe(0, await output + await errors);
    }

    [Fact]
    public async Task every_parameter_schema_and_property_is_described_and_every_request_has_an_example()
    {
        var document = await ServedAsync();
        var missing = new List<string>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        foreach (var (method, operation) in item!.AsObject())
        {
            var name = $"{method.ToUpperInvariant()} {path}";
            if (operation!["operationId"] is null) missing.Add($"{name}: operationId");
            if (operation["summary"] is null) missing.Add($"{name}: summary");
            foreach (var parameter in operation["parameters"]?.AsArray() ?? [])
                if (string.IsNullOrWhiteSpace(parameter!["description"]?.GetValue<string>())) missing.Add($"{name}: parameter {parameter["name"]}");
            foreach (var (type, media) in operation["requestBody"]?["content"]?.AsObject() ?? [])
                if (media!["example"] is null) missing.Add($"{name}: example of its {type} body");
        }
        foreach (var (schemaName, schema) in document["components"]!["schemas"]!.AsObject())
        {
            if (string.IsNullOrWhiteSpace(schema!["description"]?.GetValue<string>())) missing.Add($"schema {schemaName}");
            foreach (var (property, definition) in schema["properties"]?.AsObject() ?? [])
                if (string.IsNullOrWhiteSpace(definition!["description"]?.GetValue<string>()) && definition["$ref"] is null && definition["allOf"] is null)
                    missing.Add($"schema {schemaName}: property {property}");
        }

        missing.ShouldBeEmpty();
    }

    [Fact]
    public async Task every_status_a_route_can_answer_is_documented_with_its_headers()
    {
        var document = await ServedAsync();
        var paths = document["paths"]!;
        var record = paths["/customers/{customerId}/interactions"]!["post"]!;
        foreach (var status in new[] { "201", "200", "400", "401", "403", "404", "409", "410", "412", "413", "429", "503" })
            record["responses"]![status].ShouldNotBeNull($"POST /customers/{{customerId}}/interactions: {status}");
        record["responses"]!["201"]!["headers"]!["ETag"].ShouldNotBeNull();
        record["responses"]!["201"]!["headers"]!["Location"].ShouldNotBeNull();
        record["responses"]!["503"]!["headers"]!["Retry-After"].ShouldNotBeNull();
        record["responses"]!["429"]!["headers"]!["Retry-After"].ShouldNotBeNull();
        record["parameters"]!.AsArray().ShouldContain(p => p!["name"]!.GetValue<string>() == "If-Match");
        paths["/customers/{customerId}"]!["get"]!["responses"]!["200"]!["headers"]!["ETag"].ShouldNotBeNull();

        var ambiguous = paths["/interactions"]!["post"]!["responses"]!["409"]!["content"]!["application/problem+json"]!["schema"]!["$ref"]!;
        ambiguous.GetValue<string>().ShouldEndWith("/CandidatesProblem");

        var timeline = paths["/customers/{customerId}/timeline"]!["get"]!["parameters"]!.AsArray();
        timeline.Single(p => p!["name"]!.GetValue<string>() == "channel")!["schema"]!["items"]!["$ref"]!.GetValue<string>().ShouldEndWith("/Channel");
        paths["/identifiers"]!["get"]!["parameters"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "brand")!["schema"]!["$ref"]!
            .GetValue<string>().ShouldEndWith("/BrandCode");
        document["components"]!["schemas"]!["BrandCode"]!["enum"]!.AsArray().Select(v => v!.GetValue<string>()).ShouldContain("horizon-telecom");
    }

    [Fact]
    public async Task a_client_generated_from_it_records_a_contact_and_reads_it_back()
    {
        using var http = api.Factory.ClientAs(Callers.TelecomAgent, "service");
        var client = new LedgerClient(http);
        var customerId = Guid.NewGuid();

        await client.RegisterCustomerAsync(new RegisterCustomerRequest { CustomerId = customerId, DisplayName = "Generated Client", Brand = "horizon-telecom" });
        var interactionId = Guid.NewGuid();
        await client.RecordInteractionAsync(customerId, new RecordInteractionRequest
        {
            InteractionId = interactionId, OccurredAt = DateTimeOffset.UtcNow.AddMinutes(-5), Brand = "horizon-telecom",
            Channel = Channel.SocialNetwork, Direction = Direction.Inbound, Reason = ContactReason.OrderStatus,
            Outcome = Outcome.Resolved, HandledBy = new HandledBy { Kind = HandlerKind.Agent, Id = "agent-007" },
        });
        var timeline = await client.GetTimelineAsync(customerId, "service");

        timeline.Items.ShouldHaveSingleItem().InteractionId.ShouldBe(interactionId);
        timeline.Items.Single().Channel.ShouldBe(Channel.SocialNetwork);
        var refused = await Should.ThrowAsync<ApiException>(() => client.GetTimelineAsync(Guid.NewGuid(), "service"));
        refused.StatusCode.ShouldBe((int)HttpStatusCode.NotFound);
    }
}

/// <summary>Problem types resolve: each one the API answers with has a page the service serves.</summary>
public sealed class when_a_client_follows_a_problem_type(LedgerApi api)
{
    [Fact]
    public async Task every_problem_type_has_a_page_and_an_unknown_one_is_not_found()
    {
        using var anonymous = api.Factory.ClientAs(apiKey: null, purpose: null);
        var unauthenticated = JsonNode.Parse(await (await anonymous.GetAsync("/customers")).Content.ReadAsStringAsync())!;
        var type = unauthenticated["type"]!.GetValue<string>();
        type.ShouldBe("/problems/unauthenticated");
        var page = await anonymous.GetAsync(type);
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        page.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");

        var names = Enum.GetValues<InteractionLedger.Privacy.RefusalKind>().Select(InteractionLedger.Hosting.ApiJson.Name)
            .Where(n => n != "out-of-scope")
            .Concat(["invalid-input", "unauthenticated", "forbidden-role", "brand-out-of-scope", "not-found", "erased", "conflict",
                "version-mismatch", "unprocessable", "too-large", "rate-limited", "unavailable", "access-ledger-broken"]);
        foreach (var name in names)
            (await anonymous.GetAsync($"/problems/{name}")).StatusCode.ShouldBe(HttpStatusCode.OK, name);
        (await anonymous.GetAsync("/problems/no-such-problem")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await (await anonymous.GetAsync("/problems")).Content.ReadAsStringAsync()).ShouldContain("/problems/version-mismatch");
    }
}
