using System.Security.Claims;
using InteractionLedger.Access;
using Marten;
using Wolverine;

namespace InteractionLedger.Privacy;

/// <summary>What privacy officers and administrators both watch: the access ledger's integrity and the retention job.</summary>
public static class OversightEndpoints
{
    public static void MapOversight(this IEndpointRouteBuilder privacy)
    {
        var oversight = privacy.MapGroup("").RequireAuthorization(LedgerPolicies.Oversight);

        oversight.MapGet("/access-ledger/verification", async (AccessLedger ledger, CancellationToken cancellation) =>
                Results.Ok(await ledger.VerifyAsync(cancellation)))
            .WithName("VerifyAccessLedger")
            .WithSummary("Recompute every hash chain of the access ledger; reports the first record edited, removed or out of place.")
            .Produces<ChainVerification>();

        oversight.MapGet("/retention/runs", async (IQuerySession session, CancellationToken cancellation) =>
                Results.Ok(await session.Query<RetentionRun>().OrderByDescending(r => r.StartedAt).Take(100).ToListAsync(cancellation)))
            .WithName("ListRetentionRuns")
            .WithSummary("The retention job's last 100 runs, newest first: when, what it erased, what consents it found lapsed.")
            .Produces<List<RetentionRun>>();

        oversight.MapPost("/retention/runs", async (ClaimsPrincipal user, IMessageBus bus, HttpContext http) =>
                Results.Ok(await bus.InvokeAsync<RetentionRun>(new ApplyRetention(Caller.From(user).Id), http.RequestAborted)))
            .WithName("RunRetention")
            .WithSummary("Run the retention job now (it also runs on its schedule).")
            .Produces<RetentionRun>();
    }
}
