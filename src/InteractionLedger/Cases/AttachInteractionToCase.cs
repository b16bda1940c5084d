using System.ComponentModel.DataAnnotations;
using InteractionLedger.Access;
using InteractionLedger.Customers;
using InteractionLedger.Http;
using InteractionLedger.Interactions;
using Marten;
using Wolverine;

namespace InteractionLedger.Cases;

/// <summary>A contact recorded earlier, to attach to an open case.</summary>
/// <param name="InteractionId">A contact already recorded for this customer.</param>
/// <param name="AttachedBy">Id of the agent or system making the link.</param>
/// <param name="ExpectedVersion">Optional: the customer's stream version you expect (an ETag you read), instead of If-Match; a stale one answers 409.</param>
public sealed record AttachInteractionRequest([property: Required] Guid? InteractionId, string? AttachedBy, long? ExpectedVersion);

public sealed record AttachInteractionToCase(Guid CustomerId, Guid CaseId, Guid InteractionId, string AttachedBy, DateTimeOffset Now, long? ExpectedVersion,
    IReadOnlySet<string>? VisibleBrands) : Access.IBrandScopedCommand;

public static class AttachInteractionToCaseHandler
{
    public static Decision Decide(AttachInteractionToCase command, Customer customer, TimelineEntry? interaction)
    {
        if (customer.CaseSeenBy(command, command.CaseId) is not { } status)
            return Decision.NotFound("caseId", $"The customer has no case '{command.CaseId}'.");
        if (interaction is null || interaction.CustomerId != customer.Id || !command.Sees(interaction.Brand))
            return Decision.Invalid("interactionId", $"The customer has no interaction '{command.InteractionId}'.");
        if (interaction.CaseId == command.CaseId) return Decision.NothingToDo;
        // A case is one brand's: its figures (contacts, channels, last step) are shown to whoever sees that brand.
        if (customer.CaseBrands.GetValueOrDefault(command.CaseId) is { } caseBrand && caseBrand != interaction.Brand)
            return Decision.Invalid("interactionId", $"Case '{command.CaseId}' is {caseBrand}'s; a contact with {interaction.Brand} cannot join it.");
        if (interaction.CaseId is { } other)
            return Decision.Conflict("interactionId", $"Interaction '{command.InteractionId}' already belongs to case '{other}'.");
        if (status == CaseStatus.Resolved)
            return Decision.Conflict("caseId", $"Case '{command.CaseId}' is resolved; reopen it before adding contacts to it.");

        return Decision.Emit(new InteractionAttachedToCase(command.InteractionId, command.CaseId, interaction.Channel,
            interaction.OccurredAt, command.AttachedBy, command.Now));
    }

    public static async Task<WriteOutcome> Handle(AttachInteractionToCase command, IDocumentSession session, CancellationToken cancellation)
    {
        var (stream, interaction) = await session.LockWithAsync<TimelineEntry>(command.CustomerId, command.InteractionId, cancellation);
        return session.Decide(stream, command.ExpectedVersion, customer => Decide(command, customer, interaction));
    }
}

public static class AttachInteractionToCaseEndpoint
{
    public static RouteHandlerBuilder MapAttachInteractionToCase(this IEndpointRouteBuilder customers) => customers
        .MapPost("/{customerId:guid}/cases/{caseId:guid}/interactions", (Guid customerId, Guid caseId,
            AttachInteractionRequest request, HttpContext http, TimeProvider clock, IMessageBus bus) =>
        {
            var errors = new InputErrors();
            errors.RequiredId("interactionId", request.InteractionId);
            CaseActors.Validate("attachedBy", request.AttachedBy, errors);
            return CommandEndpoint.RunAsync(http, bus, errors, request.ExpectedVersion,
                expected => new AttachInteractionToCase(customerId, caseId, request.InteractionId!.Value,
                    request.AttachedBy!.Trim(), clock.GetUtcNow(), expected, Access.CustomerReach.WritableBrands(http)),
                o => new CaseReceipt(customerId, caseId, o.Version, Replayed: !o.Written));
        })
        .WithName("AttachInteractionToCase")
        .WithSummary("Attach a contact recorded earlier to an open case.")
        .Produces<CaseReceipt>()
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status412PreconditionFailed)
        .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
}
