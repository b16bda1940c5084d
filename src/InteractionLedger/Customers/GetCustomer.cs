using InteractionLedger.Cases;
using InteractionLedger.Http;
using InteractionLedger.Privacy;
using Marten;

namespace InteractionLedger.Customers;

/// <summary>A customer's identity in the ledger and the size of their history.</summary>
/// <param name="CustomerId">The customer's ledger id, as asked for (when it was merged into another, see <c>mergedInto</c>).</param>
/// <param name="DisplayName">Null when identity is withheld for the stated purpose (see access).</param>
/// <param name="InteractionCount">Null when the customer has history with brands the caller may not see.</param>
/// <param name="OpenCaseCount">Open cases of this customer, in the brands the caller may see.</param>
/// <param name="Version">Current stream version; also sent as ETag, to echo in If-Match on the next write.</param>
/// <param name="Identifiers">What the customer is known by, with how strongly each identifies them.</param>
/// <param name="MergedInto">The survivor this customer was merged into, while that merge stands.</param>
/// <param name="MergedCustomers">Customers merged directly into this one.</param>
/// <param name="PossibleDuplicates">Other customers sharing a weak identifier with this one, for an agent to look at.</param>
/// <param name="Access">How this read was decided, and what it leaves out.</param>
/// <param name="RegisteredAt">Null when another brand registered the customer and its history is withheld.</param>
public sealed record CustomerProfile(Guid CustomerId, string? DisplayName, DateTimeOffset? RegisteredAt,
    int? InteractionCount, int OpenCaseCount, long Version, IReadOnlyList<HeldIdentifier> Identifiers,
    IReadOnlyList<PossibleDuplicate> PossibleDuplicates, Guid? MergedInto, IReadOnlyList<Guid> MergedCustomers, AccessNotice Access);

public static class GetCustomerEndpoint
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
            var shownIdentifiers = found.Identifiers.Values.Where(i => i.SeenBy(decision.ShowsBrand)).ToList();
            var duplicates = await Identity.PossibleDuplicates.VisibleAsync(session, Access.Caller.From(http.User), found, shownIdentifiers,
                pass.Customer.Members, group, clock.GetUtcNow(), cancellation);
            http.Response.Headers.ETag = ExpectedVersion.ETagFor(version);
            var registeredByVisibleBrand = found.RegisteredFor is null || decision.ShowsBrand(found.RegisteredFor);
            return Results.Ok(new CustomerProfile(found.Id,
                identity && registeredByVisibleBrand ? found.DisplayName : null, registeredByVisibleBrand ? found.RegisteredAt : null,
                decision.VisibleBrands is null ? found.InteractionCount : null,
                found.Cases.Count(c => c.Value == CaseStatus.Open && (found.CaseBrands.GetValueOrDefault(c.Key) is not { } brand || decision.ShowsBrand(brand))),
                version,
                identity ? shownIdentifiers.OrderBy(i => i.LinkedAt).Select(i => i.AsSeenBy(decision.ShowsBrand)).ToList() : [],
                identity ? duplicates : [], found.AbsorbedInto, found.Absorbed, pass.Notice));
        })
        .WithName("GetCustomer")
        .WithSummary("Read a customer's profile and current stream version.")
        .WithPersonalDataRead()
        .Produces<CustomerProfile>()
        .ProducesProblem(StatusCodes.Status404NotFound);
}

public static class CustomerReads
{
    public static IResult NotFound(Guid customerId) =>
        ProblemResults.For(new Rejection(RejectionKind.NotFound, "customerId", $"No customer '{customerId}' in the ledger."), versionFromHeader: false);
}
