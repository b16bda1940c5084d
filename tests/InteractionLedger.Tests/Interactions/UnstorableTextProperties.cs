using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using InteractionLedger.Tests.Support;

namespace InteractionLedger.Tests.Interactions;

/// <summary>
/// Every string field of every request body and every query parameter in the service's OpenAPI document, given text
/// PostgreSQL cannot hold (NUL, unpaired surrogates, generated at random places in random text): always a 400 naming
/// the field, never a 500, and nothing written.
/// </summary>
public sealed class unstorable_text_properties(LedgerApi api, ITestOutputHelper output)
{
    private const string Placeholder = "@@UNSTORABLE@@";

    /// <summary>JSON string contents, escaped as a client would send them.</summary>
    private static string Generate(Random random)
    {
        var prefix = RandomText(random);
        var suffix = RandomText(random);
        var bad = random.Next(4) switch
        {
            0 => "\\u0000",
            1 => "\\ud83d",          // a high surrogate whose pair never comes
            2 => "\\ude00",          // a low surrogate alone
            _ => "\\ude00\\ud83d",   // a pair in the wrong order
        };
        return prefix + bad + suffix;
    }

    private static string RandomText(Random random) =>
        new(Enumerable.Range(0, random.Next(0, 12)).Select(_ => "abcdéèçàXYZ019 -_@."[random.Next(19)]).ToArray());

    [Fact]
    public async Task no_string_field_or_query_parameter_lets_them_reach_the_database()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var subject = await ReachWorld.CreateAsync(api.Factory, "horizon-telecom");
        var document = JsonNode.Parse(await api.Client.GetStringAsync("/swagger/v1/swagger.json"))!;
        var versionBefore = await VersionAsync(subject.Id);
        var failures = new List<string>();
        var cases = 0;
        using var officer = api.Factory.ClientAs(Callers.PrivacyOfficer, "data-subject-rights");

        foreach (var operation in await RequestRecipes.OperationsAsync(api.Client))
        {
            var client = operation.Template.StartsWith("/privacy", StringComparison.Ordinal) ? officer : api.Client;
            var spec = document["paths"]![operation.Template]![operation.Method.Method.ToLowerInvariant()]!;
            var recipe = RequestRecipes.For(operation, subject.Id, subject.InteractionId, subject.CaseId, "horizon-telecom");

            if (recipe.Body is not null && spec["requestBody"]?["content"]?["application/json"]?["schema"] is { } schema)
            {
                foreach (var field in StringFields(document, schema, ""))
                {
                    var body = recipe.Body.DeepClone().AsObject();
                    Set(body, field, Placeholder);
                    var json = body.ToJsonString().Replace(Placeholder, Generate(random));
                    using var request = new HttpRequestMessage(operation.Method, recipe.Path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
                    failures.AddRange(await CheckAsync(client, request, field, $"{operation} body {field}: {json}"));
                    cases++;
                }
            }
            foreach (var parameter in spec["parameters"]?.AsArray().Where(p => p!["in"]!.GetValue<string>() == "query") ?? [])
            {
                var name = parameter!["name"]!.GetValue<string>();
                var path = recipe.Path + (recipe.Path.Contains('?') ? "&" : "?") + $"{name}=x%00y";
                using var request = new HttpRequestMessage(operation.Method, path);
                if (recipe.Body is not null) request.Content = new StringContent(recipe.Body.ToJsonString(), Encoding.UTF8, "application/json");
                failures.AddRange(await CheckAsync(client, request, name, $"{operation} query {name}"));
                cases++;
            }
        }

        output.WriteLine($"Unstorable text: {cases} cases (seed {seed}), {failures.Count} failures.");
        cases.ShouldBeGreaterThan(60);
        failures.ShouldBeEmpty($"seed {seed}");
        (await VersionAsync(subject.Id)).ShouldBe(versionBefore, "nothing was written");
    }

    private static async Task<IEnumerable<string>> CheckAsync(HttpClient client, HttpRequestMessage request, string field, string what)
    {
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.BadRequest) return [$"{what}: {(int)response.StatusCode} {text}"];
        var problem = JsonNode.Parse(text)!.AsObject();
        return problem.ErrorFields().Contains(field) ? [] : [$"{what}: 400 not naming '{field}': {text}"];
    }

    private async Task<string> VersionAsync(Guid customerId) =>
        (await api.Client.GetAsync($"/customers/{customerId}")).Headers.ETag!.Tag;

    /// <summary>The dotted paths (arrays as [0]) of every string-typed property a body schema allows, nested ones included.</summary>
    private static IEnumerable<string> StringFields(JsonNode document, JsonNode schema, string prefix, int depth = 0)
    {
        if (depth > 5) yield break;
        schema = Resolve(document, schema);
        foreach (var (name, property) in schema["properties"]?.AsObject() ?? [])
        {
            var resolved = Resolve(document, property!);
            var path = prefix.Length == 0 ? name : $"{prefix}.{name}";
            if (IsType(resolved, "string") && resolved["format"] is null) yield return path;
            else if (IsType(resolved, "array") && resolved["items"] is { } items)
            {
                var item = Resolve(document, items);
                if (IsType(item, "string")) yield return path + "[0]";
                foreach (var nested in StringFields(document, item, path + "[0]", depth + 1)) yield return nested;
            }
            else if (resolved["properties"] is not null)
                foreach (var nested in StringFields(document, resolved, path, depth + 1)) yield return nested;
        }
    }

    private static bool IsType(JsonNode schema, string type) => schema["type"] switch
    {
        JsonValue single => single.GetValue<string>() == type,
        JsonArray many => many.Any(t => t!.GetValue<string>() == type),
        _ => false,
    };

    private static JsonNode Resolve(JsonNode document, JsonNode schema)
    {
        for (var i = 0; i < 10; i++)
        {
            if (schema["$ref"]?.GetValue<string>() is { } reference)
                schema = document["components"]!["schemas"]![reference.Split('/')[^1]]!;
            else if ((schema["oneOf"] ?? schema["anyOf"] ?? schema["allOf"]) is JsonArray { Count: > 0 } variants)
                schema = variants.First(v => v!["type"]?.ToString() != "null")!;
            else break;
        }
        return schema;
    }

    /// <summary>Sets a dotted path (with [0] for arrays), creating what is missing.</summary>
    private static void Set(JsonObject body, string path, string value)
    {
        JsonNode current = body;
        var segments = path.Split('.');
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            var isArray = segment.EndsWith("[0]", StringComparison.Ordinal);
            var name = isArray ? segment[..^3] : segment;
            var last = i == segments.Length - 1;
            var container = current.AsObject();
            if (isArray)
            {
                if (container[name] is not JsonArray { Count: > 0 } array)
                    container[name] = array = new JsonArray(last ? JsonValue.Create("") : new JsonObject());
                if (last) { array[0] = value; return; }
                current = array[0]!;
            }
            else if (last) container[name] = value;
            else
            {
                if (container[name] is not JsonObject child) container[name] = child = new JsonObject();
                current = child;
            }
        }
    }
}
