using InteractionLedger.Interactions;
using InteractionLedger.Privacy;

namespace InteractionLedger.Consent;

/// <summary>The customer consented to a purpose.</summary>
/// <param name="ConsentId">The collecting system's id for this consent: re-sending it records nothing new.</param>
/// <param name="Brand">The brand it covers; null for the whole group.</param>
/// <param name="CollectedVia">The channel the customer gave it on.</param>
/// <param name="Notice">The text, or the version of the notice, the customer was shown.</param>
/// <param name="RecordedBy">The principal that recorded it.</param>
/// <param name="ExpiresAt">When it lapses unless renewed; null when it does not.</param>
public sealed record ConsentGiven(Guid ConsentId, Purpose Purpose, string? Brand, LegalBasis LegalBasis, Channel CollectedVia,
    string Notice, string RecordedBy, DateTimeOffset GivenAt, DateTimeOffset? ExpiresAt);

/// <summary>The customer withdrew a consent. Earlier uses stay lawful; later ones are refused.</summary>
public sealed record ConsentWithdrawn(Purpose Purpose, string? Brand, Channel CollectedVia, string RecordedBy, DateTimeOffset WithdrawnAt);

/// <summary>A consent reached its expiry date without being renewed.</summary>
public sealed record ConsentExpired(Guid ConsentId, Purpose Purpose, string? Brand, DateTimeOffset ExpiredAt);

/// <summary>The customer objected to a purpose (GDPR art. 21) or asked to restrict it: it is refused from now on.</summary>
public sealed record ObjectionRecorded(Purpose Purpose, string? Brand, string? Reason, Channel CollectedVia, string RecordedBy,
    DateTimeOffset ObjectedAt);
