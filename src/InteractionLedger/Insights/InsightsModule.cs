using System.Globalization;
using InteractionLedger.Access;
using InteractionLedger.Group;
using InteractionLedger.Hosting;
using InteractionLedger.Http;
using InteractionLedger.Overview;
using InteractionLedger.Privacy;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace InteractionLedger.Insights;

/// <summary>
/// Insights across the customer base: service quality, relational intensity, re-contact lists and proactive signals.
/// Their views are asynchronous projections (contact and case facts) that Wolverine runs on one node of the cluster
/// each; figures are read for analytics (objectors left out, small cells suppressed), lists for the purpose stated
/// (one access record per customer named).
/// </summary>
public static class InsightsModule
{
    public static IServiceCollection AddLedgerInsights(this IServiceCollection services, IConfiguration configuration)
    {
        var policy = configuration.GetSection("Ledger:Insights").Get<InsightsPolicy>() ?? new InsightsPolicy();
        policy.Validate();
        services.AddSingleton(policy);
        services.AddSingleton<ListCursor>();
        services.AddSingleton<SignalAnnouncer>();
        services.AddHostedService<SignalAnnouncementSchedule>();
        services.ConfigureMarten(opts => Register(opts));
        services.AddHealthChecks().AddCheck<ProjectionLagHealthCheck>("views", tags: ["ready"]);
        return services;
    }

    /// <summary>The asynchronous views and their tables (created with the ledger's schema, and by migrations/ elsewhere).</summary>
    public static void Register(StoreOptions opts)
    {
        opts.Storage.ExtendedSchemaObjects.Add(ContactFactProjection.Schema());
        opts.Storage.ExtendedSchemaObjects.Add(CaseFactProjection.Schema());
        opts.Storage.ExtendedSchemaObjects.Add(SignalAnnouncer.Schema());
        // Large pages: a page of events is a few statements, whatever its size.
        opts.Projections.Add(new ContactFactProjection(), ProjectionLifecycle.Async, ContactFactProjection.Name, o => o.BatchSize = 10_000);
        opts.Projections.Add(new CaseFactProjection(), ProjectionLifecycle.Async, CaseFactProjection.Name, o => o.BatchSize = 10_000);
        // Progress rows say which node runs each view and when it last moved (readiness, the two-node drill).
        opts.Events.EnableExtendedProgressionTracking = true;
        // The daemon looks for new events every 100 ms when busy and 250 ms when idle (defaults 250 ms and 1 s): the
        // figures are read right after the contacts are recorded, and a poll is one cheap query.
        opts.Projections.FastPollingTime = TimeSpan.FromMilliseconds(100);
        opts.Projections.SlowPollingTime = TimeSpan.FromMilliseconds(250);
    }

