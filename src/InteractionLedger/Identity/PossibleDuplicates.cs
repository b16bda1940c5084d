using InteractionLedger.Access;
using InteractionLedger.Customers;
using InteractionLedger.Group;
using Marten;

namespace InteractionLedger.Identity;

public static class PossibleDuplicates
{
    /// <summary>
    /// Other customers holding an identifier this one holds, as the caller may see both holdings: read from the
    /// identifiers' claims, so a caller reaching both customers (a group agent) also sees a duplicate across brands that
    /// a brand-scoped caller never hears of, and nothing recorded in either stream tells the brand-scoped caller it exists.
    /// </summary>
    /// <remarks>Duplicates found when an identifier was linked stay listed after it is unlinked (until dismissed or
    /// merged), for callers acting for the whole group; others only see them while the identifier they
    /// share is one shown to them.</remarks>
    /// <param name="shown">The customer's identifiers the caller may see.</param>
    /// <param name="members">The customer's merge group: its members are the same person, not duplicates.</param>
    public static async Task<IReadOnlyList<PossibleDuplicate>> VisibleAsync(IQuerySession session, Caller caller, Customer customer,
        IReadOnlyList<HeldIdentifier> shown, IReadOnlyList<Guid> members, GroupCatalog group, DateTimeOffset now,
        CancellationToken cancellation)
    {
        var claims = shown.Count == 0 ? [] : await session.LoadManyAsync<IdentifierClaim>(cancellation, shown.Select(i => i.Identifier.Key).ToArray());
        var (visible, _) = await CustomerReach.SplitClaimsAsync(session, caller, claims, group, now, cancellation);
        var current = shown.SelectMany(held => (visible.GetValueOrDefault(held.Identifier.Key)?.HoldersOtherThan(customer.Id) ?? [])
            .Select(other => new PossibleDuplicate(other.CustomerId, held.Identifier.Key, held.LinkedAt)));
        var shownKeys = shown.Select(i => i.Identifier.Key).ToHashSet();
        var seesEveryBrand = caller.Brands is null;
        var recorded = customer.PossibleDuplicates.Where(d => seesEveryBrand || shownKeys.Contains(d.IdentifierKey));
        var candidates = current.Concat(recorded)
            .Where(d => !members.Contains(d.OtherCustomerId) && !customer.DismissedDuplicates.Contains(d.OtherCustomerId))
            .DistinctBy(d => (d.OtherCustomerId, d.IdentifierKey)).ToList();
        var reachable = (await CustomerReach.WithinAsync(session, caller, candidates.Select(d => d.OtherCustomerId), group, now, cancellation)).ToHashSet();
        return candidates.Where(d => reachable.Contains(d.OtherCustomerId)).ToList();
    }
}
