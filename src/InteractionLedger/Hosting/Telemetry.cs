using System.Diagnostics;
using System.Diagnostics.Metrics;
using InteractionLedger.Access;
using InteractionLedger.Interactions;
using Marten;
using Marten.Services;
using JasperFx.OpenTelemetry;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace InteractionLedger.Hosting;

/// <summary>
/// Traces and metrics of ASP.NET Core, HttpClient, Npgsql, Marten and Wolverine, and the ledger's own meters; exported
/// over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, and as Prometheus text at <c>GET /metrics</c> for the
/// Monitoring and Administrator roles only. A span never carries a personal value: paths are reported as their
/// route template (a customer id is not a span attribute), query strings not at all, exceptions by type only, and
/// SQL as the statement text (values travel as parameters, never in it).
/// </summary>
public static class LedgerTelemetry
{
    public const string MeterName = "InteractionLedger";
    public const string MetricsPath = "/metrics";
    private static readonly Meter Meter = new(MeterName, "1.0");

    /// <summary>Reads of personal data decided by the purpose gate, by outcome, purpose and role.</summary>
    public static readonly Counter<long> AccessDecisions = Meter.CreateCounter<long>("ledger.access.decisions", "{decision}",
        "Reads of personal data decided by the purpose gate, by decision (allowed, reduced, refused), purpose and role.");

    /// <summary>How long the access ledger takes to commit one batch of records (all in one transaction).</summary>
    public static readonly Histogram<double> AccessRecordBatchCommit = Meter.CreateHistogram<double>("ledger.access_records.batch.duration", "s",
        "Time to commit one batch of access records, chained and signed, in one transaction.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });

    /// <summary>Access records per committed batch.</summary>
    public static readonly Histogram<long> AccessRecordBatchSize = Meter.CreateHistogram<long>("ledger.access_records.batch.size", "{record}",
        "Access records committed together in one batch.",
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500] });

    /// <summary>Contacts recorded, by channel and brand (counted once committed).</summary>
    public static readonly Counter<long> ContactsRecorded = Meter.CreateCounter<long>("ledger.contacts.recorded", "{contact}",
        "Contacts recorded (committed), by channel and brand.");

    /// <summary><c>Ledger:Telemetry:Enabled</c> (default true): false runs without any (the benchmark measures its cost so).</summary>
    public static bool IsEnabled(IConfiguration configuration) => configuration.GetValue("Ledger:Telemetry:Enabled", true);

    public static IServiceCollection AddLedgerTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        if (!IsEnabled(configuration)) return services;
        // Spans cost at the design peak (p50 doubled with every request traced: docs/benchmarks/telemetry-cost.md) and
        // are worth it only where a collector receives them: traces are made only when OTLP is configured, for the
        // share of requests Ledger:Telemetry:TraceSampleRatio says (default all; a caller's sampled parent decides first).
        var exporting = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var sampleRatio = Math.Clamp(configuration.GetValue("Ledger:Telemetry:TraceSampleRatio", 1.0), 0, 1);
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(configuration["OTEL_SERVICE_NAME"] ?? "interactionledger"));
        if (exporting) telemetry.WithTracing(tracing => tracing
                .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(sampleRatio)))
                .AddAspNetCoreInstrumentation(aspNet =>
                {
                    aspNet.Filter = http => !http.Request.Path.StartsWithSegments(MetricsPath) && !http.Request.Path.StartsWithSegments("/health");
                    aspNet.EnrichWithHttpResponse = WithoutPersonalValues;
                })
                .AddHttpClientInstrumentation(client => client.EnrichWithHttpRequestMessage = (activity, _) =>
                {
                    // Calls out (the identity provider's keys) are to fixed addresses, but a query string is never evidence worth keeping.
                    activity.SetTag("url.full", activity.GetTagItem("url.full") is string url ? url.Split('?')[0] : null);
                })
                .AddNpgsql()
                .AddSource("Marten", "Wolverine")
                .AddProcessor(new SpansWithoutPersonalValues()));
        telemetry.WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("Npgsql", "Marten", "Wolverine", MeterName)
                // Npgsql names its pools by connection string (less the password, but with the host, the user and any
                // other secret setting): that label is dropped from every Npgsql instrument.
                .AddView("db.client.*", new MetricStreamConfiguration
                {
                    TagKeys = ["db.client.connection.state", "db.operation.name", "db.system", "db.system.name", "error.type"],
                })
                .AddPrometheusExporter());
        // Traces, metrics and logs go to the collector only when one is configured, never to a default address.
        if (exporting) telemetry.UseOtlpExporter();

        services.ConfigureMarten(marten =>
        {
            marten.OpenTelemetry.TrackConnections = TrackLevel.Normal;
            marten.OpenTelemetry.TrackEventCounters();
            marten.Listeners.Add(new ContactsMeter());
        });
        return services;
    }

    /// <summary>The metrics endpoint: operational figures only, for the Monitoring and Administrator roles.</summary>
    public static void MapLedgerMetrics(this WebApplication app)
    {
        if (!IsEnabled(app.Configuration)) return;
        app.MapPrometheusScrapingEndpoint(MetricsPath)
            .RequireAuthorization(LedgerPolicies.Monitoring)
            .WithReachRule(ReachRule.NoCustomerData);
    }

    /// <summary>
    /// The instrumentation reports the concrete path (<c>/customers/5f0c…/timeline</c>); the route template says the
    /// same for operations without naming the customer. The query string (an e-mail address looked up…) is dropped.
    /// </summary>
    private static void WithoutPersonalValues(Activity activity, HttpResponse response)
    {
        activity.SetTag("url.path", RouteOf(response.HttpContext));
        activity.SetTag("url.query", null);
    }

    /// <summary>The route template the request matched, also once an exception handler has cleared the endpoint.</summary>
    public static string RouteOf(HttpContext http) =>
        ((http.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>()?.Endpoint ?? http.GetEndpoint()) as RouteEndpoint)
        ?.RoutePattern.RawText ?? "(unmatched)";

    /// <summary>Times a batch commit of the access ledger.</summary>
    public static void RecordBatchCommit(long startedAt, int records)
    {
        AccessRecordBatchCommit.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds);
        AccessRecordBatchSize.Record(records);
    }
}

