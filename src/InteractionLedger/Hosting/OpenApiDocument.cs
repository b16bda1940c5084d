using System.Reflection;
using System.Text.Json.Nodes;
using InteractionLedger.Access;
using InteractionLedger.Cases;
using InteractionLedger.Group;
using InteractionLedger.Identity;
using InteractionLedger.Interactions;
using InteractionLedger.Privacy;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace InteractionLedger.Hosting;

/// <summary>
/// What every operation of the API can answer besides its own results, as the pipeline answers it: 401 and 403
/// (authentication, role policy), 404 and 410 (a customer out of reach or erased), 409 and 412 (conflicts, stale
/// versions), 400 and 413 (input), 429 (rate limits) and 503 (database unavailable), each with its problem schema and
/// headers (<c>Retry-After</c>, <c>ETag</c>, <c>Location</c>, <c>If-Match</c>).
/// </summary>
public sealed class StandardResponsesFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        var path = System.Text.RegularExpressions.Regex.Replace("/" + context.ApiDescription.RelativePath?.Split('?')[0], @"\{(\w+):[^}]*\}", "{$1}");
        var method = context.ApiDescription.HttpMethod ?? "GET";
        var anonymous = metadata.OfType<IAllowAnonymous>().Any();
        var writes = !HttpMethods.IsGet(method);
        var namesCustomer = path.Contains("{customerId", StringComparison.Ordinal) || path == "/interactions";
        operation.Responses ??= [];

        var problem = context.SchemaGenerator.GenerateSchema(typeof(ProblemDetails), context.SchemaRepository);
        var validation = context.SchemaGenerator.GenerateSchema(typeof(HttpValidationProblemDetails), context.SchemaRepository);
        void Add(string status, string description, IOpenApiSchema schema, Dictionary<string, IOpenApiHeader>? headers = null)
        {
            if (operation.Responses.TryGetValue(status, out var existing) && existing is OpenApiResponse declared)
            {
                // Declared by the endpoint: keep its schema, give it the shared words and headers.
                if (string.IsNullOrEmpty(declared.Description) || declared.Description is "Bad Request" or "Not Found" or "Conflict")
                    declared.Description = description;
                foreach (var media in declared.Content?.Values.OfType<OpenApiMediaType>() ?? []) media.Schema ??= schema;
                if (headers is not null) declared.Headers = headers;
                return;
            }
            operation.Responses[status] = new OpenApiResponse
            {
                Description = description,
                Content = new Dictionary<string, IOpenApiMediaType> { ["application/problem+json"] = new OpenApiMediaType { Schema = schema } },
                Headers = headers,
            };
        }

        if (operation.Parameters?.Count > 0 || operation.RequestBody is not null)
            Add("400", "The request is invalid: `errors` names each field (body path, query parameter or header) and what is wrong. Nothing was written.", validation);
        // Open routes (health, problem pages, development sign-in) need no credential.
        if (anonymous) operation.Security = [];
        if (!anonymous)
        {
            Add("401", "No usable credential: send `X-Api-Key` (systems) or `Authorization: Bearer` (people).", problem,
                new() { ["WWW-Authenticate"] = Header("The schemes the service accepts.", JsonSchemaType.String) });
            Add("403", "The caller's role or brands do not allow this call, or the purpose policy refused the read (recorded in the access ledger).", problem);
        }
        if (path.Contains('{'))
            Add("404", "Not found, or outside the caller's reach: the two answers are identical, so ids cannot be probed.", problem);
        if (namesCustomer)
            Add("410", "The customer was erased (GDPR art. 17); answered only to callers who had them within reach.", problem);
        if (writes && namesCustomer)
        {
            Add("409", "The write contradicts the ledger's state (an id already used with other content, a resolved case, a stale `expectedVersion`…). Nothing was written.", problem);
            Add("412", "`If-Match` named a version that is no longer the customer's: read again and retry. Nothing was written.", problem);
            operation.Parameters ??= [];
            if (operation.Parameters.All(p => p.Name != "If-Match"))
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = "If-Match", In = ParameterLocation.Header, Required = false,
                    Description = "The customer's version (the `ETag` of a previous response, e.g. `\"7\"`): write only if nobody else wrote since.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                });
        }
        if (operation.RequestBody is not null)
            Add("413", "The body is larger than 64 KB. Nothing was written.", problem);
        if (!anonymous || path.StartsWith("/health/ready", StringComparison.Ordinal))
            Add("503", "The database is unavailable: nothing was written; retry the same request (writes are idempotent) after `Retry-After` seconds.", problem,
                new() { ["Retry-After"] = Header("Seconds to wait before retrying.", JsonSchemaType.Integer) });

        foreach (var (status, response) in operation.Responses)
        {
            if (response is not OpenApiResponse success || !status.StartsWith('2')) continue;
            success.Headers ??= new Dictionary<string, IOpenApiHeader>();
            if (namesCustomer && (writes || path.EndsWith("{customerId}", StringComparison.Ordinal)))
                success.Headers.TryAdd("ETag", Header("The customer's version after this request; send it back in `If-Match` to write safely.", JsonSchemaType.String));
            if (status == "201")
                success.Headers.TryAdd("Location", Header("Where the created resource is read.", JsonSchemaType.String));
        }
    }

    private static OpenApiHeader Header(string description, JsonSchemaType type) =>
        new() { Description = description, Schema = new OpenApiSchema { Type = type } };
}

