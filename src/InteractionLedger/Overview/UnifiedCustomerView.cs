using InteractionLedger.Cases;
using InteractionLedger.Customers;
using InteractionLedger.Group;
using InteractionLedger.Hosting;
using InteractionLedger.Identity;
using InteractionLedger.Interactions;

namespace InteractionLedger.Overview;

/// <summary>An identifier as an agent sees it.</summary>
/// <param name="Kind">The kind of identifier.</param>
/// <param name="Value">The identifier as it was given (not normalised).</param>
/// <param name="Strength"><c>strong</c> (identifies one person) or <c>weak</c> (may be shared).</param>
/// <param name="LinkedAt">When it was first linked to the customer (UTC).</param>
/// <param name="Brand">The brand that issued it (customer numbers) or collected it.</param>
public sealed record KnownIdentifier(IdentifierKind Kind, string Value, string? Brand, IdentifierStrength Strength, DateTimeOffset LinkedAt,
    [property: System.Text.Json.Serialization.JsonIgnore] HeldIdentifier? Held = null);

/// <summary>The channel the customer prefers, and how that is known.</summary>
/// <param name="Channel">The preferred channel.</param>
/// <param name="Source">"stated" when the customer said so, "behaviour" when read from their contacts.</param>
public sealed record PreferredChannel(Channel Channel, string Source);

/// <summary>The customer's ratings of contacts on one channel.</summary>
/// <param name="Channel">The channel.</param>
/// <param name="Average">Average satisfaction, from 1 to 5, to two decimals.</param>
/// <param name="Ratings">How many ratings there are.</param>
/// <param name="Negative">How many of them were negative (2 or less).</param>
public sealed record ChannelSatisfaction(Channel Channel, double Average, int Ratings, int Negative);

/// <summary>An open case at a glance.</summary>
/// <param name="CaseId">The case's id.</param>
/// <param name="Brand">Code of the brand the problem concerns.</param>
/// <param name="Title">One line an agent recognises the problem by; empty when free text is withheld for the stated purpose.</param>
/// <param name="ContactCount">Contacts the case has needed so far.</param>
/// <param name="Channels">Distinct channels it crossed, in order of first use.</param>
/// <param name="AgeDays">Whole days since the case was opened.</param>
/// <param name="LastStepAt">When its latest step (a contact, or its reopening) happened; null before any.</param>
/// <param name="LastStep">That step in words: the contact's summary, or why the case was reopened; null when it has no text or free text is withheld.</param>
public sealed record OpenCaseLine(Guid CaseId, string Brand, string Title, int ContactCount, IReadOnlyList<Channel> Channels, int AgeDays,
    DateTimeOffset? LastStepAt, string? LastStep);

/// <summary>Who the customer is, across every identifier, channel and brand.</summary>
/// <param name="DisplayName">How agents address the customer; null when identity is withheld, or no name was given that the caller's brands may see.</param>
/// <param name="Identifiers">What the customer is known by, oldest link first; empty when identity is withheld.</param>
/// <param name="Brands">Codes of the brands the customer has been in contact with, among those the caller may see.</param>
/// <param name="FirstContactAt">When the customer's first contact happened; null when there is none, or when other brands' history is withheld.</param>
/// <param name="LastContactAt">When the latest contact happened (of the caller's brands, when other brands' history is withheld); null when none.</param>
/// <param name="NamesByBrand">Every name the merged customers were registered with, root first, with the brand that
/// collected it (null: the whole group): a brand-scoped caller is shown only a name its brands may see.</param>
public sealed record WhoSection(string? DisplayName, IReadOnlyList<KnownIdentifier> Identifiers, IReadOnlyList<string> Brands,
    DateTimeOffset? FirstContactAt, DateTimeOffset? LastContactAt,
    [property: System.Text.Json.Serialization.JsonIgnore] IReadOnlyList<(string Name, string? Brand)> NamesByBrand)
{
    public string? NameShownTo(Privacy.AccessDecision decision) =>
        NamesByBrand.Where(n => n.Brand is null || decision.ShowsBrand(n.Brand)).Select(n => n.Name).FirstOrDefault();
}

/// <summary>How the customer reaches the group.</summary>
/// <param name="ContactsByChannel">Contacts per channel; empty when other brands' history is withheld.</param>
/// <param name="ContactsByBrand">Contacts per brand code, for the brands the caller may see.</param>
/// <param name="PreferredChannel">The channel the customer prefers; null when unknown, or only read from behaviour while other brands' history is withheld.</param>
/// <param name="ChannelsLast90Days">The channels used in the last 90 days; empty when other brands' history is withheld.</param>
public sealed record ReachSection(IReadOnlyDictionary<Channel, int> ContactsByChannel, IReadOnlyDictionary<string, int> ContactsByBrand,
    PreferredChannel? PreferredChannel, IReadOnlyList<Channel> ChannelsLast90Days);

