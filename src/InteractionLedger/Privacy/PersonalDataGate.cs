using System.Diagnostics;
using InteractionLedger.Access;
using InteractionLedger.Customers;
using InteractionLedger.Group;
using InteractionLedger.Hosting;
using InteractionLedger.Http;
using InteractionLedger.Interactions;
using InteractionLedger.Merging;
using Marten;

namespace InteractionLedger.Privacy;

/// <summary>How a read was decided, returned with the data so a reduced answer says what it leaves out and why.</summary>
/// <param name="AccessRecord">The reference of this read's access ledger record (<c>reference</c> in the privacy
/// officer's search): random, so it tells nothing about other records.</param>
/// <param name="Decision"><c>allowed</c>, or <c>reduced</c> when some parts were withheld (a refused read answers with a problem instead).</param>
/// <param name="Purpose">The purpose the read stated (<c>X-Purpose</c> header or <c>purpose</c> query parameter).</param>
/// <param name="LegalBasis">The legal basis that purpose rests on.</param>
/// <param name="Withheld">The parts of the customer's data this answer leaves out, each with its reason; empty when nothing was withheld.</param>
public sealed record AccessNotice(AccessOutcome Decision, Purpose Purpose, LegalBasis LegalBasis, IReadOnlyList<Withheld> Withheld, Guid AccessRecord);

/// <summary>The outcome of passing the gate: the data may be read (with its decision), or the answer is a problem.</summary>
public sealed record GatePass(CustomerGroup? Customer, AccessDecision Decision, AccessNotice Notice);

/// <summary>
/// The way into a customer's personal data. Every read states its purpose, is decided by <see cref="AccessPolicy"/>
/// on the customer's consents at that moment, and leaves an access record, allowed, reduced or refused. The record
/// is committed before any data is read for the answer: if the ledger cannot record the access, nothing is shown.
/// </summary>
public sealed class PersonalDataGate(AccessLedger ledger, TimeProvider clock, GroupCatalog group)
{
    public const string PurposeHeader = "X-Purpose";

    /// <summary>The purpose the request states, in the X-Purpose header or the purpose query parameter.</summary>
    public static bool TryReadPurpose(HttpRequest request, out Purpose purpose, out IResult? problem)
    {
        purpose = default;
        problem = null;
        var stated = request.Headers[PurposeHeader].ToString();
        if (string.IsNullOrEmpty(stated)) stated = request.Query["purpose"].ToString();
        var statable = string.Join(", ", PurposePolicy.Rules.Where(r => r.StatableForReads).Select(r => ApiJson.Name(r.Purpose)));
        if (string.IsNullOrEmpty(stated))
            problem = InputErrors.For("purpose", $"State why you read this customer's data: send the {PurposeHeader} header (or ?purpose=), one of: {statable}.").ToResult();
        else if (!ApiJson.TryParse(stated, out purpose))
            problem = InputErrors.For("purpose", $"'{Truncate(stated)}' is not a purpose; use one of: {statable}.").ToResult();
        else if (!PurposePolicy.RuleFor(purpose).StatableForReads)
            problem = InputErrors.For("purpose", $"'{stated}' is consented to, not read for: it widens service and personalisation reads. Use one of: {statable}.").ToResult();
        return problem is null;
    }

    /// <summary>Reads the purpose, loads the customer's group, decides, records; the pass or the problem to answer.</summary>
    public async Task<(GatePass? Pass, IResult? Problem)> OpenCustomerAsync(HttpContext http, IQuerySession session, Guid customerId,
        DataView view, CancellationToken cancellation)
    {
        if (!TryReadPurpose(http.Request, out var purpose, out var problem)) return (null, problem);
        if (await CustomerGroup.LoadAsync(session, customerId, cancellation) is not { } customer)
            return (null, await Erasure.NotFoundOrErasedAsync(session, customerId, cancellation, Caller.From(http.User)));
        var pass = await DecideAsync(http, purpose, view, customer, cancellation);
        return pass.Decision.Outcome == AccessOutcome.Refused ? (null, Refusal(pass, customerId)) : (pass, null);
    }

