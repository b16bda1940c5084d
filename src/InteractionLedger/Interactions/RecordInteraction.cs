using System.ComponentModel.DataAnnotations;
using InteractionLedger.Access;
using InteractionLedger.Customers;
using InteractionLedger.Group;
using InteractionLedger.Http;
using Marten;
using Wolverine;

namespace InteractionLedger.Interactions;

/// <summary>A contact to record. Fields are nullable only so that a missing one is reported by name.</summary>
/// <param name="InteractionId">The reporting system's own id for this contact (a UUID). Re-sending it records nothing new.</param>
/// <param name="OccurredAt">When the contact happened (ISO 8601 with offset). At most 5 minutes in the future, for clock skew.</param>
/// <param name="Brand">Code of the group's brand the customer dealt with.</param>
/// <param name="Channel">The channel the contact happened on.</param>
/// <param name="Direction"><c>inbound</c> (the customer started it) or <c>outbound</c> (the brand did).</param>
/// <param name="Reason">Why the customer (or the brand) made contact.</param>
/// <param name="HandledBy">Who handled it on the brand's side; <c>id</c> is required for an agent or a bot.</param>
/// <param name="Outcome">How the contact ended.</param>
/// <param name="WaitingSeconds">Seconds the customer waited before being served (0 to 2,592,000, i.e. 30 days); omit when not measured.</param>
/// <param name="HandlingSeconds">Seconds spent handling the contact (0 to 86,400); omit when not measured.</param>
/// <param name="Summary">What happened, in a sentence or two (at most 1,000 characters).</param>
/// <param name="CaseId">The open case this contact belongs to, if any.</param>
/// <param name="ExpectedVersion">The stream version the client expects (alternative to If-Match).</param>
public sealed record RecordInteractionRequest(
    [property: Required] Guid? InteractionId,
    [property: Required] DateTimeOffset? OccurredAt,
    [property: Required] string? Brand,
    [property: Required] Channel? Channel,
    [property: Required] Direction? Direction,
    [property: Required] ContactReason? Reason,
    [property: Required] HandledBy? HandledBy,
    [property: Required] Outcome? Outcome,
    int? WaitingSeconds,
    int? HandlingSeconds,
    string? Summary,
    Guid? CaseId,
    long? ExpectedVersion);

/// <summary>The answer to recording a contact.</summary>
/// <param name="CustomerId">The customer the contact was recorded for.</param>
/// <param name="InteractionId">The contact's id, as given.</param>
/// <param name="Replayed">True when the same contact had already been recorded: nothing new was recorded.</param>
/// <param name="Version">The stream version the contact was recorded at (also for a re-sent contact). The ETag header
/// carries the stream's current version, for the next conditional write.</param>
public sealed record InteractionReceipt(Guid CustomerId, Guid InteractionId, long Version, bool Replayed);

public sealed record RecordInteraction(Guid CustomerId, InteractionRecorded Interaction, long? ExpectedVersion, IReadOnlySet<string>? VisibleBrands)
    : IBrandScopedCommand;

public static class RecordInteractionHandler
{
    /// <param name="existing">The timeline entry already holding this interaction id, if any (any customer).</param>
    public static Decision Decide(RecordInteraction command, Customer customer, TimelineEntry? existing)
    {
        var recorded = command.Interaction;
        if (existing is not null)
        {
            if (existing.CustomerId != customer.Id)
                return Decision.Conflict("interactionId", $"Interaction '{recorded.InteractionId}' is already recorded for another customer.");
            return IsSameContact(existing, recorded)
                ? new Decision.AlreadyDone(existing.RecordedAtVersion)
                : Decision.Conflict("interactionId", $"Interaction '{recorded.InteractionId}' was already recorded with different content; a new contact needs a new id.");
        }

        if (recorded.CaseId is { } caseId)
        {
            if (customer.CaseSeenBy(command, caseId) is not { } status)
                return Decision.Invalid("caseId", $"The customer has no case '{caseId}'.");
            if (customer.CaseBrands.GetValueOrDefault(caseId) is { } caseBrand && caseBrand != recorded.Brand)
                return Decision.Invalid("caseId", $"Case '{caseId}' is {caseBrand}'s; a contact with {recorded.Brand} cannot join it.");
            if (status == Cases.CaseStatus.Resolved)
                return Decision.Conflict("caseId", $"Case '{caseId}' is resolved; reopen it before adding contacts to it.");
        }

        return Decision.Emit(recorded);
    }

    private static bool IsSameContact(TimelineEntry existing, InteractionRecorded recorded) =>
        existing.OccurredAt == recorded.OccurredAt && existing.Brand == recorded.Brand &&
        existing.Channel == recorded.Channel && existing.Direction == recorded.Direction &&
        existing.Reason == recorded.Reason && existing.Outcome == recorded.Outcome;

    public static async Task<WriteOutcome> Handle(RecordInteraction command, IDocumentSession session, CancellationToken cancellation)
    {
        var (stream, existing) = await session.LockWithAsync<TimelineEntry>(command.CustomerId, command.Interaction.InteractionId, cancellation);
        return session.Decide(stream, command.ExpectedVersion, customer => Decide(command, customer, existing));
    }
}

