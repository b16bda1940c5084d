using System.Text.Json;
using InteractionLedger.Privacy;
using Marten;
using Marten.Events;

namespace InteractionLedger.Tests.Support;

/// <summary>Every document of every view, as JSON, sorted: two snapshots compare document by document.</summary>
public sealed record ViewSnapshot(IReadOnlyDictionary<string, List<string>> Views)
{
    public List<string> this[string view] => Views[view];

    /// <summary>
    /// Every view the personal-data declaration lists (<c>PersonalData.Holdings</c>), so a new view is compared too; the
    /// asynchronous ones once they have caught up with every event written.
    /// </summary>
    public static async Task<ViewSnapshot> TakeAsync(IDocumentStore store)
    {
        await store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
        await using var session = store.QuerySession();
        var views = new Dictionary<string, List<string>>();
        foreach (var holding in PersonalData.Holdings)
            if (holding.All is { } all)
                views[holding.Name] = (await all(session)).Select(d => JsonSerializer.Serialize(d)).Order().ToList();
        return new ViewSnapshot(views);
    }

    /// <summary>Documents present on one side only, labelled, so a failure shows just what differs.</summary>
    public List<string> DifferencesFrom(ViewSnapshot other) => Views.Keys.SelectMany(view =>
        Views[view].Except(other[view]).Select(d => $"{view}, only here:  {d}")
            .Concat(other[view].Except(Views[view]).Select(d => $"{view}, only there: {d}"))).ToList();

    /// <summary>
    /// Rebuilds every view updated in the write's transaction from the events alone. The asynchronous views are run by
    /// the node Wolverine assigned them to: a second daemon rebuilding them beside it would fight it for their progress
    /// (their rebuild is the two-node drill's, InsightsOnTwoNodesTests).
    /// </summary>
    public static async Task RebuildAllAsync(IDocumentStore store, CancellationToken cancellation)
    {
        using var daemon = await store.BuildProjectionDaemonAsync();
        foreach (var projection in ((StoreOptions)store.Options).Projections.All.Where(p => p.Lifecycle == JasperFx.Events.Projections.ProjectionLifecycle.Inline))
            await daemon.RebuildProjectionAsync(projection.Name, cancellation);
    }
}
