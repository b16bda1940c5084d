using System.ComponentModel.DataAnnotations;
using InteractionLedger.Access;
using InteractionLedger.Customers;
using InteractionLedger.Http;
using Marten;
using Wolverine;

namespace InteractionLedger.Interactions;

/// <summary>The customer's rating of a contact, to record (a contact is rated once).</summary>
/// <param name="Satisfaction">1 (very dissatisfied) to 5 (very satisfied).</param>
/// <param name="Comment">The customer's own words (at most 2,000 characters).</param>
/// <param name="ExpectedVersion">Optional: the customer's stream version you expect (an ETag you read), instead of If-Match; a stale one answers 409.</param>
public sealed record RateInteractionRequest([property: Required] int? Satisfaction, string? Comment, long? ExpectedVersion);

public sealed record RateInteraction(Guid CustomerId, InteractionRated Rating, long? ExpectedVersion, IReadOnlySet<string>? VisibleBrands)
    : Access.IBrandScopedCommand;

public static class RateInteractionHandler
{
    public static Decision Decide(RateInteraction command, Customer customer, TimelineEntry? interaction)
    {
        var rating = command.Rating;
        if (interaction is null || interaction.CustomerId != customer.Id || !command.Sees(interaction.Brand))
            return Decision.NotFound("interactionId", $"The customer has no interaction '{rating.InteractionId}'.");
        if (interaction.Rating is { } existing)
        {
            return existing.Satisfaction == rating.Satisfaction && existing.Comment == rating.Comment
                ? Decision.NothingToDo
                : Decision.Conflict("satisfaction", $"This contact was already rated {existing.Satisfaction}/5 on {existing.RatedAt:O}; a rating is given once.");
        }
        return Decision.Emit(rating with { Channel = interaction.Channel });
    }

    public static async Task<WriteOutcome> Handle(RateInteraction command, IDocumentSession session, CancellationToken cancellation)
    {
        var (stream, interaction) = await session.LockWithAsync<TimelineEntry>(command.CustomerId, command.Rating.InteractionId, cancellation);
        return session.Decide(stream, command.ExpectedVersion, customer => Decide(command, customer, interaction));
    }
}

public static class RateInteractionEndpoint
{
    public const int MaxCommentLength = 2000;

    public static RouteHandlerBuilder MapRateInteraction(this IEndpointRouteBuilder customers) => customers
        .MapPut("/{customerId:guid}/interactions/{interactionId:guid}/rating", (Guid customerId, Guid interactionId,
            RateInteractionRequest request, HttpContext http, TimeProvider clock, IMessageBus bus) =>
        {
            var errors = new InputErrors();
            errors.Required("satisfaction", request.Satisfaction);
            errors.Range("satisfaction", request.Satisfaction, 1, 5);
            errors.MaxLength("comment", request.Comment, MaxCommentLength);
            var comment = string.IsNullOrWhiteSpace(request.Comment) ? null : request.Comment.Trim();
            return CommandEndpoint.RunAsync(http, bus, errors, request.ExpectedVersion,
                expected => new RateInteraction(customerId,
                    new InteractionRated(interactionId, request.Satisfaction!.Value, comment, clock.GetUtcNow()), expected, Access.CustomerReach.WritableBrands(http)),
                o => new WriteReceipt(customerId, o.Version, Replayed: !o.Written));
        })
        .WithName("RateInteraction")
        .WithSummary("Attach the customer's satisfaction rating (1-5, optional comment) to a contact.")
        .WithDescription("A contact is rated once; re-sending the same rating is answered with replayed=true.")
        .Produces<WriteReceipt>()
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status412PreconditionFailed);
}
