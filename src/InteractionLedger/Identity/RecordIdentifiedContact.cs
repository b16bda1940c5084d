using System.ComponentModel.DataAnnotations;
using InteractionLedger.Access;
using InteractionLedger.Customers;
using InteractionLedger.Group;
using InteractionLedger.Http;
using InteractionLedger.Interactions;
using Marten;
using Wolverine;

namespace InteractionLedger.Identity;

/// <summary>Who the contact was with, as the reporting channel knows them.</summary>
/// <param name="CustomerId">The ledger id, when the channel knows it; otherwise the identifiers decide.</param>
/// <param name="Identifiers">What the channel knows the customer by (the caller's number, the sender's address, …).</param>
/// <param name="DisplayName">Used only when the contact creates a new customer.</param>
public sealed record ContactParty(Guid? CustomerId, IReadOnlyList<IdentifierInput>? Identifiers, string? DisplayName);

/// <summary>A contact that names its customer by identifiers instead of (or as well as) the ledger id.</summary>
/// <param name="Customer">Who the contact was with: a ledger id, identifiers, or both.</param>
/// <param name="Interaction">The contact itself, as for recording a contact for a known customer.</param>
public sealed record RecordIdentifiedContactRequest([property: Required] ContactParty? Customer, [property: Required] RecordInteractionRequest? Interaction);

/// <summary>The answer to recording a contact named by identifiers.</summary>
/// <param name="CustomerId">The customer the contact was recorded for: the one named, the one its identifiers resolved to, or a new one (see <c>customerCreated</c>).</param>
/// <param name="InteractionId">The contact's id, as given.</param>
/// <param name="Replayed">True when the request repeated one already applied: nothing new was recorded.</param>
/// <param name="CustomerCreated">True when no customer held the identifiers and the contact created one.</param>
/// <param name="Version">The customer's stream version the contact was recorded at.</param>
public sealed record IdentifiedContactReceipt(Guid CustomerId, Guid InteractionId, long Version, bool Replayed, bool CustomerCreated);

/// <param name="Caller">Who records it: identifiers are resolved among the customers within its reach only.</param>
public sealed record RecordIdentifiedContact(Guid? CustomerId, IReadOnlyList<CustomerIdentifier> Identifiers, string? DisplayName,
    InteractionRecorded Interaction, DateTimeOffset Now, long? ExpectedVersion, Caller Caller)
{
    public string LinkedBy => Interaction.HandledBy.Id ?? Hosting.ApiJson.Name(Interaction.HandledBy.Kind);
    public string LinkReason => $"Named by contact {Interaction.InteractionId} ({Hosting.ApiJson.Name(Interaction.Channel)}).";
}

public sealed record IdentifiedContactOutcome(WriteOutcome Outcome, bool CustomerCreated);

public static class RecordIdentifiedContactHandler
{
    /// <summary>For a known customer: record the contact (idempotently) and link the identifiers it named.</summary>
    public static Decision Decide(RecordIdentifiedContact command, Customer customer, TimelineEntry? existing,
        IReadOnlyDictionary<string, IdentifierClaim> claims, IReadOnlySet<string>? visibleBrands)
    {
        var recording = RecordInteractionHandler.Decide(new RecordInteraction(customer.Id, command.Interaction, null, visibleBrands), customer, existing);
        if (recording is not Decision.Append append) return recording;

        var (links, rejection) = IdentityDecisions.Link(customer.Id, CustomerReach.HeldAsSeenBy(command.Caller, customer), command.Identifiers,
            claims, command.LinkedBy, command.LinkReason, command.Now, "customer.identifiers");
        return rejection is not null ? new Decision.Rejected(rejection) : new Decision.Append([.. links, .. append.Events]);
    }