/// <summary>
/// Parameters are described where the API's users look for them, once per name: the same <c>customerId</c> means the
/// same everywhere. Query parameters that take one of a fixed set of values are typed as that enum.
/// </summary>
public sealed class ParameterDescriptionsFilter(GroupCatalog group) : IOperationFilter
{
    private static readonly Dictionary<string, string> Descriptions = new()
    {
        ["customerId"] = "The customer's ledger id (a UUID, as returned when the customer was registered or found).",
        ["caseId"] = "The case's id (a UUID).",
        ["interactionId"] = "The contact's id (a UUID, chosen by the client that recorded it).",
        ["otherCustomerId"] = "The other customer of the pair (a UUID).",
        ["absorbedCustomerId"] = "The customer that was merged into this one (a UUID).",
        ["limit"] = "How many items to return at most (1 to 200; default 50).",
        ["cursor"] = "Where to continue: the `next` value of the previous page, as returned. Opaque; omit for the first page.",
        ["before"] = "Where to continue: the `next` value of the previous page, as returned. Omit for the first page.",
        ["from"] = "Only items at or after this instant (ISO 8601 with offset).",
        ["to"] = "Only items before this instant (ISO 8601 with offset).",
        ["brand"] = "A brand of the group, by code (GET /group lists them).",
        ["channel"] = "Only contacts on these channels (repeat the parameter for several).",
        ["reason"] = "Only contacts for these reasons (repeat the parameter for several).",
        ["kind"] = "The kind of identifier given in `value`.",
        ["value"] = "The identifier itself (an e-mail address, a phone number in any usual notation, a customer number…); normalised before lookup.",
        ["status"] = "Only cases in this state.",
        ["purpose"] = "Only records of reads made for this purpose.",
        ["decision"] = "Only records with this decision.",
        ["principal"] = "Only records of this principal (an API key's id, or the application a person acted through).",
        ["person"] = "Only records of this person (the identity provider's subject).",
        ["windowMinutes"] = "The length, in minutes, of the windows in which reading is counted (default 60).",
        ["name"] = "The problem type's name: the last segment of a problem's `type`.",
        ["mode"] = "`incremental` (from the latest signed checkpoint, the default) or `full` (every record kept).",
        ["granularity"] = "`week` or `month` (the default), cut in UTC. Weeks nest in their month (the 1st–7th, 8th–14th, 15th–21st and " +
                          "22nd to its end) and are shown once that month is over.",
        ["format"] = "`json` (the default) or `csv` (RFC 4180, UTF-8; `Accept: text/csv` asks for it too).",
        ["quietForDays"] = "Customers with no contact with the brand for more than this many days (1 to 3650).",
        ["activeElsewhere"] = "`true`: only customers in contact with another brand of the group since, among those who consented to sharing across brands.",
        ["signal"] = "Only this signal.",
    };

