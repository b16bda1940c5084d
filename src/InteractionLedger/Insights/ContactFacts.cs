using InteractionLedger.Cases;
using InteractionLedger.Interactions;
using JasperFx.Events;
using Marten.Events.Projections;

namespace InteractionLedger.Insights;

/// <summary>
/// One contact as the figures across the base read it: when, where, why, how it ended and how it was rated, and
/// whose it was. No summary, no comment, no identifier: nothing in it says anything about what was said.
/// </summary>
public sealed class ContactFact
{
    /// <summary>The contact's id.</summary>
    public Guid Id { get; set; }
    public Guid CustomerId { get; set; }
    public string Brand { get; set; } = "";
    public Channel Channel { get; set; }
    public Direction Direction { get; set; }
    public ContactReason Reason { get; set; }
    public Outcome Outcome { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public int? WaitingSeconds { get; set; }
    public int? Satisfaction { get; set; }
    public DateTimeOffset? RatedAt { get; set; }
    public Guid? CaseId { get; set; }
}

/// <summary>
/// Asynchronous: no write waits for it, and a figure across the base a second late is as good as one on time. Run by
/// one node of however many run (Wolverine distributes it, InsightsModule).
/// </summary>
public sealed partial class ContactFactProjection : MultiStreamProjection<ContactFact, Guid>
{
    public ContactFactProjection()
    {
        Identity<InteractionRecorded>(e => e.InteractionId);
        Identity<InteractionRated>(e => e.InteractionId);
        Identity<InteractionAttachedToCase>(e => e.InteractionId);
        // Rebuilds and catching up read large pages: one fact per contact, few of them touched twice.
        Options.BatchSize = 5000;
    }

    public static ContactFact Create(IEvent<InteractionRecorded> recorded) => new()
    {
        Id = recorded.Data.InteractionId,
        CustomerId = recorded.StreamId,
        Brand = recorded.Data.Brand,
        Channel = recorded.Data.Channel,
        Direction = recorded.Data.Direction,
        Reason = recorded.Data.Reason,
        Outcome = recorded.Data.Outcome,
        OccurredAt = recorded.Data.OccurredAt,
        WaitingSeconds = recorded.Data.WaitingSeconds,
        CaseId = recorded.Data.CaseId,
    };

    public void Apply(InteractionRated rated, ContactFact fact)
    {
        fact.Satisfaction = rated.Satisfaction;
        fact.RatedAt = rated.RatedAt;
    }

    public void Apply(InteractionAttachedToCase attached, ContactFact fact) => fact.CaseId = attached.CaseId;
}

/// <summary>One case as the figures read it: its brand, when it opened, how many contacts it took, when it was resolved.</summary>
public sealed class CaseFact
{
    public Guid Id { get; set; }
    public Guid CustomerId { get; set; }
    public string Brand { get; set; } = "";
    public ContactReason Reason { get; set; }
    public DateTimeOffset OpenedAt { get; set; }
    public CaseStatus Status { get; set; }
    /// <summary>When it was last resolved; null while open.</summary>
    public DateTimeOffset? ResolvedAt { get; set; }
    public int ContactCount { get; set; }
    /// <summary>The first contact of the case, the one a first-contact resolution is about.</summary>
    public Guid? FirstContactId { get; set; }
    public DateTimeOffset? FirstContactAt { get; set; }
    /// <summary>Every contact's time, oldest first: the signal "case dragging" needs the n-th.</summary>
    public List<DateTimeOffset> ContactTimes { get; set; } = [];
}

/// <summary>Asynchronous, like <see cref="ContactFactProjection"/>.</summary>
public sealed partial class CaseFactProjection : MultiStreamProjection<CaseFact, Guid>
{
    public CaseFactProjection()
    {
        Identities<IConcernsCase>(e => e.CaseId is { } caseId ? [caseId] : []);
        Options.BatchSize = 5000;
    }

    public static CaseFact Create(IEvent<CaseOpened> opened) => new()
    {
        Id = opened.Data.CaseId,
        CustomerId = opened.StreamId,
        Brand = opened.Data.Brand,
        Reason = opened.Data.Reason,
        OpenedAt = opened.Data.OpenedAt,
        Status = CaseStatus.Open,
    };

    public void Apply(InteractionRecorded recorded, CaseFact fact) => fact.Count(recorded.InteractionId, recorded.OccurredAt);

    public void Apply(InteractionAttachedToCase attached, CaseFact fact) => fact.Count(attached.InteractionId, attached.OccurredAt);

    public void Apply(CaseResolved resolved, CaseFact fact)
    {
        fact.Status = CaseStatus.Resolved;
        fact.ResolvedAt = resolved.ResolvedAt;
    }

    public void Apply(CaseReopened reopened, CaseFact fact)
    {
        fact.Status = CaseStatus.Open;
        fact.ResolvedAt = null;
    }
}

public static class CaseFactCounting
{
    /// <summary>A contact of the case; contacts are kept in the order they happened, whatever the order they were recorded in.</summary>
    public static void Count(this CaseFact fact, Guid contactId, DateTimeOffset at)
    {
        fact.ContactCount++;
        var index = fact.ContactTimes.FindIndex(t => t > at);
        fact.ContactTimes.Insert(index < 0 ? fact.ContactTimes.Count : index, at);
        if (fact.FirstContactAt is null || at < fact.FirstContactAt)
        {
            fact.FirstContactAt = at;
            fact.FirstContactId = contactId;
        }
    }
}
