using InteractionLedger.Cases;
using InteractionLedger.Customers;
using InteractionLedger.Identity;
using InteractionLedger.Interactions;
using Marten.Events.Aggregation;

namespace InteractionLedger.Overview;

/// <summary>One contact in one line.</summary>
public sealed record ContactLine(Guid InteractionId, DateTimeOffset OccurredAt, string Brand, Channel Channel, ContactReason Reason,
    Outcome Outcome, string? Summary, Guid? CaseId, int? Satisfaction);

/// <summary>When and how one contact happened: all that frequencies and channel habits need.</summary>
public sealed record ContactStamp(DateTimeOffset OccurredAt, Channel Channel);

/// <summary>Ratings of one channel.</summary>
public sealed record RatingTally(int Count, int Sum, int Negative)
{
    public RatingTally Add(int satisfaction) => new(Count + 1, Sum + satisfaction, Negative + (satisfaction <= 2 ? 1 : 0));
    public static RatingTally operator +(RatingTally a, RatingTally b) => new(a.Count + b.Count, a.Sum + b.Sum, a.Negative + b.Negative);
}

/// <summary>A case as the overview follows it.</summary>
public sealed record OverviewCase(Guid CaseId, string Brand, string Title, CaseStatus Status, DateTimeOffset OpenedAt, int ContactCount,
    IReadOnlyList<Channel> Channels, DateTimeOffset? LastStepAt, string? LastStep);

/// <summary>
/// The raw material of one customer stream's "single interlocutor" view: sums, tallies and the recent contacts,
/// kept so that several of them (a customer and those merged into them) add up, and so that everything relative
/// to today (frequency, dormancy, ages) is computed when read, with the clock of the read.
/// </summary>
public sealed class CustomerOverview
{
    /// <summary>Contacts stamped one by one for frequencies and habits (a year of a very intense customer); older ones only count in the sums.</summary>
    public const int StampsKept = 200;

    /// <summary>
    /// Contacts kept in full (the views show five). This document is rewritten by every write of the customer,
    /// so what it keeps per contact is what every write pays for: measured, full lines for all 200 cost a third of
    /// the write throughput.
    /// </summary>
    public const int RecentContactsKept = 10;

    public Guid Id { get; set; }
    public string? DisplayName { get; set; }
    /// <summary>The brand the customer was registered for, which collected the name (null: the whole group).</summary>
    public string? RegisteredFor { get; set; }
    public DateTimeOffset RegisteredAt { get; set; }
    public Dictionary<string, HeldIdentifier> Identifiers { get; set; } = [];
    public Channel? StatedPreferredChannel { get; set; }
    public DateTimeOffset? StatedPreferenceAt { get; set; }
    public int ContactCount { get; set; }
    public DateTimeOffset? FirstContactAt { get; set; }
    public DateTimeOffset? LastContactAt { get; set; }
    public Dictionary<Channel, int> ContactsByChannel { get; set; } = [];
    public Dictionary<string, int> ContactsByBrand { get; set; } = [];
    /// <summary>Newest first, at most <see cref="RecentContactsKept"/>.</summary>
    public List<ContactLine> RecentContacts { get; set; } = [];
    /// <summary>Newest first, at most <see cref="StampsKept"/>.</summary>
    public List<ContactStamp> ContactStamps { get; set; } = [];
    public Dictionary<Channel, RatingTally> Ratings { get; set; } = [];
    public long WaitingSecondsTotal { get; set; }
    public int WaitingMeasured { get; set; }
    /// <summary>Contacts abandoned without an answer.</summary>
    public int Unanswered { get; set; }
    public Dictionary<Guid, OverviewCase> Cases { get; set; } = [];
    /// <summary>Contacts each resolved case needed, by case (a reopened case leaves until resolved again).</summary>
    public Dictionary<Guid, int> ContactsPerResolvedCase { get; set; } = [];

    internal void Count(InteractionRecorded e)
    {
        ContactCount++;
        if (FirstContactAt is null || e.OccurredAt < FirstContactAt) FirstContactAt = e.OccurredAt;
        if (LastContactAt is null || e.OccurredAt > LastContactAt) LastContactAt = e.OccurredAt;
        ContactsByChannel[e.Channel] = ContactsByChannel.GetValueOrDefault(e.Channel) + 1;
        ContactsByBrand[e.Brand] = ContactsByBrand.GetValueOrDefault(e.Brand) + 1;
        if (e.WaitingSeconds is { } waited) { WaitingSecondsTotal += waited; WaitingMeasured++; }
        if (e.Outcome == Outcome.Abandoned) Unanswered++;

        InsertNewestFirst(RecentContacts, new ContactLine(e.InteractionId, e.OccurredAt, e.Brand, e.Channel, e.Reason, e.Outcome,
            e.Summary, e.CaseId, null), c => c.OccurredAt, RecentContactsKept);
        InsertNewestFirst(ContactStamps, new ContactStamp(e.OccurredAt, e.Channel), c => c.OccurredAt, StampsKept);
    }

