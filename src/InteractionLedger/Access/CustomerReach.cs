using InteractionLedger.Consent;
using InteractionLedger.Customers;
using InteractionLedger.Group;
using InteractionLedger.Hosting;
using InteractionLedger.Http;
using InteractionLedger.Identity;
using InteractionLedger.Merging;
using InteractionLedger.Privacy;
using Marten;

namespace InteractionLedger.Access;

/// <summary>Where a customer stands for a caller under the reach rule (see <see cref="CustomerReach"/>).</summary>
/// <param name="OwnBrands">The customer's brands the caller acts for; null for a caller acting for the whole group.</param>
/// <param name="OtherBrands">The customer's brands the caller does not act for.</param>
/// <param name="Sharing">The customer's word on sharing across the group's brands, when there is history elsewhere; else null.</param>
public sealed record ReachStanding(IReadOnlySet<string>? OwnBrands, IReadOnlyList<string> OtherBrands, ConsentStanding? Sharing)
{
    public bool SharesAcrossBrands => Sharing?.Status == ConsentStatus.Given;

    public bool Within => OwnBrands is null || OwnBrands.Count > 0 || SharesAcrossBrands;
}

/// <summary>
/// The reach rule, the one answer to "may this caller touch this customer at all", for every route, read or write.
/// A caller acting for the whole group reaches every customer. A brand-scoped caller reaches a customer (with
/// everyone merged into them) only through data its brands hold: a contact, a case, an identifier its brand issued,
/// the customer's registration for its brand; or through another brand's data when the customer consented to sharing
/// across the group's brands. Everything else is, to that caller, a customer that does not exist: the same 404, with
/// nothing that tells the two apart.
/// </summary>
public static class CustomerReach
{
    public static ReachStanding Of(Caller caller, IReadOnlyList<Customer> people, IEnumerable<string> groupBrands, DateTimeOffset now)
    {
        if (caller.Brands is null) return new ReachStanding(null, [], null);
        var customerBrands = people.SelectMany(p => p.Brands).ToHashSet();
        var own = customerBrands.Where(caller.Brands.Contains).ToHashSet();
        var others = customerBrands.Except(own).Order().ToList();
        var sharing = others.Count > 0 ? ConsentRules.StandingFor(people, Purpose.CrossBrandSharing, caller, groupBrands, now) : null;
        return new ReachStanding(own, others, sharing);
    }

    /// <summary>The customer's merge group when the caller reaches it; null when it does not exist or is out of reach.</summary>
    public static async Task<CustomerGroup?> LoadWithinAsync(IQuerySession session, Caller caller, Guid customerId, GroupCatalog group,
        DateTimeOffset now, CancellationToken cancellation)
    {
        var customer = await CustomerGroup.LoadAsync(session, customerId, cancellation);
        return customer is not null && Of(caller, customer.People, group.BrandCodes, now).Within ? customer : null;
    }

    /// <summary>Whether the customer exists and is within the caller's reach.</summary>
    public static async Task<bool> IsWithinAsync(IQuerySession session, Caller caller, Guid customerId, GroupCatalog group,
        DateTimeOffset now, CancellationToken cancellation) =>
        caller.Brands is null
            ? await session.LoadAsync<Customer>(customerId, cancellation) is not null
            : await LoadWithinAsync(session, caller, customerId, group, now, cancellation) is not null;

    /// <summary>
    /// True when the request names, besides the route's, a customer that exists but is outside the caller's reach (a
    /// customer to absorb, a possible duplicate, <c>customer.customerId</c>): the attempt is then recorded in the access
    /// ledger and the caller answered as for an unknown id. False for a customer within reach or unknown.
    /// </summary>
    public static async Task<bool> OutOfReachRecordedAsync(HttpContext http, Guid customerId)
    {
        if (Caller.From(http.User) is not { Brands: not null } caller) return false;
        var (customer, standing) = await StandingAsync(http, caller, customerId);
        if (customer is null || standing!.Within) return false;
        await http.RequestServices.GetRequiredService<PersonalDataGate>().RecordOutOfReachAsync(http, customer, http.RequestAborted);
        return true;
    }

