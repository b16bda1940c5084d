using InteractionLedger.Cases;
using InteractionLedger.Customers;

namespace InteractionLedger.Interactions;

/// <summary>Who handled a contact on the brand's side: an agent, a bot, or the customer alone (self-service).</summary>
/// <param name="Kind"><c>agent</c>, <c>bot</c> or <c>self-service</c>.</param>
/// <param name="Id">Agent or bot id; for self-service, optionally the system (e.g. "ivr-main").</param>
public sealed record HandledBy(HandlerKind Kind, string? Id);

/// <summary>A customer contact happened and was recorded in the ledger.</summary>
/// <param name="OccurredAt">When the contact happened, by the reporting system's clock.</param>
/// <param name="RecordedAt">When the ledger recorded it.</param>
/// <param name="WaitingSeconds">Time the customer waited before being served (null when not measured).</param>
public sealed record InteractionRecorded(
    Guid InteractionId,
    DateTimeOffset OccurredAt,
    DateTimeOffset RecordedAt,
    string Brand,
    Channel Channel,
    Direction Direction,
    ContactReason Reason,
    HandledBy HandledBy,
    Outcome Outcome,
    int? WaitingSeconds,
    int? HandlingSeconds,
    string? Summary,
    Guid? CaseId) : IClientIdentifiedEvent, IConcernsCase
{
    Guid IClientIdentifiedEvent.ClientEventId => InteractionId;
}

/// <summary>The customer rated a contact after it happened.</summary>
/// <param name="Satisfaction">1 (very dissatisfied) to 5 (very satisfied).</param>
/// <param name="Channel">The rated contact's channel, so satisfaction per channel needs no other document
/// (added after the first version of this event: absent, hence nullable, in ratings recorded before).</param>
public sealed record InteractionRated(Guid InteractionId, int Satisfaction, string? Comment, DateTimeOffset RatedAt,
    Channel? Channel = null);
