using InteractionLedger.Access;
using InteractionLedger.Consent;
using InteractionLedger.Customers;

namespace InteractionLedger.Privacy;

/// <summary>The reads of personal data, and the parts of the customer's data each one can show.</summary>
public enum DataView { Profile, Overview, Timeline, Interaction, Cases, BotContext, IdentifierLookup, Consents, Export, ReContactList, SignalWorklist }

/// <summary>
/// How a read of personal data was decided: <c>allowed</c> (everything the view holds was returned), <c>reduced</c>
/// (some parts were withheld, each listed with its reason) or <c>refused</c> (nothing was returned).
/// </summary>
public enum AccessOutcome { Allowed, Reduced, Refused }

/// <summary>Why a refused read was refused; decides the HTTP answer.</summary>
public enum RefusalKind
{
    /// <summary>The customer is outside the brands the caller acts for: answered as if unknown, so ids cannot be probed.</summary>
    OutOfScope,
    /// <summary>The caller's role does not read for this purpose.</summary>
    RoleNotAllowed,
    /// <summary>The purpose needs a consent the customer has not given, withdrew, or let expire.</summary>
    NoConsent,
    /// <summary>The customer objected to this purpose.</summary>
    Objected,
}

/// <summary>A part of the customer's data a read left out, and why.</summary>
/// <param name="Part">The part left out (kebab-case, e.g. <c>free-text</c>, <c>ratings</c>, <c>other-brands</c>).</param>
/// <param name="Reason">Why it was left out, in plain words.</param>
public sealed record Withheld(DataPart Part, string Reason);

/// <summary>A consent (or its absence) a decision depended on.</summary>
/// <param name="Purpose">The purpose whose consent or objection was checked.</param>
/// <param name="Brand">The brand named by the statement that decided; null when it covered the whole group, or when the customer has made no statement.</param>
/// <param name="Status">The customer's standing at the moment of the read: <c>not-given</c>, <c>given</c>, <c>withdrawn</c>, <c>expired</c> or <c>objected</c>.</param>
/// <param name="StatedAt">When the deciding statement was made (or the consent expired); null when there is none.</param>
/// <param name="ConsentId">The collecting system's id of the consent, when the deciding statement was a consent given (or its expiry); null otherwise.</param>
public sealed record ConsentReliedOn(Purpose Purpose, string? Brand, ConsentStatus Status, DateTimeOffset? StatedAt, Guid? ConsentId);

/// <param name="VisibleBrands">The brands whose history the caller gets; null for all.</param>
public sealed record AccessDecision(AccessOutcome Outcome, Purpose Purpose, LegalBasis LegalBasis, DataView View,
    IReadOnlyList<DataPart> Returned, IReadOnlyList<Withheld> Withheld, IReadOnlyList<ConsentReliedOn> ConsentsReliedOn,
    IReadOnlySet<string>? VisibleBrands, RefusalKind? Refusal = null, string? RefusalReason = null)
{
    public bool Shows(DataPart part) => Returned.Contains(part);

    public bool ShowsBrand(string brand) => VisibleBrands is null || VisibleBrands.Contains(brand);
}

/// <summary>What the decision looks at: who asks, why, for which view, and the customer's relationship and consents now.</summary>
/// <param name="People">The customer and everyone merged into them (their consents and brands add up).</param>
public sealed record AccessRequest(Caller Caller, Purpose Purpose, DataView View, IReadOnlyList<Customer> People,
    IReadOnlyList<string> GroupBrands, DateTimeOffset Now);

/// <summary>
/// The one place that decides what a read of personal data returns, from <see cref="PurposePolicy"/>, the caller's
/// role and brands, and the customer's consents at the moment of the read.
/// </summary>
public static class AccessPolicy
{
    public static readonly IReadOnlyDictionary<DataView, DataPart[]> PartsOf = new Dictionary<DataView, DataPart[]>
    {
        [DataView.Profile] = [DataPart.Identity, DataPart.ContactHistory, DataPart.OtherBrands],
        [DataView.Overview] = [DataPart.Identity, DataPart.ContactHistory, DataPart.FreeText, DataPart.Ratings, DataPart.Profiling, DataPart.OtherBrands],
        [DataView.Timeline] = [DataPart.ContactHistory, DataPart.FreeText, DataPart.Ratings, DataPart.OtherBrands],
        [DataView.Interaction] = [DataPart.ContactHistory, DataPart.FreeText, DataPart.Ratings, DataPart.OtherBrands],
        [DataView.Cases] = [DataPart.ContactHistory, DataPart.FreeText, DataPart.OtherBrands],
        [DataView.BotContext] = [DataPart.Identity, DataPart.ContactHistory, DataPart.FreeText, DataPart.Profiling, DataPart.OtherBrands],
        [DataView.IdentifierLookup] = [DataPart.Identity],
        [DataView.Consents] = [DataPart.Identity],
        // A line of a worklist: who, how to reach them, since when, and why (never what was said).
        [DataView.ReContactList] = [DataPart.Identity, DataPart.ContactHistory, DataPart.Profiling, DataPart.OtherBrands],
        [DataView.SignalWorklist] = [DataPart.Identity, DataPart.ContactHistory, DataPart.Profiling, DataPart.OtherBrands],
        [DataView.Export] = [DataPart.Identity, DataPart.ContactHistory, DataPart.FreeText, DataPart.Ratings, DataPart.Profiling,
            DataPart.OtherBrands, DataPart.AccessRecords],
    };

