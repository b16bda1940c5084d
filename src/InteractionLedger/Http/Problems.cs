namespace InteractionLedger.Http;

/// <summary>The problem types the API answers with: one place, so the same situation always carries the same type.</summary>
public static class ProblemTypes
{
    private const string Base = "/problems/";

    public static string Of(string name) => Base + name;

    public static readonly string InvalidInput = Of("invalid-input");
    public static readonly string Erased = Of("erased");
    public static readonly string BrandOutOfScope = Of("brand-out-of-scope");
    public static readonly string RateLimited = Of("rate-limited");
}

/// <summary>
/// The 409 of <c>POST /interactions</c> when the identifiers sent belong to several customers: the problem, and the
/// customers the caller may choose from (send the request again naming one in <c>customer.customerId</c>).
/// </summary>
/// <param name="Type">Always <c>/problems/conflict</c>.</param>
/// <param name="Title">The kind of problem, in words.</param>
/// <param name="Status">409.</param>
/// <param name="Detail">What happened, for a developer.</param>
/// <param name="Errors">The field concerned (<c>customer</c>) and what is wrong with it.</param>
/// <param name="Candidates">The ledger ids of the customers within the caller's reach that the identifiers name.</param>
public sealed record CandidatesProblem(string Type, string Title, int Status, string Detail,
    IReadOnlyDictionary<string, string[]> Errors, IReadOnlyList<Guid> Candidates);

/// <summary>
/// Collects input errors keyed by the JSON name of the field they concern, the shape clients see in
/// <c>errors</c> of an RFC 7807 validation problem.
/// </summary>
public sealed class InputErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public InputErrors Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var messages)) _errors[field] = messages = [];
        messages.Add(message);
        return this;
    }

    /// <summary>Takes over another collection's errors, their fields prefixed (e.g. "interaction.").</summary>
    public void AddAll(string prefix, InputErrors other)
    {
        foreach (var (field, messages) in other._errors)
            foreach (var message in messages) Add(prefix + field, message);
    }

    public void Required<T>(string field, T? value) where T : struct
    {
        if (value is null) Add(field, $"'{field}' is required.");
    }

    public void Required(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) Add(field, $"'{field}' is required.");
    }

    public void RequiredId(string field, Guid? value)
    {
        if (value is null || value == Guid.Empty) Add(field, $"'{field}' is required and must be a non-empty UUID.");
    }

    public void MaxLength(string field, string? value, int max)
    {
        if (value is not null && value.Length > max) Add(field, $"'{field}' is {value.Length} characters long; at most {max} are allowed.");
    }

    public void Range(string field, int? value, int min, int max)
    {
        if (value is { } v && (v < min || v > max)) Add(field, $"'{field}' must be between {min} and {max}; it was {v}.");
    }

    public IResult ToResult() => TypedResults.ValidationProblem(
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray()),
        title: "The request is invalid.",
        type: ProblemTypes.InvalidInput);

    public static InputErrors For(string field, string message) => new InputErrors().Add(field, message);
}

public static class ProblemResults
{
    public static IResult For(Rejection rejection, bool versionFromHeader) => rejection.Kind switch
    {
        RejectionKind.NotFound => Problem(StatusCodes.Status404NotFound, "not-found", "Not found.", rejection),
        RejectionKind.Conflict => Problem(StatusCodes.Status409Conflict, "conflict", "The request conflicts with the ledger's state.", rejection),
        RejectionKind.Invalid => Problem(StatusCodes.Status422UnprocessableEntity, "unprocessable", "The request refers to something it may not.", rejection),
        RejectionKind.VersionMismatch => versionFromHeader
            ? Problem(StatusCodes.Status412PreconditionFailed, "version-mismatch", "The expected version is stale.", rejection with { Field = "If-Match" })
            : Problem(StatusCodes.Status409Conflict, "version-mismatch", "The expected version is stale.", rejection),
        _ => throw new ArgumentOutOfRangeException(nameof(rejection)),
    };

    private static IResult Problem(int status, string type, string title, Rejection rejection)
    {
        var extensions = new Dictionary<string, object?>
        {
            ["errors"] = new Dictionary<string, string[]> { [rejection.Field] = [rejection.Detail] },
        };
        if (rejection.Candidates is { } candidates) extensions["candidates"] = candidates;
        return TypedResults.Problem(statusCode: status, title: title, detail: rejection.Detail,
            type: ProblemTypes.Of(type), extensions: extensions);
    }
}
