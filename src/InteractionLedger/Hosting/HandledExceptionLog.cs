using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;

namespace InteractionLedger.Hosting;

/// <summary>
/// Logs every exception a request ends in, once, with its trace id, before the handlers after it answer: .NET 10 no
/// longer logs what an <see cref="IExceptionHandler"/> handled, so without this an outage's 503s would leave no trace,
/// and the framework's own line for the rest is switched off (<see cref="Configure"/>) so a bug is not logged twice.
/// The level says who must act: Error for a bug (500), Warning for the database being unavailable (503),
/// Information for what the caller got wrong or raced on (400, 409, 413). Exceptions are rendered by type, SQLSTATE
/// and stack only (PersonalDataFreeLogging): never a value.
/// </summary>
public sealed partial class HandledExceptionLog(ILogger<HandledExceptionLog> logger) : IExceptionHandler
{
    public static void Configure(ExceptionHandlerOptions options) => options.SuppressDiagnosticsCallback = _ => true;

    public ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellation)
    {
        var traceId = Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier;
        var route = LedgerTelemetry.RouteOf(http);
        switch (exception)
        {
            case BadHttpRequestException bad:
                CallerError(logger, http.Request.Method, route, bad.StatusCode, exception.GetType().Name, traceId);
                break;
            case var _ when DatabaseUnavailableExceptionHandler.IsUnavailable(exception):
                Unavailable(logger, exception, http.Request.Method, route, traceId);
                break;
            case var _ when StorageConflictExceptionHandler.IsConflict(exception):
                CallerError(logger, http.Request.Method, route, StatusCodes.Status409Conflict, exception.GetType().Name, traceId);
                break;
            default:
                Bug(logger, exception, http.Request.Method, route, traceId);
                break;
        }
        return ValueTask.FromResult(false);
    }

    [LoggerMessage(LogLevel.Information, "{Method} {Route} answered {Status}: {ExceptionType} (trace {TraceId})")]
    private static partial void CallerError(ILogger logger, string method, string route, int status, string exceptionType, string traceId);

    [LoggerMessage(LogLevel.Warning, "{Method} {Route} answered 503: the database is unavailable (trace {TraceId})")]
    private static partial void Unavailable(ILogger logger, Exception exception, string method, string route, string traceId);

    [LoggerMessage(LogLevel.Error, "{Method} {Route} answered 500: unexpected exception (trace {TraceId})")]
    private static partial void Bug(ILogger logger, Exception exception, string method, string route, string traceId);
}
