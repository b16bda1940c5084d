using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using InteractionLedger.Access;
using InteractionLedger.Cases;
using InteractionLedger.Consent;
using InteractionLedger.Customers;
using InteractionLedger.Http;
using InteractionLedger.Identity;
using InteractionLedger.Interactions;
using InteractionLedger.Merging;
using InteractionLedger.Overview;
using Marten;
using Wolverine;

namespace InteractionLedger.Privacy;

/// <summary>What stays of an erased customer: that the erasure happened, and counts that identify nobody.</summary>
public sealed class CustomerErasure
{
    /// <summary>An erased ledger id (a random UUID that no longer leads to anything personal).</summary>
    public Guid Id { get; set; }
    public DateTimeOffset ErasedAt { get; set; }
    public string ErasedBy { get; set; } = "";
    public string Reason { get; set; } = "";
    /// <summary>Every id erased with it: a merged customer is one person, erased as one.</summary>
    public List<Guid> ErasedCustomers { get; set; } = [];
    public int EventsErased { get; set; }
    public int Contacts { get; set; }
    public Dictionary<Channel, int> ContactsByChannel { get; set; } = [];
    public Dictionary<string, int> ContactsByBrand { get; set; } = [];
    /// <summary>The brands the person had a relationship with: who may learn that the id was erased rather than never known.</summary>
    public List<string> Brands { get; set; } = [];
    public int Cases { get; set; }
    public int Ratings { get; set; }
}

/// <summary>A request to erase a customer (GDPR art. 17).</summary>
/// <param name="Reason">Why: e.g. "GDPR art. 17 request received by e-mail on 2026-11-20, ticket 4411" (at most 500 characters).</param>
public sealed record EraseCustomerRequest([property: Required] string? Reason);

public sealed record EraseCustomer(Guid CustomerId, string ErasedBy, string Reason, DateTimeOffset Now);

/// <param name="Receipt">Null when the ledger never knew the customer.</param>
public sealed record ErasureOutcome(ErasureReceipt? Receipt);

/// <summary>The answer to an erasure: what was erased, and when.</summary>
/// <param name="CustomerId">The customer erasure was asked for.</param>
/// <param name="ErasedCustomers">Every ledger id erased: the customer and everyone merged with them, erased as one person.</param>
/// <param name="ErasedAt">When the erasure took place (UTC).</param>
/// <param name="EventsErased">How many events were deleted from the customers' streams.</param>
/// <param name="Replayed">True when the customer had already been erased: the receipt is that of the original erasure.</param>
public sealed record ErasureReceipt(Guid CustomerId, IReadOnlyList<Guid> ErasedCustomers, DateTimeOffset ErasedAt, int EventsErased, bool Replayed);

