using System.ComponentModel.DataAnnotations;
using InteractionLedger.Customers;
using InteractionLedger.Group;
using InteractionLedger.Http;
using Marten;
using Wolverine;

namespace InteractionLedger.Identity;

/// <summary>An identifier the customer is no longer to be known by.</summary>
/// <param name="Kind">The kind of identifier.</param>
/// <param name="Value">The identifier, in any notation that normalises to the one linked.</param>
/// <param name="Brand">The issuing brand: required for brand customer numbers.</param>
/// <param name="UnlinkedBy">Id of the agent or system removing the link.</param>
/// <param name="Reason">Why (e.g. "number given up", "linked to the wrong customer").</param>
/// <param name="ExpectedVersion">Optional: the customer's stream version you expect (an ETag you read), instead of If-Match; a stale one answers 409.</param>
public sealed record UnlinkIdentifierRequest([property: Required] IdentifierKind? Kind, [property: Required] string? Value, string? Brand, string? UnlinkedBy, [property: Required] string? Reason,
    long? ExpectedVersion);

public sealed record UnlinkIdentifier(Guid CustomerId, IdentifierUnlinked Unlinking, long? ExpectedVersion, IReadOnlySet<string>? VisibleBrands)
    : Access.IBrandScopedCommand;

public static class UnlinkIdentifierHandler
{
    public static Decision Decide(UnlinkIdentifier command, Customer customer)
    {
        var unlinking = command.Unlinking;
        bool Sees(string brand) => Access.BrandScopedCommands.Sees(command, brand);
        if (!customer.Identifiers.TryGetValue(unlinking.IdentifierKey, out var held) || !held.SeenBy(Sees))
            return Decision.NotFound("value", $"The customer is not known by '{unlinking.IdentifierKey}'.");
        // Other brands the caller does not see collected it too: they keep it, and the caller is not told they exist.
        var others = held.CollectorsHiddenFrom(Sees);
        return others.Count == 0
            ? Decision.Emit(unlinking)
            : Decision.Emit(new IdentifierReleased(unlinking.IdentifierKey, others, unlinking.UnlinkedBy, unlinking.Reason, unlinking.UnlinkedAt));
    }

    public static async Task<WriteOutcome> Handle(UnlinkIdentifier command, IDocumentSession session, CancellationToken cancellation)
    {
        await IdentityLocks.LockAsync(session, [command.Unlinking.IdentifierKey], cancellation);
        return await session.LockAndDecideAsync(command.CustomerId, command.ExpectedVersion, customer => Decide(command, customer), cancellation);
    }
}

public static class UnlinkIdentifierEndpoint
{
    public static RouteHandlerBuilder MapUnlinkIdentifier(this IEndpointRouteBuilder customers) => customers
        .MapPost("/{customerId:guid}/identifiers/unlink", (Guid customerId, UnlinkIdentifierRequest request, HttpContext http,
            GroupCatalog group, TimeProvider clock, IMessageBus bus) =>
        {
            var errors = new InputErrors();
            var identifier = IdentifierValidation.Normalize(new IdentifierInput(request.Kind, request.Value, request.Brand),
                "identifier", group, errors);
            Cases.CaseActors.Validate("unlinkedBy", request.UnlinkedBy, errors);
            errors.Required("reason", request.Reason);
            errors.MaxLength("reason", request.Reason, 500);
            // Like linking: only the issuing brand names its own customer numbers.
            if (identifier is not null && Access.CustomerReach.ForeignIssuedIdentifier(http, group, [(identifier, "identifier")]) is { } foreign)
                return Task.FromResult(foreign);
            return CommandEndpoint.RunAsync(http, bus, errors, request.ExpectedVersion,
                expected => new UnlinkIdentifier(customerId, new IdentifierUnlinked(identifier!.Key, identifier.Kind,
                    request.UnlinkedBy!.Trim(), request.Reason!.Trim(), clock.GetUtcNow()), expected, Access.CustomerReach.WritableBrands(http)),
                o => new WriteReceipt(customerId, o.Version, Replayed: !o.Written));
        })
        .WithName("UnlinkIdentifier")
        .WithSummary("Stop knowing a customer by an identifier (kept in the history, with who and why).")
        .Produces<WriteReceipt>()
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status412PreconditionFailed);
}
