using System.ComponentModel.DataAnnotations;
using InteractionLedger.Customers;
using InteractionLedger.Hosting;
using InteractionLedger.Http;
using InteractionLedger.Interactions;
using Marten;
using Wolverine;

namespace InteractionLedger.Overview;

/// <summary>The customer said how they want to be reached: this overrides the channel their behaviour suggests.</summary>
public sealed record PreferredChannelStated(Channel Channel, string RecordedBy, DateTimeOffset StatedAt);

/// <summary>The channel the customer says they prefer to be reached on.</summary>
/// <param name="Channel">The channel the customer asked to be reached on.</param>
/// <param name="RecordedBy">Id of the agent or system recording the preference.</param>
/// <param name="ExpectedVersion">Optional: the customer's stream version you expect (an ETag you read), instead of If-Match; a stale one answers 409.</param>
public sealed record StatePreferredChannelRequest([property: Required] Channel? Channel, string? RecordedBy, long? ExpectedVersion);

public sealed record StatePreferredChannel(Guid CustomerId, PreferredChannelStated Preference, long? ExpectedVersion);

public static class StatePreferredChannelHandler
{
    public static Decision Decide(StatePreferredChannel command, Customer customer) =>
        customer.StatedPreferredChannel == command.Preference.Channel ? Decision.NothingToDo : Decision.Emit(command.Preference);

    public static Task<WriteOutcome> Handle(StatePreferredChannel command, IDocumentSession session, CancellationToken cancellation) =>
        session.LockAndDecideAsync(command.CustomerId, command.ExpectedVersion, customer => Decide(command, customer), cancellation);
}

public static class StatePreferredChannelEndpoint
{
    public static RouteHandlerBuilder MapStatePreferredChannel(this IEndpointRouteBuilder customers) => customers
        .MapPut("/{customerId:guid}/preferred-channel", (Guid customerId, StatePreferredChannelRequest request, HttpContext http,
            TimeProvider clock, IMessageBus bus) =>
        {
            var errors = new InputErrors();
            errors.Required("channel", request.Channel);
            Cases.CaseActors.Validate("recordedBy", request.RecordedBy, errors);
            return CommandEndpoint.RunAsync(http, bus, errors, request.ExpectedVersion,
                expected => new StatePreferredChannel(customerId,
                    new PreferredChannelStated(request.Channel!.Value, request.RecordedBy!.Trim(), clock.GetUtcNow()), expected),
                o => new WriteReceipt(customerId, o.Version, Replayed: !o.Written));
        })
        .WithName("StatePreferredChannel")
        .WithSummary("Record the channel the customer says they prefer; it overrides the one their contacts suggest.")
        .Produces<WriteReceipt>()
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status412PreconditionFailed);
}