    /// <summary>Figures are asked by day: their periods are whole weeks or months.</summary>
    private static readonly Dictionary<string, string> DatesOfFigures = new()
    {
        ["from"] = "The first day (yyyy-MM-dd, UTC) whose period is included; default six months (or twelve weeks) back.",
        ["to"] = "Figures stop at the start of the period this day (yyyy-MM-dd, UTC) is in (exclusive); default, and at the latest, " +
                 "the first day of the current month.",
    };

    /// <summary>Where one operation (by its name) takes a parameter more narrowly than the others of its name.</summary>
    private static readonly Dictionary<(string Operation, string Name), (string Description, string Schema, string[] Values)> Narrower = new()
    {
        [("GetRelationalIntensity", "granularity")] = ("`month`, the default and the only value: intensity is measured at each month's end.",
            "IntensityGranularity", ["month"]),
    };

    private static readonly Dictionary<string, Type> Enums = new()
    {
        ["channel"] = typeof(Channel), ["reason"] = typeof(ContactReason), ["kind"] = typeof(IdentifierKind),
        ["status"] = typeof(CaseStatus), ["purpose"] = typeof(Purpose), ["decision"] = typeof(AccessOutcome),
        ["granularity"] = typeof(Insights.Granularity), ["signal"] = typeof(Insights.SignalKind),
    };

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var figures = context.ApiDescription.RelativePath?.StartsWith("insights/", StringComparison.Ordinal) == true;
        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
        {
            if (Narrower.TryGetValue((operation.OperationId ?? "", parameter.Name ?? ""), out var narrower))
            {
                parameter.Description = narrower.Description;
                parameter.Schema = Named(context, narrower.Schema, narrower.Description, narrower.Values);
                continue;
            }
            if (figures && DatesOfFigures.TryGetValue(parameter.Name ?? "", out var date))
            {
                parameter.Description = date;
                if (parameter.Schema is OpenApiSchema text) text.Format = "date";
            }
            if (string.IsNullOrEmpty(parameter.Description) && Descriptions.TryGetValue(parameter.Name ?? "", out var description))
                parameter.Description = description;
            if (parameter.In != ParameterLocation.Query || parameter.Schema is not OpenApiSchema schema) continue;
            // Named schemas, not inline enums: a generated client then shares one Channel type across operations.
            IOpenApiSchema? typed = parameter.Name switch
            {
                "brand" => Named(context, "BrandCode", "A brand of the group, by code (as configured; GET /group lists them).", group.Brands.Select(b => b.Code)),
                "mode" => Named(context, "VerificationMode", "How much of the access ledger to verify.", ["incremental", "full"]),
                "format" => Named(context, "AnswerFormat", "The answer's format.", ["json", "csv"]),
                var name when name is not null && Enums.TryGetValue(name, out var type) => context.SchemaGenerator.GenerateSchema(type, context.SchemaRepository),
                _ => null,
            };
            if (typed is null) continue;
            if (schema.Type == JsonSchemaType.Array) schema.Items = typed;
            else parameter.Schema = typed;
        }
    }

    private static IOpenApiSchema Named(OperationFilterContext context, string name, string description, IEnumerable<string> values)
    {
        if (!context.SchemaRepository.Schemas.ContainsKey(name))
            context.SchemaRepository.AddDefinition(name, new OpenApiSchema
            {
                Type = JsonSchemaType.String, Description = description, Enum = values.Select(v => (JsonNode)JsonValue.Create(v)!).ToList(),
            });
        return new OpenApiSchemaReference(name, context.Document);
    }
}

