using InteractionLedger.Access;
using InteractionLedger.Group;
using InteractionLedger.Http;
using Marten;
using Wolverine;

namespace InteractionLedger.Customers;

/// <summary>A customer to register.</summary>
/// <param name="CustomerId">Optional client-chosen UUID, which makes a retried registration safe; generated when omitted.</param>
/// <param name="DisplayName">How agents address the customer (at most 200 characters). Personal data.</param>
/// <param name="Brand">The brand the customer registers with; defaults to the caller's brand when it acts for one only.</param>
public sealed record RegisterCustomerRequest(Guid? CustomerId, string? DisplayName, string? Brand = null);

/// <param name="CallerBrands">The brands of the caller (null: the whole group): only a retry by a caller that could
/// have made the first registration is answered as one.</param>
public sealed record RegisterCustomer(CustomerRegistered Registration, IReadOnlySet<string>? CallerBrands);

public static class RegisterCustomerHandler
{
    /// <summary>
    /// A client-chosen id already in use is refused in the same words whoever holds it, whether it was erased, and
    /// whatever details it was registered with: the answer tells a caller nothing about another brand's customer.
    /// </summary>
    public static Decision Decide(RegisterCustomer command, Customer? existing, bool erased)
    {
        var registration = command.Registration;
        if (existing is null && !erased) return Decision.Emit(registration);
        var retry = existing is not null && existing.DisplayName == registration.DisplayName && existing.RegisteredFor == registration.Brand
                    && (command.CallerBrands is null || (registration.Brand is { } brand && command.CallerBrands.Contains(brand)));
        return retry ? Decision.NothingToDo
            : Decision.Conflict("customerId", $"The id '{registration.CustomerId}' is already in use: let the ledger choose one, or choose another.");
    }

    public static async Task<WriteOutcome> Handle(RegisterCustomer command, IDocumentSession session, CancellationToken cancellation)
    {
        var customerId = command.Registration.CustomerId;
        var batch = session.CreateBatchQuery();
        var loading = batch.Load<Customer>(customerId);
        var erasure = batch.Load<Privacy.CustomerErasure>(customerId);
        await batch.Execute(cancellation);
        var existing = await loading;
        var version = existing is null ? 0 : (await session.Events.FetchStreamStateAsync(customerId, cancellation))?.Version ?? 0;
        switch (Decide(command, existing, await erasure is not null))
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

/// <summary>The answer to registering a customer.</summary>
/// <param name="CustomerId">The customer's ledger id: the one given, or the one generated.</param>
/// <param name="Version">The customer's stream version after the registration; send it back as If-Match to write again safely.</param>
/// <param name="Replayed">True when the request repeated a registration already made: nothing new was recorded.</param>
public sealed record CustomerReceipt(Guid CustomerId, long Version, bool Replayed);

public static class RegisterCustomerEndpoint
{
    public const int MaxDisplayNameLength = 200;

    public static RouteHandlerBuilder MapRegisterCustomer(this IEndpointRouteBuilder customers) => customers
        .MapPost("/", (RegisterCustomerRequest request, HttpContext http, GroupCatalog group, TimeProvider clock, IMessageBus bus) =>
        {
            var caller = Caller.From(http.User);
            var brand = string.IsNullOrWhiteSpace(request.Brand) ? caller.Brands is { Count: 1 } only ? only.Single() : null : request.Brand;
            var errors = new InputErrors();
            if (CustomerReach.OutsideBrands(http, group, brand) is { } refused) return Task.FromResult(refused);
            if (brand is not null && !group.IsKnownBrand(brand)) errors.Add("brand", $"'{brand}' is not a brand of {group.Name}.");
            // A customer belonging to no brand would be out of reach of the brand-scoped caller registering it.
            else if (brand is null && caller.Brands is not null) errors.Add("brand", $"'brand' is required: you act for {caller.ScopeText}.");
            if (request.CustomerId == Guid.Empty) errors.Add("customerId", "'customerId' must be a non-empty UUID when given.");
            errors.MaxLength("displayName", request.DisplayName, MaxDisplayNameLength);
            var customerId = request.CustomerId ?? Guid.CreateVersion7();
            var displayName = string.IsNullOrWhiteSpace(request.DisplayName) ? null : request.DisplayName.Trim();
            return CommandEndpoint.RunAsync(http, bus, errors, expectedVersionField: null,
                _ => new RegisterCustomer(new CustomerRegistered(customerId, displayName, clock.GetUtcNow(), brand), caller.Brands),
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
