using Wolverine;
using System.Globalization;

namespace InteractionLedger.Http;

/// <summary>
/// The stream version a client expects before its write, from <c>If-Match</c> (ETag <c>"7"</c>, weak or strong)
/// or from the body's <c>expectedVersion</c>. Reads return the version as an ETag, so a client can echo it back.
/// </summary>
public readonly record struct ExpectedVersion(long? Value, bool FromHeader)
{
    public static string ETagFor(long version) => $"\"{version.ToString(CultureInfo.InvariantCulture)}\"";

    /// <returns>false with an error added when the header is malformed or contradicts the body field.</returns>
    public static bool TryRead(HttpRequest request, long? bodyField, InputErrors errors, out ExpectedVersion expected)
    {
        expected = new ExpectedVersion(bodyField, FromHeader: false);
        if (bodyField is < 0) errors.Add("expectedVersion", "'expectedVersion' cannot be negative.");

        var header = request.Headers.IfMatch.ToString();
        if (string.IsNullOrEmpty(header)) return !errors.Any;

        var raw = header.Trim();
        if (raw.StartsWith("W/", StringComparison.Ordinal)) raw = raw[2..];
        raw = raw.Trim('"');
        if (!long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var fromHeader))
        {
            errors.Add("If-Match", "'If-Match' must be the ETag of a previous response, e.g. \"7\".");
            return false;
        }
        if (bodyField is { } body && body != fromHeader)
        {
            errors.Add("If-Match", $"'If-Match' ({fromHeader}) and 'expectedVersion' ({body}) disagree.");
            return false;
        }

        expected = new ExpectedVersion(fromHeader, FromHeader: true);
        return !errors.Any;
    }
}

/// <summary>The body every write answers with.</summary>
/// <param name="Version">The customer's stream version after the write; send it back as If-Match to write again safely.</param>
/// <param name="Replayed">True when the request repeated one already applied: nothing new was recorded.</param>
public sealed record WriteReceipt(Guid CustomerId, long Version, bool Replayed);

public static class WriteResults
{
    /// <summary>Maps an outcome to 201 (created), 200 (changed or replayed) or the rejection's problem.</summary>
    public static IResult ToHttp<TBody>(this WriteOutcome outcome, HttpContext http, ExpectedVersion expected,
        Func<WriteOutcome, TBody> body, string? createdAt = null)
    {
        if (outcome.Rejection is { } rejection) return ProblemResults.For(rejection, expected.FromHeader);

        http.Response.Headers.ETag = ExpectedVersion.ETagFor(outcome.Version);
        var payload = body(outcome);
        return outcome.Written && createdAt is not null
            ? TypedResults.Created(createdAt, payload)
            : TypedResults.Ok(payload);
    }
}

/// <summary>The shape every command endpoint shares: validate, read the expected version, invoke, answer.</summary>
public static class CommandEndpoint
{
    public static Task<IResult> RunAsync<TCommand, TBody>(HttpContext http, IMessageBus bus, InputErrors errors,
        long? expectedVersionField, Func<long?, TCommand> command, Func<WriteOutcome, TBody> body, string? createdAt = null)
        where TCommand : notnull =>
        RunAsync(http, bus, errors, expectedVersionField, command, o => Task.FromResult(body(o)), createdAt);

    /// <param name="body">Builds the answer; may read what the write just committed.</param>
    public static async Task<IResult> RunAsync<TCommand, TBody>(HttpContext http, IMessageBus bus, InputErrors errors,
        long? expectedVersionField, Func<long?, TCommand> command, Func<WriteOutcome, Task<TBody>> body, string? createdAt = null)
        where TCommand : notnull
    {
        if (!ExpectedVersion.TryRead(http.Request, expectedVersionField, errors, out var expected) || errors.Any)
            return errors.ToResult();

        var outcome = await bus.InvokeAsync<WriteOutcome>(command(expected.Value), http.RequestAborted);
        if (outcome.Rejection is not null) return outcome.ToHttp(http, expected, _ => 0, createdAt);
        var payload = await body(outcome);
        return outcome.ToHttp(http, expected, _ => payload, createdAt);
    }
}