    /// <summary>Decides on a group already loaded (or on nobody: a lookup that found no one) and records the access.</summary>
    public async Task<GatePass> DecideAsync(HttpContext http, Purpose purpose, DataView view, CustomerGroup? customer, CancellationToken cancellation)
    {
        var caller = Caller.From(http.User);
        var now = TimelineEntry.AtStoredPrecision(clock.GetUtcNow());
        var decision = AccessPolicy.Decide(new AccessRequest(caller, purpose, view, customer?.People ?? [],
            group.Brands.Select(b => b.Code).ToList(), now));
        var record = new AccessRecord(now, caller.Id, ApiJson.Name(caller.Role), caller.Brands?.Order().ToList(), customer?.Root,
            ApiJson.Name(view), ApiJson.Name(purpose), ApiJson.Name(decision.LegalBasis), ApiJson.Name(decision.Outcome),
            decision.Returned.Select(ApiJson.Name).ToList(), decision.Withheld, decision.VisibleBrands?.Order().ToList(),
            decision.ConsentsReliedOn, decision.RefusalReason, RequestId(http), Guid.NewGuid(), caller.Person, caller.ApplicationId);
        await ledger.AppendAsync(record, cancellation);
        LedgerTelemetry.AccessDecisions.Add(1, new("decision", record.Decision), new("purpose", record.Purpose), new("role", record.Role));
        return new GatePass(customer, decision, new AccessNotice(decision.Outcome, purpose, decision.LegalBasis, decision.Withheld, record.Reference!.Value));
    }

    /// <summary>
    /// Records an attempt on a customer outside the caller's reach (a write addressed to it, an identifier only it
    /// holds), refused before anything was read or written: a privacy officer sees the probe beside the refused reads.
    /// The view is the endpoint's name.
    /// </summary>
    public async Task RecordOutOfReachAsync(HttpContext http, CustomerGroup customer, CancellationToken cancellation)
    {
        var caller = Caller.From(http.User);
        var now = TimelineEntry.AtStoredPrecision(clock.GetUtcNow());
        var endpoint = http.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IEndpointNameMetadata>()?.EndpointName ?? "unnamed-endpoint";
        await ledger.AppendAsync(new AccessRecord(now, caller.Id, ApiJson.Name(caller.Role), caller.Brands?.Order().ToList(), customer.Root,
            endpoint, ApiJson.Name(Purpose.Service), ApiJson.Name(PurposePolicy.RuleFor(Purpose.Service).LegalBasis),
            ApiJson.Name(AccessOutcome.Refused), [], [], [], [],
            $"Out of reach: the customer has no relationship with {caller.ScopeText} and has not consented to sharing across the group's brands.",
            RequestId(http), Guid.NewGuid(), caller.Person, caller.ApplicationId), cancellation);
    }

    /// <summary>
    /// Records the privacy officer's or administrator's own reads of the ledger and of customers' histories: the
    /// watchers are watched too. <paramref name="customerId"/> is null for a read across customers (a search).
    /// </summary>
    public async Task RecordOversightReadAsync(HttpContext http, Guid? customerId, string view, CancellationToken cancellation)
    {
        var caller = Caller.From(http.User);
        var rule = PurposePolicy.RuleFor(Purpose.DataSubjectRights);
        await ledger.AppendAsync(new AccessRecord(TimelineEntry.AtStoredPrecision(clock.GetUtcNow()), caller.Id, ApiJson.Name(caller.Role),
            caller.Brands?.Order().ToList(), customerId, view, ApiJson.Name(Purpose.DataSubjectRights), ApiJson.Name(rule.LegalBasis),
            ApiJson.Name(AccessOutcome.Allowed), [view], [], null, [], null, RequestId(http), Guid.NewGuid(), caller.Person, caller.ApplicationId),
            cancellation);
    }

    /// <summary>
    /// Records a read of figures across customers (no customer named): what was read, for which purpose and brands.
    /// The customers behind the figures are not listed; those who objected to the purpose were left out of them.
    /// </summary>
    public async Task<Guid> RecordAggregateReadAsync(HttpContext http, Purpose purpose, string view, IReadOnlyList<string> brands,
        CancellationToken cancellation)
    {
        var caller = Caller.From(http.User);
        var rule = PurposePolicy.RuleFor(purpose);
        var reference = Guid.NewGuid();
        await ledger.AppendAsync(new AccessRecord(TimelineEntry.AtStoredPrecision(clock.GetUtcNow()), caller.Id, ApiJson.Name(caller.Role),
            caller.Brands?.Order().ToList(), null, view, ApiJson.Name(purpose), ApiJson.Name(rule.LegalBasis),
            ApiJson.Name(AccessOutcome.Allowed), rule.Readers.GetValueOrDefault(caller.Role, []).Select(ApiJson.Name).ToList(), [],
            brands.Order().ToList(), [], null, RequestId(http), reference, caller.Person, caller.ApplicationId), cancellation);
        LedgerTelemetry.AccessDecisions.Add(1, new("decision", ApiJson.Name(AccessOutcome.Allowed)), new("purpose", ApiJson.Name(purpose)),
            new("role", ApiJson.Name(caller.Role)));
        return reference;
    }

