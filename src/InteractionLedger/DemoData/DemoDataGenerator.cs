using InteractionLedger.Cases;
using InteractionLedger.Customers;
using InteractionLedger.Identity;
using InteractionLedger.Interactions;

namespace InteractionLedger.DemoData;

/// <summary>One generated customer: their ledger id, segment and stream events in the order they happened.</summary>
public sealed record DemoCustomer(Guid CustomerId, string Segment, IReadOnlyList<object> Events)
{
    public IEnumerable<InteractionRecorded> Interactions => Events.OfType<InteractionRecorded>();
    public IEnumerable<CustomerIdentifier> Identifiers => Events.OfType<IdentifierLinked>().Select(l => l.Identifier);
}

/// <summary>
/// Deterministic (same seed, same data) histories shaped by the figures of shared/DOMAIN.md: the channel mix,
/// satisfaction by channel, segments and their relational intensity, multi-contact cases (about 2.8 contacts per
/// problem), dormant customers and negative experiences. Used by the demo loader, the benchmark and tests.
/// </summary>
public sealed class DemoDataGenerator(IReadOnlyList<string> brands, int seed, DateTimeOffset now)
{
    private static readonly ContactReason[] ProblemReasons =
        [ContactReason.Complaint, ContactReason.TechnicalHelp, ContactReason.Billing, ContactReason.Cancellation];

    private readonly Random _random = new(seed);

    public IEnumerable<DemoCustomer> Customers(int count)
    {
        for (var i = 0; i < count; i++) yield return NextCustomer();
    }

    public DemoCustomer NextCustomer()
    {
        var customerId = NextGuid();
        var segment = Pick(DemoFigures.Segments, s => s.Share);
        var registeredAt = now.AddDays(-_random.Next(60, 900));
        var customerBrands = brands.OrderBy(_ => _random.Next()).Take(1 + (Chance(0.35) ? 1 : 0) + (Chance(0.10) ? 1 : 0)).ToList();
        var name = $"{DemoFigures.FirstNames[_random.Next(DemoFigures.FirstNames.Length)]} {DemoFigures.LastNames[_random.Next(DemoFigures.LastNames.Length)]}";

        var timeline = new List<(DateTimeOffset At, object Event)>();
        // A sixth of customers went quiet: nothing in the last half year, the ones the group should reconnect with.
        var lastPossible = Chance(0.16) ? now.AddDays(-_random.Next(180, 400)) : now.AddHours(-1);
        var episodes = segment.HighIntensity ? _random.Next(4, 11) : _random.Next(1, 4);
        for (var e = 0; e < episodes; e++)
        {
            var start = registeredAt + (lastPossible - registeredAt) * _random.NextDouble();
            if (start < registeredAt) continue;
            Episode(segment, customerBrands[_random.Next(customerBrands.Count)], start, lastPossible, timeline);
        }

        var events = new List<object> { new CustomerRegistered(customerId, name, registeredAt) };
        events.AddRange(Identifiers(customerId, name, customerBrands, registeredAt));
        events.AddRange(timeline.OrderBy(t => t.At).Select(t => t.Event));
        return new DemoCustomer(customerId, segment.Name, events);
    }

    /// <summary>
    /// What the group knows the customer by: a contract number per brand, usually an e-mail (verified or not) and a
    /// mobile number. Derived from the customer id, so they are unique: shared identifiers are the API's business.
    /// </summary>
    private IEnumerable<IdentifierLinked> Identifiers(Guid customerId, string name, IEnumerable<string> customerBrands, DateTimeOffset at)
    {
        var digits = string.Concat(customerId.ToString("N").Select(c => (char)('0' + Convert.ToInt32(c.ToString(), 16) % 10)));
        IEnumerable<(IdentifierKind Kind, string Value, string? Brand, bool Verified)> given =
        [
            .. customerBrands.Select(b => (IdentifierKind.BrandCustomerNumber, $"C{digits[..9]}", (string?)b, false)),
            .. Chance(0.85) ? [(IdentifierKind.Email, $"{name.Replace(' ', '.').ToLowerInvariant()}.{digits[9..15]}@example.fr", null, Chance(0.6))] : Array.Empty<(IdentifierKind, string, string?, bool)>(),
            .. Chance(0.75) ? [(IdentifierKind.Phone, $"06{digits[15..23]}", null, false)] : Array.Empty<(IdentifierKind, string, string?, bool)>(),
        ];
        foreach (var (kind, value, brand, verified) in given)
        {
            var (identifier, _) = IdentifierNormalization.Normalize(new IdentifierInput(kind, value, brand, verified), "33");
            if (identifier is null) continue;
            yield return new IdentifierLinked(identifier, IdentityPolicy.StrengthOf(identifier), "demo-data", "Known to the brand", at);
        }
    }