    private static async Task<(CustomerGroup? Customer, ReachStanding? Standing)> StandingAsync(HttpContext http, Caller caller, Guid customerId)
    {
        var services = http.RequestServices;
        var customer = await CustomerGroup.LoadAsync(services.GetRequiredService<IQuerySession>(), customerId, http.RequestAborted);
        return customer is null ? (null, null) : (customer, Of(caller, customer.People, services.GetRequiredService<GroupCatalog>().BrandCodes,
            services.GetRequiredService<TimeProvider>().GetUtcNow()));
    }

    /// <summary>The subset of <paramref name="ids"/> within the caller's reach, in their order.</summary>
    public static async Task<IReadOnlyList<Guid>> WithinAsync(IQuerySession session, Caller caller, IEnumerable<Guid> ids, GroupCatalog group,
        DateTimeOffset now, CancellationToken cancellation)
    {
        var within = new List<Guid>();
        foreach (var id in ids.Distinct())
            if (caller.Brands is null || await LoadWithinAsync(session, caller, id, group, now, cancellation) is not null) within.Add(id);
        return within;
    }

    /// <summary>
    /// Who holds these identifiers, as the caller may know it. A holder is visible when it is within the caller's reach
    /// and the caller may see that it holds the identifier: the identifier was collected by one of the caller's brands
    /// or for the whole group, or the customer shares across brands. Resolution, candidates and conflicts work on the
    /// visible holders only, so they can neither name nor append to the others, nor confirm what another brand knows.
    /// </summary>
    public static async Task<(Dictionary<string, IdentifierClaim> Visible, Dictionary<string, IdentifierClaim> Hidden)> SplitClaimsAsync(
        IQuerySession session, Caller caller, IEnumerable<IdentifierClaim> claims, GroupCatalog group, DateTimeOffset now,
        CancellationToken cancellation)
    {
        var visible = new Dictionary<string, IdentifierClaim>();
        var hidden = new Dictionary<string, IdentifierClaim>();
        // A caller acting for the whole group sees every holder: nothing to load.
        if (caller.Brands is null) return (claims.ToDictionary(c => c.Id), hidden);
        var groups = new Dictionary<Guid, CustomerGroup?>();
        foreach (var claim in claims)
        {
            var (inside, outside) = (new List<IdentifierHolder>(), new List<IdentifierHolder>());
            foreach (var holder in claim.Holders)
            {
                if (!groups.TryGetValue(holder.CustomerId, out var members))
                    groups[holder.CustomerId] = members = await CustomerGroup.LoadAsync(session, holder.CustomerId, cancellation);
                (SeesHolding(caller, members, holder.CustomerId, claim.Id, group, now) ? inside : outside).Add(holder);
            }
            if (inside.Count > 0) visible[claim.Id] = new IdentifierClaim { Id = claim.Id, Kind = claim.Kind, Holders = inside };
            if (outside.Count > 0) hidden[claim.Id] = new IdentifierClaim { Id = claim.Id, Kind = claim.Kind, Holders = outside };
        }
        return (visible, hidden);
    }

    /// <summary>
    /// The identifiers a customer holds, as a write by this caller may take them into account: one held only through
    /// a brand it does not act for is, to it, not held (a write that skipped it would tell it the customer has it).
    /// </summary>
    public static Dictionary<string, HeldIdentifier> HeldAsSeenBy(Caller caller, Customer customer) =>
        customer.Identifiers.Where(i => i.Value.SeenBy(caller.ActsFor)).ToDictionary(i => i.Key, i => i.Value);

    private static bool SeesHolding(Caller caller, CustomerGroup? members, Guid holderId, string key, GroupCatalog group, DateTimeOffset now)
    {
        if (members is null) return false;
        var standing = Of(caller, members.People, group.BrandCodes, now);
        if (!standing.Within) return false;
        var held = members.People.FirstOrDefault(p => p.Id == holderId)?.Identifiers.GetValueOrDefault(key);
        return standing.SharesAcrossBrands || held is null || held.SeenBy(caller.ActsFor);
    }

