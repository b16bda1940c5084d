using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using InteractionLedger.Tests.Support;

namespace InteractionLedger.Tests.Access;

/// <summary>
/// Every operation of the running service's OpenAPI document × every kind of caller × every kind of customer a caller
/// can name: its own brand's, another brand's only, another brand's that shares across the group's brands, an unknown
/// id and an erased one. A brand-scoped caller must get for another brand's customer exactly what it gets for an
/// unknown id (status, problem type, shape), and no answer may carry a personal value of a customer out of its reach.
/// </summary>
public sealed partial class the_reach_matrix(LedgerApi api, ITestOutputHelper output)
{
    private const string Telecom = "horizon-telecom";

    private static readonly (string Key, bool BrandScoped)[] CallerKeys =
    [
        (Callers.TelecomAgent, true), (Callers.TelecomBot, true), (Callers.TelecomIntegration, true),
        (LedgerFactory.GroupAgentKey, false), (Callers.PrivacyOfficer, false), (Callers.Administrator, false),
    ];

    private sealed record Cell(string Scenario, HttpStatusCode Status, string? ProblemType, string Shape, string Body, string Headers, string Request);

    [Fact]
    public async Task another_brands_customer_is_to_a_brand_scoped_caller_an_unknown_id_on_every_route_and_nothing_of_it_leaks()
    {
        var own = await ReachWorld.CreateAsync(api.Factory, Telecom);
        var other = await ReachWorld.CreateAsync(api.Factory, "horizon-energie");
        var shared = await ReachWorld.CreateAsync(api.Factory, "horizon-energie", sharesAcrossBrands: true);
        var erased = await ReachWorld.CreateErasedAsync(api.Factory, "horizon-energie");

        // Erasure runs last: it would take the subjects away from the operations after it. The routes that name their
        // customer by identifiers are tried with each kind of identifier too.
        // The development sign-in names no customer and answers each call with a new token: not a route of the matrix.
        var operations = (await RequestRecipes.OperationsAsync(api.Client)).Where(o => !o.Template.StartsWith("/dev/", StringComparison.Ordinal))
            .Concat(NamingKinds.SelectMany(kind => new Operation[]
            {
                new(HttpMethod.Get, $"/identifiers naming {kind}"), new(HttpMethod.Get, $"/bot-context naming {kind}"),
                new(HttpMethod.Post, $"/interactions naming {kind}"),
            }))
            .OrderBy(o => o.Template.StartsWith("/interactions naming", StringComparison.Ordinal))
            .ThenBy(o => o.Template.EndsWith("/erasure", StringComparison.Ordinal)).ToList();
        operations.Count.ShouldBeGreaterThan(30);
        var cells = 0;
        var failures = new List<string>();

        foreach (var operation in operations)
        {
            foreach (var (key, brandScoped) in CallerKeys)
            {
                // The first contact naming another brand's identifier creates a customer of the caller's brand holding it:
                // from then on the identifier is the caller's own, so one caller per brand tries it.
                if (operation.Template.StartsWith("/interactions naming", StringComparison.Ordinal) && key is Callers.TelecomBot or Callers.TelecomIntegration)
                    continue;
                using var client = api.Factory.ClientAs(key, key == Callers.PrivacyOfficer ? "data-subject-rights" : "service");
                var scenarios = new Dictionary<string, Subject>
                {
                    ["unknown"] = ReachWorld.Unknown("horizon-energie"),
                    ["other brand only"] = other,
                    ["erased"] = erased,
                    ["other brand sharing"] = shared,
                    ["own brand"] = own,
                };
                var answers = new Dictionary<string, Cell>();
                foreach (var (scenario, subject) in scenarios)
                {
                    // Erasing the subjects the rest of the matrix needs is tried on the unknown and out-of-reach ones only.
                    if (operation.Template.EndsWith("/erasure", StringComparison.Ordinal) && !brandScoped && scenario is not ("unknown" or "erased"))
                        continue;
                    // Brand-scoped callers try to bring their own brand in; group-wide ones, who may, keep to the customer's own brand,
                    // so that the other brand's customer stays out of the brand-scoped callers' reach.
                    var brand = brandScoped ? Telecom : subject.Brand;
                    answers[scenario] = await SendAsync(client, operation, RecipeFor(operation, subject, brand), scenario, subject);
                    cells++;
                }

                var where = $"{operation} as {key}";
                foreach (var cell in answers.Values.Where(c => (int)c.Status >= 500))
                    failures.Add($"{where}, {cell.Scenario}: {(int)cell.Status} {cell.Body}");
                if (!brandScoped) continue;

                var unknown = answers["unknown"];
                foreach (var scenario in new[] { "other brand only", "erased" })
                {
                    var cell = answers[scenario];
                    if (cell.Status != unknown.Status || cell.ProblemType != unknown.ProblemType || cell.Shape != unknown.Shape)
                        failures.Add($"{where}: {scenario} answered {(int)cell.Status} {cell.Shape}, unknown {(int)unknown.Status} {unknown.Shape}");
                }
                foreach (var cell in answers.Values)
                {
                    // A value the request itself carried may be echoed (a lookup names the key it looked up); any other may not.
                    var leaked = other.PersonalValues.Concat(erased.PersonalValues).Concat(cell.Scenario == "other brand sharing" ? [] : shared.PersonalValues)
                        .Where(v => !cell.Request.Contains(v, StringComparison.OrdinalIgnoreCase) && !cell.Request.Contains(Uri.EscapeDataString(v), StringComparison.OrdinalIgnoreCase))
                        .Where(v => cell.Body.Contains(v, StringComparison.OrdinalIgnoreCase) || cell.Headers.Contains(v, StringComparison.OrdinalIgnoreCase)).ToList();
                    if (leaked.Count > 0) failures.Add($"{where}, {cell.Scenario}: leaked {string.Join(", ", leaked)}");
                    if (cell.Scenario != "other brand only" && (cell.Body.Contains(other.Id.ToString()) || cell.Headers.Contains(other.Id.ToString())))
                        failures.Add($"{where}, {cell.Scenario}: named the other brand's customer");
                }
                if ((answers["own brand"].Status == HttpStatusCode.NotFound) != (answers["other brand sharing"].Status == HttpStatusCode.NotFound))
                    failures.Add($"{where}: own brand {(int)answers["own brand"].Status}, other brand sharing {(int)answers["other brand sharing"].Status}");
            }
        }

        output.WriteLine($"Reach matrix: {operations.Count} operations × {CallerKeys.Length} callers × up to 5 customers = {cells} requests; {failures.Count} failures.");
        failures.ShouldBeEmpty();
        // Group-wide callers may record the other brand's contacts there; a brand-scoped caller wrote nothing.
        using var group = api.Factory.ClientAs(LedgerFactory.GroupAgentKey);
        var timeline = await (await group.GetAsync($"/customers/{other.Id}/timeline?limit=200")).JsonAsync();
        timeline["items"]!.AsArray().Select(i => i!["brand"]!.GetValue<string>()).Distinct().ShouldBe(["horizon-energie"]);
    }

