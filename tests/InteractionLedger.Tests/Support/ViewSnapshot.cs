using System.Text.Json;
using InteractionLedger.Privacy;
using Marten;

namespace InteractionLedger.Tests.Support;

/// <summary>Every document of every view, as JSON, sorted: two snapshots compare document by document.</summary>
public sealed record ViewSnapshot(IReadOnlyDictionary<string, List<string>> Views)
{
    public List<string> this[string view] => Views[view];

    /// <summary>Every view the personal-data declaration lists (<c>PersonalData.Holdings</c>), so a new view is compared too.</summary>
    public static async Task<ViewSnapshot> TakeAsync(IDocumentStore store)
    {
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

    /// <summary>Rebuilds every view from the events alone: every projection registered with Marten.</summary>
    public static async Task RebuildAllAsync(IDocumentStore store, CancellationToken cancellation)
    {
        using var daemon = await store.BuildProjectionDaemonAsync();
        foreach (var projection in ((StoreOptions)store.Options).Projections.All)
            await daemon.RebuildProjectionAsync(projection.Name, cancellation);
    }
}
