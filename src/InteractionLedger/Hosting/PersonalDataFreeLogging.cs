using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace InteractionLedger.Hosting;

/// <summary>
/// No log line of the service, of Wolverine, Marten or Npgsql may hold a personal value: logs are copied, shipped and
/// kept long after a customer is erased. Every logger the service creates goes through
/// <see cref="PersonalDataFreeLogger"/>, which renders the ledger's own objects (commands, events, requests) by type
/// only, and exceptions by type, SQLSTATE and stack trace only: a failed <c>RecordInteraction</c> is logged as such,
/// never with its summary, and a PostgreSQL error never with the statement's data.
/// </summary>
public static class PersonalDataFreeLogging
{
    public static IServiceCollection AddPersonalDataFreeLogging(this IServiceCollection services)
    {
        // Resolved after every registration, the test host's included, so no provider is left unwrapped.
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(sp => new LoggerFactory(
            sp.GetServices<ILoggerProvider>().Select(p => new PersonalDataFreeLoggerProvider(p)),
            sp.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(),
            sp.GetService<IOptions<LoggerFactoryOptions>>(),
            sp.GetService<IExternalScopeProvider>())));
        return services;
    }

    private static void Replace(this IServiceCollection services, ServiceDescriptor descriptor)
    {
        foreach (var existing in services.Where(d => d.ServiceType == descriptor.ServiceType).ToList()) services.Remove(existing);
        services.Add(descriptor);
    }
}

public sealed class PersonalDataFreeLoggerProvider(ILoggerProvider inner) : ILoggerProvider, ISupportExternalScope
{
    public ILogger CreateLogger(string categoryName) => new PersonalDataFreeLogger(inner.CreateLogger(categoryName));

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) =>
        (inner as ISupportExternalScope)?.SetScopeProvider(new TraceScopesOnly(scopeProvider));

    public void Dispose() => inner.Dispose();
}

/// <summary>
/// Of the scopes a line is written with, only the trace's (TraceId, SpanId, ParentId: the logger factory's activity
/// tracking) reach the providers. Libraries' scopes carry values that are not ours to vet: ASP.NET Core's holds the
/// request path, with a customer's id in it.
/// </summary>
internal sealed class TraceScopesOnly(IExternalScopeProvider inner) : IExternalScopeProvider
{
    private static readonly HashSet<string> TraceKeys = ["TraceId", "SpanId", "ParentId", "TraceState", "TraceFlags"];

    public void ForEachScope<TState>(Action<object?, TState> callback, TState state) =>
        inner.ForEachScope((scope, s) =>
        {
            if (scope is IEnumerable<KeyValuePair<string, object?>> values && values.All(v => TraceKeys.Contains(v.Key))) callback(scope, s);
        }, state);

    public IDisposable Push(object? state) => inner.Push(state);
}

public sealed partial class PersonalDataFreeLogger(ILogger inner) : ILogger
{
    private const string OriginalFormat = "{OriginalFormat}";

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    /// <summary>
    /// Wolverine's line for a failed in-process invocation: the exception always reaches the caller (an HTTP request,
    /// logged once by HandledExceptionLog; the retention schedule, which logs it), so at Error it would be a second
    /// line for one failure, and a client racing itself could flood the log with them. Kept at Debug.
    /// </summary>
    private const string WolverineInvocationFailed = "Invocation of {Message} failed!";

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (exception is not null && state is IReadOnlyList<KeyValuePair<string, object?>> format
                                  && format.Any(v => v is { Key: OriginalFormat, Value: WolverineInvocationFailed }))
            logLevel = LogLevel.Debug;
        if (!IsEnabled(logLevel)) return;
        var safeException = exception is null ? null : new RedactedException(exception);
        if (state is IReadOnlyList<KeyValuePair<string, object?>> values && values.Any(v => v.Key == OriginalFormat))
        {
            var safe = values.Select(v => v.Key == OriginalFormat ? v : new KeyValuePair<string, object?>(v.Key, Describe(v.Key, v.Value))).ToList();
            inner.Log(logLevel, eventId, safe, safeException, (s, _) => Render(s));
            return;
        }
        inner.Log(logLevel, eventId, state, safeException, (s, _) => formatter(s, exception is null ? null : safeException));
    }

    /// <summary>
    /// The ledger's own types carry customer data: they are named, never printed. Query strings carry identifiers
    /// (<c>/identifiers?kind=phone&amp;value=…</c>): ASP.NET Core's request log shows the path only.
    /// </summary>
    private static object? Describe(string name, object? value) => value switch
    {
        null => null,
        string { Length: > 0 } when name == "QueryString" => "?…",
        _ when value.GetType().Assembly == typeof(PersonalDataFreeLogger).Assembly => $"{value.GetType().Name} {{ … }}",
        Exception e => new RedactedException(e).Message,
        _ => value,
    };

    private static string Render(IReadOnlyList<KeyValuePair<string, object?>> values)
    {
        var template = values.First(v => v.Key == OriginalFormat).Value as string ?? "";
        var arguments = values.Where(v => v.Key != OriginalFormat).Select(v => v.Value).ToList();
        var index = 0;
        return Placeholder().Replace(template, _ => index < arguments.Count ? Convert.ToString(arguments[index++], System.Globalization.CultureInfo.InvariantCulture) ?? "" : "");
    }

    [GeneratedRegex(@"\{[^{}]+\}")]
    private static partial Regex Placeholder();
}

