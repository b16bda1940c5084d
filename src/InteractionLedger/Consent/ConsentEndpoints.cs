using InteractionLedger.Access;
using InteractionLedger.Group;
using InteractionLedger.Privacy;
using Marten;

namespace InteractionLedger.Consent;

/// <summary>Where the customer stands on one purpose, for the caller's brands, now.</summary>
/// <param name="Purpose">The purpose.</param>
/// <param name="LegalBasis">The legal basis it rests on.</param>
/// <param name="Status">not-given, given, withdrawn, expired or objected.</param>
/// <param name="Since">When the statement that decides this standing was made; null when the customer has said nothing about this purpose.</param>
/// <param name="ExpiresAt">When the deciding consent lapses (or lapsed) unless renewed; null when it does not expire, or no consent decides.</param>
public sealed record PurposeStanding(Purpose Purpose, LegalBasis LegalBasis, ConsentStatus Status, DateTimeOffset? Since, DateTimeOffset? ExpiresAt);

/// <summary>Where the customer stands on each purpose for the caller's brands, and the statements behind it.</summary>
/// <param name="CustomerId">The customer (the survivor, when an absorbed id was asked for).</param>
/// <param name="Standings">One per purpose that needs consent or can be objected to: personalisation, marketing, analytics, cross-brand-sharing, bot-profiling.</param>
/// <param name="Statements">The customer's latest statement per purpose and brand (null brand: the whole group).</param>
/// <param name="Access">How this read was decided, and what it leaves out.</param>
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