    private static readonly string[] NamingKinds = ["email", "phone", "brand-customer-number"];

    private static Recipe RecipeFor(Operation operation, Subject subject, string brand)
    {
        if (!operation.Template.Contains(" naming ", StringComparison.Ordinal))
            return RequestRecipes.For(operation, subject.Id, subject.InteractionId, subject.CaseId, brand);
        var kind = operation.Template[(operation.Template.LastIndexOf(' ') + 1)..];
        var value = kind switch { "email" => subject.Email.ToUpperInvariant(), "phone" => subject.Phone, _ => subject.Number };
        var issuer = kind == "brand-customer-number" ? subject.Brand : null;
        var query = $"kind={kind}&value={Uri.EscapeDataString(value)}" + (issuer is null ? "" : $"&brand={issuer}");
        return operation.Template.Split(' ')[0] switch
        {
            "/interactions" => new Recipe("/interactions", new JsonObject
            {
                ["customer"] = new JsonObject { ["identifiers"] = new JsonArray(new JsonObject { ["kind"] = kind, ["value"] = value, ["brand"] = issuer }) },
                ["interaction"] = Contacts.Valid(brand: brand),
            }),
            "/identifiers" => new Recipe($"/identifiers?{query}", null),
            _ => new Recipe($"/bot-context?brand={brand}&{query.Replace($"&brand={issuer}", "")}", null),
        };
    }

    /// <summary>
    /// The answer, and its shape: the body with the trace id left out and every id, time and value the request named
    /// replaced, so that two answers that tell the caller the same thing have the same shape.
    /// </summary>
    private static async Task<Cell> SendAsync(HttpClient client, Operation operation, Recipe recipe, string scenario, Subject subject)
    {
        using var request = new HttpRequestMessage(operation.Method, recipe.Path);
        if (recipe.Body is not null) request.Content = new StringContent(recipe.Body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        string? type = null;
        if (response.Content.Headers.ContentType?.MediaType == "application/problem+json" && JsonNode.Parse(body) is JsonObject problem)
            type = problem["type"]?.GetValue<string>();
        var shape = TraceId().Replace(body, "");
        foreach (var value in subject.PersonalValues.Where(v => v.Length > 0)) shape = shape.Replace(value, "<value>", StringComparison.OrdinalIgnoreCase);
        shape = Times().Replace(Ids().Replace(shape, "<id>"), "<time>");
        var headers = string.Join("\n", response.Headers.Select(h => $"{h.Key}: {string.Join(",", h.Value)}"));
        return new Cell(scenario, response.StatusCode, type, shape, body, headers, recipe.Path + recipe.Body?.ToJsonString());
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial System.Text.RegularExpressions.Regex Ids();

    [System.Text.RegularExpressions.GeneratedRegex(@"\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:\d{2})?)?")]
    private static partial System.Text.RegularExpressions.Regex Times();

    [System.Text.RegularExpressions.GeneratedRegex(@",?""traceId"":""[^""]*""")]
    private static partial System.Text.RegularExpressions.Regex TraceId();
}