/// <summary>What is going on now.</summary>
/// <param name="OpenCases">The open cases of the brands the caller may see, most recent activity first.</param>
/// <param name="LastContacts">The five latest contacts the caller may see, newest first, one line each; without summaries when free text is withheld.</param>
public sealed record CurrentSection(IReadOnlyList<OpenCaseLine> OpenCases, IReadOnlyList<string> LastContacts);

/// <summary>How it is going.</summary>
/// <param name="SatisfactionByChannel">The customer's ratings, per channel.</param>
/// <param name="OverallSatisfaction">Average satisfaction over every rating, from 1 to 5; null when there is none.</param>
/// <param name="NegativeShare">Share of ratings that were negative (2 or less), from 0 to 1; null when there is none.</param>
/// <param name="IndustryContactsPerAnswer">The industry's average number of contacts per satisfying answer (2.8), to compare <c>contactsPerResolvedCase</c> with.</param>
/// <param name="AverageWaitingSeconds">Average wait before being served, in seconds, over the contacts where it was measured; null when it never was.</param>
/// <param name="ContactsPerResolvedCase">Contacts a resolved case needed on average; the figure to beat is 2.8.</param>
/// <param name="UnansweredContacts">Contacts abandoned without an answer.</param>
public sealed record QualitySection(IReadOnlyList<ChannelSatisfaction> SatisfactionByChannel, double? OverallSatisfaction,
    double? NegativeShare, double? ContactsPerResolvedCase, double IndustryContactsPerAnswer, double? AverageWaitingSeconds,
    int UnansweredContacts);

/// <summary>How intense the relationship is.</summary>
/// <param name="ContactsLast30Days">Contacts in the last 30 days.</param>
/// <param name="ContactsLast90Days">Contacts in the last 90 days.</param>
/// <param name="ContactsLast365Days">Contacts in the last 365 days.</param>
/// <param name="Level">The intensity the last 365 days' contacts amount to.</param>
/// <param name="DaysSinceLastContact">Whole days since the latest contact; null when there is none.</param>
/// <param name="Dormant">No contact for <c>Ledger:Relationship:DormantAfterDays</c>: a customer to reconnect with.</param>
public sealed record IntensitySection(int ContactsLast30Days, int ContactsLast90Days, int ContactsLast365Days, RelationalIntensity Level,
    bool Dormant, int? DaysSinceLastContact);

