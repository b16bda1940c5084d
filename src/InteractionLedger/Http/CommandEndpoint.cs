using Wolverine;

namespace InteractionLedger.Http;

/// <summary>The body every write answers with.</summary>
/// <param name="CustomerId">The customer written to.</param>
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
        long? expectedVersionField, Func<long?, TCommand> command, Func<WriteOutcome, TBody> body, string? createdAt = null,
        Func<Task<IResult?>>? beforeInvoking = null)
        where TCommand : notnull =>
        RunAsync(http, bus, errors, expectedVersionField, command, o => Task.FromResult(body(o)), createdAt, beforeInvoking);

    /// <param name="body">Builds the answer; may read what the write just committed.</param>
    /// <param name="beforeInvoking">A check of the valid request that may answer instead (another customer it names
    /// being out of reach): run after input validation, so that it answers where an unknown id would, not before.</param>
    public static async Task<IResult> RunAsync<TCommand, TBody>(HttpContext http, IMessageBus bus, InputErrors errors,
        long? expectedVersionField, Func<long?, TCommand> command, Func<WriteOutcome, Task<TBody>> body, string? createdAt = null,
        Func<Task<IResult?>>? beforeInvoking = null)
        where TCommand : notnull
    {
        if (!ExpectedVersion.TryRead(http.Request, expectedVersionField, errors, out var expected) || errors.Any)
            return errors.ToResult();
        if (beforeInvoking is not null && await beforeInvoking() is { } answered) return answered;

        var outcome = await bus.InvokeAsync<WriteOutcome>(command(expected.Value), http.RequestAborted);
        if (outcome.Rejection is not null) return outcome.ToHttp(http, expected, _ => 0, createdAt);
        var payload = await body(outcome);
        return outcome.ToHttp(http, expected, _ => payload, createdAt);
    }
}
