using InteractionLedger.Customers;
using InteractionLedger.Group;
using InteractionLedger.Http;
using Marten;
using Wolverine;

namespace InteractionLedger.Identity;

/// <param name="Verified">True when the brand verified the identifier (e.g. an e-mail confirmed by a link).</param>
/// <param name="LinkedBy">Id of the agent or system making the link.</param>
/// <param name="Reason">Why (e.g. "customer gave it on the phone"): kept in the audit trail.</param>
public sealed record LinkIdentifierRequest(IdentifierKind? Kind, string? Value, string? Brand, bool Verified, string? LinkedBy,
    string? Reason, long? ExpectedVersion);

/// <param name="Key">The normalised identifier's key, as lookups and unlinking name it.</param>
/// <param name="PossibleDuplicates">Other customers sharing this (weak) identifier: for an agent to confirm or dismiss.</param>
public sealed record IdentifierReceipt(Guid CustomerId, string Key, long Version, bool Replayed, IReadOnlyList<Guid> PossibleDuplicates);

public sealed record LinkIdentifier(Guid CustomerId, CustomerIdentifier Identifier, string LinkedBy, string Reason, DateTimeOffset Now,
    long? ExpectedVersion);

public static class LinkIdentifierHandler
{
    public static Decision Decide(LinkIdentifier command, Customer customer, IdentifierClaim? claim)
    {
        var claims = claim is null ? new Dictionary<string, IdentifierClaim>() : new() { [claim.Id] = claim };
        var (events, rejection) = IdentityDecisions.Link(customer.Id, customer.Identifiers, [command.Identifier], claims,
            command.LinkedBy, command.Reason, command.Now, "value");
        if (rejection is not null) return new Decision.Rejected(rejection);
        return events.Count == 0 ? Decision.NothingToDo : new Decision.Append(events);
    }

    public static async Task<WriteOutcome> Handle(LinkIdentifier command, IDocumentSession session, CancellationToken cancellation)
    {
        await IdentityLocks.LockAsync(session, [command.Identifier.Key], cancellation);
        var (stream, claim) = await session.LockWithAsync<IdentifierClaim>(command.CustomerId, command.Identifier.Key, cancellation);
        return session.Decide(stream, command.ExpectedVersion, customer => Decide(command, customer, claim));
    }
}

public static class LinkIdentifierEndpoint
{
    public static RouteHandlerBuilder MapLinkIdentifier(this IEndpointRouteBuilder customers) => customers
        .MapPost("/{customerId:guid}/identifiers", (Guid customerId, LinkIdentifierRequest request, HttpContext http,
            GroupCatalog group, TimeProvider clock, IMessageBus bus, IQuerySession reads) =>
        {
            var errors = new InputErrors();
            var identifier = IdentifierValidation.Normalize(new IdentifierInput(request.Kind, request.Value, request.Brand, request.Verified),
                "identifier", group, errors);
            Cases.CaseActors.Validate("linkedBy", request.LinkedBy, errors);
            errors.Required("reason", request.Reason);
            errors.MaxLength("reason", request.Reason, 500);
            return CommandEndpoint.RunAsync(http, bus, errors, request.ExpectedVersion,
                expected => new LinkIdentifier(customerId, identifier!, request.LinkedBy!.Trim(), request.Reason!.Trim(), clock.GetUtcNow(), expected),
                async o => new IdentifierReceipt(customerId, identifier!.Key, o.Version, Replayed: !o.Written,
                    await PossibleDuplicatesOfAsync(reads, customerId, identifier.Key)));
        })
        .WithName("LinkIdentifier")
        .WithSummary("Make a customer known by one more identifier (e-mail, phone, brand customer number, social handle, …).")
        .WithDescription("A strong identifier (brand customer number, verified e-mail, social handle, loyalty card) belongs to one customer: " +
                         "linking one held by someone else is a 409 naming that customer. A weak one (phone, unverified e-mail, chat session) " +
                         "may be shared: the other holders are reported as possible duplicates, never merged automatically.")
        .Produces<IdentifierReceipt>()
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status412PreconditionFailed);

    private static async Task<IReadOnlyList<Guid>> PossibleDuplicatesOfAsync(IQuerySession reads, Guid customerId, string key) =>
        (await reads.LoadAsync<IdentifierClaim>(key))?.HoldersOtherThan(customerId).Select(h => h.CustomerId).ToList() ?? [];
}
