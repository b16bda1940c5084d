using System.Text.Json.Nodes;

namespace InteractionLedger.Tests.Support;

/// <summary>One operation of the API document, as the tests address it.</summary>
public sealed record Operation(HttpMethod Method, string Template)
{
    public override string ToString() => $"{Method} {Template}";

    public bool NamesCustomer => Template.Contains("{customerId}", StringComparison.Ordinal);
}

/// <summary>A concrete request for an operation, on one subject.</summary>
public sealed record Recipe(string Path, JsonObject? Body);

/// <summary>
/// A valid request for every operation of the API, on a given customer. Generated tests walk the operations of the
/// running service's own OpenAPI document and fail on an operation without a recipe here: a new route cannot escape
/// the reach matrix or the unstorable-text property.
/// </summary>
public static class RequestRecipes
{
    public static async Task<IReadOnlyList<Operation>> OperationsAsync(HttpClient client)
    {
        var document = JsonNode.Parse(await client.GetStringAsync("/swagger/v1/swagger.json"))!;
        return document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(method => new Operation(new HttpMethod(method.Key.ToUpperInvariant()), path.Key)))
            .ToList();
    }

    /// <param name="brand">The brand the caller acts for: contacts and cases it creates are for that brand.</param>
    public static Recipe For(Operation operation, Guid customerId, Guid interactionId, Guid caseId, string brand)
    {
        var path = operation.Template
            .Replace("{customerId}", customerId.ToString())
            .Replace("{interactionId}", interactionId.ToString())
            .Replace("{caseId}", caseId.ToString())
            .Replace("{absorbedCustomerId}", Guid.NewGuid().ToString())
            .Replace("{otherCustomerId}", Guid.NewGuid().ToString());
        return new Recipe(path + QueryOf(operation, customerId, brand), BodyOf(operation, customerId, brand));
    }

    private static string QueryOf(Operation operation, Guid customerId, string brand) => operation.ToString() switch
    {
        "GET /identifiers" => "?kind=phone&value=%2B33612345678",
        "GET /bot-context" => $"?brand={brand}&customerId={customerId}",
        "GET /privacy/accesses" => $"?customerId={customerId}",
        _ => "",
    };

    private static JsonObject? BodyOf(Operation operation, Guid customerId, string brand)
    {
        if (operation.Method == HttpMethod.Get) return null;
        return operation.ToString() switch
        {
            "POST /customers" => new() { ["displayName"] = "Ana Lopes", ["brand"] = brand },
            "POST /customers/{customerId}/interactions" => Contacts.Valid(brand: brand),
            "PUT /customers/{customerId}/interactions/{interactionId}/rating" => new() { ["satisfaction"] = 4, ["comment"] = "Quick and kind." },
            "PUT /customers/{customerId}/preferred-channel" => new() { ["channel"] = "email", ["recordedBy"] = "agent-7" },
            "POST /customers/{customerId}/identifiers" => new()
            {
                ["kind"] = "email", ["value"] = $"new.{Guid.NewGuid():N}@example.org", ["linkedBy"] = "agent-7", ["reason"] = "Given on the phone",
            },
            "POST /customers/{customerId}/identifiers/unlink" => new()
            {
                ["kind"] = "email", ["value"] = "nobody@example.org", ["unlinkedBy"] = "agent-7", ["reason"] = "Wrong address",
            },
            "POST /customers/{customerId}/possible-duplicates/{otherCustomerId}/dismiss" => new() { ["dismissedBy"] = "agent-7", ["reason"] = "Siblings" },
            "POST /interactions" => new()
            {
                ["customer"] = new JsonObject { ["customerId"] = customerId.ToString() },
                ["interaction"] = Contacts.Valid(brand: brand),
            },
            "POST /customers/{customerId}/merges" => new()
            {
                ["absorbedCustomerId"] = Guid.NewGuid().ToString(), ["decidedBy"] = "agent-7", ["reason"] = "Same person",
            },
            "POST /customers/{customerId}/merges/{absorbedCustomerId}/undo" => new() { ["decidedBy"] = "agent-7", ["reason"] = "Not the same person" },
            "POST /customers/{customerId}/cases" => new()
            {
                ["caseId"] = Guid.NewGuid().ToString(), ["brand"] = brand, ["reason"] = "billing", ["title"] = "Meter reading", ["openedBy"] = "agent-7",
            },
            "POST /customers/{customerId}/cases/{caseId}/interactions" => new() { ["interactionId"] = Guid.NewGuid().ToString(), ["attachedBy"] = "agent-7" },
            "POST /customers/{customerId}/cases/{caseId}/resolve" => new() { ["resolvedBy"] = "agent-7", ["resolution"] = "Corrected." },
            "POST /customers/{customerId}/cases/{caseId}/reopen" => new() { ["reopenedBy"] = "agent-7", ["reason"] = "Again estimated." },
            "POST /customers/{customerId}/consents" => new()
            {
                ["consentId"] = Guid.NewGuid().ToString(), ["purpose"] = "marketing", ["collectedVia"] = "phone", ["notice"] = "Marketing notice v2",
            },
            "POST /customers/{customerId}/consents/withdrawals" => new() { ["purpose"] = "marketing", ["collectedVia"] = "email" },
            "POST /customers/{customerId}/objections" => new() { ["purpose"] = "analytics", ["reason"] = "Not counted", ["collectedVia"] = "email" },
            "POST /privacy/customers/{customerId}/erasure" => new() { ["reason"] = "Art. 17 request, ticket 9" },
            "POST /privacy/retention/runs" => null,
            "POST /privacy/access-ledger/checkpoints" => null,
            "POST /dev/sign-in" => new() { ["persona"] = "agent-" + brand },
            _ => throw new InvalidOperationException(
                $"{operation} has no request recipe: add one to RequestRecipes so the reach matrix and the unstorable-text property cover it."),
        };
    }
}