    /// <summary>
    /// The reach rule as an endpoint filter, for routes addressed to <c>{customerId}</c>: out of reach answers exactly
    /// like an unknown id, and the attempt is recorded in the access ledger like a refused read.
    /// </summary>
    public static TBuilder RequireCustomerInReach<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(ReachRule.CustomerInRoute);
        return builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (http.Request.RouteValues.TryGetValue("customerId", out var raw) && Guid.TryParse(raw?.ToString(), out var customerId)
                && http.User.Identity?.IsAuthenticated == true && Caller.From(http.User) is { Brands: not null } caller)
            {
                var (customer, standing) = await StandingAsync(http, caller, customerId);
                if (customer is null)
                    return await Erasure.NotFoundOrErasedAsync(http.RequestServices.GetRequiredService<IQuerySession>(), customerId, http.RequestAborted, caller);
                http.Items[typeof(ReachStanding)] = standing;
                if (!standing!.Within)
                {
                    await http.RequestServices.GetRequiredService<PersonalDataGate>().RecordOutOfReachAsync(http, customer, http.RequestAborted);
                    return CustomerReads.NotFound(customerId);
                }
            }
            return await next(context);
        });
    }

    /// <summary>
    /// The brands whose contacts, cases and identifiers a write may touch on the customer the route names: all of them
    /// (null) for a caller acting for the whole group or when the customer shares across brands, else the caller's.
    /// </summary>
    public static IReadOnlySet<string>? WritableBrands(HttpContext http)
    {
        var caller = Caller.From(http.User);
        if (caller.Brands is null) return null;
        return http.Items[typeof(ReachStanding)] is ReachStanding { SharesAcrossBrands: true } ? null : caller.Brands;
    }

    /// <summary>
    /// A 403 for a write naming a brand of the group the caller does not act for; null when the brand is the caller's,
    /// or absent, or unknown (which input validation reports).
    /// </summary>
    public static IResult? OutsideBrands(HttpContext http, GroupCatalog group, string? brand, string field = "brand")
    {
        var caller = Caller.From(http.User);
        return brand is null || !group.IsKnownBrand(brand) || caller.ActsFor(brand) ? null : Results.Problem(
            statusCode: StatusCodes.Status403Forbidden, title: "Outside your brands.", detail: $"'{caller.Id}' acts for {caller.ScopeText}, not '{brand}'.",
            type: ProblemTypes.BrandOutOfScope, extensions: new Dictionary<string, object?> { ["field"] = field });
    }

    /// <summary>
    /// A 403 when an identifier issued by a brand (a customer number) names a brand the caller does not act for: only
    /// the issuing brand may name its own numbers, so another brand's customer cannot be found or reached through them.
    /// </summary>
    public static IResult? ForeignIssuedIdentifier(HttpContext http, GroupCatalog group, IEnumerable<(CustomerIdentifier Identifier, string Field)> identifiers) =>
        identifiers.Where(i => IdentityPolicy.RuleFor(i.Identifier.Kind).BrandScoped)
            .Select(i => OutsideBrands(http, group, i.Identifier.Brand, $"{i.Field}.brand")).FirstOrDefault(r => r is not null);
}

/// <summary>
/// Declares, on every endpoint, how the reach rule applies to it; a test fails for any endpoint mapped without one.
/// </summary>
public sealed record ReachRule(string Name, string How)
{
    public static readonly ReachRule CustomerInRoute = new("customer-in-route",
        "The {customerId} of the route must be within the caller's reach; otherwise 404, as for an unknown id.");
    public static readonly ReachRule PersonalDataGate = new("personal-data-gate",
        "The purpose gate decides each customer read with the reach rule; out of reach answers 404, as for an unknown id.");
    public static readonly ReachRule ResolvedWithinReach = new("resolved-within-reach",
        "Customers named by identifiers or ids in the request are resolved among those within the caller's reach only.");
    public static readonly ReachRule OwnBrandsOnly = new("own-brands-only",
        "Creates data for the caller's own brands only; naming another brand is a 403 naming the field.");
    public static readonly ReachRule GroupWide = new("group-wide",
        "Only roles that act for the whole group (privacy officer, administrator) call it; a brand-scoped principal is refused.");
    public static readonly ReachRule BrandsOfTheCaller = new("brands-of-the-caller",
        "Figures and lists of the brands the request names, which must be the caller's (another brand is a 403 naming the field); " +
        "totals across the group only for a caller acting for the whole group. Lists name customers through the purpose gate, one access record each.");
    public static readonly ReachRule NoCustomerData = new("no-customer-data", "Names no customer and returns none.");
    public static readonly ReachRule ThroughTheApi = new("through-the-api",
        "A console page: it reads and writes nothing itself, only through the API's routes as the signed-in person, whose own rules apply.");
}

public static class ReachRuleConventions
{
    public static TBuilder WithReachRule<TBuilder>(this TBuilder builder, ReachRule rule) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(rule);
}
