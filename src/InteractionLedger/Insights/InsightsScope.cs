using InteractionLedger.Access;
using InteractionLedger.Consent;
using InteractionLedger.Customers;
using InteractionLedger.Group;
using InteractionLedger.Hosting;
using InteractionLedger.Http;
using InteractionLedger.Privacy;
using Marten;
using Npgsql;

namespace InteractionLedger.Insights;

/// <summary>Who a figure leaves out because they objected to the purpose: a customer and the brand the objection is for.</summary>
public sealed record Objectors(Guid[] Customers, string[] Brands, int DistinctCustomers);

/// <summary>
/// What a request for figures across the base may read: the brands shown (the caller's own, those it names), whether
/// totals across the group are shown, and who is left out. Decided before any figure is computed.
/// </summary>
/// <param name="Brands">The brands whose rows are shown.</param>
/// <param name="Computed">The brands the figures are computed over, with the group's totals: every brand of the group,
/// whoever asks and whatever it names, so that a figure is suppressed the same way for every caller (a brand's own view
/// showing the partner the group's view hides would give a hidden figure back) and no two requests naming different
/// brands give a brand's figures by difference. Only the rows of <paramref name="Brands"/> are shown.</param>
/// <param name="GroupTotals">Whether the group's totals are shown: to a caller acting for the whole group only.</param>
public sealed record FigureScope(Caller Caller, Purpose Purpose, IReadOnlyList<string> Brands, IReadOnlyList<string> Computed, bool GroupTotals,
    Objectors Excluded, int MinimumCustomers)
{
    /// <summary>Left-out customers as a figure: suppressed like any other below the minimum (but zero is zero).</summary>
    public int? ExcludedCustomers => Excluded.DistinctCustomers == 0 || Excluded.DistinctCustomers >= MinimumCustomers ? Excluded.DistinctCustomers : null;

    /// <summary>Whether a row of this brand (null: the group's) is shown.</summary>
    public bool Shows(string? brand) => brand is null ? GroupTotals : Brands.Contains(brand);
}

public static class InsightsScope
{
    /// <summary>
    /// Reads the stated purpose (figures are read for analytics), the caller's right to read for it, and the brands
    /// asked for; computes who objected. The problem to answer, or the scope.
    /// </summary>
    public static async Task<(FigureScope? Scope, IResult? Problem)> ForFiguresAsync(HttpContext http, string view, string[]? brands, GroupCatalog group,
        InsightsPolicy policy, IQuerySession session, PersonalDataGate gate, TimeProvider clock, CancellationToken cancellation)
    {
        var (admitted, problem) = await AdmitAsync(http, view, [Purpose.Analytics],
            stated => $"Figures across the customer base are read for analytics, not {ApiJson.Name(stated)}: " +
                      "they describe no one, and customers who objected to analytics are left out of them.",
            brands, group, gate, cancellation);
        if (admitted is not var (caller, purpose, shown)) return (null, problem);
        // Left-out customers are counted over the brands shown (every brand for a caller acting for the whole group):
        // a brand's caller is not told how many objected to another brand.
        var excluded = await ObjectorsAsync(session, purpose, counted: caller.Brands is null ? group.BrandCodes : shown, group, clock.GetUtcNow(), cancellation);
        return (new FigureScope(caller, purpose, shown, group.BrandCodes, caller.Brands is null, excluded, policy.MinimumCustomersPerFigure), null);
    }

    /// <summary>
    /// What every insights route checks first, figures and lists alike: the purpose stated is one the route is read for,
    /// the caller's role reads for it, and the brands named are the caller's (all of them when none is named). A role or
    /// a brand refused is recorded in the access ledger, as a refused read of one customer is.
    /// </summary>
    public static async Task<((Caller Caller, Purpose Purpose, IReadOnlyList<string> Brands)? Admitted, IResult? Problem)> AdmitAsync(HttpContext http,
        string view, Purpose[] purposes, Func<Purpose, string> notReadFor, string[]? brands, GroupCatalog group, PersonalDataGate gate,
        CancellationToken cancellation)
    {
        if (!PersonalDataGate.TryReadPurpose(http.Request, out var purpose, out var problem)) return (null, problem);
        if (!purposes.Contains(purpose)) return (null, InputErrors.For("purpose", notReadFor(purpose)).ToResult());
        var caller = Caller.From(http.User);
        if (!PurposePolicy.RuleFor(purpose).Readers.ContainsKey(caller.Role))
        {
            await gate.RecordRefusedAsync(http, purpose, view, RoleRefusal(caller, purpose), cancellation);
            return (null, RoleRefused(caller, purpose));
        }
        var (shown, brandProblem, refusal) = Brands(caller, brands, group);
        if (brandProblem is not null)
        {
            if (refusal is not null) await gate.RecordRefusedAsync(http, purpose, view, refusal, cancellation);
            return (null, brandProblem);
        }
        return ((caller, purpose, shown), null);
    }