    public static async Task<IdentifiedContactOutcome> Handle(RecordIdentifiedContact command, IDocumentSession session, GroupCatalog group,
        CancellationToken cancellation)
    {
        var keys = command.Identifiers.Select(i => i.Key).ToList();
        // Under these locks no other writer can claim the identifiers: two channels reporting the same new person at
        // once end as one customer, the second resolving to the first.
        await IdentityLocks.LockAsync(session, keys, cancellation);
        var claims = keys.Count == 0 ? [] : await session.LoadManyAsync<IdentifierClaim>(cancellation, keys);
        var caller = command.Caller;
        var (visible, _) = await CustomerReach.SplitClaimsAsync(session, caller, claims, group, command.Now, cancellation);
        var recorded = await session.LoadAsync<TimelineEntry>(command.Interaction.InteractionId, cancellation);

        // A re-sent contact goes where it was recorded the first time, whatever its identifiers say now; an id recorded
        // for a customer outside the caller's reach is just taken, as for any other customer.
        if (recorded is not null && !await CustomerReach.IsWithinAsync(session, caller, recorded.CustomerId, group, command.Now, cancellation))
            return Rejected(new Rejection(RejectionKind.Conflict, "interaction.interactionId",
                $"Interaction '{command.Interaction.InteractionId}' is already recorded for another customer."));
        if (command.CustomerId is { } named && !await CustomerReach.IsWithinAsync(session, caller, named, group, command.Now, cancellation))
            return Rejected(new Rejection(RejectionKind.NotFound, "customerId", $"No customer '{named}' in the ledger."));

        var customerId = command.CustomerId ?? recorded?.CustomerId;
        if (customerId is null)
        {
            switch (IdentityDecisions.Resolve(command.Identifiers, visible))
            {
                case Resolution.Existing existing:
                    customerId = existing.CustomerId;
                    break;
                case Resolution.Ambiguous ambiguous:
                    return Rejected(new Rejection(RejectionKind.Conflict, "customer.identifiers",
                        "These identifiers are shared by several customers: say which one with customer.customerId.", ambiguous.Candidates));
                case Resolution.Contradictory contradictory:
                    return Rejected(new Rejection(RejectionKind.Conflict, "customer.identifiers",
                        "These identifiers belong to different customers: record the contact for one of them (customer.customerId), " +
                        "or merge them if they are the same person.", contradictory.Owners));
                default:
                    return StartNewCustomer(command, session, visible);
            }
        }

        var (stream, entry) = await session.LockWithAsync<TimelineEntry>(customerId.Value, command.Interaction.InteractionId, cancellation);
        var visibleBrands = caller.Brands is null || stream.Aggregate is null
            || CustomerReach.Of(caller, [stream.Aggregate], group.BrandCodes, command.Now).SharesAcrossBrands ? null : caller.Brands;
        var outcome = session.Decide(stream, command.ExpectedVersion, customer => Decide(command, customer, entry, visible, visibleBrands));
        return new IdentifiedContactOutcome(outcome, CustomerCreated: false);
    }

    private static IdentifiedContactOutcome StartNewCustomer(RecordIdentifiedContact command, IDocumentSession session,
        IReadOnlyDictionary<string, IdentifierClaim> claims)
    {
        var customerId = Guid.CreateVersion7();
        if (command.Interaction.CaseId is { } caseId)
            return Rejected(new Rejection(RejectionKind.Invalid, "interaction.caseId", $"A new customer has no case '{caseId}'."));

        // Nobody may resolve by these identifiers, but some may still be held (weak kinds that never resolve alone):
        // those holders become possible duplicates.
        var (links, _) = IdentityDecisions.Link(customerId, new Dictionary<string, HeldIdentifier>(), command.Identifiers, claims,
            command.LinkedBy, command.LinkReason, command.Now, "customer.identifiers");
        // Registered for the brand the contact was with: the name is that brand's, and so is the relationship.
        object[] events = [new CustomerRegistered(customerId, command.DisplayName, command.Now, command.Interaction.Brand), .. links, command.Interaction];
        session.Events.StartStream<Customer>(customerId, events.Select(e => CustomerStream.WithClientEventId(session, e)).ToArray());
        return new IdentifiedContactOutcome(new WriteOutcome(customerId, events.Length, Written: true), CustomerCreated: true);
    }

    private static IdentifiedContactOutcome Rejected(Rejection rejection) =>
        new(WriteOutcome.Reject(Guid.Empty, 0, rejection), CustomerCreated: false);
}

public static class RecordIdentifiedContactEndpoint
{
    public const int MaxIdentifiers = 10;