/// <summary>
/// Request examples are the samples of http-samples/, which the tests replay against the service: an example in the
/// document is one the service was seen to accept. The main answers have examples too, recorded from the service.
/// </summary>
public sealed class SampleExamplesFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        AddAnswerExample(operation);
        if (operation.RequestBody is not OpenApiRequestBody body || body.Content is null) return;
        var method = context.ApiDescription.HttpMethod ?? "GET";
        var template = Shape("/" + context.ApiDescription.RelativePath?.Split('?')[0]);
        var sample = HttpSampleFile.Embedded.FirstOrDefault(s =>
            s.Method.Method.Equals(method, StringComparison.OrdinalIgnoreCase) && s.Body is not null &&
            s.ExpectedStatuses.Any(status => status is >= 200 and < 300) && Shape(new Uri(s.Url).AbsolutePath) == template);
        if (sample?.Body is null) return;
        JsonNode? example;
        try { example = JsonNode.Parse(sample.Body); }
        catch (System.Text.Json.JsonException) { return; }
        foreach (var media in body.Content.Values.OfType<OpenApiMediaType>()) media.Example = example?.DeepClone();
    }

    /// <summary>
    /// Examples of the main answers, by operation id: docs/examples/&lt;operationId&gt;.json, each an answer the service
    /// gave to the http-samples walkthrough (the linter checks each against its schema).
    /// </summary>
    private static readonly Dictionary<string, JsonNode> Answers = typeof(SampleExamplesFilter).Assembly.GetManifestResourceNames()
        .Where(name => name.StartsWith("examples/", StringComparison.Ordinal))
        .ToDictionary(name => Path.GetFileNameWithoutExtension(name["examples/".Length..]), name =>
        {
            using var stream = typeof(SampleExamplesFilter).Assembly.GetManifestResourceStream(name)!;
            return JsonNode.Parse(stream)!;
        });

    private static void AddAnswerExample(OpenApiOperation operation)
    {
        if (operation.OperationId is null || !Answers.TryGetValue(operation.OperationId, out var answer)) return;
        var success = operation.Responses?.Where(r => r.Key.StartsWith('2')).Select(r => r.Value).OfType<OpenApiResponse>().FirstOrDefault();
        foreach (var media in success?.Content?.Values.OfType<OpenApiMediaType>() ?? []) media.Example = answer.DeepClone();
    }

    /// <summary>Route templates and concrete URLs compared by shape: every id or parameter segment becomes {}.</summary>
    public static string Shape(string path) => "/" + string.Join('/', path.Trim('/').Split('/')
        .Select(segment => segment.StartsWith('{') || Guid.TryParse(segment, out _) ? "{}" : segment));
}

/// <summary>
/// In what the service answers, a property whose type cannot be null is always present: <c>required</c> in the schema,
/// so generated clients do not make it optional. In what it is sent (request bodies and the types inside them), a
/// field is required when the API refuses a request without it: those fields carry <c>[Required]</c> (read by
/// Swashbuckle), whatever their C# type (nullable, so that a missing one is answered with a problem naming it).
/// </summary>
public sealed class RequiredPropertiesFilter(Microsoft.AspNetCore.Mvc.ApiExplorer.IApiDescriptionGroupCollectionProvider api) : ISchemaFilter
{
    private static readonly NullabilityInfoContext Nullability = new();
    private HashSet<Type>? _sent;

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is not OpenApiSchema concrete || concrete.Properties is null || context.Type.IsEnum) return;
        if ((_sent ??= SentTypes()).Contains(context.Type)) return;
        foreach (var member in context.Type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var name = ApiJson.Options.PropertyNamingPolicy?.ConvertName(member.Name) ?? member.Name;
            if (!concrete.Properties.ContainsKey(name) || !member.CanRead) continue;
            var nullable = member.PropertyType.IsValueType
                ? Nullable.GetUnderlyingType(member.PropertyType) is not null
                : Nullability.Create(member).ReadState != NullabilityState.NotNull;
            if (nullable) continue;
            concrete.Required ??= new HashSet<string>();
            concrete.Required.Add(name);
        }
    }

    /// <summary>Every type a request body is made of.</summary>
    private HashSet<Type> SentTypes()
    {
        var sent = new HashSet<Type>();
        var pending = new Stack<Type>(api.ApiDescriptionGroups.Items.SelectMany(g => g.Items).SelectMany(d => d.ParameterDescriptions)
            .Where(p => p.Source == Microsoft.AspNetCore.Mvc.ModelBinding.BindingSource.Body).Select(p => p.Type));
        while (pending.TryPop(out var type))
        {
            type = Nullable.GetUnderlyingType(type) ?? type;
            if (type.IsArray) type = type.GetElementType()!;
            else if (type.IsGenericType && type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>)))
                type = type.GetGenericArguments().Last();
            if (type.IsPrimitive || type.IsEnum || type == typeof(string) || type.Namespace?.StartsWith("System", StringComparison.Ordinal) == true || !sent.Add(type))
                continue;
            foreach (var member in type.GetProperties(BindingFlags.Public | BindingFlags.Instance)) pending.Push(member.PropertyType);
        }
        return sent;
    }
}