    /// <summary>
    /// Records a read across customers refused before anything was read (a role that does not read for the purpose,
    /// another brand's figures or list): a privacy officer sees the probe beside the refused reads of one customer.
    /// </summary>
    public async Task RecordRefusedAsync(HttpContext http, Purpose purpose, string view, string reason, CancellationToken cancellation)
    {
        var caller = Caller.From(http.User);
        await ledger.AppendAsync(new AccessRecord(TimelineEntry.AtStoredPrecision(clock.GetUtcNow()), caller.Id, ApiJson.Name(caller.Role),
            caller.Brands?.Order().ToList(), null, view, ApiJson.Name(purpose), ApiJson.Name(PurposePolicy.RuleFor(purpose).LegalBasis),
            ApiJson.Name(AccessOutcome.Refused), [], [], [], [], reason, RequestId(http), Guid.NewGuid(), caller.Person, caller.ApplicationId), cancellation);
        LedgerTelemetry.AccessDecisions.Add(1, new("decision", ApiJson.Name(AccessOutcome.Refused)), new("purpose", ApiJson.Name(purpose)),
            new("role", ApiJson.Name(caller.Role)));
    }

    /// <summary>
    /// Records one line of a worklist (a customer named in a list), decided beforehand with <see cref="AccessPolicy"/>
    /// on the customer's consents at that moment; only listed customers are recorded, as only they were read.
    /// </summary>
    public async Task<Guid> RecordListedAsync(HttpContext http, CustomerGroup customer, AccessDecision decision, CancellationToken cancellation)
    {
        var caller = Caller.From(http.User);
        var reference = Guid.NewGuid();
        await ledger.AppendAsync(new AccessRecord(TimelineEntry.AtStoredPrecision(clock.GetUtcNow()), caller.Id, ApiJson.Name(caller.Role),
            caller.Brands?.Order().ToList(), customer.Root, ApiJson.Name(decision.View), ApiJson.Name(decision.Purpose),
            ApiJson.Name(decision.LegalBasis), ApiJson.Name(decision.Outcome), decision.Returned.Select(ApiJson.Name).ToList(), decision.Withheld,
            decision.VisibleBrands?.Order().ToList(), decision.ConsentsReliedOn, decision.RefusalReason, RequestId(http), reference,
            caller.Person, caller.ApplicationId), cancellation);
        LedgerTelemetry.AccessDecisions.Add(1, new("decision", ApiJson.Name(decision.Outcome)), new("purpose", ApiJson.Name(decision.Purpose)),
            new("role", ApiJson.Name(caller.Role)));
        return reference;
    }

    private static string RequestId(HttpContext http) => Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier;

    public static IResult Refusal(GatePass pass, Guid customerId)
    {
        var decision = pass.Decision;
        // Out of the caller's reach reads exactly like unknown: a guessed id must not reveal that a customer exists.
        if (decision.Refusal == RefusalKind.OutOfScope) return CustomerReads.NotFound(customerId);
        return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Refused by the data-use policy.",
            detail: decision.RefusalReason, type: Http.ProblemTypes.Of(ApiJson.Name(decision.Refusal!.Value)),
            extensions: new Dictionary<string, object?>
            {
                ["purpose"] = ApiJson.Name(decision.Purpose),
                ["legalBasis"] = ApiJson.Name(decision.LegalBasis),
                ["accessRecord"] = pass.Notice.AccessRecord,
            });
    }

    private static string Truncate(string value) => value.Length <= 40 ? value : value[..40] + "…";
}

public static class PersonalDataReadConventions
{
    /// <summary>Documents, for OpenAPI readers, that the endpoint reads personal data: a purpose is required, refusals are 403.</summary>
    public static RouteHandlerBuilder WithPersonalDataRead(this RouteHandlerBuilder builder) => builder
        .RequireAuthorization(Access.LedgerPolicies.ReadPersonalData)
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .WithMetadata(new PersonalDataReadMarker())
        .WithMetadata(Access.ReachRule.PersonalDataGate);
}

/// <summary>Marks endpoints that read personal data, so OpenAPI shows the X-Purpose header they require.</summary>
public sealed class PersonalDataReadMarker;
