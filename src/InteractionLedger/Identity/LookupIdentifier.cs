using InteractionLedger.Group;
using InteractionLedger.Hosting;
using InteractionLedger.Http;
using InteractionLedger.Merging;
using InteractionLedger.Privacy;
using Marten;

namespace InteractionLedger.Identity;

/// <summary>Who an identifier names.</summary>
/// <param name="Key">The normalised identifier's key (e.g. <c>email:jeanne.martin@example.com</c>).</param>
/// <param name="Kind">The identifier's kind.</param>
/// <param name="NormalizedValue">The value after normalisation, as matching compares it.</param>
/// <param name="ResolvesTo">The customer a contact naming only this identifier would be recorded for; null when nobody
/// or several customers hold it (then the caller chooses among <c>holders</c>).</param>
/// <param name="Holders">The holders within the caller's reach and purpose; others are neither shown nor hinted at.</param>
/// <param name="Access">One decision per holder read, each with its access record.</param>
public sealed record IdentifierLookup(string Key, IdentifierKind Kind, string NormalizedValue, IReadOnlyList<IdentifierHolder> Holders,
    Guid? ResolvesTo, IReadOnlyList<AccessNotice> Access);

public static class LookupIdentifierEndpoint
{
    public static RouteHandlerBuilder MapLookupIdentifier(this IEndpointRouteBuilder app) => app
        .MapGet("/identifiers", async (string? kind, string? value, string? brand, IQuerySession session, GroupCatalog group,
            PersonalDataGate gate, TimeProvider clock, HttpContext http, CancellationToken cancellation) =>
        {
            if (!PersonalDataGate.TryReadPurpose(http.Request, out var purpose, out var purposeProblem)) return purposeProblem!;
            var errors = new InputErrors();
            IdentifierKind? parsedKind = ApiJson.TryParse<IdentifierKind>(kind, out var k) ? k : null;
            if (kind is not null && parsedKind is null)
                return InputErrors.For("kind", $"'{kind}' is not an identifier kind; use one of: {ApiJson.AllowedValues<IdentifierKind>()}.").ToResult();
            var identifier = IdentifierValidation.Normalize(new IdentifierInput(parsedKind, value, brand), "identifier", group, errors);
            if (errors.Any) return errors.ToResult();
            if (Access.CustomerReach.ForeignIssuedIdentifier(http, group, [(identifier!, "identifier")]) is { } foreign) return foreign;

            // By primary key: one index probe, whatever the number of customers.
            var claim = await session.LoadAsync<IdentifierClaim>(identifier!.Key, cancellation);
            // Holders the caller may not see (out of reach, or holding it through another brand) are left out of the
            // answer and of the resolution alike; each attempt on one is on record.
            var (claims, hidden) = claim is null ? ([], [])
                : await Access.CustomerReach.SplitClaimsAsync(session, Access.Caller.From(http.User), [claim], group, clock.GetUtcNow(), cancellation);
            foreach (var holder in hidden.Values.SelectMany(c => c.Holders))
                if (await CustomerGroup.LoadAsync(session, holder.CustomerId, cancellation) is { } outOfReach)
                    await gate.RecordOutOfReachAsync(http, outOfReach, cancellation);
            var resolution = IdentityDecisions.Resolve([identifier], claims);
            // Who holds an identifier is personal data of each holder: each one is decided and recorded on its own.
            var shown = new List<IdentifierHolder>();
            var notices = new List<AccessNotice>();
            foreach (var holder in claims.Values.SelectMany(c => c.Holders))
            {
                if (await CustomerGroup.LoadAsync(session, holder.CustomerId, cancellation) is not { } holderGroup) continue;
                var pass = await gate.DecideAsync(http, purpose, DataView.IdentifierLookup, holderGroup, cancellation);
                if (pass.Decision.Outcome == AccessOutcome.Refused || !pass.Decision.Shows(DataPart.Identity)) continue;
                shown.Add(holder);
                notices.Add(pass.Notice);
            }
            var resolvesTo = (resolution as Resolution.Existing)?.CustomerId;
            return Results.Ok(new IdentifierLookup(identifier.Key, identifier.Kind, identifier.Value, shown,
                shown.Any(h => h.CustomerId == resolvesTo) ? resolvesTo : null, notices));
        })
        .WithName("LookupIdentifier")
        .WithTags("Identity")
        .WithSummary("Find the customer(s) an identifier names (kind=email|phone|brand-customer-number|…, value, brand).")
        .WithPersonalDataRead()
        .Produces<IdentifierLookup>();
}
