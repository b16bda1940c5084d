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

/// <summary>A consent the customer withdrew, to record.</summary>
/// <param name="Purpose">A purpose whose legal basis is consent: personalisation, marketing, cross-brand-sharing, bot-profiling.</param>
/// <param name="Brand">The brand the withdrawal concerns; omit to withdraw for the whole group.</param>
/// <param name="CollectedVia">The channel the customer withdrew it on.</param>
public sealed record WithdrawConsentRequest([property: Required] Purpose? Purpose, string? Brand, [property: Required] Channel? CollectedVia);

public sealed record WithdrawConsent(Guid CustomerId, ConsentWithdrawn Withdrawal);

public static class WithdrawConsentHandler
{
    public static Decision Decide(WithdrawConsent command, Customer customer) =>
        ConsentRules.Restates(customer, command.Withdrawal.Purpose, command.Withdrawal.Brand, ConsentStatus.Withdrawn)
            ? Decision.NothingToDo
            : Decision.Emit(command.Withdrawal);

    public static Task<WriteOutcome> Handle(WithdrawConsent command, IDocumentSession session, CancellationToken cancellation) =>
        session.LockAndDecideAsync(command.CustomerId, null, customer => Decide(command, customer), cancellation);
}

public static class WithdrawConsentEndpoint
{
    public static RouteHandlerBuilder MapWithdrawConsent(this IEndpointRouteBuilder customers) => customers
        .MapPost("/{customerId:guid}/consents/withdrawals", (Guid customerId, WithdrawConsentRequest request, ClaimsPrincipal user,
            HttpContext http, GroupCatalog group, TimeProvider clock, IMessageBus bus) =>
        {
            if (CustomerReach.OutsideBrands(http, group, request.Brand) is { } refused) return Task.FromResult(refused);
            var caller = Caller.From(user);
            var errors = new InputErrors();
            errors.Required("purpose", request.Purpose);
            if (request.Purpose is { } purpose && PurposePolicy.RuleFor(purpose).LegalBasis != LegalBasis.Consent)
                errors.Add("purpose", $"'{Hosting.ApiJson.Name(purpose)}' does not rest on consent: to stop it, record an objection.");
            ConsentScope.Validate(request.Brand, group, errors);
            errors.Required("collectedVia", request.CollectedVia);
            return CommandEndpoint.RunAsync(http, bus, errors, null,
                _ => new WithdrawConsent(customerId, new ConsentWithdrawn(request.Purpose!.Value, ConsentScope.Brand(request.Brand),
                    request.CollectedVia!.Value, caller.Id, clock.GetUtcNow())),
                o => new WriteReceipt(customerId, o.Version, Replayed: !o.Written));
        })
        .WithName("WithdrawConsent")
        .WithSummary("Record that the customer withdrew a consent: reads for that purpose are refused from now on; the history keeps the consent.")
        .RequireAuthorization(LedgerPolicies.RecordConsent)
        .Produces<WriteReceipt>()
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound);
}
