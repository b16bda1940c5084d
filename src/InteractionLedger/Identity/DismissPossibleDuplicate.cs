using System.ComponentModel.DataAnnotations;
using InteractionLedger.Customers;
using InteractionLedger.Http;
using Marten;
using Wolverine;

namespace InteractionLedger.Identity;

/// <summary>An agent looked at a possible duplicate and found two different people (a household sharing a phone).</summary>
public sealed record PossibleDuplicateDismissed(Guid OtherCustomerId, string DismissedBy, string Reason, DateTimeOffset DismissedAt);

/// <summary>A finding that two customers listed as possible duplicates are different people.</summary>
/// <param name="DismissedBy">Id of the agent who checked.</param>
/// <param name="Reason">Why they are different people.</param>
/// <param name="ExpectedVersion">Optional: the customer's stream version you expect (an ETag you read), instead of If-Match; a stale one answers 409.</param>
public sealed record DismissPossibleDuplicateRequest(string? DismissedBy, [property: Required] string? Reason, long? ExpectedVersion);

public sealed record DismissPossibleDuplicate(Guid CustomerId, PossibleDuplicateDismissed Dismissal, long? ExpectedVersion);

public static class DismissPossibleDuplicateHandler
{
    /// <param name="sharesIdentifier">Whether the other customer holds one of this customer's identifiers now, as the
    /// caller may see it (the endpoint checked that).</param>
    public static Decision Decide(DismissPossibleDuplicate command, Customer customer, bool sharesIdentifier)
    {
        var other = command.Dismissal.OtherCustomerId;
        if (customer.DismissedDuplicates.Contains(other)) return Decision.NothingToDo;
        return sharesIdentifier || customer.PossibleDuplicates.Any(d => d.OtherCustomerId == other)
            ? Decision.Emit(command.Dismissal)
            : Decision.NotFound("otherCustomerId", $"Customer '{other}' is not listed as a possible duplicate of this one.");
    }

    public static async Task<WriteOutcome> Handle(DismissPossibleDuplicate command, IDocumentSession session, CancellationToken cancellation)
    {
        var stream = await session.LockAsync(command.CustomerId, cancellation);
        var keys = stream.Aggregate?.Identifiers.Keys.ToArray() ?? [];
        var claims = keys.Length == 0 ? [] : await session.LoadManyAsync<IdentifierClaim>(cancellation, keys);
        var shares = claims.Any(c => c.Holders.Any(h => h.CustomerId == command.Dismissal.OtherCustomerId));
        return session.Decide(stream, command.ExpectedVersion, customer => Decide(command, customer, shares));
    }
}

public static class DismissPossibleDuplicateEndpoint
{
    public static RouteHandlerBuilder MapDismissPossibleDuplicate(this IEndpointRouteBuilder customers) => customers
        .MapPost("/{customerId:guid}/possible-duplicates/{otherCustomerId:guid}/dismiss", async (Guid customerId, Guid otherCustomerId,
            DismissPossibleDuplicateRequest request, HttpContext http, TimeProvider clock, IMessageBus bus) =>
        {
            var errors = new InputErrors();
            Cases.CaseActors.Validate("dismissedBy", request.DismissedBy, errors);
            errors.Required("reason", request.Reason);
            errors.MaxLength("reason", request.Reason, 500);
            return await CommandEndpoint.RunAsync(http, bus, errors, request.ExpectedVersion,
                expected => new DismissPossibleDuplicate(customerId, new PossibleDuplicateDismissed(otherCustomerId,
                    request.DismissedBy!.Trim(), request.Reason!.Trim(), clock.GetUtcNow()), expected),
                o => new WriteReceipt(customerId, o.Version, Replayed: !o.Written),
                beforeInvoking: async () => await IsListedToCallerAsync(http, customerId, otherCustomerId) ? null
                    : ProblemResults.For(new Rejection(RejectionKind.NotFound, "otherCustomerId",
                        $"Customer '{otherCustomerId}' is not listed as a possible duplicate of this one."), versionFromHeader: false));
        })
        .WithName("DismissPossibleDuplicate")
        .WithSummary("Two customers sharing a weak identifier are different people: stop listing them as possible duplicates.")
        .WithDescription("Confirming instead is a merge (POST /customers/{id}/merges).")
        .Produces<WriteReceipt>()
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status412PreconditionFailed);

    /// <summary>
    /// Only a duplicate the caller is shown can be dismissed by it: trying another would tell it which identifiers
    /// other brands collected on this customer, or that an id it guessed exists.
    /// </summary>
    private static async Task<bool> IsListedToCallerAsync(HttpContext http, Guid customerId, Guid otherId)
    {
        await Access.CustomerReach.OutOfReachRecordedAsync(http, otherId);
        var services = http.RequestServices;
        var session = services.GetRequiredService<IQuerySession>();
        if (await Merging.CustomerGroup.LoadAsync(session, customerId, http.RequestAborted) is not { } members) return false;
        var customer = members.People.First(p => p.Id == customerId);
        var caller = Access.Caller.From(http.User);
        var group = services.GetRequiredService<Group.GroupCatalog>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        // A repeated dismissal is answered as a replay to whoever reaches both customers.
        if (customer.DismissedDuplicates.Contains(otherId))
            return await Access.CustomerReach.IsWithinAsync(session, caller, otherId, group, now, http.RequestAborted);
        var writable = Access.CustomerReach.WritableBrands(http);
        var shown = customer.Identifiers.Values.Where(i => i.SeenBy(brand => writable is null || writable.Contains(brand))).ToList();
        var listed = await PossibleDuplicates.VisibleAsync(session, caller, customer, shown, members.Members, group, now, http.RequestAborted);
        return listed.Any(d => d.OtherCustomerId == otherId);
    }
}
