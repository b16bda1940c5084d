using InteractionLedger.Interactions;

namespace InteractionLedger.Cases;

/// <summary>Where a case stands: <c>open</c> or <c>resolved</c> (a resolved case can be reopened).</summary>
public enum CaseStatus { Open, Resolved }

/// <summary>
/// An event the case view applies. One grouping rule for all of them matters: under quick append, events of one
/// transaction reach an inline projection without sequence numbers, and Marten keeps their order only within a
/// grouping rule (one rule per event type would apply every resolution before every reopening of a batch).
/// </summary>
public interface IConcernsCase
{
    Guid? CaseId { get; }
}

/// <summary>A customer problem was opened as a case, to be followed across contacts and channels.</summary>
public sealed record CaseOpened(Guid CaseId, string Brand, ContactReason Reason, string Title, string OpenedBy, DateTimeOffset OpenedAt)
    : IConcernsCase
{
    Guid? IConcernsCase.CaseId => CaseId;
}

/// <summary>
/// An already-recorded contact was attached to a case. Carries the contact's channel and time so the case view
/// can count contacts and channels crossed without reading other documents.
/// </summary>
public sealed record InteractionAttachedToCase(Guid InteractionId, Guid CaseId, Channel Channel, DateTimeOffset OccurredAt,
    string AttachedBy, DateTimeOffset AttachedAt) : IConcernsCase
{
    Guid? IConcernsCase.CaseId => CaseId;
}

public sealed record CaseResolved(Guid CaseId, string ResolvedBy, string? Resolution, DateTimeOffset ResolvedAt) : IConcernsCase
{
    Guid? IConcernsCase.CaseId => CaseId;
}

public sealed record CaseReopened(Guid CaseId, string ReopenedBy, string Reason, DateTimeOffset ReopenedAt) : IConcernsCase
{
    Guid? IConcernsCase.CaseId => CaseId;
}
