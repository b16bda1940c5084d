using InteractionLedger.Cases;
using JasperFx.Events;
using Marten.Events.Projections;
using Marten.Schema;

namespace InteractionLedger.Interactions;

/// <summary>A customer's rating of one contact.</summary>
public sealed record InteractionRating(int Satisfaction, string? Comment, DateTimeOffset RatedAt);

/// <summary>One contact as an agent sees it on the customer's timeline.</summary>
public sealed class TimelineEntry
{
    /// <summary>The interaction id.</summary>
    public Guid Id { get; set; }
    public Guid CustomerId { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
    public string Brand { get; set; } = "";
    public Channel Channel { get; set; }
    public Direction Direction { get; set; }
    public ContactReason Reason { get; set; }
    public HandledBy HandledBy { get; set; } = new(HandlerKind.SelfService, null);
    public Outcome Outcome { get; set; }
    public int? WaitingSeconds { get; set; }
    public int? HandlingSeconds { get; set; }
    public string? Summary { get; set; }
    public Guid? CaseId { get; set; }
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
/// (idempotent re-send, rating, attaching to a case) read these documents inside the same transaction. The usual
/// hazard of inline multi-stream projections (concurrent updates to one document) cannot arise: every document
/// belongs to exactly one customer stream, and writers to a stream are serialised by <c>CustomerStream.LockAsync</c>.
/// </summary>
public sealed partial class TimelineProjection : MultiStreamProjection<TimelineEntry, Guid>
{
    public TimelineProjection()
    {
        Identity<IConcernsInteraction>(e => e.InteractionId);
    }

    public static TimelineEntry Create(IEvent<InteractionRecorded> recorded)
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

    public void Apply(InteractionRated rated, TimelineEntry entry) =>
        entry.Rating = new InteractionRating(rated.Satisfaction, rated.Comment, rated.RatedAt);

    public void Apply(InteractionAttachedToCase attached, TimelineEntry entry) => entry.CaseId = attached.CaseId;
}