/// <summary>
/// Npgsql, Marten and Wolverine describe a failure with the exception's message, and a PostgreSQL error message can
/// quote a value (<c>invalid input syntax for type uuid: "…"</c>, a row a trigger refused). Before any exporter sees
/// a span, the message and stack trace of its exception events and its status description are withheld; the
/// exception's type (and SQLSTATE, in the log) is what operations need. Registered before the exporters, so it runs first.
/// </summary>
internal sealed class SpansWithoutPersonalValues : BaseProcessor<Activity>
{
    private const string Withheld = "(withheld: may quote personal data)";
    private static readonly HashSet<string> Traced = ["Microsoft.AspNetCore", "System.Net.Http", "Npgsql", "Marten", "Wolverine"];

    /// <summary>
    /// Activity.AddException asks listeners for the event's attributes first and adds the message and stack trace
    /// only when none gave them: given here, they are never taken from the exception.
    /// </summary>
    private readonly ActivityListener _exceptions = new()
    {
        ShouldListenTo = source => Traced.Contains(source.Name),
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.None,
        ExceptionRecorder = (Activity _, Exception _, ref TagList tags) =>
        {
            tags.Add("exception.message", Withheld);
            tags.Add("exception.stacktrace", Withheld);
        },
    };

    public SpansWithoutPersonalValues() => ActivitySource.AddActivityListener(_exceptions);

    protected override void Dispose(bool disposing)
    {
        if (disposing) _exceptions.Dispose();
        base.Dispose(disposing);
    }

    public override void OnEnd(Activity activity)
    {
        if (activity.StatusDescription is not null) activity.SetStatus(activity.Status, Withheld);
        // Npgsql's data source is the connection string less its password: host, user and any other secret setting.
        activity.SetTag("db.npgsql.data_source", null);
        if (activity.GetTagItem("exception.message") is not null) activity.SetTag("exception.message", Withheld);
        activity.SetTag("exception.stacktrace", null);
        foreach (var activityEvent in activity.Events)
        {
            // Events keep the tag collection they were given; the instrumentations give a mutable one.
            if (activityEvent.Tags is not ActivityTagsCollection tags) continue;
            if (tags.ContainsKey("exception.message")) tags["exception.message"] = Withheld;
            tags.Remove("exception.stacktrace");
        }
    }
}

/// <summary>Counts contacts once their transaction committed, whatever wrote them (API, import, demo data).</summary>
internal sealed class ContactsMeter : DocumentSessionListenerBase
{
    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        foreach (var recorded in commit.GetEvents().Select(e => e.Data).OfType<InteractionRecorded>())
        {
            LedgerTelemetry.ContactsRecorded.Add(1, new("channel", ApiJson.Name(recorded.Channel)), new("brand", recorded.Brand));
        }
        return Task.CompletedTask;
    }
}
