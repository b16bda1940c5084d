namespace InteractionLedger.Identity;

/// <summary>
/// How strongly an identifier identifies a customer: <c>strong</c> (one person; held by at most one customer at a time)
/// or <c>weak</c> (may be shared or fleeting; several customers may hold it, and it is never merged on).
/// </summary>
public enum IdentifierStrength
{
    /// <summary>Identifies one person: belongs to at most one customer at a time.</summary>
    Strong,
    /// <summary>May be shared (a household's phone) or fleeting (a chat session): shared by several customers, never merged on.</summary>
    Weak,
}

/// <param name="BrandScoped">Issued by one brand: the same value at two brands is two identifiers.</param>
/// <param name="MayResolveAlone">Whether a contact naming only this identifier may be attributed to the customer
/// holding it (strong identifiers always name one customer; weak ones only while nobody else holds them).</param>
public sealed record IdentifierRule(IdentifierKind Kind, IdentifierStrength Strength, bool StrongWhenVerified, bool BrandScoped,
    bool MayResolveAlone, string Why);

/// <summary>
/// The resolution policy, for a privacy officer or an operations lead to read: per identifier kind, how much it
/// proves. Wrong automatic merges are the most common complaint about omnichannel tools, and a customer shown
/// someone else's history is a data breach, so everything not certain is weak.
/// </summary>
public static class IdentityPolicy
{
    public static readonly IReadOnlyList<IdentifierRule> Rules =
    [
        new(IdentifierKind.BrandCustomerNumber, IdentifierStrength.Strong, false, BrandScoped: true, MayResolveAlone: true,
            "Issued by the brand to one contract holder."),
        new(IdentifierKind.Email, IdentifierStrength.Weak, StrongWhenVerified: true, BrandScoped: false, MayResolveAlone: true,
            "A verified address identifies a person; an unverified one may be mistyped or shared."),
        new(IdentifierKind.Phone, IdentifierStrength.Weak, false, BrandScoped: false, MayResolveAlone: true,
            "A landline or family phone is shared by a household."),
        new(IdentifierKind.SocialHandle, IdentifierStrength.Strong, false, BrandScoped: false, MayResolveAlone: true,
            "An account on a platform belongs to one person."),
        new(IdentifierKind.ChatSession, IdentifierStrength.Weak, false, BrandScoped: false, MayResolveAlone: true,
            "Fleeting: names whoever is in the conversation now, never a person for good."),
        new(IdentifierKind.LoyaltyCard, IdentifierStrength.Strong, false, BrandScoped: false, MayResolveAlone: true,
            "Issued to one member of the programme."),
        new(IdentifierKind.Other, IdentifierStrength.Weak, false, BrandScoped: false, MayResolveAlone: false,
            "Unknown provenance: recorded, never used on its own to decide who a contact is."),
    ];

    public static IdentifierRule RuleFor(IdentifierKind kind) => Rules.Single(r => r.Kind == kind);

    public static IdentifierStrength StrengthOf(CustomerIdentifier identifier)
    {
        var rule = RuleFor(identifier.Kind);
        return rule.StrongWhenVerified && identifier.Verified ? IdentifierStrength.Strong : rule.Strength;
    }
}
