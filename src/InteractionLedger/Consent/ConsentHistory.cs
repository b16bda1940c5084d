using InteractionLedger.Interactions;
using InteractionLedger.Privacy;
using Marten.Events.Aggregation;

namespace InteractionLedger.Consent;

/// <summary>One thing the customer said, or that happened, about a purpose.</summary>
/// <param name="Kind">given, withdrawn, expired or objected.</param>
/// <param name="Purpose">The purpose concerned.</param>
/// <param name="Brand">The brand the statement covers; null for the whole group.</param>
/// <param name="At">When the consent was given, withdrawn or expired, or the objection made.</param>
/// <param name="LegalBasis">The legal basis recorded with a consent given (<c>consent</c>); null for other kinds.</param>
/// <param name="CollectedVia">The channel the customer used; null for an expiry.</param>
/// <param name="Notice">The text, or version of the notice, shown to the customer, for a consent given; null otherwise.</param>
/// <param name="RecordedBy">The principal that recorded the statement; null for an expiry.</param>
/// <param name="ConsentId">The collecting system's id of the consent, for a consent given or expired; null otherwise.</param>
/// <param name="ExpiresAt">When a consent given lapses unless renewed; null when it does not, and for other kinds.</param>
/// <param name="Reason">The customer's grounds, for an objection when given; null otherwise.</param>
public sealed record ConsentHistoryEntry(string Kind, Purpose Purpose, string? Brand, DateTimeOffset At, LegalBasis? LegalBasis,
    Channel? CollectedVia, string? Notice, string? RecordedBy, Guid? ConsentId, DateTimeOffset? ExpiresAt, string? Reason);

/// <summary>Every consent statement of one customer, oldest first: what a privacy officer shows a regulator.</summary>
public sealed class ConsentHistory
{
    public Guid Id { get; set; }
    public List<ConsentHistoryEntry> Entries { get; set; } = [];
}

/// <summary>Inline, so a consent just given is in the history the officer reads next.</summary>
public sealed partial class ConsentHistoryProjection : SingleStreamProjection<ConsentHistory, Guid>
{
    public static ConsentHistory Create(ConsentGiven e) => new() { Entries = [Entry(e)] };
    public static ConsentHistory Create(ConsentWithdrawn e) => new() { Entries = [Entry(e)] };
    public static ConsentHistory Create(ObjectionRecorded e) => new() { Entries = [Entry(e)] };

    public void Apply(ConsentGiven e, ConsentHistory h) => h.Entries.Add(Entry(e));
    public void Apply(ConsentWithdrawn e, ConsentHistory h) => h.Entries.Add(Entry(e));
    public void Apply(ConsentExpired e, ConsentHistory h) =>
        h.Entries.Add(new("expired", e.Purpose, e.Brand, e.ExpiredAt, null, null, null, null, e.ConsentId, null, null));
    public void Apply(ObjectionRecorded e, ConsentHistory h) => h.Entries.Add(Entry(e));

    private static ConsentHistoryEntry Entry(ConsentGiven e) =>
        new("given", e.Purpose, e.Brand, e.GivenAt, e.LegalBasis, e.CollectedVia, e.Notice, e.RecordedBy, e.ConsentId, e.ExpiresAt, null);

    private static ConsentHistoryEntry Entry(ConsentWithdrawn e) =>
        new("withdrawn", e.Purpose, e.Brand, e.WithdrawnAt, null, e.CollectedVia, null, e.RecordedBy, null, null, null);

    private static ConsentHistoryEntry Entry(ObjectionRecorded e) =>
        new("objected", e.Purpose, e.Brand, e.ObjectedAt, null, e.CollectedVia, null, e.RecordedBy, null, null, e.Reason);
}