    private void Episode(DemoSegment segment, string brand, DateTimeOffset start, DateTimeOffset latest,
        List<(DateTimeOffset, object)> timeline)
    {
        var reason = Pick(DemoFigures.ReasonWeights.Keys.ToArray(), r => DemoFigures.ReasonWeights[r]);
        if (!ProblemReasons.Contains(reason) || !Chance(0.6))
        {
            var channel = PickChannel(segment);
            timeline.AddRange(Contact(start, brand, channel, reason, PickOutcome(channel, last: true), caseId: null));
            return;
        }

        // A problem followed as a case: contacts until resolved, 1 + geometric, about 2.8 on average.
        var caseId = NextGuid();
        timeline.Add((start.AddSeconds(-1), new CaseOpened(caseId, brand, reason, $"{reason} with {brand}", "agent-" + _random.Next(1, 200).ToString("000"), start.AddSeconds(-1))));
        var contacts = 1;
        while (contacts < 7 && Chance(0.64)) contacts++;
        var at = start;
        for (var c = 0; c < contacts && at < latest; c++)
        {
            var channel = PickChannel(segment);
            var last = c == contacts - 1;
            timeline.AddRange(Contact(at, brand, channel, reason, last ? Outcome.Resolved : PickOutcome(channel, last: false), caseId));
            at = at.AddHours(_random.Next(2, 24 * 6));
        }
        if (at >= latest && contacts > 1) return; // still open: the customer is in the middle of it

        var resolvedAt = Min(at, latest);
        timeline.Add((resolvedAt, new CaseResolved(caseId, "agent-" + _random.Next(1, 200).ToString("000"), "Solved for the customer.", resolvedAt)));
        if (Chance(0.08) && resolvedAt.AddDays(10) < latest)
        {
            var reopenedAt = resolvedAt.AddDays(_random.Next(3, 10));
            timeline.Add((reopenedAt, new CaseReopened(caseId, "agent-" + _random.Next(1, 200).ToString("000"), "The problem came back.", reopenedAt)));
            timeline.AddRange(Contact(reopenedAt.AddMinutes(1), brand, PickChannel(segment), reason, Outcome.Resolved, caseId));
            timeline.Add((reopenedAt.AddDays(1), new CaseResolved(caseId, "agent-" + _random.Next(1, 200).ToString("000"), "Fixed for good.", reopenedAt.AddDays(1))));
        }
    }

    private IEnumerable<(DateTimeOffset, object)> Contact(DateTimeOffset at, string brand, Channel channel, ContactReason reason,
        Outcome outcome, Guid? caseId)
    {
        var interactionId = NextGuid();
        var summaries = DemoFigures.Summaries[reason];
        var recorded = new InteractionRecorded(interactionId, TimelineEntry.AtStoredPrecision(at), TimelineEntry.AtStoredPrecision(at.AddSeconds(_random.Next(1, 300))), brand, channel,
            channel == Channel.Email && Chance(0.1) ? Direction.Outbound : Direction.Inbound, reason, HandlerFor(channel), outcome,
            outcome == Outcome.Abandoned ? _random.Next(300, 1500) : WaitingSeconds(channel),
            outcome == Outcome.Abandoned ? 0 : HandlingSeconds(channel), summaries[_random.Next(summaries.Length)], caseId);
        yield return (at, recorded);

        if (outcome == Outcome.Abandoned || !Chance(0.35)) yield break;
        var satisfied = Chance(outcome == Outcome.Resolved ? DemoFigures.SatisfiedShare(channel) : DemoFigures.SatisfiedShare(channel) - 0.35);
        var satisfaction = satisfied ? _random.Next(4, 6) : _random.Next(1, 4);
        var ratedAt = at.AddMinutes(_random.Next(5, 600));
        yield return (ratedAt, new InteractionRated(interactionId, satisfaction,
            satisfaction <= 2 ? "Not listened to; had to repeat everything." : null, ratedAt));
    }

    private Channel PickChannel(DemoSegment segment) =>
        Pick(DemoFigures.ChannelWeights.Keys.ToArray(), c => DemoFigures.ChannelWeights[c] * (segment.Preferred.Contains(c) ? 2.5 : 1));

    private Outcome PickOutcome(Channel channel, bool last)
    {
        if (channel is Channel.Phone or Channel.ClickToCall && Chance(0.08)) return Outcome.Abandoned;
        if (last) return Chance(0.85) ? Outcome.Resolved : Outcome.Unresolved;
        return Chance(0.3) ? Outcome.Transferred : Outcome.Unresolved;
    }

    private HandledBy HandlerFor(Channel channel) => channel switch
    {
        Channel.Chatbot => new HandledBy(HandlerKind.Bot, "horizon-assistant"),
        Channel.SelfService => new HandledBy(HandlerKind.SelfService, new[] { "ivr", "faq", "kiosk" }[_random.Next(3)]),
        _ => new HandledBy(HandlerKind.Agent, "agent-" + _random.Next(1, 200).ToString("000")),
    };

    private int WaitingSeconds(Channel channel) => channel switch
    {
        Channel.Phone => _random.Next(20, 900),
        Channel.ClickToCall => _random.Next(10, 120),
        Channel.Chat => _random.Next(5, 180),
        Channel.Email => _random.Next(3600, 3 * 86400),
        Channel.SocialNetwork => _random.Next(600, 86400),
        Channel.FaceToFace => _random.Next(60, 900),
        Channel.Sms => _random.Next(60, 7200),
        Channel.Video => _random.Next(30, 300),
        Channel.PostalMail => _random.Next(2 * 86400, 10 * 86400),
        _ => 0,
    };

    private int HandlingSeconds(Channel channel) => channel switch
    {
        Channel.Phone or Channel.ClickToCall or Channel.Video => _random.Next(120, 1200),
        Channel.FaceToFace => _random.Next(300, 1800),
        Channel.Chat or Channel.Chatbot => _random.Next(60, 900),
        Channel.SelfService => _random.Next(30, 300),
        _ => _random.Next(60, 600),
    };

    private T Pick<T>(T[] items, Func<T, double> weight)
    {
        var total = items.Sum(weight);
        var draw = _random.NextDouble() * total;
        foreach (var item in items)
        {
            draw -= weight(item);
            if (draw <= 0) return item;
        }
        return items[^1];
    }

    private bool Chance(double probability) => _random.NextDouble() < probability;

    private Guid NextGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        _random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes);
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