    private static void InsertNewestFirst<T>(List<T> items, T item, Func<T, DateTimeOffset> at, int kept)
    {
        var index = items.FindIndex(x => at(x) < at(item));
        items.Insert(index < 0 ? items.Count : index, item);
        if (items.Count > kept) items.RemoveAt(items.Count - 1);
    }

    internal void CaseStep(Guid caseId, Channel channel, DateTimeOffset at, string? step)
    {
        if (!Cases.TryGetValue(caseId, out var current)) return;
        Cases[caseId] = current with
        {
            ContactCount = current.ContactCount + 1,
            Channels = current.Channels.Contains(channel) ? current.Channels : [.. current.Channels, channel],
            LastStepAt = current.LastStepAt is { } last && last > at ? last : at,
            LastStep = current.LastStepAt is { } previous && previous > at ? current.LastStep : step,
        };
    }
}

/// <summary>
/// Inline: it is what an agent's screen and a bot's greeting read right after a contact is recorded (the bot taking
/// over from a phone call must know about that call), and it costs one more small upsert per write in the
/// transaction the write already pays for. One stream per document, so concurrent writers are already serialised.
/// </summary>
public sealed partial class CustomerOverviewProjection : SingleStreamProjection<CustomerOverview, Guid>
{
    public CustomerOverviewProjection()
    {
        // For rebuilds. Customers written to at the same time leave their events interleaved in the store, so a page
        // of 500 events touched hundreds of overviews once each, every one read and rewritten whole (20 KB with its
        // stamps): larger pages and the most recent overviews kept in memory between pages (bench/RESULTS.md).
        Options.BatchSize = 5000;
        Options.CacheLimitPerTenant = 5000;
    }

    public static CustomerOverview Create(CustomerRegistered registered) => new()
    {
        Id = registered.CustomerId,
        DisplayName = registered.DisplayName,
        RegisteredFor = registered.Brand,
        RegisteredAt = registered.RegisteredAt,
    };

    public void Apply(InteractionRecorded e, CustomerOverview view)
    {
        view.Count(e);
        if (e.CaseId is { } caseId) view.CaseStep(caseId, e.Channel, e.OccurredAt, e.Summary);
    }

    public void Apply(InteractionRated e, CustomerOverview view)
    {
        var index = view.RecentContacts.FindIndex(c => c.InteractionId == e.InteractionId);
        if (index >= 0) view.RecentContacts[index] = view.RecentContacts[index] with { Satisfaction = e.Satisfaction };
        if ((e.Channel ?? (index >= 0 ? view.RecentContacts[index].Channel : null)) is not { } channel) return;
        view.Ratings[channel] = (view.Ratings.GetValueOrDefault(channel) ?? new RatingTally(0, 0, 0)).Add(e.Satisfaction);
    }

    public void Apply(InteractionAttachedToCase e, CustomerOverview view) =>
        view.CaseStep(e.CaseId, e.Channel, e.OccurredAt, view.RecentContacts.FirstOrDefault(c => c.InteractionId == e.InteractionId)?.Summary);

    public void Apply(CaseOpened e, CustomerOverview view) =>
        view.Cases[e.CaseId] = new OverviewCase(e.CaseId, e.Brand, e.Title, CaseStatus.Open, e.OpenedAt, 0, [], null, null);

    public void Apply(CaseResolved e, CustomerOverview view)
    {
        if (!view.Cases.TryGetValue(e.CaseId, out var current)) return;
        view.Cases[e.CaseId] = current with { Status = CaseStatus.Resolved, LastStepAt = e.ResolvedAt, LastStep = e.Resolution ?? "Resolved." };
        view.ContactsPerResolvedCase[e.CaseId] = current.ContactCount;
    }

    public void Apply(CaseReopened e, CustomerOverview view)
    {
        if (!view.Cases.TryGetValue(e.CaseId, out var current)) return;
        view.Cases[e.CaseId] = current with { Status = CaseStatus.Open, LastStepAt = e.ReopenedAt, LastStep = $"Reopened: {e.Reason}" };
        view.ContactsPerResolvedCase.Remove(e.CaseId);
    }

    public void Apply(IdentifierLinked e, CustomerOverview view) =>
        view.Identifiers[e.IdentifierKey] = HeldIdentifier.After(view.Identifiers.GetValueOrDefault(e.IdentifierKey), e);

    public void Apply(IdentifierUnlinked e, CustomerOverview view) => view.Identifiers.Remove(e.IdentifierKey);

    public void Apply(IdentifierReleased e, CustomerOverview view)
    {
        if (view.Identifiers.TryGetValue(e.IdentifierKey, out var held)) view.Identifiers[e.IdentifierKey] = held.Keeping(e.StillCollectedFor);
    }

    public void Apply(PreferredChannelStated e, CustomerOverview view)
    {
        view.StatedPreferredChannel = e.Channel;
        view.StatedPreferenceAt = e.StatedAt;
    }
}
