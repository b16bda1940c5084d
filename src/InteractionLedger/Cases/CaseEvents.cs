using InteractionLedger.Interactions;

namespace InteractionLedger.Cases;

public enum CaseStatus { Open, Resolved }

/// <summary>A customer problem was opened as a case, to be followed across contacts and channels.</summary>
public sealed record CaseOpened(Guid CaseId, string Brand, ContactReason Reason, string Title, string OpenedBy, DateTimeOffset OpenedAt);

/// <summary>
/// An already-recorded contact was attached to a case. Carries the contact's channel and time so the case view
/// can count contacts and channels crossed without reading other documents.
/// </summary>
public sealed record InteractionAttachedToCase(Guid InteractionId, Guid CaseId, Channel Channel, DateTimeOffset OccurredAt,
    string AttachedBy, DateTimeOffset AttachedAt);

public sealed record CaseResolved(Guid CaseId, string ResolvedBy, string? Resolution, DateTimeOffset ResolvedAt);

public sealed record CaseReopened(Guid CaseId, string ReopenedBy, string Reason, DateTimeOffset ReopenedAt);
