using InteractionLedger.Http;
using Marten;
using Wolverine;

namespace InteractionLedger.Customers;

/// <param name="CustomerId">Optional client-chosen UUID, which makes a retried registration safe; generated when omitted.</param>
/// <param name="DisplayName">How agents address the customer (at most 200 characters). Personal data.</param>
public sealed record RegisterCustomerRequest(Guid? CustomerId, string? DisplayName);

public sealed record RegisterCustomer(CustomerRegistered Registration);

public static class RegisterCustomerHandler
{
    public static Decision Decide(RegisterCustomer command, Customer? existing) => existing switch
    {
        null => Decision.Emit(command.Registration),
        _ when existing.DisplayName == command.Registration.DisplayName => Decision.NothingToDo,
        _ => Decision.Conflict("customerId", $"Customer '{existing.Id}' is already registered with other details."),
    };

    public static async Task<WriteOutcome> Handle(RegisterCustomer command, IDocumentSession session, CancellationToken cancellation)
    {
        var customerId = command.Registration.CustomerId;
        var existing = await session.LoadAsync<Customer>(customerId, cancellation);
        var version = existing is null ? 0 : (await session.Events.FetchStreamStateAsync(customerId, cancellation))?.Version ?? 0;
        switch (Decide(command, existing))
        {
            case Decision.Append append:
                // A concurrent registration of the same id fails at commit (ExistingStreamIdCollisionException → 409).
                session.Events.StartStream<Customer>(customerId, append.Events.ToArray());
                return new WriteOutcome(customerId, append.Events.Count, Written: true);
            case Decision.Rejected rejected:
                return WriteOutcome.Reject(customerId, version, rejected.Rejection);
            default:
                return new WriteOutcome(customerId, version, Written: false);
        }
    }
}

public sealed record CustomerReceipt(Guid CustomerId, long Version, bool Replayed);

public static class RegisterCustomerEndpoint
{
    public const int MaxDisplayNameLength = 200;

    public static RouteHandlerBuilder MapRegisterCustomer(this IEndpointRouteBuilder customers) => customers
        .MapPost("/", (RegisterCustomerRequest request, HttpContext http, TimeProvider clock, IMessageBus bus) =>
        {
            var errors = new InputErrors();
            if (request.CustomerId == Guid.Empty) errors.Add("customerId", "'customerId' must be a non-empty UUID when given.");
            errors.MaxLength("displayName", request.DisplayName, MaxDisplayNameLength);
            var customerId = request.CustomerId ?? Guid.CreateVersion7();
            var displayName = string.IsNullOrWhiteSpace(request.DisplayName) ? null : request.DisplayName.Trim();
            return CommandEndpoint.RunAsync(http, bus, errors, expectedVersionField: null,
                _ => new RegisterCustomer(new CustomerRegistered(customerId, displayName, clock.GetUtcNow())),
                o => new CustomerReceipt(customerId, o.Version, Replayed: !o.Written),
                createdAt: $"/customers/{customerId}");
        })
        .WithName("RegisterCustomer")
        .WithSummary("Register a customer of the group: starts their ledger stream and returns their ledger id.")
        .Produces<CustomerReceipt>(StatusCodes.Status201Created)
        .Produces<CustomerReceipt>()
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status409Conflict);
}