    public static IEndpointRouteBuilder MapInsightsModule(this IEndpointRouteBuilder app)
    {
        var insights = app.MapGroup("/insights").WithTags("Insights")
            .RequireAuthorization(LedgerPolicies.ReadInsights).WithReachRule(ReachRule.BrandsOfTheCaller);

        insights.MapGet("/service-quality", async ([FromQuery(Name = "brand")] string[]? brands, string? from, string? to, string? granularity,
                string? format, HttpContext http, IQuerySession session, NpgsqlDataSource database, GroupCatalog group, InsightsPolicy policy,
                RelationshipPolicy relationship, PersonalDataGate gate, TimeProvider clock, CancellationToken cancellation) =>
            {
                var errors = new InputErrors();
                var unit = ReadEnum<Granularity>("granularity", granularity, errors);
                var periods = ReadPeriods(from, to, unit, clock.GetUtcNow(), policy, errors);
                FormatKnown(format, errors);
                if (errors.Any) return errors.ToResult();
                var (scope, problem) = await InsightsScope.ForFiguresAsync(http, "service-quality", brands, group, policy, session, gate, clock, cancellation);
                if (scope is null) return problem!;
                var reference = await gate.RecordAggregateReadAsync(http, scope.Purpose, "service-quality", scope.Brands, cancellation);
                var report = await ServiceQualityQuery.ReadAsync(database, scope, periods!, relationship, reference, cancellation);
                return InsightsCsv.Asked(http.Request, format)
                    ? InsightsCsv.File("service-quality.csv",
                        ["brand", "channel", "period", "suppressed", "contacts", "customers", "customerShare", "averageSatisfaction", "satisfiedShare",
                            "referenceSatisfiedShare", "negativeShare", "firstContactResolution", "waitingP50Seconds", "waitingP90Seconds", "unansweredShare"],
                        report.Cells.Select(c => (IReadOnlyList<object?>)[c.Brand ?? "group", (object?)c.Channel ?? "all",
                            c.Period, c.Suppressed, c.Contacts, c.Customers, c.CustomerShare, c.AverageSatisfaction, c.SatisfiedShare,
                            c.ReferenceSatisfiedShare, c.NegativeShare, c.FirstContactResolution, c.WaitingP50Seconds, c.WaitingP90Seconds, c.UnansweredShare]))
                    : Results.Ok(report);
            })
            .WithName("GetServiceQuality")
            .WithSummary("Service quality per brand, channel and week or month, beside the published figures.")
            .WithDescription("Read for analytics: customers who objected to analytics are left out (excludedCustomers says how many), and a " +
                             "figure describing fewer customers than minimumCustomers is suppressed (null), not rounded. Brand rows for the " +
                             "caller's brands (or those named in brand); group rows for callers acting for the whole group. " +
                             "'from' and 'to' are dates (UTC, 'to' exclusive; default the last six months or twelve weeks). format=csv for CSV.")
            .WithFigures<ServiceQualityReport>();

        insights.MapGet("/intensity", async ([FromQuery(Name = "brand")] string[]? brands, string? from, string? to, string? granularity,
                string? format, HttpContext http, IQuerySession session, NpgsqlDataSource database, GroupCatalog group, InsightsPolicy policy,
                RelationshipPolicy relationship, PersonalDataGate gate, TimeProvider clock, CancellationToken cancellation) =>
            {
                var errors = new InputErrors();
                var now = clock.GetUtcNow();
                var months = ReadPeriods(from, to, Granularity.Month, now, policy, errors);
                if (months is not null && months.Next(months.From.AddMonths(11)) < months.To)
                    errors.Add("from", "At most twelve months of intensity per request.");
                // Asked as service quality is, by week, it would otherwise answer by month without saying so.
                if (granularity is not null && !string.Equals(granularity, "month", StringComparison.OrdinalIgnoreCase))
                    errors.Add("granularity", "Relational intensity is read month by month, at each month's end: leave 'granularity' out.");
                FormatKnown(format, errors);
                if (errors.Any) return errors.ToResult();
                var (scope, problem) = await InsightsScope.ForFiguresAsync(http, "intensity", brands, group, policy, session, gate, clock, cancellation);
                if (scope is null) return problem!;
                var reference = await gate.RecordAggregateReadAsync(http, scope.Purpose, "intensity", scope.Brands, cancellation);
                var report = await IntensityQuery.ReadAsync(database, scope, months!, relationship, reference, cancellation);
                return InsightsCsv.Asked(http.Request, format)
                    ? InsightsCsv.File("intensity.csv", ["brand", "month", "suppressed", "measure", "from", "to", "customers", "share"],
                        report.Months.SelectMany(m => IntensityRows(m)))
                    : Results.Ok(report);
            })
            .WithName("GetRelationalIntensity")
            .WithSummary("Customers by relational intensity and by recency at each month's end, and how they moved between levels over the month.")
            .WithDescription("Read for analytics, with the same exclusions and suppression as service quality. Levels follow the relationship " +
                             "policy (contacts in the last 365 days). At most twelve months per request. format=csv for CSV.")
            .WithFigures<IntensityReport>();

        insights.MapGet("/signals", async ([FromQuery(Name = "brand")] string[]? brands, string? format, HttpContext http, IQuerySession session,
                NpgsqlDataSource database, GroupCatalog group, InsightsPolicy policy, RelationshipPolicy relationship, PersonalDataGate gate,
                TimeProvider clock, CancellationToken cancellation) =>
            {
                var errors = new InputErrors();
                FormatKnown(format, errors);
                if (errors.Any) return errors.ToResult();
                var (scope, problem) = await InsightsScope.ForFiguresAsync(http, "signal-counts", brands, group, policy, session, gate, clock, cancellation);
                if (scope is null) return problem!;
                var reference = await gate.RecordAggregateReadAsync(http, scope.Purpose, "signal-counts", scope.Brands, cancellation);
                var counts = await SignalQuery.CountAsync(database, scope, policy, relationship, StartOfDay(clock.GetUtcNow()), reference, cancellation);
                return InsightsCsv.Asked(http.Request, format)
                    ? InsightsCsv.File("signals.csv", ["brand", "signal", "customers"],
                        counts.Counts.Select(c => (IReadOnlyList<object?>)[c.Brand ?? "group", c.Signal, c.Customers]))
                    : Results.Ok(counts);
            })
            .WithName("CountProactiveSignals")
            .WithSummary("How many customers to contact before they call, by brand and signal, now.")
            .WithDescription("Read for analytics, with the same exclusions and suppression as service quality. The thresholds are the " +
                             "insights policy's (README, 'Insights').")
            .WithFigures<SignalCounts>();

        insights.MapGet("/signals/worklist", async (string? brand, string? signal, string? limit, string? cursor, string? format, HttpContext http,
                IQuerySession session, NpgsqlDataSource database, GroupCatalog group, PersonalDataGate gate, ListCursor cursors, InsightsPolicy policy,
                RelationshipPolicy relationship, TimeProvider clock, CancellationToken cancellation) =>
            {
                var errors = new InputErrors();
                var kind = ReadEnum<SignalKind>("signal", signal, errors);
                var size = ReadNumber("limit", limit, errors);
                FormatKnown(format, errors);
                if (errors.Any) return errors.ToResult();
                var answer = await Worklists.SignalsAsync(http, brand, kind, size, cursor, session, database, group, gate, cursors, policy,
                    relationship, clock, cancellation);
                return InsightsCsv.Asked(http.Request, format) && answer is IValueHttpResult { Value: SignalWorklist list }
                    ? InsightsCsv.File($"signals-{list.Brand}.csv",
                        ["customerId", "displayName", "signal", "since", "about", "suggestedChannel", "suggestedBecause", "accessRecord"],
                        list.Items.Select(l => (IReadOnlyList<object?>)[l.CustomerId, l.DisplayName, l.Signal, l.Since, l.About,
                            l.Suggested.Channel, l.Suggested.Basis, l.AccessRecord]), list.Next, http.Request)
                    : answer;
            })
            .WithName("GetSignalWorklist")
            .WithSummary("A brand's customers to contact before they call: the signal, since when, and the channel to use.")
            .WithDescription("Names customers: read for service (X-Purpose: service), one access record per customer listed. Oldest signal " +
                             "first; a signal clears once the brand reaches out (an outbound contact after it arose). Filter with signal. " +
                             "format=csv for CSV (the next page in the Link header).")
            .WithFigures<SignalWorklist>();

        insights.MapGet("/re-contact", async (string? brand, string? quietForDays, string? activeElsewhere, string? limit, string? cursor, string? format,
                HttpContext http, IQuerySession session, NpgsqlDataSource database, GroupCatalog group, PersonalDataGate gate, ListCursor cursors,
                TimeProvider clock, CancellationToken cancellation) =>
            {
                var errors = new InputErrors();
                var days = ReadNumber("quietForDays", quietForDays, errors);
                var size = ReadNumber("limit", limit, errors);
                bool? elsewhere = activeElsewhere switch { "true" => true, "false" => false, _ => null };
                if (activeElsewhere is not null && elsewhere is null) errors.Add("activeElsewhere", "'activeElsewhere' must be true or false.");
                FormatKnown(format, errors);
                if (errors.Any) return errors.ToResult();
                var answer = await Worklists.ReContactAsync(http, brand, days, elsewhere, size, cursor, session, database, group, gate,
                    cursors, clock, cancellation);
                return InsightsCsv.Asked(http.Request, format) && answer is IValueHttpResult { Value: ReContactPage page }
                    ? InsightsCsv.File($"re-contact-{page.Brand}.csv",
                        ["customerId", "displayName", "lastContactAt", "quietForDays", "activeElsewhere", "suggestedChannel", "suggestedBecause", "accessRecord"],
                        page.Items.Select(l => (IReadOnlyList<object?>)[l.CustomerId, l.DisplayName, l.LastContactAt, l.QuietForDays, l.ActiveElsewhere,
                            l.Suggested.Channel, l.Suggested.Basis, l.AccessRecord]), page.Next, http.Request)
                    : answer;
            })
            .WithName("GetReContactList")
            .WithSummary("A brand's customers with no contact with it for more than quietForDays days, with the channel to win them back on.")
            .WithDescription("Names customers: read for marketing (needs the customer's marketing consent for the brand or the group; an " +
                             "objection leaves them out), one access record per customer listed. activeElsewhere=true keeps those in contact " +
                             "with another brand of the group since, among customers who consented to sharing across brands. " +
                             "format=csv for CSV (the next page in the Link header).")
            .WithFigures<ReContactPage>();
        return app;
    }

