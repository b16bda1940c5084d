using System.ComponentModel.DataAnnotations;
using InteractionLedger.Access;
using InteractionLedger.Customers;
using InteractionLedger.Group;
using InteractionLedger.Http;
using InteractionLedger.Interactions;
using Marten;
using Wolverine;

namespace InteractionLedger.Cases;

/// <summary>A case to open for the customer.</summary>
/// <param name="CaseId">Optional client-chosen UUID, which makes a retried request safe; generated when omitted.</param>
/// <param name="Brand">The brand the problem concerns.</param>
/// <param name="Reason">Why the customer made contact.</param>
/// <param name="Title">One line an agent recognises the problem by (at most 200 characters).</param>
/// <param name="OpenedBy">Id of the agent, bot or system opening the case.</param>
/// <param name="ExpectedVersion">Optional: the customer's stream version you expect (an ETag you read), instead of If-Match; a stale one answers 409.</param>
public sealed record OpenCaseRequest(Guid? CaseId, [property: Required] string? Brand, [property: Required] ContactReason? Reason, [property: Required] string? Title, string? OpenedBy, long? ExpectedVersion);

/// <summary>The answer to a write on a case.</summary>
/// <param name="CustomerId">The customer whose case it is.</param>
/// <param name="CaseId">The case's id: the one given, or the one generated when opening.</param>
/// <param name="Version">The customer's stream version after the write; send it back as If-Match to write again safely.</param>
/// <param name="Replayed">True when the request repeated one already applied: nothing new was recorded.</param>
public sealed record CaseReceipt(Guid CustomerId, Guid CaseId, long Version, bool Replayed);

public sealed record OpenCase(Guid CustomerId, CaseOpened Case, long? ExpectedVersion);

public static class OpenCaseHandler
{
    public static Decision Decide(OpenCase command, Customer customer, CaseSummary? existing)
    {
        var opened = command.Case;
        if (existing is null) return Decision.Emit(opened);
        return existing.CustomerId == customer.Id && existing.Brand == opened.Brand && existing.Reason == opened.Reason && existing.Title == opened.Title
            ? Decision.NothingToDo
            : Decision.Conflict("caseId", $"A different case with id '{opened.CaseId}' already exists.");
    }

    public static async Task<WriteOutcome> Handle(OpenCase command, IDocumentSession session, CancellationToken cancellation)
    {
        var (stream, existing) = await session.LockWithAsync<CaseSummary>(command.CustomerId, command.Case.CaseId, cancellation);
        return session.Decide(stream, command.ExpectedVersion, customer => Decide(command, customer, existing));
    }
}

public static class OpenCaseEndpoint
{
    public const int MaxTitleLength = 200;

    public static RouteHandlerBuilder MapOpenCase(this IEndpointRouteBuilder customers) => customers
        .MapPost("/{customerId:guid}/cases", (Guid customerId, OpenCaseRequest request, HttpContext http,
            GroupCatalog group, TimeProvider clock, IMessageBus bus) =>
        {
            if (CustomerReach.OutsideBrands(http, group, request.Brand) is { } refused) return Task.FromResult(refused);
            var errors = new InputErrors();
            if (request.CaseId == Guid.Empty) errors.Add("caseId", "'caseId' must be a non-empty UUID when given.");
            errors.Required("brand", request.Brand);
            if (!string.IsNullOrWhiteSpace(request.Brand) && !group.IsKnownBrand(request.Brand))
                errors.Add("brand", $"'{request.Brand}' is not a brand of {group.Name}.");
            errors.Required("reason", request.Reason);
            errors.Required("title", request.Title);
            errors.MaxLength("title", request.Title, MaxTitleLength);
            CaseActors.Validate("openedBy", request.OpenedBy, errors);

            var caseId = request.CaseId ?? Guid.CreateVersion7();
            return CommandEndpoint.RunAsync(http, bus, errors, request.ExpectedVersion,
                expected => new OpenCase(customerId, new CaseOpened(caseId, request.Brand!, request.Reason!.Value,
                    request.Title!.Trim(), request.OpenedBy!.Trim(), clock.GetUtcNow()), expected),
                o => new CaseReceipt(customerId, caseId, o.Version, Replayed: !o.Written),
                createdAt: $"/customers/{customerId}/cases/{caseId}");
        })
        .WithName("OpenCase")
        .WithSummary("Open a case: one customer problem, to be followed across contacts and channels until resolved.")
        .Produces<CaseReceipt>(StatusCodes.Status201Created)
        .Produces<CaseReceipt>()
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status412PreconditionFailed);
}

public static class CaseActors
{
    public const int MaxActorLength = 100;

    public static void Validate(string field, string? actor, InputErrors errors)
    {
        errors.Required(field, actor);
        errors.MaxLength(field, actor, MaxActorLength);
    }
}
