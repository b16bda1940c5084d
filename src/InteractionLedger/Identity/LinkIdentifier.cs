using System.ComponentModel.DataAnnotations;
using InteractionLedger.Customers;
using InteractionLedger.Group;
using InteractionLedger.Http;
using Marten;
using Wolverine;

namespace InteractionLedger.Identity;

/// <summary>An identifier the customer is to be known by.</summary>
/// <param name="Kind">The kind of identifier (e.g. <c>email</c>, <c>phone</c>, <c>brand-customer-number</c>).</param>
/// <param name="Value">The identifier as typed or received (at most 200 characters); normalised before matching.</param>
/// <param name="Brand">The brand that issued it (required for brand customer numbers) or collected it; defaults to the caller's brand when it acts for one only.</param>
/// <param name="Verified">True when the brand verified the identifier (e.g. an e-mail confirmed by a link).</param>
/// <param name="LinkedBy">Id of the agent or system making the link.</param>
/// <param name="Reason">Why (e.g. "customer gave it on the phone"): kept in the audit trail.</param>
/// <param name="ExpectedVersion">Optional: the customer's stream version you expect (an ETag you read), instead of If-Match; a stale one answers 409.</param>
public sealed record LinkIdentifierRequest([property: Required] IdentifierKind? Kind, [property: Required] string? Value, string? Brand, bool Verified, string? LinkedBy,
    [property: Required] string? Reason, long? ExpectedVersion);

/// <summary>The answer to linking an identifier.</summary>
/// <param name="CustomerId">The customer linked to the identifier.</param>
/// <param name="Key">The normalised identifier's key, as lookups and unlinking name it.</param>
/// <param name="Version">The customer's stream version after the write; send it back as If-Match to write again safely.</param>
/// <param name="Replayed">True when the request repeated one already applied: nothing new was recorded.</param>
/// <param name="PossibleDuplicates">Other customers sharing this (weak) identifier: for an agent to confirm or dismiss.</param>
public sealed record IdentifierReceipt(Guid CustomerId, string Key, long Version, bool Replayed, IReadOnlyList<Guid> PossibleDuplicates);

/// <param name="Caller">Who links it: holders outside its reach are neither named to it nor allowed to stop the link.</param>
public sealed record LinkIdentifier(Guid CustomerId, CustomerIdentifier Identifier, string LinkedBy, string Reason, DateTimeOffset Now,
    long? ExpectedVersion, Access.Caller Caller);

public static class LinkIdentifierHandler
{
    public static Decision Decide(LinkIdentifier command, Customer customer, IReadOnlyDictionary<string, IdentifierClaim> claims)
    {
        // An identifier the customer holds through a brand the caller may not see is, to it, not held: linking it
        // records that the caller's brand collected it too, as for any new one.
        var held = Access.CustomerReach.HeldAsSeenBy(command.Caller, customer);
        var (events, rejection) = IdentityDecisions.Link(customer.Id, held, [command.Identifier], claims,
            command.LinkedBy, command.Reason, command.Now, "value");
        if (rejection is not null) return new Decision.Rejected(rejection);
        return events.Count == 0 ? Decision.NothingToDo : new Decision.Append(events);
    }

    public static async Task<WriteOutcome> Handle(LinkIdentifier command, IDocumentSession session, GroupCatalog group, CancellationToken cancellation)
    {
        await IdentityLocks.LockAsync(session, [command.Identifier.Key], cancellation);
        var (stream, claim) = await session.LockWithAsync<IdentifierClaim>(command.CustomerId, command.Identifier.Key, cancellation);
        var (visible, _) = claim is null
            ? ([], [])
            : await Access.CustomerReach.SplitClaimsAsync(session, command.Caller, [claim], group, command.Now, cancellation);
        return session.Decide(stream, command.ExpectedVersion, customer => Decide(command, customer, visible));
    }
}

public static class LinkIdentifierEndpoint
{
    public static RouteHandlerBuilder MapLinkIdentifier(this IEndpointRouteBuilder customers) => customers
        .MapPost("/{customerId:guid}/identifiers", (Guid customerId, LinkIdentifierRequest request, HttpContext http,
            GroupCatalog group, TimeProvider clock, IMessageBus bus, IQuerySession reads) =>
        {
            var errors = new InputErrors();
            var caller = Access.Caller.From(http.User);
            // Collected by the caller's brand when it acts for one and names none: the identifier is that brand's to show.
            var brand = request.Brand ?? (caller.Brands is { Count: 1 } only ? only.Single() : null);
            if (Access.CustomerReach.OutsideBrands(http, group, brand) is { } foreign) return Task.FromResult(foreign);
            var identifier = IdentifierValidation.Normalize(new IdentifierInput(request.Kind, request.Value, brand, request.Verified),
                "identifier", group, errors);
            Cases.CaseActors.Validate("linkedBy", request.LinkedBy, errors);
            errors.Required("reason", request.Reason);
            errors.MaxLength("reason", request.Reason, 500);
            return CommandEndpoint.RunAsync(http, bus, errors, request.ExpectedVersion,
                expected => new LinkIdentifier(customerId, identifier!, request.LinkedBy!.Trim(), request.Reason!.Trim(), clock.GetUtcNow(),
                    expected, caller),
                async o => new IdentifierReceipt(customerId, identifier!.Key, o.Version, Replayed: !o.Written,
                    await PossibleDuplicatesOfAsync(reads, caller, customerId, identifier.Key, group, clock.GetUtcNow(), http.RequestAborted)));
        })
        .WithName("LinkIdentifier")
        .WithSummary("Make a customer known by one more identifier (e-mail, phone, brand customer number, social handle, …).")
        .WithDescription("A strong identifier (brand customer number, verified e-mail, social handle, loyalty card) belongs to one customer: " +
                         "linking one held by another customer within the caller's reach is a 409 naming that customer. A weak one (phone, unverified e-mail, chat session) " +
                         "may be shared: the other holders are reported as possible duplicates, never merged automatically.")
        .Produces<IdentifierReceipt>()
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status412PreconditionFailed);

    private static async Task<IReadOnlyList<Guid>> PossibleDuplicatesOfAsync(IQuerySession reads, Access.Caller caller, Guid customerId,
        string key, GroupCatalog group, DateTimeOffset now, CancellationToken cancellation)
    {
        if (await reads.LoadAsync<IdentifierClaim>(key, cancellation) is not { } claim) return [];
        var (visible, _) = await Access.CustomerReach.SplitClaimsAsync(reads, caller, [claim], group, now, cancellation);
        return visible.GetValueOrDefault(key)?.HoldersOtherThan(customerId).Select(h => h.CustomerId).ToList() ?? [];
    }
}
