namespace InteractionLedger.Merging;

// A merge is a pair of facts, one on each stream, so that each customer's own history says what happened to it.
// Contacts keep being written to the stream of the customer they name: a merge joins histories when they are
// read, it never moves events, which is what lets an unmerge restore both customers exactly as they were.

/// <summary>On the survivor's stream: another customer turned out to be the same person and was merged in.</summary>
public sealed record CustomerMerged(Guid AbsorbedCustomerId, string DecidedBy, string Reason, DateTimeOffset MergedAt);

/// <summary>On the absorbed customer's stream: it now answers as part of the survivor.</summary>
public sealed record CustomerAbsorbed(Guid SurvivorCustomerId, string DecidedBy, string Reason, DateTimeOffset AbsorbedAt);

/// <summary>On the survivor's stream: a merge was undone.</summary>
public sealed record CustomerUnmerged(Guid RestoredCustomerId, string DecidedBy, string Reason, DateTimeOffset UnmergedAt);

/// <summary>On the restored customer's stream: it answers on its own again.</summary>
public sealed record CustomerRestored(Guid FormerSurvivorId, string DecidedBy, string Reason, DateTimeOffset RestoredAt);
