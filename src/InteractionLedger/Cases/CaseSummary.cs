using InteractionLedger.Interactions;
using JasperFx.Events;
using Marten.Events.Projections;

namespace InteractionLedger.Cases;

/// <summary>A case as listed for an agent: where it stands and what it has cost the customer so far.</summary>
public sealed class CaseSummary
{
    /// <summary>The case's id.</summary>
    public Guid Id { get; set; }
    /// <summary>The customer whose case it is.</summary>
    public Guid CustomerId { get; set; }
    /// <summary>Code of the brand the problem concerns.</summary>
    public string Brand { get; set; } = "";
    /// <summary>Why the customer made contact.</summary>
    public ContactReason Reason { get; set; }
    /// <summary>One line an agent recognises the problem by.</summary>
    public string Title { get; set; } = "";
    /// <summary><c>open</c> or <c>resolved</c>.</summary>
    public CaseStatus Status { get; set; }
    /// <summary>Id of the agent, bot or system that opened the case.</summary>
    public string OpenedBy { get; set; } = "";
    /// <summary>When the case was opened (UTC).</summary>
    public DateTimeOffset OpenedAt { get; set; }
    /// <summary>When the case was resolved (UTC); null while open.</summary>
    public DateTimeOffset? ResolvedAt { get; set; }
    /// <summary>How it was resolved; null while open, or when no resolution was given.</summary>
    public string? Resolution { get; set; }
    /// <summary>How many times the case was reopened.</summary>
    public int ReopenCount { get; set; }
    /// <summary>Contacts the case has needed so far (the figure to beat: 2.8 calls per satisfying answer).</summary>
    public int ContactCount { get; set; }
    /// <summary>Distinct channels the case crossed, in the order the customer first used them.</summary>
    public List<Channel> Channels { get; set; } = [];
    /// <summary>When the latest contact of the case happened; null before any.</summary>
    public DateTimeOffset? LastContactAt { get; set; }
    /// <summary>Open time accumulated over periods already closed by a resolution.</summary>
    public long ClosedPeriodsOpenSeconds { get; set; }
    /// <summary>Start of the current open period; null while resolved.</summary>
    public DateTimeOffset? OpenSince { get; set; }

    public TimeSpan TimeOpen(DateTimeOffset now) =>
        TimeSpan.FromSeconds(ClosedPeriodsOpenSeconds) + (OpenSince is { } since && now > since ? now - since : TimeSpan.Zero);

    internal void CountContact(Channel channel, DateTimeOffset occurredAt)
    {
        ContactCount++;
        if (!Channels.Contains(channel)) Channels.Add(channel);
        if (LastContactAt is null || occurredAt > LastContactAt) LastContactAt = occurredAt;
    }
}

/// <summary>
/// Inline, like the timeline: an agent who opens a case attaches the next contact to it at once, and the case list
/// must show it. Each case belongs to one customer stream, whose writers are serialised, so inline is safe here.
/// </summary>
public sealed partial class CaseSummaryProjection : MultiStreamProjection<CaseSummary, Guid>
{
    public CaseSummaryProjection()
    {
        Identities<IConcernsCase>(e => e.CaseId is { } caseId ? [caseId] : []);
    }

    public static CaseSummary Create(IEvent<CaseOpened> opened) => new()
    {
        Id = opened.Data.CaseId,
        CustomerId = opened.StreamId,
        Brand = opened.Data.Brand,
        Reason = opened.Data.Reason,
        Title = opened.Data.Title,
        Status = CaseStatus.Open,
        OpenedBy = opened.Data.OpenedBy,
        OpenedAt = opened.Data.OpenedAt,
        OpenSince = opened.Data.OpenedAt,
    };

    public void Apply(InteractionRecorded recorded, CaseSummary summary) => summary.CountContact(recorded.Channel, recorded.OccurredAt);

    public void Apply(InteractionAttachedToCase attached, CaseSummary summary) => summary.CountContact(attached.Channel, attached.OccurredAt);

    public void Apply(CaseResolved resolved, CaseSummary summary)
    {
        summary.Status = CaseStatus.Resolved;
        summary.ResolvedAt = resolved.ResolvedAt;
        summary.Resolution = resolved.Resolution;
        if (summary.OpenSince is { } since && resolved.ResolvedAt > since)
            summary.ClosedPeriodsOpenSeconds += (long)(resolved.ResolvedAt - since).TotalSeconds;
        summary.OpenSince = null;
    }

    public void Apply(CaseReopened reopened, CaseSummary summary)
    {
        summary.Status = CaseStatus.Open;
        summary.ReopenCount++;
        summary.ResolvedAt = null;
        summary.Resolution = null;
        summary.OpenSince = reopened.ReopenedAt;
    }
}
