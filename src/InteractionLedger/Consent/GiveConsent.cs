using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using InteractionLedger.Access;
using InteractionLedger.Customers;
using InteractionLedger.Group;
using InteractionLedger.Http;
using InteractionLedger.Interactions;
using InteractionLedger.Privacy;
using Marten;
using Wolverine;

namespace InteractionLedger.Consent;

/// <summary>A consent the customer gave, to record.</summary>
/// <param name="ConsentId">The collecting system's id for this consent (a UUID): re-sending it records nothing new.</param>
/// <param name="Purpose">A purpose whose legal basis is consent: personalisation, marketing, cross-brand-sharing, bot-profiling.</param>
/// <param name="Brand">The brand the consent covers; omit for the whole group.</param>
/// <param name="CollectedVia">The channel the customer gave it on.</param>
/// <param name="Notice">The text, or the version of the notice, shown to the customer (at most 2,000 characters).</param>
/// <param name="ExpiresAt">When it lapses unless renewed (optional, in the future).</param>
public sealed record GiveConsentRequest([property: Required] Guid? ConsentId, [property: Required] Purpose? Purpose, string? Brand, [property: Required] Channel? CollectedVia, [property: Required] string? Notice,
    DateTimeOffset? ExpiresAt);

public sealed record GiveConsent(Guid CustomerId, ConsentGiven Consent);

public static class GiveConsentHandler
{
    public static Decision Decide(GiveConsent command, ConsentHistory? history)
    {
        if (history?.Entries.FirstOrDefault(e => e.ConsentId == command.Consent.ConsentId && e.Kind == "given") is not { } earlier)
            return Decision.Emit(command.Consent);
        return earlier.Purpose == command.Consent.Purpose && earlier.Brand == command.Consent.Brand
            ? Decision.NothingToDo
            : Decision.Conflict("consentId", $"Consent '{command.Consent.ConsentId}' was recorded for another purpose or brand.");
    }

    public static async Task<WriteOutcome> Handle(GiveConsent command, IDocumentSession session, CancellationToken cancellation)
    {
        var (stream, history) = await session.LockWithAsync<ConsentHistory>(command.CustomerId, command.CustomerId, cancellation);
        return session.Decide(stream, null, _ => Decide(command, history));
    }
}

public static class GiveConsentEndpoint
{
    public const int MaxNoticeLength = 2000;

    public static RouteHandlerBuilder MapGiveConsent(this IEndpointRouteBuilder customers) => customers
        .MapPost("/{customerId:guid}/consents", (Guid customerId, GiveConsentRequest request, ClaimsPrincipal user, HttpContext http,
            GroupCatalog group, TimeProvider clock, IMessageBus bus) =>
        {
            if (CustomerReach.OutsideBrands(http, group, request.Brand) is { } refused) return Task.FromResult(refused);
            var caller = Caller.From(user);
            var now = clock.GetUtcNow();
            var errors = new InputErrors();
            errors.RequiredId("consentId", request.ConsentId);
            errors.Required("purpose", request.Purpose);
            if (request.Purpose is { } purpose && PurposePolicy.RuleFor(purpose).LegalBasis != LegalBasis.Consent)
                errors.Add("purpose", $"'{Hosting.ApiJson.Name(purpose)}' rests on {Hosting.ApiJson.Name(PurposePolicy.RuleFor(purpose).LegalBasis)}, not consent: no consent is collected for it.");
            ConsentScope.Validate(request.Brand, group, errors);
            errors.Required("collectedVia", request.CollectedVia);
            errors.Required("notice", request.Notice);
            errors.MaxLength("notice", request.Notice, MaxNoticeLength);
            if (request.ExpiresAt is { } expires && expires <= now) errors.Add("expiresAt", "'expiresAt' must be in the future.");
            return CommandEndpoint.RunAsync(http, bus, errors, null,
                _ => new GiveConsent(customerId, new ConsentGiven(request.ConsentId!.Value, request.Purpose!.Value, ConsentScope.Brand(request.Brand),
                    LegalBasis.Consent, request.CollectedVia!.Value, request.Notice!.Trim(), caller.Id, now, request.ExpiresAt)),
                o => new WriteReceipt(customerId, o.Version, Replayed: !o.Written));
        })
        .WithName("GiveConsent")
        .WithSummary("Record a consent the customer gave: purpose, brand (or the whole group), channel, notice shown, expiry.")
        .RequireAuthorization(LedgerPolicies.RecordConsent)
        .Produces<WriteReceipt>()
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict);
}

/// <summary>The brand a consent statement names: one of the group's, or none for the whole group.</summary>
public static class ConsentScope
{
    public static void Validate(string? brand, GroupCatalog group, InputErrors errors)
    {
        if (!string.IsNullOrWhiteSpace(brand) && !group.IsKnownBrand(brand)) errors.Add("brand", $"'{brand}' is not a brand of {group.Name}.");
    }

    public static string? Brand(string? brand) => string.IsNullOrWhiteSpace(brand) ? null : brand;
}
