using InteractionLedger.Hosting;
using Marten;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace InteractionLedger.Insights;

/// <summary>How far one asynchronous view is behind the events.</summary>
/// <param name="EventsBehind">Events written and not yet applied to it.</param>
/// <param name="Seconds">How long ago the oldest of them was written: 0 when it is up to date.</param>
public sealed record ViewLag(string View, long EventsBehind, double Seconds);

public static class ProjectionLag
{
    /// <summary>The async views, by their daemon shard names.</summary>
    public static readonly IReadOnlyList<string> Views = [$"{ContactFactProjection.Name}:All", $"{CaseFactProjection.Name}:All"];

    /// <summary>
    /// Measured from the store rather than from the daemon: the node answering may not be the one running a view
    /// (Wolverine runs each on one node), and a view no node runs is as late as its progress says.
    /// </summary>
    public static async Task<IReadOnlyList<ViewLag>> MeasureAsync(IDocumentStore store, NpgsqlDataSource database, DateTimeOffset now,
        CancellationToken cancellation)
    {
        // The highest sequence written: one index lookup (Marten's event store statistics count every event and stream).
        long highest;
        await using (var command = database.CreateCommand($"select coalesce(max(seq_id), 0) from {LedgerStore.Schema}.mt_events"))
            highest = (long)(await command.ExecuteScalarAsync(cancellation))!;
        var progress = (await store.Advanced.AllProjectionProgress(token: cancellation)).ToDictionary(p => p.ShardName, p => p.Sequence);
        var lags = new List<ViewLag>();
        foreach (var view in Views)
        {
            var reached = progress.GetValueOrDefault(view);
            var behind = Math.Max(0, highest - reached);
            var seconds = 0.0;
            if (behind > 0)
            {
                await using var command = database.CreateCommand(
                    $"select timestamp from {LedgerStore.Schema}.mt_events where seq_id > @reached order by seq_id limit 1");
                command.Parameters.AddWithValue("reached", reached);
                if (await command.ExecuteScalarAsync(cancellation) is DateTime oldest)
                    seconds = Math.Max(0, (now - new DateTimeOffset(DateTime.SpecifyKind(oldest, DateTimeKind.Utc))).TotalSeconds);
            }
            lags.Add(new ViewLag(view, behind, Math.Round(seconds, 3)));
        }
        return lags;
    }
}

/// <summary>
/// Readiness says how late the asynchronous views are (seconds, never counts of events: the door is anonymous). A node
/// whose views lag is still ready, it serves every other read: late views are reported as degraded, not unhealthy.
/// </summary>
public sealed class ProjectionLagHealthCheck(IDocumentStore store, NpgsqlDataSource database, TimeProvider clock, InsightsPolicy policy) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellation = default)
    {
        try
        {
            var lags = await ProjectionLag.MeasureAsync(store, database, clock.GetUtcNow(), cancellation);
            var data = lags.ToDictionary(l => l.View, l => (object)l.Seconds);
            var late = lags.Where(l => l.Seconds > policy.ViewsLateAfterSeconds).Select(l => l.View).ToList();
            return late.Count == 0
                ? HealthCheckResult.Healthy("Asynchronous views up to date.", data)
                : HealthCheckResult.Degraded($"Late by more than {policy.ViewsLateAfterSeconds} s: {string.Join(", ", late)}.", data: data);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            return HealthCheckResult.Degraded("The views' progress could not be read.", e);
        }
    }
}
