using System.Text.Json;
using InteractionLedger.Cases;
using InteractionLedger.Consent;
using InteractionLedger.Customers;
using InteractionLedger.Identity;
using InteractionLedger.Interactions;
using InteractionLedger.Overview;
using Marten;

namespace InteractionLedger.Tests.Support;

/// <summary>Every document of every view, as JSON, sorted: two snapshots compare document by document.</summary>
public sealed record ViewSnapshot(IReadOnlyDictionary<string, List<string>> Views)
{
    public List<string> this[string view] => Views[view];

    public static async Task<ViewSnapshot> TakeAsync(IDocumentStore store)
    {
        await using var session = store.QuerySession();
        static List<string> Json<T>(IEnumerable<T> docs) => docs.Select(d => JsonSerializer.Serialize(d)).Order().ToList();
        return new ViewSnapshot(new Dictionary<string, List<string>>
        {
            ["timeline"] = Json(await session.Query<TimelineEntry>().ToListAsync()),
            ["cases"] = Json(await session.Query<CaseSummary>().ToListAsync()),
            ["customers"] = Json(await session.Query<Customer>().ToListAsync()),
            ["claims"] = Json(await session.Query<IdentifierClaim>().ToListAsync()),
            ["overviews"] = Json(await session.Query<CustomerOverview>().ToListAsync()),
            ["consents"] = Json(await session.Query<ConsentHistory>().ToListAsync()),
        });
    }

    /// <summary>Documents present on one side only, labelled, so a failure shows just what differs.</summary>
    public List<string> DifferencesFrom(ViewSnapshot other) => Views.Keys.SelectMany(view =>
        Views[view].Except(other[view]).Select(d => $"{view}, only here:  {d}")
            .Concat(other[view].Except(Views[view]).Select(d => $"{view}, only there: {d}"))).ToList();

    /// <summary>Rebuilds every view from the events alone.</summary>
    public static async Task RebuildAllAsync(IDocumentStore store, CancellationToken cancellation)
    {
        using var daemon = await store.BuildProjectionDaemonAsync();
        await daemon.RebuildProjectionAsync<TimelineProjection>(cancellation);
        await daemon.RebuildProjectionAsync<CaseSummaryProjection>(cancellation);
        await daemon.RebuildProjectionAsync(typeof(Customer), cancellation);
        await daemon.RebuildProjectionAsync<IdentifierClaimProjection>(cancellation);
        await daemon.RebuildProjectionAsync<CustomerOverviewProjection>(cancellation);
        await daemon.RebuildProjectionAsync<ConsentHistoryProjection>(cancellation);
    }
}
