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

/// <param name="Purpose">A purpose the customer may object to: personalisation, marketing, analytics, bot-profiling.</param>
/// <param name="Brand">The brand the objection concerns; omit for the whole group.</param>
/// <summary>An objection (GDPR art. 21) or restriction the customer expressed, to record.</summary>
/// <param name="Reason">The customer's grounds, in their words (optional, at most 500 characters).</param>
/// <param name="CollectedVia">The channel the customer objected on.</param>
public sealed record RecordObjectionRequest([property: Required] Purpose? Purpose, string? Brand, string? Reason, [property: Required] Channel? CollectedVia);

public sealed record RecordObjection(Guid CustomerId, ObjectionRecorded Objection);

public static class RecordObjectionHandler
{
    public static Decision Decide(RecordObjection command, Customer customer) =>
        ConsentRules.Restates(customer, command.Objection.Purpose, command.Objection.Brand, ConsentStatus.Objected)
            ? Decision.NothingToDo
            : Decision.Emit(command.Objection);

    public static Task<WriteOutcome> Handle(RecordObjection command, IDocumentSession session, CancellationToken cancellation) =>
        session.LockAndDecideAsync(command.CustomerId, null, customer => Decide(command, customer), cancellation);
}

public static class RecordObjectionEndpoint
{
    public const int MaxReasonLength = 500;

    public static RouteHandlerBuilder MapRecordObjection(this IEndpointRouteBuilder customers) => customers
        .MapPost("/{customerId:guid}/objections", (Guid customerId, RecordObjectionRequest request, ClaimsPrincipal user,
            HttpContext http, GroupCatalog group, TimeProvider clock, IMessageBus bus) =>
        {
            if (CustomerReach.OutsideBrands(http, group, request.Brand) is { } refused) return Task.FromResult(refused);
            var caller = Caller.From(user);
            var errors = new InputErrors();
            errors.Required("purpose", request.Purpose);
            if (request.Purpose is { } purpose && !PurposePolicy.RuleFor(purpose).Objectable)
                errors.Add("purpose", $"'{Hosting.ApiJson.Name(purpose)}' cannot be objected to: it is needed to serve the customer or required by law.");
            ConsentScope.Validate(request.Brand, group, errors);
            errors.MaxLength("reason", request.Reason, MaxReasonLength);
            errors.Required("collectedVia", request.CollectedVia);
            return CommandEndpoint.RunAsync(http, bus, errors, null,
                _ => new RecordObjection(customerId, new ObjectionRecorded(request.Purpose!.Value, ConsentScope.Brand(request.Brand),
                    string.IsNullOrWhiteSpace(request.Reason) ? null : request.Reason.Trim(), request.CollectedVia!.Value, caller.Id, clock.GetUtcNow())),
                o => new WriteReceipt(customerId, o.Version, Replayed: !o.Written));
        })
        .WithName("RecordObjection")
        .WithSummary("Record that the customer objects to (or restricts) a purpose: it is refused for them from now on.")
        .RequireAuthorization(LedgerPolicies.RecordConsent)
        .Produces<WriteReceipt>()
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound);
}