    public static AccessDecision Decide(AccessRequest request)
    {
        var (caller, purpose, view, people, groupBrands, now) = request;
        var rule = PurposePolicy.RuleFor(purpose);
        var relied = new List<ConsentReliedOn>();

        AccessDecision Refuse(RefusalKind kind, string reason) =>
            new(AccessOutcome.Refused, purpose, rule.LegalBasis, view, [], [], relied, new HashSet<string>(), kind, reason);

        ConsentStanding Standing(Purpose p)
        {
            var standing = ConsentRules.StandingFor(people, p, caller, groupBrands, now);
            relied.Add(new ConsentReliedOn(p, standing.Statement?.Brand, standing.Status, standing.Statement?.At, standing.Statement?.ConsentId));
            return standing;
        }

        var reach = CustomerReach.Of(caller, people, groupBrands, now);
        var (ownBrands, otherBrands) = (reach.OwnBrands, reach.OtherBrands);
        if (reach.Sharing is { } sharingStanding)
            relied.Add(new ConsentReliedOn(Purpose.CrossBrandSharing, sharingStanding.Statement?.Brand, sharingStanding.Status,
                sharingStanding.Statement?.At, sharingStanding.Statement?.ConsentId));
        var sharing = reach.Sharing is null ? (bool?)null : reach.SharesAcrossBrands;
        if (!reach.Within)
            return Refuse(RefusalKind.OutOfScope, $"The customer has no relationship with {caller.ScopeText} and has not consented to sharing across the group's brands.");
        // Reach is decided first: a refusal for any other reason would tell a caller that an id it cannot reach exists.
        if (!rule.Readers.TryGetValue(caller.Role, out var granted))
            return Refuse(RefusalKind.RoleNotAllowed, $"A {Hosting.ApiJson.Name(caller.Role)} does not read customer data for {Hosting.ApiJson.Name(purpose)}.");

        if (rule.Objectable || rule.ConsentRequired)
        {
            var standing = Standing(purpose);
            if (standing.Status == ConsentStatus.Objected)
                return Refuse(RefusalKind.Objected, $"The customer objected to {Hosting.ApiJson.Name(purpose)} on {standing.Statement!.At:yyyy-MM-dd}.");
            if (rule.ConsentRequired && standing.Status != ConsentStatus.Given)
                return Refuse(RefusalKind.NoConsent, standing.Status switch
                {
                    ConsentStatus.Withdrawn => $"The customer withdrew consent to {Hosting.ApiJson.Name(purpose)} on {standing.Statement!.At:yyyy-MM-dd}.",
                    ConsentStatus.Expired => $"The customer's consent to {Hosting.ApiJson.Name(purpose)} expired on {standing.Statement!.ExpiresAt ?? standing.Statement.At:yyyy-MM-dd}.",
                    _ => $"The customer has not consented to {Hosting.ApiJson.Name(purpose)}.",
                });
            if (!rule.ConsentRequired) relied.RemoveAll(r => r.Purpose == purpose && r.Status == ConsentStatus.NotGiven);
        }

        var returned = new List<DataPart>();
        var withheld = new List<Withheld>();
        foreach (var part in PartsOf[view])
        {
            if (part == DataPart.OtherBrands)
            {
                // Only worth a word when there is history elsewhere to show or hide.
                if (sharing == true || ownBrands is null) returned.Add(part);
                else if (sharing == false) withheld.Add(new(part, $"History with {string.Join(", ", otherBrands.Order())} is not shown: the customer has not consented to sharing across the group's brands."));
                continue;
            }
            if (!granted.Contains(part))
            {
                withheld.Add(new(part, $"Not needed for {Hosting.ApiJson.Name(purpose)} by a {Hosting.ApiJson.Name(caller.Role)}."));
                continue;
            }
            if (part == DataPart.Profiling && caller.Role == Role.Chatbot && purpose != Purpose.BotProfiling
                && Standing(Purpose.BotProfiling).Status != ConsentStatus.Given)
            {
                withheld.Add(new(part, "A bot decides from the customer's profile only with their consent to automated profiling."));
                continue;
            }
            returned.Add(part);
        }

        IReadOnlySet<string>? visible = ownBrands is null || sharing == true ? null : ownBrands;
        return new AccessDecision(withheld.Count == 0 ? AccessOutcome.Allowed : AccessOutcome.Reduced, purpose, rule.LegalBasis, view,
            returned, withheld, relied, visible);
    }
}
