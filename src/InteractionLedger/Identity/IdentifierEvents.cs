using JasperFx.Events;
using Marten.Events.Projections;

namespace InteractionLedger.Identity;

/// <summary>An event about one identifier; the claim view groups them through this one rule to keep their order.</summary>
public interface IConcernsIdentifier
{
    string IdentifierKey { get; }
}

/// <summary>A customer became known by an identifier.</summary>
/// <param name="Strength">How much it proves for this customer (a verified e-mail is strong, an unverified one weak).</param>
/// <param name="LinkedBy">Who linked it: an agent, or the integration whose contact named it.</param>
public sealed record IdentifierLinked(CustomerIdentifier Identifier, IdentifierStrength Strength, string LinkedBy, string Reason,
    DateTimeOffset LinkedAt) : IConcernsIdentifier
{
    public string IdentifierKey => Identifier.Key;
}

/// <summary>An identifier no longer names the customer (a number given up, a wrong link undone).</summary>
public sealed record IdentifierUnlinked(string IdentifierKey, IdentifierKind Kind, string UnlinkedBy, string Reason,
    DateTimeOffset UnlinkedAt) : IConcernsIdentifier;

/// <summary>
/// Some of the brands that collected an identifier no longer know the customer by it; the others still do, so the
/// customer keeps it (and its claim). What a brand-scoped unlink records when other brands collected it too: one brand
/// cannot take away what another brand holds.
/// </summary>
/// <param name="StillCollectedFor">The brands that still hold it ("" for the whole group).</param>
public sealed record IdentifierReleased(string IdentifierKey, IReadOnlyList<string> StillCollectedFor, string ReleasedBy, string Reason,
    DateTimeOffset ReleasedAt);

/// <summary>
/// A weak identifier this customer was linked to is also held by another customer: perhaps the same person,
/// perhaps a household. Recorded for an agent to confirm (merge) or dismiss; never merged automatically.
/// </summary>
public sealed record PossibleDuplicateFound(Guid OtherCustomerId, string IdentifierKey, DateTimeOffset FoundAt);

/// <summary>A customer holding an identifier, and how strongly.</summary>
/// <param name="CustomerId">The holder's ledger id.</param>
/// <param name="Strength">How strongly the identifier identifies this holder: <c>strong</c> or <c>weak</c>.</param>
public sealed record IdentifierHolder(Guid CustomerId, IdentifierStrength Strength);

/// <summary>Who holds one identifier: the document looked up, by primary key, to resolve a contact.</summary>
public sealed class IdentifierClaim
{
    /// <summary>The identifier's key, e.g. "email:jeanne.martin@example.com".</summary>
    public string Id { get; set; } = "";
    public IdentifierKind Kind { get; set; }
    public List<IdentifierHolder> Holders { get; set; } = [];

    public IEnumerable<IdentifierHolder> HoldersOtherThan(Guid customerId) => Holders.Where(h => h.CustomerId != customerId);
}

/// <summary>
/// Inline: resolution and linking decide on these documents inside the transaction that changes them, under an
/// advisory lock on the identifier (<see cref="IdentityLocks"/>), so two first contacts naming the same new
/// person cannot both miss the claim.
/// </summary>
public sealed partial class IdentifierClaimProjection : MultiStreamProjection<IdentifierClaim, string>
{
    public IdentifierClaimProjection()
    {
        Identity<IConcernsIdentifier>(e => e.IdentifierKey);
    }

    public static IdentifierClaim Create(IEvent<IdentifierLinked> linked) => new()
    {
        Id = linked.Data.IdentifierKey,
        Kind = linked.Data.Identifier.Kind,
        Holders = [new IdentifierHolder(linked.StreamId, linked.Data.Strength)],
    };

    /// <summary>A second link of the same customer (by another brand) keeps the strongest proof either gave.</summary>
    public void Apply(IEvent<IdentifierLinked> linked, IdentifierClaim claim)
    {
        var before = claim.Holders.FirstOrDefault(h => h.CustomerId == linked.StreamId);
        claim.Holders.RemoveAll(h => h.CustomerId == linked.StreamId);
        claim.Holders.Add(new IdentifierHolder(linked.StreamId,
            before?.Strength == IdentifierStrength.Strong ? IdentifierStrength.Strong : linked.Data.Strength));
    }

    public void Apply(IEvent<IdentifierUnlinked> unlinked, IdentifierClaim claim) =>
        claim.Holders.RemoveAll(h => h.CustomerId == unlinked.StreamId);

    /// <summary>A claim's id is the identifier itself: once nobody holds it, the ledger keeps no trace of the value.</summary>
    public bool ShouldDelete(IEvent<IdentifierUnlinked> unlinked, IdentifierClaim claim) =>
        claim.Holders.All(h => h.CustomerId == unlinked.StreamId);
}
