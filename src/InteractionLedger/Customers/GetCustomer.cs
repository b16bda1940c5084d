using InteractionLedger.Cases;
using InteractionLedger.Http;
using Marten;

namespace InteractionLedger.Customers;

/// <summary>A customer's identity in the ledger and the size of their history.</summary>
/// <param name="Version">Current stream version; also sent as ETag, to echo in If-Match on the next write.</param>
/// <param name="Identifiers">What the customer is known by, with how strongly each identifies them.</param>
/// <param name="MergedInto">The survivor this customer was merged into, while that merge stands.</param>
/// <param name="MergedCustomers">Customers merged directly into this one.</param>
/// <param name="PossibleDuplicates">Other customers sharing a weak identifier with this one, for an agent to look at.</param>
public sealed record CustomerProfile(Guid CustomerId, string? DisplayName, DateTimeOffset RegisteredAt,
    int InteractionCount, int OpenCaseCount, long Version, IReadOnlyList<HeldIdentifier> Identifiers,
    IReadOnlyList<PossibleDuplicate> PossibleDuplicates, Guid? MergedInto, IReadOnlyList<Guid> MergedCustomers);

public static class GetCustomerEndpoint
{
    public static RouteHandlerBuilder MapGetCustomer(this IEndpointRouteBuilder customers) => customers
        .MapGet("/{customerId:guid}", async (Guid customerId, IQuerySession session, HttpContext http, CancellationToken cancellation) =>
        {
            var batch = session.CreateBatchQuery();
            var customer = batch.Load<Customer>(customerId);
            var state = batch.Events.FetchStreamState(customerId);
            await batch.Execute(cancellation);
            if (await customer is not { } found) return CustomerReads.NotFound(customerId);

            var version = (await state)?.Version ?? 0;
            http.Response.Headers.ETag = ExpectedVersion.ETagFor(version);
            return Results.Ok(new CustomerProfile(found.Id, found.DisplayName, found.RegisteredAt, found.InteractionCount,
                found.Cases.Count(c => c.Value == CaseStatus.Open), version,
                found.Identifiers.Values.OrderBy(i => i.LinkedAt).ToList(), found.PossibleDuplicates, found.AbsorbedInto, found.Absorbed));
        })
        .WithName("GetCustomer")
        .WithSummary("Read a customer's profile and current stream version.")
        .Produces<CustomerProfile>()
        .ProducesProblem(StatusCodes.Status404NotFound);
}

public static class CustomerReads
{
    public static IResult NotFound(Guid customerId) =>
        ProblemResults.For(new Rejection(RejectionKind.NotFound, "customerId", $"No customer '{customerId}' in the ledger."), versionFromHeader: false);
}