public static class RecordInteractionEndpoint
{
    public const int MaxSummaryLength = 1000;
    public const int MaxHandlerIdLength = 100;
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);
    /// <summary>Older contacts are accepted (imports of past history); before this they are typing errors.</summary>
    public static readonly DateTimeOffset EarliestContact = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private const int MaxWaitingSeconds = 30 * 24 * 3600; // an e-mail may wait days for an answer
    private const int MaxHandlingSeconds = 24 * 3600;

    public static InputErrors Validate(RecordInteractionRequest request, GroupCatalog group, DateTimeOffset now)
    {
        var errors = new InputErrors();
        errors.RequiredId("interactionId", request.InteractionId);
        errors.Required("occurredAt", request.OccurredAt);
        if (request.OccurredAt is { } occurredAt)
        {
            if (occurredAt > now + MaxClockSkew)
                errors.Add("occurredAt", $"'occurredAt' ({occurredAt:O}) is in the future beyond the allowed clock skew of {MaxClockSkew.TotalMinutes} minutes.");
            if (occurredAt < EarliestContact)
                errors.Add("occurredAt", $"'occurredAt' ({occurredAt:O}) is before {EarliestContact:yyyy-MM-dd}.");
        }
        errors.Required("brand", request.Brand);
        if (!string.IsNullOrWhiteSpace(request.Brand) && !group.IsKnownBrand(request.Brand))
            errors.Add("brand", $"'{request.Brand}' is not a brand of {group.Name}. Known brands: {string.Join(", ", group.Brands.Select(b => b.Code))}.");
        errors.Required("channel", request.Channel);
        errors.Required("direction", request.Direction);
        errors.Required("reason", request.Reason);
        errors.Required("outcome", request.Outcome);
        ValidateHandler(request.HandledBy, errors);
        errors.Range("waitingSeconds", request.WaitingSeconds, 0, MaxWaitingSeconds);
        errors.Range("handlingSeconds", request.HandlingSeconds, 0, MaxHandlingSeconds);
        errors.MaxLength("summary", request.Summary, MaxSummaryLength);
        if (request.CaseId == Guid.Empty) errors.Add("caseId", "'caseId' must be a non-empty UUID when given.");
        return errors;
    }

    private static void ValidateHandler(HandledBy? handledBy, InputErrors errors)
    {
        if (handledBy is null)
        {
            errors.Add("handledBy", "'handledBy' is required: { \"kind\": \"agent\" | \"bot\" | \"self-service\", \"id\": \"...\" }.");
            return;
        }
        if (!Enum.IsDefined(handledBy.Kind)) errors.Add("handledBy.kind", "'handledBy.kind' is required.");
        if (handledBy.Kind is HandlerKind.Agent or HandlerKind.Bot && string.IsNullOrWhiteSpace(handledBy.Id))
            errors.Add("handledBy.id", $"'handledBy.id' is required when the contact was handled by an {handledBy.Kind.ToString().ToLowerInvariant()}.");
        errors.MaxLength("handledBy.id", handledBy.Id, MaxHandlerIdLength);
    }

    public static InteractionRecorded ToEvent(RecordInteractionRequest r, DateTimeOffset now) => new(
        r.InteractionId!.Value, TimelineEntry.AtStoredPrecision(r.OccurredAt!.Value), now, r.Brand!, r.Channel!.Value, r.Direction!.Value,
        r.Reason!.Value, r.HandledBy! with { Id = string.IsNullOrWhiteSpace(r.HandledBy.Id) ? null : r.HandledBy.Id.Trim() },
        r.Outcome!.Value, r.WaitingSeconds, r.HandlingSeconds,
        string.IsNullOrWhiteSpace(r.Summary) ? null : r.Summary.Trim(), r.CaseId);

    public static RouteHandlerBuilder MapRecordInteraction(this IEndpointRouteBuilder customers) => customers
        .MapPost("/{customerId:guid}/interactions", (Guid customerId, RecordInteractionRequest request,
            HttpContext http, GroupCatalog group, TimeProvider clock, IMessageBus bus) =>
        {
            // A brand-scoped caller records contacts with its own brands only; that is what brings a customer within its reach.
            if (CustomerReach.OutsideBrands(http, group, request.Brand) is { } refused) return Task.FromResult(refused);
            var now = clock.GetUtcNow();
            var errors = Validate(request, group, now);
            var interactionId = request.InteractionId.GetValueOrDefault();
            return CommandEndpoint.RunAsync(http, bus, errors, request.ExpectedVersion,
                expected => new RecordInteraction(customerId, ToEvent(request, now), expected, CustomerReach.WritableBrands(http)),
                o => new InteractionReceipt(customerId, interactionId, o.OriginalVersion ?? o.Version, Replayed: !o.Written),
                createdAt: $"/customers/{customerId}/interactions/{interactionId}");
        })
        .WithName("RecordInteraction")
        .WithSummary("Record a contact the customer had with a brand of the group, on any channel.")
        .WithDescription("Idempotent on interactionId: re-sending the same contact answers 200 with replayed=true and records nothing. " +
                         "Send If-Match (or expectedVersion) to write only if nobody else wrote first.")
        .Produces<InteractionReceipt>(StatusCodes.Status201Created)
        .Produces<InteractionReceipt>()
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status412PreconditionFailed)
        .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
}
