using InteractionLedger.Cases;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Marten.Patching;
using Marten.Schema;

namespace InteractionLedger.Interactions;

/// <summary>A customer's rating of one contact.</summary>
/// <param name="Satisfaction">1 (very dissatisfied) to 5 (very satisfied).</param>
/// <param name="Comment">The customer's own words; null when none was given, when free text is withheld, or once retention cleared it.</param>
/// <param name="RatedAt">When the rating was recorded (UTC).</param>
public sealed record InteractionRating(int Satisfaction, string? Comment, DateTimeOffset RatedAt);

/// <summary>One contact as an agent sees it on the customer's timeline.</summary>
public sealed class TimelineEntry
{
    /// <summary>The interaction id.</summary>
    public Guid Id { get; set; }
    /// <summary>The customer the contact was recorded for.</summary>
    public Guid CustomerId { get; set; }
    /// <summary>When the contact happened, by the reporting system's clock.</summary>
    public DateTimeOffset OccurredAt { get; set; }
    /// <summary>When the ledger recorded it (UTC).</summary>
    public DateTimeOffset RecordedAt { get; set; }
    /// <summary>Code of the brand the customer dealt with.</summary>
    public string Brand { get; set; } = "";
    /// <summary>The channel the contact happened on.</summary>
    public Channel Channel { get; set; }
    /// <summary><c>inbound</c> (the customer started it) or <c>outbound</c> (the brand did).</summary>
    public Direction Direction { get; set; }
    /// <summary>Why the customer (or the brand) made contact.</summary>
    public ContactReason Reason { get; set; }
    /// <summary>Who handled the contact on the brand's side.</summary>
    public HandledBy HandledBy { get; set; } = new(HandlerKind.SelfService, null);
    /// <summary>How the contact ended.</summary>
    public Outcome Outcome { get; set; }
    /// <summary>Seconds the customer waited before being served; null when not measured.</summary>
    public int? WaitingSeconds { get; set; }
    /// <summary>Seconds spent handling the contact; null when not measured.</summary>
    public int? HandlingSeconds { get; set; }
    /// <summary>What happened, in a sentence or two; null when none was given, or once the retention period cleared it.</summary>
    public string? Summary { get; set; }
    /// <summary>The case the contact belongs to; null when none.</summary>
    public Guid? CaseId { get; set; }
    /// <summary>The customer's rating of the contact; null when not rated.</summary>
    public InteractionRating? Rating { get; set; }
    /// <summary>The customer's stream version the contact was recorded at: what a re-sent contact is answered with.</summary>
    public long RecordedAtVersion { get; set; }

    /// <summary>
    /// PostgreSQL keeps microseconds: times are cut to that precision before they are stored, so the document,
    /// its indexed column and a timeline cursor built from either always compare equal.
    /// </summary>
    public static DateTimeOffset AtStoredPrecision(DateTimeOffset at) => new(at.UtcTicks - at.UtcTicks % 10, TimeSpan.Zero);

    /// <summary>
    /// Called by Marten when it maps this document. The timeline reads one customer's entries newest first with
    /// keyset paging, so one composite index serves the filter, the order and the cursor comparison; the columns
    /// are duplicated out of the JSON so the index and the row comparison can use them.
    /// </summary>
    public static void ConfigureMarten(DocumentMapping mapping)
    {
        mapping.DuplicateField(nameof(CustomerId), notNull: true);
        mapping.DuplicateField(nameof(OccurredAt), "timestamp with time zone", notNull: true);
        mapping.AddIndex("customer_id", "occurred_at", "id");
    }
}

/// <summary>
/// Inline: an agent who records a contact reads the timeline right after and must see it, and write decisions
/// (idempotent re-send, rating, attaching to a case) read these documents inside the same transaction.
/// An event projection rather than an aggregation because each entry is written, not recomputed: a new contact
/// stores a new document and a rating or a case patches one field in place, so a write never has to read the entry
/// first (an aggregation reads it in a round trip of its own; measured in bench/RESULTS.md). Writers to a customer are
/// serialised by <c>CustomerStream.LockAsync</c>, and every entry belongs to one customer, so patches never race.
/// </summary>
public sealed partial class TimelineProjection : EventProjection
{
    public TimelineEntry Create(IEvent<InteractionRecorded> recorded)
    {
        var e = recorded.Data;
        return new TimelineEntry
        {
            Id = e.InteractionId,
            RecordedAtVersion = recorded.Version,
            CustomerId = recorded.StreamId,
            OccurredAt = e.OccurredAt,
            RecordedAt = e.RecordedAt,
            Brand = e.Brand,
            Channel = e.Channel,
            Direction = e.Direction,
            Reason = e.Reason,
            HandledBy = e.HandledBy,
            Outcome = e.Outcome,
            WaitingSeconds = e.WaitingSeconds,
            HandlingSeconds = e.HandlingSeconds,
            Summary = e.Summary,
            CaseId = e.CaseId,
        };
    }

    public void Project(InteractionRated rated, IDocumentOperations operations) =>
        operations.Patch<TimelineEntry>(rated.InteractionId).Set(x => x.Rating, new InteractionRating(rated.Satisfaction, rated.Comment, rated.RatedAt));

    public void Project(InteractionAttachedToCase attached, IDocumentOperations operations) =>
        operations.Patch<TimelineEntry>(attached.InteractionId).Set(x => x.CaseId, attached.CaseId);
}