    private static DateTimeOffset StartOfDay(DateTimeOffset now) => new(now.UtcDateTime.Date, TimeSpan.Zero);

    /// <summary>Figures and lists alike: a purpose to state (X-Purpose), JSON or CSV, refusals as problems.</summary>
    private static RouteHandlerBuilder WithFigures<T>(this RouteHandlerBuilder builder) => builder
        .WithMetadata(new PersonalDataReadMarker())
        .Produces<T>()
        .Produces(StatusCodes.Status200OK, contentType: "text/csv")
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status403Forbidden);

    private static IEnumerable<IReadOnlyList<object?>> IntensityRows(IntensityMonth m)
    {
        var brand = m.Brand ?? "group";
        if (m.Suppressed) { yield return [brand, m.Month, true, null, null, null, null, null]; yield break; }
        yield return [brand, m.Month, false, "customers", null, null, m.Customers, null];
        foreach (var level in m.Levels) yield return [brand, m.Month, false, "level", null, level.Level, level.Customers, level.Share];
        foreach (var recency in m.Recency) yield return [brand, m.Month, false, "recency", null, recency.Recency, recency.Customers, recency.Share];
        foreach (var move in m.Movements) yield return [brand, m.Month, false, "movement", (object?)move.From ?? "new", move.To, move.Customers, null];
        yield return [brand, m.Month, false, "multi-channel", null, null, null, m.MultiChannelShare];
        if (m.MultiBrandShare is { } multiBrand) yield return [brand, m.Month, false, "multi-brand", null, null, null, multiBrand];
    }

    /// <summary>A whole number from the query string, or the field's error (the framework's own binding error names no field).</summary>
    private static int? ReadNumber(string field, string? value, InputErrors errors)
    {
        if (value is null) return null;
        if (int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)) return number;
        errors.Add(field, $"'{field}' must be a whole number.");
        return null;
    }

    private static T? ReadEnum<T>(string field, string? value, InputErrors errors) where T : struct, Enum
    {
        if (value is null) return null;
        if (ApiJson.TryParse<T>(value, out var parsed)) return parsed;
        errors.Add(field, $"'{field}' must be one of: {ApiJson.AllowedValues<T>()}.");
        return null;
    }

    private static void FormatKnown(string? format, InputErrors errors)
    {
        if (InsightsCsv.Unknown(format)) errors.Add("format", "'format' must be json or csv.");
    }

    private static Periods? ReadPeriods(string? from, string? to, Granularity? unit, DateTimeOffset now, InsightsPolicy policy, InputErrors errors)
    {
        DateOnly? Date(string field, string? value)
        {
            if (value is null) return null;
            if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
                && date.Year is >= 2000 and <= 9000) return date;
            errors.Add(field, $"'{field}' must be a date (yyyy-MM-dd) between 2000 and 9000.");
            return null;
        }
        var (start, end) = (Date("from", from), Date("to", to));
        return errors.Any ? null : Periods.Read(start, end, unit, now, policy, errors);
    }
}