    /// <summary>
    /// The brands asked for, each one the caller's; all of the caller's when none is named. A brand of the group the
    /// caller does not act for is refused (403, with the refusal to record); an unknown one is an input error.
    /// </summary>
    public static (IReadOnlyList<string> Brands, IResult? Problem, string? Refusal) Brands(Caller caller, string[]? asked, GroupCatalog group)
    {
        var errors = new InputErrors();
        foreach (var brand in asked ?? [])
            if (!group.IsKnownBrand(brand)) errors.Add("brand", $"'{Shorten(brand)}' is not a brand of {group.Name}.");
        if (errors.Any) return ([], errors.ToResult(), null);
        var outside = (asked ?? []).Where(b => !caller.ActsFor(b)).Distinct().ToList();
        if (outside.Count > 0)
        {
            var refusal = $"You act for {caller.ScopeText}, not for {string.Join(", ", outside)}.";
            return ([], Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Outside your brands.", detail: refusal,
                type: ProblemTypes.BrandOutOfScope,
                extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["brand"] = [$"You act for {caller.ScopeText}."] } }),
                refusal);
        }
        var brands = asked is { Length: > 0 } ? asked.Distinct().ToList() : group.BrandCodes.Where(caller.ActsFor).ToList();
        return (brands, null, null);
    }

    public static string RoleRefusal(Caller caller, Purpose purpose) => $"A {ApiJson.Name(caller.Role)} does not read customer data for {ApiJson.Name(purpose)}.";

    public static IResult RoleRefused(Caller caller, Purpose purpose) =>
        Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Refused by the data-use policy.",
            detail: RoleRefusal(caller, purpose), type: ProblemTypes.Of(ApiJson.Name(RefusalKind.RoleNotAllowed)),
            extensions: new Dictionary<string, object?> { ["purpose"] = ApiJson.Name(purpose) });

    /// <summary>
    /// Every customer whose objection to the purpose stands for a brand of the group, with that brand: their contacts with
    /// it are left out of every figure (figures are computed over every brand, <see cref="FigureScope.Computed"/>). Objections are few; the statements are read from the customers' documents
    /// (updated in each write's transaction, so an objection counts from the moment it is recorded) and decided by
    /// the same rule as a read of one customer.
    /// </summary>
    /// <param name="counted">The brands whose objectors are counted as left out (an objector who never dealt with them is
    /// not the caller's to count): the whole group's for a caller acting for it, whatever it names, so that no two requests
    /// naming different brands give a count by difference.</param>
    public static async Task<Objectors> ObjectorsAsync(IQuerySession session, Purpose purpose, IReadOnlyList<string> counted, GroupCatalog group,
        DateTimeOffset now, CancellationToken cancellation)
    {
        var candidates = await session.QueryAsync<Customer>(
            $"select data from {LedgerStore.Schema}.mt_doc_customer c where exists (select 1 from jsonb_each(c.data -> 'consents') s " +
            $"where s.value ->> 'purpose' = ? and s.value ->> 'status' = '{nameof(ConsentStatus.Objected)}')", cancellation, purpose.ToString());
        var (customers, brandsOf, countedCustomers) = (new List<Guid>(), new List<string>(), new HashSet<Guid>());
        foreach (var customer in candidates)
        {
            // A merged customer is one person: an objection made under any of their ids covers all of them.
            var members = new[] { customer.Id }.Concat(customer.Absorbed).Append(customer.AbsorbedInto ?? customer.Id).Distinct().ToList();
            foreach (var brand in group.BrandCodes)
            {
                var standing = ConsentRules.StandingFor([customer], purpose, new Caller("insights", Role.Analyst, new HashSet<string> { brand }),
                    group.BrandCodes, now);
                if (standing.Status != ConsentStatus.Objected) continue;
                foreach (var member in members) { customers.Add(member); brandsOf.Add(brand); }
                if (counted.Contains(brand) && customer.Brands.Contains(brand)) countedCustomers.Add(customer.AbsorbedInto ?? customer.Id);
            }
        }
        return new Objectors([.. customers], [.. brandsOf], countedCustomers.Count);
    }

    /// <summary>The SQL that leaves out objectors' contacts (<c>x</c>) and erased customers' late facts, for a fact aliased <c>f</c>.</summary>
    public const string ExcludedJoin =
        "left join unnest(@excluded_customers::uuid[], @excluded_brands::text[]) as x(customer_id, brand) " +
        "on x.customer_id = f.customer_id and x.brand = f.brand";

    public static string NotExcluded => "x.customer_id is null and not exists (select 1 from " + InsightsTables.Erasures +
                                        " e where e.id = f.customer_id)";

    public static void AddExcluded(this NpgsqlCommand command, Objectors excluded)
    {
        command.Parameters.AddWithValue("excluded_customers", excluded.Customers);
        command.Parameters.AddWithValue("excluded_brands", excluded.Brands);
    }

    public static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}

/// <summary>The tables the insights read with SQL.</summary>
public static class InsightsTables
{
    public const string Contacts = ContactFactProjection.Table;
    public const string Cases = CaseFactProjection.Table;
    public const string Erasures = $"{LedgerStore.Schema}.mt_doc_customererasure";
}
