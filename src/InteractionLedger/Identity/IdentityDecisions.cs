using InteractionLedger.Http;

namespace InteractionLedger.Identity;

/// <summary>Who a contact is, from the identifiers it names.</summary>
public abstract record Resolution
{
    public sealed record Existing(Guid CustomerId) : Resolution;
    /// <summary>Nobody holds these identifiers: a new customer.</summary>
    public sealed record Unknown : Resolution;
    /// <summary>Weak identifiers shared by several customers: the caller must say which one.</summary>
    public sealed record Ambiguous(IReadOnlyList<Guid> Candidates) : Resolution;
    /// <summary>Strong identifiers of different customers: perhaps one person to merge, certainly not a guess to make.</summary>
    public sealed record Contradictory(IReadOnlyList<Guid> Owners) : Resolution;
}

/// <summary>The pure rules of identity: resolving a contact, and linking identifiers to a customer.</summary>
public static class IdentityDecisions
{
    public static Resolution Resolve(IReadOnlyList<CustomerIdentifier> identifiers, IReadOnlyDictionary<string, IdentifierClaim> claims)
    {
        var holders = identifiers
            .Select(i => (Identifier: i, Holders: claims.TryGetValue(i.Key, out var claim) ? claim.Holders : []))
            .ToList();

        var owners = holders.SelectMany(h => h.Holders.Where(x => x.Strength == IdentifierStrength.Strong))
            .Select(h => h.CustomerId).Distinct().ToList();
        if (owners.Count > 1) return new Resolution.Contradictory(owners);
        if (owners.Count == 1) return new Resolution.Existing(owners[0]);

        var candidates = holders.Where(h => IdentityPolicy.RuleFor(h.Identifier.Kind).MayResolveAlone)
            .SelectMany(h => h.Holders).Select(h => h.CustomerId).Distinct().ToList();
        return candidates.Count switch
        {
            0 => new Resolution.Unknown(),
            1 => new Resolution.Existing(candidates[0]),
            _ => new Resolution.Ambiguous(candidates),
        };
    }

    /// <summary>
    /// The events that link <paramref name="identifiers"/> to a customer. A strong identifier held by someone else
    /// is a conflict, never a silent move; a weak one shared with others is linked and the others are recorded as
    /// possible duplicates.
    /// </summary>
    /// <param name="field">The request field to name in a rejection.</param>
    /// <param name="claims">Holders within the caller's reach (and whose holding the caller may see). Holders outside it
    /// change nothing here, neither the strength nor the events: anything they changed would tell the caller they exist.
    /// Callers who reach both customers see them as possible duplicates, from the claims, when they read the profile.</param>
    public static (List<object> Events, Rejection? Rejection) Link(Guid customerId, IReadOnlyDictionary<string, Customers.HeldIdentifier> held,
        IEnumerable<CustomerIdentifier> identifiers, IReadOnlyDictionary<string, IdentifierClaim> claims, string linkedBy, string reason,
        DateTimeOffset now, string field)
    {
        var events = new List<object>();
        foreach (var identifier in identifiers.DistinctBy(i => i.Key))
        {
            var strength = IdentityPolicy.StrengthOf(identifier);
            // Already held at least as strongly: nothing to record. A weak link becoming verified is re-linked as strong.
            if (held.TryGetValue(identifier.Key, out var already)
                && (already.Strength == IdentifierStrength.Strong || strength == IdentifierStrength.Weak)) continue;

            var others = claims.TryGetValue(identifier.Key, out var claim) ? claim.HoldersOtherThan(customerId).ToList() : [];
            if (others.FirstOrDefault(o => o.Strength == IdentifierStrength.Strong) is { } owner)
            {
                return ([], new Rejection(RejectionKind.Conflict, field,
                    $"The {Hosting.ApiJson.Name(identifier.Kind)} '{identifier.Original}' belongs to customer '{owner.CustomerId}'. " +
                    "Unlink it there first, or merge the two customers if they are the same person."));
            }

            events.Add(new IdentifierLinked(identifier, strength, linkedBy, reason, now));
            events.AddRange(others.Select(o => new PossibleDuplicateFound(o.CustomerId, identifier.Key, now)));
        }
        return (events, null);
    }
}
