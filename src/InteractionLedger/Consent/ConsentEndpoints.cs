using InteractionLedger.Access;
using InteractionLedger.Group;
using InteractionLedger.Privacy;
using Marten;

namespace InteractionLedger.Consent;

/// <summary>Where the customer stands on one purpose, for the caller's brands, now.</summary>
/// <param name="Status">not-given, given, withdrawn, expired or objected.</param>
public sealed record PurposeStanding(Purpose Purpose, LegalBasis LegalBasis, ConsentStatus Status, DateTimeOffset? Since, DateTimeOffset? ExpiresAt);

/// <param name="Statements">The customer's latest statement per purpose and brand (null brand: the whole group).</param>
public sealed record CustomerConsents(Guid CustomerId, IReadOnlyList<PurposeStanding> Standings, IReadOnlyList<ConsentStatement> Statements,
    AccessNotice Access);

public static class ConsentEndpoints
{
    public static RouteHandlerBuilder MapCustomerConsents(this IEndpointRouteBuilder customers) => customers
        .MapGet("/{customerId:guid}/consents", async (Guid customerId, IQuerySession session, PersonalDataGate gate, GroupCatalog group,
            TimeProvider clock, HttpContext http, CancellationToken cancellation) =>
        {
            var (pass, problem) = await gate.OpenCustomerAsync(http, session, customerId, DataView.Consents, cancellation);
            if (pass is null) return problem!;
            var caller = Caller.From(http.User);
            var now = clock.GetUtcNow();
            var people = pass.Customer!.People;
            var standings = PurposePolicy.Rules.Where(r => r.ConsentRequired || r.Objectable).Select(rule =>
            {
                var standing = ConsentRules.StandingFor(people, rule.Purpose, caller, group.Brands.Select(b => b.Code), now);
                return new PurposeStanding(rule.Purpose, rule.LegalBasis, standing.Status, standing.Statement?.At, standing.Statement?.ExpiresAt);
            }).ToList();
            var statements = people.SelectMany(p => p.Consents.Values)
                .Where(s => s.Brand is null || pass.Decision.ShowsBrand(s.Brand)).OrderBy(s => s.At).ToList();
            return Results.Ok(new CustomerConsents(pass.Customer.Root, standings, statements, pass.Notice));
        })
        .WithName("GetCustomerConsents")
        .WithTags("Consent")
        .WithSummary("Where the customer stands on each purpose for your brands: what you may do with their data right now.")
        .WithPersonalDataRead()
        .Produces<CustomerConsents>()
        .ProducesProblem(StatusCodes.Status404NotFound);
}
