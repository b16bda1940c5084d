using System.Security.Claims;
using InteractionLedger.Access;
using Marten;

namespace InteractionLedger.Privacy;

/// <summary>What privacy officers and administrators both watch: the access ledger's integrity and the retention job.</summary>
public static class OversightEndpoints
{
    public static void MapOversight(this IEndpointRouteBuilder privacy)
    {
        var oversight = privacy.MapGroup("").RequireAuthorization(LedgerPolicies.Oversight);

        oversight.MapGet("/access-ledger/verification", async (string? mode, AccessLedgerVerifier verifier, CancellationToken cancellation) =>
                mode is null or "incremental" or "full"
                    ? Results.Ok((await verifier.VerifyAsync(full: mode == "full", cancellation)).Result)
                    : Http.InputErrors.For("mode", "Use incremental (from the latest signed checkpoint, the default) or full (every record kept).").ToResult())
            .WithName("VerifyAccessLedger")
            .WithSummary("Verify the access ledger's chains against the MAC keys and the signed checkpoints; reports every break with its chain, position and kind.")
            .WithDescription("mode=incremental (default) checks the records added since the latest checkpoint, and that the chains still reach it; " +
                             "mode=full checks every record kept since the last retired partition.")
            .Produces<LedgerVerification>()
            .ProducesValidationProblem();

        oversight.MapGet("/access-ledger/checkpoints", (string? cursor, int? limit, CheckpointSink sink) =>
            {
                var errors = new Http.InputErrors();
                var size = Http.Paging.Limit(limit, errors);
                var before = Http.Paging.Position(cursor, "checkpoints", errors);
                return errors.Any ? errors.ToResult() : Results.Ok(Http.Paging.Of(sink.Latest(size + 1, before), size, "checkpoints", c => c.Id));
            })
            .WithName("ListAccessLedgerCheckpoints")
            .WithSummary("The signed checkpoints of the chain heads, newest first, as written outside the database.")
            .Produces<Http.Page<LedgerCheckpoint>>()
            .ProducesValidationProblem();

        oversight.MapPost("/access-ledger/checkpoints", async (AccessLedgerMaintenance maintenance, CancellationToken cancellation) =>
                await maintenance.CheckpointNowAsync(cancellation) is { Checkpoint: { } checkpoint }
                    ? Results.Ok(checkpoint)
                    : Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "The access ledger is broken: no checkpoint was taken.",
                        detail: "Verify it (GET /privacy/access-ledger/verification) to see every break; a checkpoint never certifies a broken ledger.",
                        type: Http.ProblemTypes.Of("access-ledger-broken")))
            .WithName("CheckpointAccessLedger")
            .WithSummary("Verify the records since the latest checkpoint and, if intact, write a signed checkpoint of every chain head now.")
            .Produces<LedgerCheckpoint>()
            .ProducesProblem(StatusCodes.Status409Conflict);

        oversight.MapGet("/retention/runs", async (string? cursor, int? limit, IQuerySession session, CancellationToken cancellation) =>
            {
                var errors = new Http.InputErrors();
                var size = Http.Paging.Limit(limit, errors);
                DateTimeOffset? before = Http.Paging.NumberAt(cursor, "retention-runs", errors) is { } ticks
                    // PostgreSQL keeps microseconds: the last run's own start, cut to them, is then not "before" itself.
                    ? new DateTimeOffset(Math.Min(ticks, DateTimeOffset.MaxValue.UtcTicks) / 10 * 10, TimeSpan.Zero) : null;
                if (errors.Any) return errors.ToResult();
                var runs = session.Query<RetentionRun>();
                var read = await (before is { } startedBefore ? runs.Where(r => r.StartedAt < startedBefore) : runs)
                    .OrderByDescending(r => r.StartedAt).Take(size + 1).ToListAsync(cancellation);
                return Results.Ok(Http.Paging.Of(read, size, "retention-runs", r => r.StartedAt.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            })
            .WithName("ListRetentionRuns")
            .WithSummary("The retention job's runs, newest first: when, what it erased, what consents it found lapsed.")
            .Produces<Http.Page<RetentionRun>>()
            .ProducesValidationProblem();

        oversight.MapPost("/retention/runs", async (ClaimsPrincipal user, RetentionRunner runner, HttpContext http) =>
                Results.Ok(await runner.RunOnDemandAsync(Caller.From(user).Id, http.RequestAborted)))
            .WithName("RunRetention")
            .WithSummary("Run the retention job now (it also runs on its schedule); one run at a time across every instance.")
            .WithDescription("A request made while a run is going on, or within a minute of one starting, answers that run instead of starting another.")
            .Produces<RetentionRun>();
    }
}
