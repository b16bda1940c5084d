using InteractionLedger.Interactions;

namespace InteractionLedger.Insights;

/// <summary>
/// The thresholds behind the insights, in one place (configured under <c>Ledger:Insights</c>; README, "Insights",
/// lists them as a table). What makes a contact negative, a customer intense or dormant is the relationship policy's
/// (<c>Ledger:Relationship</c>): the insights read customers the way the agent's screen does.
/// </summary>
public sealed class InsightsPolicy
{
    /// <summary>A figure describing fewer customers than this is suppressed (not rounded): it could single someone out.</summary>
    public int MinimumCustomersPerFigure { get; init; } = 5;

    /// <summary>Proactive signal "negative contacts": this many negatively rated contacts with the brand ...</summary>
    public int NegativeContactsForSignal { get; init; } = 2;
    /// <summary>... within this many days of one another and of today.</summary>
    public int NegativeWindowDays { get; init; } = 30;
    /// <summary>Proactive signal "case dragging": an open case reaching this many contacts ...</summary>
    public int CaseContactsForSignal { get; init; } = 3;
    /// <summary>... or open for longer than this many days.</summary>
    public int CaseOpenDaysForSignal { get; init; } = 7;
    /// <summary>Proactive signal "not called back": a contact abandoned without an answer and no answered contact with
    /// the brand within this many hours.</summary>
    public int CallBackWithinHours { get; init; } = 24;
    /// <summary>Proactive signal "dormant loyal customer": quiet for the relationship policy's dormancy period after a
    /// year with at least this many contacts with the brand (default: the medium intensity level's 4).</summary>
    public int LoyalFromContactsPerYear { get; init; } = 4;
    /// <summary>Signals older than this are no longer proposed: after that long, a win-back is a re-contact list's job.</summary>
    public int SignalsFadeAfterDays { get; init; } = 365;

    /// <summary>How often new signals are announced to other systems (<see cref="ProactiveSignalRaised"/>); 0: never.</summary>
    public int AnnounceSignalsEveryMinutes { get; init; } = 5;

    /// <summary>Readiness reports the asynchronous views as degraded when they are later than this.</summary>
    public int ViewsLateAfterSeconds { get; init; } = 30;

    /// <summary>The longest period one request may ask figures for.</summary>
    public int MaxPeriodDays { get; init; } = 731;

    public void Validate()
    {
        if (MinimumCustomersPerFigure < 2) throw new InvalidOperationException("Ledger:Insights:MinimumCustomersPerFigure must be at least 2.");
        foreach (var (name, value) in new[] { (nameof(NegativeContactsForSignal), NegativeContactsForSignal), (nameof(NegativeWindowDays), NegativeWindowDays),
                     (nameof(CaseContactsForSignal), CaseContactsForSignal), (nameof(CaseOpenDaysForSignal), CaseOpenDaysForSignal),
                     (nameof(CallBackWithinHours), CallBackWithinHours), (nameof(LoyalFromContactsPerYear), LoyalFromContactsPerYear),
                     (nameof(SignalsFadeAfterDays), SignalsFadeAfterDays), (nameof(MaxPeriodDays), MaxPeriodDays),
                     (nameof(ViewsLateAfterSeconds), ViewsLateAfterSeconds) })
            if (value < 1) throw new InvalidOperationException($"Ledger:Insights:{name} must be at least 1.");
        if (AnnounceSignalsEveryMinutes < 0) throw new InvalidOperationException("Ledger:Insights:AnnounceSignalsEveryMinutes must be 0 (never) or more.");
    }
}

/// <summary>The published figures the group's own are read against (docs/domain-figures.md gives the sources).</summary>
public static class ReferenceFigures
{
    /// <summary>Share of satisfied customers by channel (2017).</summary>
    public static readonly IReadOnlyDictionary<Channel, double> SatisfiedShareByChannel = new Dictionary<Channel, double>
    {
        [Channel.FaceToFace] = 0.94, [Channel.ClickToCall] = 0.84, [Channel.Chat] = 0.83, [Channel.Phone] = 0.79, [Channel.Email] = 0.78,
    };

    /// <summary>Contacts it takes, on average, to get a satisfying answer.</summary>
    public const double ContactsPerSatisfyingAnswer = 2.8;

    /// <summary>Marked experiences reported as negative: 72% in 2007, 50% in 2009.</summary>
    public const double NegativeExperienceShare2007 = 0.72;
    public const double NegativeExperienceShare2009 = 0.50;

    /// <summary>The most shared contacts, as a share of the stories consumers share (so they add up to more than 100%).</summary>
    public static readonly IReadOnlyDictionary<ContactReason, double> SharedStoriesByReason = new Dictionary<ContactReason, double>
    {
        [ContactReason.Complaint] = 0.62, [ContactReason.Order] = 0.51, [ContactReason.TechnicalHelp] = 0.51, [ContactReason.OrderStatus] = 0.50,
    };
}
