using InteractionLedger.Cases;
using InteractionLedger.Interactions;

namespace InteractionLedger.Customers;

/// <summary>A customer joined the group's ledger. Starts the customer's stream.</summary>
public sealed record CustomerRegistered(Guid CustomerId, string? DisplayName, DateTimeOffset RegisteredAt);

/// <summary>
/// The write model of a customer's stream: only what decisions need (existence and case states). Kept as an
/// inline snapshot so a write loads one small document instead of replaying the stream; the per-interaction
/// facts decisions need (was it recorded, rated, attached) come from <see cref="TimelineEntry"/>.
/// </summary>
public sealed partial class Customer
{
    public Guid Id { get; set; }
    public string? DisplayName { get; set; }
    public DateTimeOffset RegisteredAt { get; set; }
    public int InteractionCount { get; set; }
    public Dictionary<Guid, CaseStatus> Cases { get; set; } = [];

    public static Customer Create(CustomerRegistered registered) => new()
    {
        Id = registered.CustomerId,
        DisplayName = registered.DisplayName,
        RegisteredAt = registered.RegisteredAt,
    };

    public void Apply(InteractionRecorded _) => InteractionCount++;
    public void Apply(CaseOpened opened) => Cases[opened.CaseId] = CaseStatus.Open;
    public void Apply(CaseResolved resolved) => Cases[resolved.CaseId] = CaseStatus.Resolved;
    public void Apply(CaseReopened reopened) => Cases[reopened.CaseId] = CaseStatus.Open;
}
