using InteractionLedger.Cases;
using InteractionLedger.Http;
using InteractionLedger.Privacy;
using Marten;

namespace InteractionLedger.Customers;

/// <summary>A customer's identity in the ledger and the size of their history.</summary>
/// <param name="DisplayName">Null when identity is withheld for the stated purpose (see access).</param>
/// <param name="InteractionCount">Null when the customer has history with brands the caller may not see.</param>
/// <param name="Version">Current stream version; also sent as ETag, to echo in If-Match on the next write.</param>
/// <param name="Identifiers">What the customer is known by, with how strongly each identifies them.</param>
/// <param name="MergedInto">The survivor this customer was merged into, while that merge stands.</param>
/// <param name="MergedCustomers">Customers merged directly into this one.</param>
/// <param name="PossibleDuplicates">Other customers sharing a weak identifier with this one, for an agent to look at.</param>
/// <param name="Access">How this read was decided, and what it leaves out.</param>
public sealed record CustomerProfile(Guid CustomerId, string? DisplayName, DateTimeOffset RegisteredAt,
    int? InteractionCount, int OpenCaseCount, long Version, IReadOnlyList<HeldIdentifier> Identifiers,
    IReadOnlyList<PossibleDuplicate> PossibleDuplicates, Guid? MergedInto, IReadOnlyList<Guid> MergedCustomers, AccessNotice Access);

public static partial class GetCustomerEndpoint
{
    public static RouteHandlerBuilder MapGetCustomer(this IEndpointRouteBuilder customers) => customers
        .MapGet("/{customerId:guid}", async (Guid customerId, IQuerySession session, PersonalDataGate gate, HttpContext http,
            Group.GroupCatalog group, TimeProvider clock, CancellationToken cancellation) =>
        {
            var (pass, problem) = await gate.OpenCustomerAsync(http, session, customerId, DataView.Profile, cancellation);
            if (pass is null) return problem!;
            var found = pass.Customer!.People.First(p => p.Id == customerId);
            var version = (await session.Events.FetchStreamStateAsync(customerId, cancellation))?.Version ?? 0;
            var decision = pass.Decision;
            // Identity parts another brand collected follow the cross-brand rule, like that brand's history.
            var identity = decision.Shows(DataPart.Identity);
            var shownIdentifiers = found.Identifiers.Values.Where(i => i.Identifier.Brand is null || decision.ShowsBrand(i.Identifier.Brand)).ToList();
            var duplicates = await PossibleDuplicatesAsync(session, Access.Caller.From(http.User), found, shownIdentifiers, pass.Customer.Members,
                group, clock.GetUtcNow(), cancellation);
            http.Response.Headers.ETag = ExpectedVersion.ETagFor(version);
            return Results.Ok(new CustomerProfile(found.Id,
                identity && (found.RegisteredFor is null || decision.ShowsBrand(found.RegisteredFor)) ? found.DisplayName : null, found.RegisteredAt,
                decision.VisibleBrands is null ? found.InteractionCount : null,
                found.Cases.Count(c => c.Value == CaseStatus.Open && (found.CaseBrands.GetValueOrDefault(c.Key) is not { } brand || decision.ShowsBrand(brand))),
                version,
                identity ? shownIdentifiers.OrderBy(i => i.LinkedAt).ToList() : [],
                identity ? duplicates : [], found.AbsorbedInto, found.Absorbed, pass.Notice));
        })
        .WithName("GetCustomer")
        .WithSummary("Read a customer's profile and current stream version.")
        .WithPersonalDataRead()
        .Produces<CustomerProfile>()
        .ProducesProblem(StatusCodes.Status404NotFound);
}

public static partial class GetCustomerEndpoint
{
    /// <summary>
    /// Other customers holding an identifier this one holds, as the caller may see both holdings: read from the
    /// identifiers' claims, so a caller reaching both customers (a group agent) also sees a duplicate across brands that
    /// a brand-scoped caller never hears of, and nothing recorded in either stream tells the brand-scoped caller it exists.
    /// </summary>
    private static async Task<IReadOnlyList<PossibleDuplicate>> PossibleDuplicatesAsync(IQuerySession session, Access.Caller caller,
        Customer customer, IReadOnlyList<HeldIdentifier> shown, IReadOnlyList<Guid> members, Group.GroupCatalog group, DateTimeOffset now,
        CancellationToken cancellation)
    {
        if (shown.Count == 0) return [];
        var claims = await session.LoadManyAsync<Identity.IdentifierClaim>(cancellation, shown.Select(i => i.Identifier.Key).ToArray());
        var (visible, _) = await Access.CustomerReach.SplitClaimsAsync(session, caller, claims, group, now, cancellation);
        return shown.SelectMany(held => (visible.GetValueOrDefault(held.Identifier.Key)?.HoldersOtherThan(customer.Id) ?? [])
                .Select(other => new PossibleDuplicate(other.CustomerId, held.Identifier.Key, held.LinkedAt)))
            .Where(d => !members.Contains(d.OtherCustomerId) && !customer.DismissedDuplicates.Contains(d.OtherCustomerId))
            .ToList();
    }
}

public static class CustomerReads
{
    public static IResult NotFound(Guid customerId) =>
        ProblemResults.For(new Rejection(RejectionKind.NotFound, "customerId", $"No customer '{customerId}' in the ledger."), versionFromHeader: false);
}