    public static RouteHandlerBuilder MapRecordIdentifiedContact(this IEndpointRouteBuilder app) => app
        .MapPost("/interactions", async (RecordIdentifiedContactRequest request, HttpContext http, GroupCatalog group,
            TimeProvider clock, IMessageBus bus) =>
        {
            if (CustomerReach.OutsideBrands(http, group, request.Interaction?.Brand) is { } refused) return refused;
            var now = clock.GetUtcNow();
            var errors = new InputErrors();
            if (request.Interaction is null) errors.Add("interaction", "'interaction' is required: the contact to record.");
            else errors.AddAll("interaction.", RecordInteractionEndpoint.Validate(request.Interaction, group, now));

            var party = request.Customer;
            var identifiers = new List<(CustomerIdentifier Identifier, string Field)>();
            if (party is null || (party.CustomerId is null && party.Identifiers is not { Count: > 0 }))
                errors.Add("customer", "'customer' must give a customerId or at least one identifier.");
            else
            {
                if (party.CustomerId == Guid.Empty) errors.Add("customer.customerId", "'customerId' must be a non-empty UUID when given.");
                if (party.Identifiers is { Count: > MaxIdentifiers }) errors.Add("customer.identifiers", $"At most {MaxIdentifiers} identifiers.");
                foreach (var (input, index) in (party.Identifiers ?? []).Select((x, i) => (x, i)))
                    if (IdentifierValidation.Normalize(input, $"customer.identifiers[{index}]", group, errors) is { } identifier)
                        identifiers.Add((identifier, $"customer.identifiers[{index}]"));
                errors.MaxLength("customer.displayName", party.DisplayName, RegisterCustomerEndpoint.MaxDisplayNameLength);
            }
            if (!ExpectedVersion.TryRead(http.Request, request.Interaction?.ExpectedVersion, errors, out var expected) || errors.Any)
                return errors.ToResult();
            if (identifiers.Select(i => CustomerReach.OutsideBrands(http, group, i.Identifier.Brand, $"{i.Field}.brand")).FirstOrDefault(r => r is not null) is { } foreign)
                return foreign;
            // Checked again under the locks by the handler; here so that the attempt is on record.
            if (party!.CustomerId is { } named && await CustomerReach.OutOfReachRecordedAsync(http, named))
                return ProblemResults.For(new Rejection(RejectionKind.NotFound, "customerId", $"No customer '{named}' in the ledger."), versionFromHeader: false);
            if (expected.Value is not null && party!.CustomerId is null)
                return InputErrors.For("customer.customerId", "A conditional write (If-Match, expectedVersion) needs the customer's ledger id.").ToResult();

            var recorded = RecordInteractionEndpoint.ToEvent(request.Interaction!, now);
            // An identifier a contact names was collected by the brand the contact was with: it is that brand's to show.
            var collected = identifiers.Select(i => i.Identifier.Brand is null ? i.Identifier with { Brand = recorded.Brand } : i.Identifier).ToList();
            var result = await bus.InvokeAsync<IdentifiedContactOutcome>(new RecordIdentifiedContact(party!.CustomerId, collected,
                string.IsNullOrWhiteSpace(party.DisplayName) ? null : party.DisplayName.Trim(), recorded, now, expected.Value,
                Caller.From(http.User)), http.RequestAborted);
            var outcome = result.Outcome;
            return outcome.ToHttp(http, expected,
                o => new IdentifiedContactReceipt(o.CustomerId, recorded.InteractionId, o.OriginalVersion ?? o.Version, !o.Written, result.CustomerCreated),
                createdAt: $"/customers/{outcome.CustomerId}/interactions/{recorded.InteractionId}");
        })
        .WithName("RecordIdentifiedContact")
        .WithTags("Identity")
        .WithSummary("Record a contact for whoever its identifiers name: an existing customer, or a new one.")
        .WithDescription("Strong identifiers (brand customer number, verified e-mail, social handle, loyalty card) name one customer. " +
                         "Weak ones (phone, unverified e-mail, chat session) name a customer only while nobody else holds them; when several " +
                         "customers share them the answer is 409 with 'candidates' and the caller re-sends with customer.customerId. " +
                         "Unknown identifiers create a customer, atomically: concurrent first contacts naming the same identifier end as one customer. " +
                         "Idempotent on interaction.interactionId.")
        .Produces<IdentifiedContactReceipt>(StatusCodes.Status201Created)
        .Produces<IdentifiedContactReceipt>()
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .Produces<CandidatesProblem>(StatusCodes.Status409Conflict, "application/problem+json")
        .ProducesProblem(StatusCodes.Status412PreconditionFailed)
        .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
}
