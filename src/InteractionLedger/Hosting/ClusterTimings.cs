using Wolverine;

namespace InteractionLedger.Hosting;

/// <summary>
/// How the service's nodes watch one another (<c>Ledger:Cluster</c>), in seconds; unset values keep Wolverine's
/// defaults (a health check every 10 s, a node stale after 60 s without one, assignments checked every 30 s). A node
/// that stops cleanly hands its views over at once; one that dies holds them until it is stale.
/// </summary>
public sealed class ClusterTimings
{
    public double? HealthCheckSeconds { get; init; }
    public double? StaleNodeSeconds { get; init; }
    public double? CheckAssignmentsSeconds { get; init; }
    /// <summary>Delay before a starting node's first health check (Wolverine's default: a few seconds).</summary>
    public double? FirstHealthCheckSeconds { get; init; }

    public void ApplyTo(DurabilitySettings durability)
    {
        foreach (var (name, value) in new[] { (nameof(HealthCheckSeconds), HealthCheckSeconds), (nameof(StaleNodeSeconds), StaleNodeSeconds),
                     (nameof(CheckAssignmentsSeconds), CheckAssignmentsSeconds), (nameof(FirstHealthCheckSeconds), FirstHealthCheckSeconds) })
            if (value is < 0 || (value is 0 && name != nameof(FirstHealthCheckSeconds)))
                throw new InvalidOperationException($"Ledger:Cluster:{name} must be more than 0 seconds (FirstHealthCheckSeconds may be 0).");
        if (StaleNodeSeconds is { } staleAfter && HealthCheckSeconds is { } every && staleAfter <= every)
            throw new InvalidOperationException("Ledger:Cluster:StaleNodeSeconds must be longer than HealthCheckSeconds: a healthy node would be taken for dead.");
        if (HealthCheckSeconds is { } health) durability.HealthCheckPollingTime = TimeSpan.FromSeconds(health);
        if (StaleNodeSeconds is { } stale) durability.StaleNodeTimeout = TimeSpan.FromSeconds(stale);
        if (CheckAssignmentsSeconds is { } assignments) durability.CheckAssignmentPeriod = TimeSpan.FromSeconds(assignments);
        if (FirstHealthCheckSeconds is { } first) durability.FirstHealthCheckExecution = TimeSpan.FromSeconds(first);
    }
}