/// <summary>
/// Erasure deletes the customer's streams outright (Marten's hard delete of the stream and its events) and every
/// document projected from them, in one transaction, following the declaration of where personal data lives
/// (<see cref="PersonalData"/>). Masking would leave event rows behind whose shape, times and
/// brands still single out one person; keys destroyed per customer would leave the ciphertext in every backup for
/// as long as the key store's own backups live. What must stay is kept outside the streams: a
/// <see cref="CustomerErasure"/> per erased id, and the access ledger, which never held personal data, only ids.
/// </summary>
public static class EraseCustomerHandler
{
    public static async Task<ErasureOutcome> Handle(EraseCustomer command, IDocumentSession session, CancellationToken cancellation)
    {
        if (await session.LoadAsync<CustomerErasure>(command.CustomerId, cancellation) is { } done)
            return new(new ErasureReceipt(command.CustomerId, done.ErasedCustomers, done.ErasedAt, done.EventsErased, Replayed: true));
        if (await CustomerGroup.LoadAsync(session, command.CustomerId, cancellation) is not { } group) return new(null);

        // Writers of these customers queue behind these locks and find nothing once the erasure commits.
        var streams = new List<JasperFx.Events.IEventStream<Customer>>();
        foreach (var member in group.Members) streams.Add(await session.LockAsync(member, cancellation));
        var members = group.Members.ToArray();
        var overviews = await session.LoadManyAsync<CustomerOverview>(cancellation, members);

        var eventsErased = (int)streams.Sum(s => s.CurrentVersion ?? 0);
        // One fact per erased id, so each of them answers 410; what it keeps is the same for all.
        CustomerErasure ErasureOf(Guid id) => new()
        {
            Id = id, ErasedAt = command.Now, ErasedBy = command.ErasedBy, Reason = command.Reason, ErasedCustomers = [.. members],
            EventsErased = eventsErased,
            Contacts = overviews.Sum(o => o.ContactCount),
            ContactsByChannel = overviews.SelectMany(o => o.ContactsByChannel).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Sum(p => p.Value)),
            ContactsByBrand = overviews.SelectMany(o => o.ContactsByBrand).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Sum(p => p.Value)),
            Brands = group.People.SelectMany(p => p.Brands).Distinct().Order().ToList(),
            Cases = overviews.Sum(o => o.Cases.Count),
            Ratings = overviews.Sum(o => o.Ratings.Values.Sum(r => r.Count)),
        };

        // Every holding of personal data, as declared once (PersonalData): the streams, every view, the claims.
        var scope = new PersonalDataScope(members, cancellation);
        foreach (var holding in PersonalData.Holdings)
            if (holding.Erase is { } erase) await erase(session, scope);
        foreach (var member in members) session.Store(ErasureOf(member));
        return new(new ErasureReceipt(command.CustomerId, members, command.Now, eventsErased, Replayed: false));
    }
}

public static class Erasure
{
    public const int MaxReasonLength = 500;

    /// <summary>
    /// 404 for an id the ledger never knew, 410 for one it erased. That an id was erased is told only to callers who
    /// had the person within reach (the whole group, or one of the person's brands): to anyone else an erased
    /// customer of another brand is as unknown as it always was.
    /// </summary>
    public static async Task<IResult> NotFoundOrErasedAsync(IQuerySession session, Guid customerId, CancellationToken cancellation,
        Caller? caller = null) =>
        await session.LoadAsync<CustomerErasure>(customerId, cancellation) is { } erased && (caller is null || caller.ActsForAny(ErasedBrands(erased)))
            ? Results.Problem(statusCode: StatusCodes.Status410Gone, title: "Erased.",
                detail: $"Customer '{customerId}' was erased on {erased.ErasedAt:yyyy-MM-dd}: the ledger holds nothing about them any more.",
                type: ProblemTypes.Erased)
            : CustomerReads.NotFound(customerId);

    /// <summary>Erasures recorded before brands were kept with them know the brands only from their contact counts.</summary>
    private static IEnumerable<string> ErasedBrands(CustomerErasure erased) =>
        erased.Brands.Count > 0 ? erased.Brands : erased.ContactsByBrand.Keys;

    public static RouteHandlerBuilder MapEraseCustomer(this IEndpointRouteBuilder privacy) => privacy
        .MapPost("/customers/{customerId:guid}/erasure", async (Guid customerId, EraseCustomerRequest request, ClaimsPrincipal user,
            IMessageBus bus, TimeProvider clock, HttpContext http) =>
        {
            var errors = new InputErrors();
            errors.Required("reason", request.Reason);
            errors.MaxLength("reason", request.Reason, MaxReasonLength);
            if (errors.Any) return errors.ToResult();
            var outcome = await bus.InvokeAsync<ErasureOutcome>(
                new EraseCustomer(customerId, Caller.From(user).Id, request.Reason!.Trim(), clock.GetUtcNow()), http.RequestAborted);
            return outcome.Receipt is { } receipt ? Results.Ok(receipt) : CustomerReads.NotFound(customerId);
        })
        .WithName("EraseCustomer")
        .WithSummary("Erase a customer (and everyone merged with them): events, views, identifiers, consents. Keeps the fact and counts.")
        .WithDescription("Idempotent: erasing an erased id answers 200 with replayed=true. Reads of an erased id answer 410.")
        .Produces<ErasureReceipt>()
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound);
}