/// <summary>The single-interlocutor view of one customer, across all channels, all brands and every customer merged into them.</summary>
/// <param name="CustomerId">The customer whose view this is (the survivor, when an absorbed id was asked for).</param>
/// <param name="Who">Who the customer is.</param>
/// <param name="Reach">How the customer reaches the group.</param>
/// <param name="Now">What is going on now: open cases and latest contacts.</param>
/// <param name="MergedInto">Set when the requested id was merged into another customer: this is that customer's view.</param>
/// <param name="MergedCustomers">Customers merged into this one, whose histories this view includes.</param>
/// <param name="ContactCount">Contacts the caller may see.</param>
/// <param name="Quality">Null when ratings are withheld, or when the customer has history with brands the caller may not see (the figures add up every brand).</param>
/// <param name="Intensity">Null when profiling is withheld, or for the same cross-brand reason as quality.</param>
public sealed record UnifiedCustomerView(Guid CustomerId, Guid? MergedInto, IReadOnlyList<Guid> MergedCustomers, int ContactCount,
    WhoSection Who, ReachSection Reach, CurrentSection Now, QualitySection? Quality, IntensitySection? Intensity)
{
    /// <summary>How this read was decided, and what it leaves out.</summary>
    public Privacy.AccessNotice? Access { get; init; }

    public const double IndustryContactsPerAnswer = 2.8;
    private const int LastContactsShown = 5;

    /// <param name="overviews">The root customer's overview first, then those merged into it.</param>
    public static UnifiedCustomerView Build(Guid requested, IReadOnlyList<CustomerOverview> overviews, DateTimeOffset now,
        RelationshipPolicy policy, GroupCatalog group)
    {
        var root = overviews[0];
        var recent = overviews.SelectMany(o => o.RecentContacts).OrderByDescending(c => c.OccurredAt).ToList();
        var stamps = overviews.SelectMany(o => o.ContactStamps).OrderByDescending(c => c.OccurredAt).ToList();
        var byChannel = Sum(overviews.Select(o => o.ContactsByChannel));
        var ratings = overviews.SelectMany(o => o.Ratings).GroupBy(r => r.Key)
            .ToDictionary(g => g.Key, g => g.Select(r => r.Value).Aggregate((a, b) => a + b));
        var resolvedCases = overviews.SelectMany(o => o.ContactsPerResolvedCase.Values).ToList();
        var waited = overviews.Sum(o => o.WaitingMeasured);
        var first = overviews.Where(o => o.FirstContactAt is not null).Select(o => o.FirstContactAt).Min();
        var last = overviews.Where(o => o.LastContactAt is not null).Select(o => o.LastContactAt).Max();
        int Since(int days) => stamps.Count(c => c.OccurredAt >= now.AddDays(-days) && c.OccurredAt <= now);
        var ratingCount = ratings.Values.Sum(r => r.Count);

        var stated = overviews.Where(o => o.StatedPreferredChannel is not null).MaxBy(o => o.StatedPreferenceAt);
        var preferred = stated is not null
            ? new PreferredChannel(stated.StatedPreferredChannel!.Value, "stated")
            : Behaviour(stamps, now) is { } usual ? new PreferredChannel(usual, "behaviour") : null;

        return new UnifiedCustomerView(
            root.Id,
            requested == root.Id ? null : root.Id,
            overviews.Skip(1).Select(o => o.Id).ToList(),
            overviews.Sum(o => o.ContactCount),
            new WhoSection(
                root.DisplayName ?? overviews.Select(o => o.DisplayName).FirstOrDefault(n => n is not null),
                overviews.SelectMany(o => o.Identifiers.Values).DistinctBy(i => i.Identifier.Key).OrderBy(i => i.LinkedAt)
                    .Select(i => new KnownIdentifier(i.Identifier.Kind, i.Identifier.Original, i.Identifier.Brand, i.Strength, i.LinkedAt, i)).ToList(),
                overviews.SelectMany(o => o.ContactsByBrand.Keys).Distinct().Order().ToList(),
                first, last,
                overviews.Where(o => o.DisplayName is not null).Select(o => (o.DisplayName!, o.RegisteredFor)).ToList()),
            new ReachSection(byChannel, Sum(overviews.Select(o => o.ContactsByBrand)), preferred,
                stamps.Where(c => c.OccurredAt >= now.AddDays(-90) && c.OccurredAt <= now).Select(c => c.Channel).Distinct().ToList()),
            new CurrentSection(
                overviews.SelectMany(o => o.Cases.Values).Where(c => c.Status == CaseStatus.Open).OrderByDescending(c => c.LastStepAt ?? c.OpenedAt)
                    .Select(c => new OpenCaseLine(c.CaseId, c.Brand, c.Title, c.ContactCount, c.Channels, (int)(now - c.OpenedAt).TotalDays,
                        c.LastStepAt, c.LastStep)).ToList(),
                recent.Take(LastContactsShown).Select(c => OneLine(c, group)).ToList()),
            new QualitySection(
                ratings.OrderBy(r => r.Key).Select(r => new ChannelSatisfaction(r.Key, Math.Round((double)r.Value.Sum / r.Value.Count, 2),
                    r.Value.Count, r.Value.Negative)).ToList(),
                ratingCount == 0 ? null : Math.Round((double)ratings.Values.Sum(r => r.Sum) / ratingCount, 2),
                ratingCount == 0 ? null : Math.Round((double)ratings.Values.Sum(r => r.Negative) / ratingCount, 3),
                resolvedCases.Count == 0 ? null : Math.Round(resolvedCases.Average(), 2),
                IndustryContactsPerAnswer,
                waited == 0 ? null : Math.Round((double)overviews.Sum(o => o.WaitingSecondsTotal) / waited, 1),
                overviews.Sum(o => o.Unanswered)),
            new IntensitySection(Since(30), Since(90), Since(365), policy.IntensityOf(Since(365)),
                Dormant: last is null || last < now.AddDays(-policy.DormantAfterDays),
                last is null ? null : (int)(now - last.Value).TotalDays));
    }

    /// <summary>The channel most used in the last year (the most recent use breaks ties); failing that, ever.</summary>
    private static Channel? Behaviour(IReadOnlyList<ContactStamp> stamps, DateTimeOffset now)
    {
        var lastYear = stamps.Where(c => c.OccurredAt >= now.AddDays(-365)).ToList();
        var basis = lastYear.Count > 0 ? lastYear : stamps.ToList();
        return basis.GroupBy(c => c.Channel)
            .OrderByDescending(g => g.Count()).ThenByDescending(g => g.Max(c => c.OccurredAt))
            .Select(g => (Channel?)g.Key).FirstOrDefault();
    }

    public static string OneLine(ContactLine c, GroupCatalog group)
    {
        var brand = group.Brands.FirstOrDefault(b => b.Code == c.Brand)?.Name ?? c.Brand;
        var rating = c.Satisfaction is { } s ? $" · rated {s}/5" : "";
        var summary = c.Summary is null ? "" : $" — {c.Summary}";
        return $"{c.OccurredAt:yyyy-MM-dd} {ApiJson.Name(c.Channel)} · {brand} · {ApiJson.Name(c.Reason)} · {ApiJson.Name(c.Outcome)}{rating}{summary}";
    }

    private static Dictionary<TKey, int> Sum<TKey>(IEnumerable<Dictionary<TKey, int>> counts) where TKey : notnull =>
        counts.SelectMany(d => d).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Sum(p => p.Value));
}