/// <summary>
/// An exception as logs may show it: its type, its SQLSTATE and constraint for a PostgreSQL error, and where it was
/// thrown; never its message, which for a database error can quote the row it failed on.
/// </summary>
public sealed class RedactedException : Exception
{
    private readonly string? _stackTrace;

    public RedactedException(Exception original)
        : base(Describe(original), original.InnerException is null ? null : new RedactedException(original.InnerException))
    {
        _stackTrace = original.StackTrace;
        OriginalType = original.GetType();
    }

    public Type OriginalType { get; }

    public override string? StackTrace => _stackTrace;

    public override string ToString()
    {
        var text = new StringBuilder(Message);
        if (InnerException is not null) text.Append(" ---> ").Append(InnerException);
        if (_stackTrace is not null) text.AppendLine().Append(_stackTrace);
        return text.ToString();
    }

    private static string Describe(Exception e) => e switch
    {
        Npgsql.PostgresException pg => $"{e.GetType().FullName}: SQLSTATE {pg.SqlState}{(pg.ConstraintName is { } c ? $" ({c})" : "")}",
        _ => $"{e.GetType().FullName} (message withheld: it may quote personal data)",
    };
}

/// <summary>
/// Marten's own logger prints every command's parameter values (at Debug on success, at Error on failure), and a
/// parameter is often an identifier ("email:…") or a document. This one logs the statement text, which Marten always
/// parameterises, and never a value.
/// </summary>
public sealed class PersonalDataFreeMartenLogger(ILogger logger) : Marten.IMartenLogger, Marten.IMartenSessionLogger
{
    public void SchemaChange(string sql) => logger.LogInformation("Marten applied a schema change: {Sql}", sql);

    public Marten.IMartenSessionLogger StartSession(Marten.IQuerySession session) => this;

    public void OnBeforeExecute(Npgsql.NpgsqlCommand command) { }

    public void OnBeforeExecute(Npgsql.NpgsqlBatch batch) { }

    public void LogSuccess(Npgsql.NpgsqlCommand command)
    {
        if (logger.IsEnabled(LogLevel.Debug)) logger.LogDebug("Marten executed: {Sql}", command.CommandText);
    }

    public void LogSuccess(Npgsql.NpgsqlBatch batch)
    {
        if (logger.IsEnabled(LogLevel.Debug))
            logger.LogDebug("Marten executed a batch: {Sql}", string.Join("; ", batch.BatchCommands.Cast<Npgsql.NpgsqlBatchCommand>().Select(c => c.CommandText)));
    }

    // A failed command always throws to its caller, which logs the failure once (HandledExceptionLog for a request):
    // Marten's own line is detail, at Debug.
    public void LogFailure(Npgsql.NpgsqlCommand command, Exception exception) =>
        logger.LogDebug(exception, "Marten failed executing: {Sql}", command.CommandText);

    public void LogFailure(Npgsql.NpgsqlBatch batch, Exception exception) =>
        logger.LogDebug(exception, "Marten failed executing a batch: {Sql}", string.Join("; ", batch.BatchCommands.Cast<Npgsql.NpgsqlBatchCommand>().Select(c => c.CommandText)));

    public void LogFailure(Exception exception, string message) => logger.LogDebug(exception, "Marten failed.");

    public void RecordSavedChanges(Marten.IDocumentSession session, Marten.Services.IChangeSet commit) =>
        logger.LogDebug("Marten saved changes.");
}
