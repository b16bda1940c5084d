using InteractionLedger.Group;
using InteractionLedger.Hosting;
using InteractionLedger.Http;
using Marten;

namespace InteractionLedger.Identity;

/// <summary>Who an identifier names.</summary>
/// <param name="ResolvesTo">The customer a contact naming only this identifier would be recorded for; null when nobody
/// or several customers hold it (then the caller chooses among <paramref name="Holders"/>).</param>
public sealed record IdentifierLookup(string Key, IdentifierKind Kind, string NormalizedValue, IReadOnlyList<IdentifierHolder> Holders,
    Guid? ResolvesTo);

public static class LookupIdentifierEndpoint
{
    public static RouteHandlerBuilder MapLookupIdentifier(this IEndpointRouteBuilder app) => app
        .MapGet("/identifiers", async (string? kind, string? value, string? brand, IQuerySession session, GroupCatalog group,
            CancellationToken cancellation) =>
        {
            var errors = new InputErrors();
            IdentifierKind? parsedKind = ApiJson.TryParse<IdentifierKind>(kind, out var k) ? k : null;
            if (kind is not null && parsedKind is null)
                return InputErrors.For("kind", $"'{kind}' is not an identifier kind; use one of: {ApiJson.AllowedValues<IdentifierKind>()}.").ToResult();
            var identifier = IdentifierValidation.Normalize(new IdentifierInput(parsedKind, value, brand), "identifier", group, errors);
            if (errors.Any) return errors.ToResult();

            // By primary key: one index probe, whatever the number of customers.
            var claim = await session.LoadAsync<IdentifierClaim>(identifier!.Key, cancellation);
            var claims = claim is null ? new Dictionary<string, IdentifierClaim>() : new() { [claim.Id] = claim };
            var resolution = IdentityDecisions.Resolve([identifier], claims);
            return Results.Ok(new IdentifierLookup(identifier.Key, identifier.Kind, identifier.Value, claim?.Holders ?? [],
                (resolution as Resolution.Existing)?.CustomerId));
        })
        .WithName("LookupIdentifier")
        .WithTags("Identity")
        .WithSummary("Find the customer(s) an identifier names (kind=email|phone|brand-customer-number|…, value, brand).")
        .Produces<IdentifierLookup>()
        .ProducesValidationProblem();
}
