using InteractionLedger.Cases;
using InteractionLedger.Consent;
using InteractionLedger.Identity;
using InteractionLedger.Interactions;

namespace InteractionLedger.Customers;

/// <summary>A customer joined the group's ledger. Starts the customer's stream.</summary>
/// <param name="Brand">The brand the customer was registered for (absent from registrations before brands were recorded).</param>
public sealed record CustomerRegistered(Guid CustomerId, string? DisplayName, DateTimeOffset RegisteredAt, string? Brand = null);

/// <summary>
/// The write model of a customer's stream: only what decisions need (existence and case states). Kept as an
/// inline snapshot so a write loads one small document instead of replaying the stream; the per-interaction
/// facts decisions need (was it recorded, rated, attached) come from <see cref="TimelineEntry"/>.
/// </summary>
public sealed partial class Customer
{
    /// <summary>The customer's ledger id.</summary>
    public Guid Id { get; set; }
    /// <summary>How agents address the customer; null when no name was given.</summary>
    public string? DisplayName { get; set; }
    /// <summary>The brand the customer was registered for, which collected the name (null: the whole group).</summary>
    public string? RegisteredFor { get; set; }
    /// <summary>When the customer was registered (UTC).</summary>
    public DateTimeOffset RegisteredAt { get; set; }
    /// <summary>Contacts recorded on this customer's own stream (customers merged into it not counted).</summary>
    public int InteractionCount { get; set; }
    /// <summary>The customer's cases: each case id with its status, <c>open</c> or <c>resolved</c>.</summary>
    public Dictionary<Guid, CaseStatus> Cases { get; set; } = [];
    /// <summary>The brand of each case: a brand-scoped caller acts only on its own brands' cases.</summary>
    public Dictionary<Guid, string> CaseBrands { get; set; } = [];
    /// <summary>Identifiers held, by key, with the strength they were linked at.</summary>
    public Dictionary<string, HeldIdentifier> Identifiers { get; set; } = [];
    /// <summary>Other customers sharing a weak identifier with this one, neither merged nor dismissed yet.</summary>
    public List<PossibleDuplicate> PossibleDuplicates { get; set; } = [];
    /// <summary>Customers an agent found to be someone else: no longer listed as possible duplicates.</summary>
    public List<Guid> DismissedDuplicates { get; set; } = [];
    /// <summary>The channel the customer said they prefer; null when they have not said.</summary>
    public Interactions.Channel? StatedPreferredChannel { get; set; }
    /// <summary>The customer this one was merged into, while the merge stands.</summary>
    public Guid? AbsorbedInto { get; set; }
    /// <summary>Customers merged into this one, while those merges stand.</summary>
    public List<Guid> Absorbed { get; set; } = [];
    /// <summary>Customers once merged into this one and restored since: a repeated undo is answered as a replay.</summary>
    public List<Guid> Unmerged { get; set; } = [];
    /// <summary>The brands the customer has a relationship with: what puts them in a brand-scoped caller's reach.</summary>
    public HashSet<string> Brands { get; set; } = [];
    /// <summary>The customer's latest statement per purpose and brand (<see cref="ConsentStatement.KeyOf"/>).</summary>
    public Dictionary<string, ConsentStatement> Consents { get; set; } = [];

    public static Customer Create(CustomerRegistered registered) => new()
    {
        Id = registered.CustomerId,
        DisplayName = registered.DisplayName,
        RegisteredFor = registered.Brand,
        RegisteredAt = registered.RegisteredAt,
        Brands = registered.Brand is { } brand ? [brand] : [],
    };

    public void Apply(InteractionRecorded recorded)
    {
        InteractionCount++;
        Brands.Add(recorded.Brand);
    }

    public void Apply(CaseOpened opened)
    {
        Cases[opened.CaseId] = CaseStatus.Open;
        CaseBrands[opened.CaseId] = opened.Brand;
        Brands.Add(opened.Brand);
    }

    /// <summary>The case's status when it exists and the command may see its brand.</summary>
    public CaseStatus? CaseSeenBy(Access.IBrandScopedCommand command, Guid caseId) =>
        Cases.TryGetValue(caseId, out var status) && Access.BrandScopedCommands.Sees(command, CaseBrands.GetValueOrDefault(caseId)) ? status : null;

    public void Apply(CaseResolved resolved) => Cases[resolved.CaseId] = CaseStatus.Resolved;
    public void Apply(CaseReopened reopened) => Cases[reopened.CaseId] = CaseStatus.Open;

    public void Apply(IdentifierLinked linked)
    {
        Identifiers[linked.IdentifierKey] = HeldIdentifier.After(Identifiers.GetValueOrDefault(linked.IdentifierKey), linked);
        if (linked.Identifier.Brand is { } brand) Brands.Add(brand);
    }

    public void Apply(ConsentGiven given) => State(new ConsentStatement(given.Purpose, given.Brand, ConsentStatus.Given, given.GivenAt,
        given.ConsentId, given.ExpiresAt));

    public void Apply(ConsentWithdrawn withdrawn) =>
        State(new ConsentStatement(withdrawn.Purpose, withdrawn.Brand, ConsentStatus.Withdrawn, withdrawn.WithdrawnAt));

    public void Apply(ConsentExpired expired)
    {
        // A renewal given since supersedes the lapse of the consent it replaced.
        if (Consents.GetValueOrDefault(ConsentStatement.KeyOf(expired.Purpose, expired.Brand)) is { } current && current.ConsentId == expired.ConsentId)
            State(current with { Status = ConsentStatus.Expired, At = expired.ExpiredAt });
    }

    public void Apply(ObjectionRecorded objected) =>
        State(new ConsentStatement(objected.Purpose, objected.Brand, ConsentStatus.Objected, objected.ObjectedAt));

