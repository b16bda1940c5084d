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
/// What a request for figures across the base may read: the brands (the caller's own, those it names), whether
/// totals across the group are shown, and who is left out. Decided before any figure is computed.
/// </summary>
/// <param name="GroupTotals">Totals across the group's brands: for a caller acting for the whole group only.</param>
public sealed record FigureScope(Caller Caller, Purpose Purpose, IReadOnlyList<string> Brands, bool GroupTotals, Objectors Excluded,
    int MinimumCustomers)
{
    /// <summary>Left-out customers as a figure: suppressed like any other below the minimum (but zero is zero).</summary>
    public int? ExcludedCustomers => Excluded.DistinctCustomers == 0 || Excluded.DistinctCustomers >= MinimumCustomers ? Excluded.DistinctCustomers : null;
}

public static class InsightsScope
{
    /// <summary>
    /// Reads the stated purpose (figures are read for analytics), the caller's right to read for it, and the brands
    /// asked for; computes who objected. The problem to answer, or the scope.
    /// </summary>
    public static async Task<(FigureScope? Scope, IResult? Problem)> ForFiguresAsync(HttpContext http, string[]? brands, GroupCatalog group,
        InsightsPolicy policy, IQuerySession session, TimeProvider clock, CancellationToken cancellation)
    {
        if (!PersonalDataGate.TryReadPurpose(http.Request, out var purpose, out var problem)) return (null, problem);
        if (purpose != Purpose.Analytics)
            return (null, InputErrors.For("purpose", $"Figures across the customer base are read for analytics, not {ApiJson.Name(purpose)}: " +
                                                     "they describe no one, and customers who objected to analytics are left out of them.").ToResult());
        var caller = Caller.From(http.User);
        if (!PurposePolicy.RuleFor(purpose).Readers.ContainsKey(caller.Role))
            return (null, RoleRefused(caller, purpose));
        var (scopeBrands, brandProblem) = Brands(caller, brands, group);
        if (brandProblem is not null) return (null, brandProblem);
        var excluded = await ObjectorsAsync(session, purpose, scopeBrands, group, clock.GetUtcNow(), cancellation);
        return (new FigureScope(caller, purpose, scopeBrands, caller.Brands is null, excluded, policy.MinimumCustomersPerFigure), null);
    }

    /// <summary>The brands asked for, each one the caller's; all of the caller's when none is named.</summary>
    public static (IReadOnlyList<string> Brands, IResult? Problem) Brands(Caller caller, string[]? asked, GroupCatalog group)
    {
        var errors = new InputErrors();
        foreach (var brand in asked ?? [])
            if (!group.IsKnownBrand(brand)) errors.Add("brand", $"'{Shorten(brand)}' is not a brand of {group.Name}.");
        if (errors.Any) return ([], errors.ToResult());
        var outside = (asked ?? []).Where(b => !caller.ActsFor(b)).Distinct().ToList();
        if (outside.Count > 0)
            return ([], Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Another brand's figures.",
                detail: $"You act for {caller.ScopeText}, not for {string.Join(", ", outside)}.", type: ProblemTypes.Of("outside-your-brands"),
                extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["brand"] = [$"You act for {caller.ScopeText}."] } }));
        var brands = asked is { Length: > 0 } ? asked.Distinct().ToList() : group.BrandCodes.Where(caller.ActsFor).ToList();
        return (brands, null);
    }

    public static IResult RoleRefused(Caller caller, Purpose purpose) =>
        Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Refused by the data-use policy.",
            detail: $"A {ApiJson.Name(caller.Role)} does not read customer data for {ApiJson.Name(purpose)}.",
            type: ProblemTypes.Of(ApiJson.Name(RefusalKind.RoleNotAllowed)),
            extensions: new Dictionary<string, object?> { ["purpose"] = ApiJson.Name(purpose) });

    /// <summary>
    /// Every customer whose objection to the purpose stands for one of the brands, with that brand: their contacts with
    /// it are left out of every figure. Objections are few; the statements are read from the customers' documents
    /// (updated in each write's transaction, so an objection counts from the moment it is recorded) and decided by
    /// the same rule as a read of one customer.
    /// </summary>
    public static async Task<Objectors> ObjectorsAsync(IQuerySession session, Purpose purpose, IReadOnlyList<string> brands, GroupCatalog group,
        DateTimeOffset now, CancellationToken cancellation)
    {
        var candidates = await session.QueryAsync<Customer>(
            $"select data from {LedgerStore.Schema}.mt_doc_customer c where exists (select 1 from jsonb_each(c.data -> 'consents') s " +
            $"where s.value ->> 'purpose' = ? and s.value ->> 'status' = '{nameof(ConsentStatus.Objected)}')", cancellation, purpose.ToString());
        var (customers, brandsOf) = (new List<Guid>(), new List<string>());
        foreach (var customer in candidates)
        {
            // A merged customer is one person: an objection made under any of their ids covers all of them.
            var members = new[] { customer.Id }.Concat(customer.Absorbed).Append(customer.AbsorbedInto ?? customer.Id).Distinct().ToList();
            foreach (var brand in brands)
            {
                var standing = ConsentRules.StandingFor([customer], purpose, new Caller("insights", Role.Analyst, new HashSet<string> { brand }),
                    group.BrandCodes, now);
                if (standing.Status != ConsentStatus.Objected) continue;
                foreach (var member in members) { customers.Add(member); brandsOf.Add(brand); }
            }
        }
        return new Objectors([.. customers], [.. brandsOf], customers.Distinct().Count());
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

/// <summary>The tables the insights read with SQL (documents of the ledger's schema).</summary>
public static class InsightsTables
{
    public const string Contacts = $"{LedgerStore.Schema}.mt_doc_contactfact";
    public const string Cases = $"{LedgerStore.Schema}.mt_doc_casefact";
    public const string Erasures = $"{LedgerStore.Schema}.mt_doc_customererasure";
}