/// <summary>The framework's problem types, described for the API's users (their XML documentation is not ours to ship).</summary>
public sealed class ProblemSchemasFilter : ISchemaFilter
{
    private static readonly Dictionary<string, string> Properties = new()
    {
        ["type"] = "What kind of problem this is: a path (`/problems/<name>`) to a page explaining it. Branch on this, not on `title`.",
        ["title"] = "The kind of problem, in words; the same for every problem of this type.",
        ["status"] = "The HTTP status of the answer.",
        ["detail"] = "What happened this time, in words for a developer.",
        ["instance"] = "The request this problem answers, when given.",
        ["errors"] = "For each field concerned (JSON path in the body, query parameter or header), what is wrong with it.",
    };

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is not OpenApiSchema problem || !typeof(ProblemDetails).IsAssignableFrom(context.Type)) return;
        problem.Description = context.Type == typeof(HttpValidationProblemDetails)
            ? "An RFC 9457 problem for invalid input: nothing was written; `errors` names each field and what is wrong with it."
            : "An RFC 9457 problem: why the request was not done. `type` names the problem; a `traceId` member identifies the request in the service's traces and logs.";
        foreach (var (name, property) in problem.Properties ?? new Dictionary<string, IOpenApiSchema>())
            if (property is OpenApiSchema described && string.IsNullOrEmpty(described.Description) && Properties.TryGetValue(name, out var text))
                described.Description = text;
    }
}

/// <summary>The document as a whole: where it is served from, and what each group of operations is for.</summary>
public sealed class DocumentFilter : IDocumentFilter
{
    private static readonly Dictionary<string, string> Tags = new()
    {
        ["Customers"] = "Register customers and read who they are: identity, identifiers, brands, version.",
        ["Interactions"] = "Record every contact, on any channel, and read a customer's unified timeline.",
        ["Cases"] = "Follow a problem across contacts and channels until it is resolved.",
        ["Identity"] = "Identifiers (e-mail, phone, customer numbers…): link, unlink, look up, and possible duplicates.",
        ["Merging"] = "Merge two records of one person, and undo a merge.",
        ["Consent"] = "What the customer agreed to or objected to, per purpose and brand; its history.",
        ["Chatbots"] = "The compact context a bot needs to answer, purpose-bound like every read.",
        ["Group"] = "The group's brands, as configured.",
        ["Privacy officer"] = "Who read what, for which purpose: the access ledger, its verification, access, export, erasure and retention.",
        ["Insights"] = "Across the customer base: service quality and relational intensity (read for analytics, objectors left out, small " +
                       "figures suppressed), re-contact lists and the proactive worklist (customers named, one access record each).",
        ["Development sign-in"] = "Development only: personas and keys to try the API without an identity provider.",
        ["Health"] = "Liveness and readiness, for orchestrators.",
        ["Problems"] = "The pages that explain each problem type.",
        ["Operations"] = "Metrics for monitoring.",
    };

    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        document.Servers = [new OpenApiServer { Url = "/", Description = "This service (paths are relative to where it is reached)." }];
        var used = document.Paths.Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []).SelectMany(o => o.Tags ?? new HashSet<OpenApiTagReference>())
            .Select(t => t.Name).Distinct().Order().ToList();
        document.Tags = new HashSet<OpenApiTag>(used.Select(name => new OpenApiTag { Name = name, Description = Tags.GetValueOrDefault(name ?? "") }));

        // A nullable property wrapped in allOf (to keep its description beside the $ref) must also say its type in
        // OpenAPI 3.0 ("nullable" without "type" is invalid): the referenced schema's.
        var schemas = document.Components?.Schemas ?? new Dictionary<string, IOpenApiSchema>();
        foreach (var property in schemas.Values.OfType<OpenApiSchema>().SelectMany(s => s.Properties?.Values ?? []).OfType<OpenApiSchema>())
        {
            if (property.AllOf is not [OpenApiSchemaReference reference] || property.Type is not { } type || !type.HasFlag(JsonSchemaType.Null)) continue;
            var target = reference.Reference.Id is { } id && schemas.TryGetValue(id, out var found) ? found.Type : null;
            property.Type = (target ?? JsonSchemaType.Object) | JsonSchemaType.Null;
        }
    }
}
