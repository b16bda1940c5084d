using System.Text.Json;
using System.Text.RegularExpressions;
using InteractionLedger.Http;
using Microsoft.AspNetCore.Diagnostics;

namespace InteractionLedger.Hosting;

/// <summary>
/// Turns a request body that cannot be read (malformed JSON, a value of the wrong type, an unknown enum name)
/// into a 400 problem naming the field. Only <see cref="BadHttpRequestException"/> is handled: anything else is a
/// bug and stays a 500.
/// </summary>
public sealed partial class InputExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellation)
    {
        if (exception is not BadHttpRequestException badRequest) return false;

        if (badRequest.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await RequestLimits.TooLarge().ExecuteAsync(http);
            return true;
        }
        var errors = badRequest.InnerException is UnstorableTextException text
            ? InputErrors.For(FieldOf(text.Path), $"'{FieldOf(text.Path)}' {StorableText.Why}.")
            : badRequest.InnerException is JsonException json
            ? InputErrors.For(IsSyntaxError(json) ? "body" : FieldOf(json.Path), Describe(json))
            : InputErrors.For("body", badRequest.Message.Contains("no body was provided", StringComparison.OrdinalIgnoreCase)
                ? "A JSON body is required."
                : badRequest.Message);
        await errors.ToResult().ExecuteAsync(http);
        return true;
    }

    private static bool IsSyntaxError(JsonException json) =>
        !json.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal);

    private static string FieldOf(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;

    private static string Describe(JsonException json)
    {
        var field = FieldOf(json.Path);
        // Conversion failures say which type they wanted; reader failures (truncated or malformed JSON) do not.
        if (IsSyntaxError(json))
            return $"The request body is not valid JSON (stopped at {json.Path ?? "$"}, line {json.LineNumber + 1}).";

        // The message names the type being read (often the enclosing request record, not the member's type),
        // so walk the JSON path down its properties to learn whether the offending member is an enum.
        var enumType = TypeNames().Matches(json.Message)
            .Select(m => typeof(Program).Assembly.GetType(m.Value.TrimEnd('.')))
            .Select(t => t is null ? null : MemberTypeAt(t, field))
            .FirstOrDefault(t => t is { IsEnum: true });
        if (enumType is not null)
        {
            var allowed = Enum.GetNames(enumType).Select(n => JsonNamingPolicy.KebabCaseLower.ConvertName(n));
            return $"'{field}' must be one of: {string.Join(", ", allowed)}.";
        }
        return $"'{field}' has a value of the wrong type.";
    }

    private static Type? MemberTypeAt(Type type, string path)
    {
        var segments = path.Split('.');
        return Enumerable.Range(0, segments.Length)
            .Select(skip => MemberTypeAt(type, segments.Skip(skip)))
            .FirstOrDefault(t => t is not null);
    }

    private static Type? MemberTypeAt(Type type, IEnumerable<string> segments)
    {
        Type? current = type;
        foreach (var segment in segments)
        {
            current = Nullable.GetUnderlyingType(current!) ?? current;
            if (current!.IsEnum) return current;
            current = current.GetProperty(segment, System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance |
                System.Reflection.BindingFlags.IgnoreCase)?.PropertyType;
            if (current is null) return null;
        }
        return Nullable.GetUnderlyingType(current) ?? current;
    }

    [GeneratedRegex(@"InteractionLedger[\w\.\+]+")]
    private static partial Regex TypeNames();
}

/// <summary>
/// The database cannot be reached (stopped, restarting, network cut) or cannot take the work for the moment (no
/// connection left, disk full): a 503 with Retry-After, so clients retry the same request (writes are idempotent)
/// instead of treating an outage as a bug. Nothing was acknowledged.
/// </summary>
public sealed class DatabaseUnavailableExceptionHandler : IExceptionHandler
{
    public const int RetryAfterSeconds = 2;

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellation)
    {
        if (!IsUnavailable(exception)) return false;
        http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The ledger's database is unavailable.",
            detail: $"Nothing was recorded. Retry the same request in {RetryAfterSeconds} seconds; writes are idempotent.",
            type: Http.ProblemTypes.Of("unavailable")).ExecuteAsync(http);
        return true;
    }

    /// <summary>
    /// Connection failures, the server refusing work while it shuts down or starts (SQLSTATE 08xxx, 57P0x), and the
    /// server short of resources that come back: connections, disk, resources in general (53300, 53100, 53000). Not the
    /// rest of class 53: a configured limit exceeded (53400) or shared memory too small for a query (53200) fail the
    /// same way on every retry, and are errors to look into. And a transaction the server rolled back to break a
    /// deadlock or a serialization conflict (40P01, 40001): the same request passes once the other one is through.
    /// </summary>
    public static bool IsUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case Npgsql.PostgresException pg when pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState.StartsWith("57P", StringComparison.Ordinal)
                                                     || pg.SqlState is "53300" or "53100" or "53000" or "40P01" or "40001":
                case Npgsql.NpgsqlException { InnerException: System.Net.Sockets.SocketException or IOException or TimeoutException }:
                case System.Net.Sockets.SocketException:
                    return true;
            }
        }
        return false;
    }
}

/// <summary>
/// Conflicts the database detects after a decision was taken (two first-time writers racing on the same new id):
/// answered as 409, as the decision itself would have answered had it seen the other write.
/// </summary>
public sealed class StorageConflictExceptionHandler : IExceptionHandler
{
    public static bool IsConflict(Exception exception) => RejectionFor(exception) is not null;

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellation)
    {
        var rejection = RejectionFor(exception);
        if (rejection is null) return false;
        await ProblemResults.For(rejection, versionFromHeader: false).ExecuteAsync(http);
        return true;
    }

    private static Rejection? RejectionFor(Exception exception) =>
        exception switch
        {
            Marten.Exceptions.ExistingStreamIdCollisionException =>
                new Rejection(RejectionKind.Conflict, "customerId", "A customer with this id was registered concurrently; read it and retry."),
            JasperFx.ConcurrencyException =>
                new Rejection(RejectionKind.Conflict, "expectedVersion", "Someone else wrote to this customer first; re-read and retry."),
            _ when IsDuplicateEventId(exception) =>
                new Rejection(RejectionKind.Conflict, "interactionId", "This interaction id was recorded concurrently for another customer."),
            _ => null,
        };

    private static bool IsDuplicateEventId(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is Npgsql.PostgresException { SqlState: "23505" } unique && unique.ConstraintName?.Contains("mt_events") == true) return true;
        }
        return false;
    }
}