    private void State(ConsentStatement statement) => Consents[ConsentStatement.KeyOf(statement.Purpose, statement.Brand)] = statement;

    public void Apply(Merging.CustomerMerged merged)
    {
        Absorbed.Add(merged.AbsorbedCustomerId);
        PossibleDuplicates.RemoveAll(d => d.OtherCustomerId == merged.AbsorbedCustomerId);
    }

    public void Apply(Merging.CustomerAbsorbed absorbed)
    {
        AbsorbedInto = absorbed.SurvivorCustomerId;
        PossibleDuplicates.RemoveAll(d => d.OtherCustomerId == absorbed.SurvivorCustomerId);
    }

    public void Apply(Merging.CustomerUnmerged unmerged)
    {
        Absorbed.Remove(unmerged.RestoredCustomerId);
        if (!Unmerged.Contains(unmerged.RestoredCustomerId)) Unmerged.Add(unmerged.RestoredCustomerId);
    }
    public void Apply(Merging.CustomerRestored _) => AbsorbedInto = null;

    public void Apply(Overview.PreferredChannelStated stated) => StatedPreferredChannel = stated.Channel;

    public void Apply(IdentifierUnlinked unlinked) => Identifiers.Remove(unlinked.IdentifierKey);

    public void Apply(IdentifierReleased released)
    {
        if (Identifiers.TryGetValue(released.IdentifierKey, out var held)) Identifiers[released.IdentifierKey] = held.Keeping(released.StillCollectedFor);
    }

    public void Apply(PossibleDuplicateDismissed dismissed)
    {
        DismissedDuplicates.Add(dismissed.OtherCustomerId);
        PossibleDuplicates.RemoveAll(d => d.OtherCustomerId == dismissed.OtherCustomerId);
    }

    public void Apply(PossibleDuplicateFound found)
    {
        if (DismissedDuplicates.Contains(found.OtherCustomerId)) return;
        if (!PossibleDuplicates.Any(d => d.OtherCustomerId == found.OtherCustomerId && d.IdentifierKey == found.IdentifierKey))
            PossibleDuplicates.Add(new PossibleDuplicate(found.OtherCustomerId, found.IdentifierKey, found.FoundAt));
    }
}

/// <summary>An identifier the customer is known by, with how strongly it identifies them.</summary>
/// <param name="Identifier">The identifier, normalised, with the value as given.</param>
/// <param name="Strength"><c>strong</c> (identifies one person) or <c>weak</c> (may be shared); the strongest proof any link of it gave.</param>
/// <param name="LinkedAt">When it was first linked to the customer (UTC).</param>
/// <param name="CollectedFor">The brands that collected the identifier ("" for the whole group); null in documents
/// written before it was kept, where the identifier's own brand says it.</param>
public sealed record HeldIdentifier(CustomerIdentifier Identifier, IdentifierStrength Strength, DateTimeOffset LinkedAt,
    IReadOnlyList<string>? CollectedFor = null)
{
    private const string WholeGroup = "";

    /// <summary>The brands that collected it, "" standing for the whole group.</summary>
    public IReadOnlyList<string> Collectors => CollectedFor ?? [Identifier.Brand ?? WholeGroup];

    /// <summary>Whoever may see one of the brands that collected it may see the identifier; a group-level one, everyone.</summary>
    public bool SeenBy(Func<string, bool> showsBrand) => Collectors.Any(b => b == WholeGroup || showsBrand(b));

    /// <summary>The collectors a caller seeing these brands does not see: what its unlinking must leave in place.</summary>
    public IReadOnlyList<string> CollectorsHiddenFrom(Func<string, bool> showsBrand) =>
        Collectors.Where(b => b != WholeGroup && !showsBrand(b)).ToList();

    /// <summary>
    /// The holding as shown to a caller who may see it: which other brands collected it too is not its business, and
    /// the brand it names is the issuer of a customer number, or one of the collectors the caller may see.
    /// </summary>
    public HeldIdentifier AsSeenBy(Func<string, bool> showsBrand)
    {
        var brand = Identity.IdentityPolicy.RuleFor(Identifier.Kind).BrandScoped
            ? Identifier.Brand
            : Collectors.FirstOrDefault(b => b != WholeGroup && showsBrand(b));
        return this with { CollectedFor = null, Identifier = Identifier with { Brand = brand } };
    }

    /// <summary>The holding once some brands no longer know the customer by it.</summary>
    public HeldIdentifier Keeping(IReadOnlyList<string> collectors) => this with { CollectedFor = collectors };

    /// <summary>
    /// The holding after one more link: every brand that collected it is kept, and so is the strongest proof, so that
    /// one brand's link never hides or weakens what another brand holds.
    /// </summary>
    public static HeldIdentifier After(HeldIdentifier? held, Identity.IdentifierLinked linked)
    {
        var collectors = (held?.Collectors ?? []).Append(linked.Identifier.Brand ?? WholeGroup).Distinct().Order().ToList();
        var strength = held?.Strength == IdentifierStrength.Strong ? IdentifierStrength.Strong : linked.Strength;
        return new HeldIdentifier(linked.Identifier, strength, held?.LinkedAt ?? linked.LinkedAt, collectors);
    }
}

/// <summary>Another customer sharing a weak identifier with this one: for an agent to confirm or dismiss.</summary>
/// <param name="OtherCustomerId">The other customer's ledger id.</param>
/// <param name="IdentifierKey">The key of the shared identifier (e.g. <c>phone:+33612345678</c>); only its kind (<c>phone:</c>) once retention erased the value.</param>
/// <param name="FoundAt">When the shared identifier was noticed (UTC).</param>
public sealed record PossibleDuplicate(Guid OtherCustomerId, string IdentifierKey, DateTimeOffset FoundAt);
