using InteractionLedger.Group;
using InteractionLedger.Hosting;
using InteractionLedger.Http;
using InteractionLedger.Identity;
using InteractionLedger.Interactions;
using InteractionLedger.Merging;
using InteractionLedger.Privacy;
using Marten;

namespace InteractionLedger.Overview;

/// <summary>An open case, as a chatbot needs it.</summary>
/// <param name="CaseId">The case's id.</param>
/// <param name="Brand">Code of the brand the problem concerns.</param>
/// <param name="Title">One line the problem is recognised by; empty when free text is withheld for the stated purpose.</param>
/// <param name="LastStep">The latest step in words (a contact's summary, or why the case was reopened); null when it has no text or free text is withheld.</param>
/// <param name="LastStepAt">When that step happened; null before any.</param>
public sealed record BotCase(Guid CaseId, string Brand, string Title, string? LastStep, DateTimeOffset? LastStepAt);

/// <summary>What a chatbot should do next, and why.</summary>
/// <param name="Action">continue-case, offer-human, reconnect, welcome, identify.</param>
/// <param name="Reason">Why, in words the bot can act on.</param>
/// <param name="CaseId">The case to continue, for <c>continue-case</c> (null when suggestions drawn from the profile are withheld); null for other actions.</param>
public sealed record SuggestedStep(string Action, string Reason, Guid? CaseId = null);

/// <summary>
/// What a chatbot needs to greet a customer as someone known: small (a few hundred bytes) and stable, because it is
/// read at the start of every bot conversation.
/// </summary>
/// <param name="Known">False when the identifier names nobody, or several customers (the bot must then ask who it is).</param>
/// <param name="CustomerId">The customer identified (the survivor, when merged); null when nobody was.</param>
/// <param name="DisplayName">How to address the customer; null when nobody was identified, no name is known, or identity is withheld for the stated purpose.</param>
/// <param name="PreferredChannel">The channel the customer prefers; null when unknown.</param>
/// <param name="OpenCases">Up to three open cases, the bot's brand's first.</param>
/// <param name="LastContacts">The three latest contacts, newest first, one line each.</param>
/// <param name="NextStep">What the bot should do next, and why.</param>
/// <param name="Access">How this read was decided and what it leaves out; null when nobody was identified (nothing was read).</param>
public sealed record BotContext(bool Known, Guid? CustomerId, string? DisplayName, Channel? PreferredChannel,
    IReadOnlyList<BotCase> OpenCases, IReadOnlyList<string> LastContacts, SuggestedStep NextStep, AccessNotice? Access = null);

public static class BotContextEndpoint
{
    private const int CasesShown = 3;
    private const int ContactsShown = 3;

    public static RouteHandlerBuilder MapBotContext(this IEndpointRouteBuilder app) => app
        .MapGet("/bot-context", async (string? brand, Guid? customerId, string? kind, string? value, IQuerySession session,
            TimeProvider clock, RelationshipPolicy policy, GroupCatalog group, PersonalDataGate gate, HttpContext http,
            CancellationToken cancellation) =>
        {
            if (!PersonalDataGate.TryReadPurpose(http.Request, out var purpose, out var purposeProblem)) return purposeProblem!;
            var errors = new InputErrors();
            errors.Required("brand", brand);
            if (brand is { Length: > 0 } && !group.IsKnownBrand(brand)) errors.Add("brand", $"'{brand}' is not a brand of {group.Name}.");
            CustomerIdentifier? identifier = null;
            if (customerId is null)
            {
                IdentifierKind? parsed = ApiJson.TryParse<IdentifierKind>(kind, out var k) ? k : null;
                if (kind is not null && parsed is null) errors.Add("kind", $"'{kind}' is not an identifier kind; use one of: {ApiJson.AllowedValues<IdentifierKind>()}.");
                else identifier = IdentifierValidation.Normalize(new IdentifierInput(parsed, value, brand), "identifier", group, errors);
            }
            if (errors.Any) return errors.ToResult();
            if (Access.CustomerReach.OutsideBrands(http, group, brand) is { } foreignBrand) return foreignBrand;

            var now = clock.GetUtcNow();
            var resolved = customerId;
            if (identifier is not null)
            {
                // Holders outside the bot's reach are not candidates: to the bot, an identifier only they hold is unknown.
                var claim = await session.LoadAsync<IdentifierClaim>(identifier.Key, cancellation);
                var (claims, hidden) = claim is null ? ([], [])
                    : await Access.CustomerReach.SplitClaimsAsync(session, Access.Caller.From(http.User), [claim], group, now, cancellation);
                foreach (var holder in hidden.Values.SelectMany(c => c.Holders))
                    if (await CustomerGroup.LoadAsync(session, holder.CustomerId, cancellation) is { } outOfReach)
                        await gate.RecordOutOfReachAsync(http, outOfReach, cancellation);
                switch (IdentityDecisions.Resolve([identifier], claims))
                {
                    case Resolution.Existing existing: resolved = existing.CustomerId; break;
                    case Resolution.Unknown:
                        return Results.Ok(Unknown("identify", "Nobody is known by this identifier yet: ask how the customer is known to us."));
                    default:
                        return Results.Ok(Unknown("identify", "Several customers share this identifier: ask who is writing before using any history."));
                }
            }

            if (await CustomerGroup.LoadAsync(session, resolved!.Value, cancellation) is not { } customer)
                return await Privacy.Erasure.NotFoundOrErasedAsync(session, resolved.Value, cancellation, Access.Caller.From(http.User));
            var pass = await gate.DecideAsync(http, purpose, DataView.BotContext, customer, cancellation);
            if (pass.Decision.Outcome == AccessOutcome.Refused) return PersonalDataGate.Refusal(pass, resolved.Value);
            if (await OverviewEndpoints.LoadViewAsync(session, customer, now, policy, group, pass.Decision, cancellation) is not var (full, allRecent))
                return Results.Ok(Unknown("identify", "No such customer in the ledger."));

            var decision = pass.Decision;
            var view = OverviewEndpoints.Reduce(full, allRecent, decision, group);
            var recent = allRecent.Where(c => decision.ShowsBrand(c.Brand)).ToList();
            return Results.Ok(new BotContext(true, view.CustomerId, view.Who.DisplayName, view.Reach.PreferredChannel?.Channel,
                view.Now.OpenCases.OrderByDescending(c => c.Brand == brand).Take(CasesShown)
                    .Select(c => new BotCase(c.CaseId, c.Brand, c.Title, c.LastStep, c.LastStepAt)).ToList(),
                view.Now.LastContacts.Take(ContactsShown).ToList(),
                decision.Shows(DataPart.Profiling) ? Suggest(view, recent, brand!)
                    : new SuggestedStep(view.Now.OpenCases.Count > 0 ? "continue-case" : "welcome",
                        "Suggestions drawn from the customer's profile are withheld (see access): greet the customer and ask how to help."),
                pass.Notice));
        })
        .WithName("GetBotContext")
        .WithTags("Chatbots")
        .WithSummary("Compact context for a chatbot starting a conversation: who this is, preferred channel, open cases, last contacts, next step.")
        .WithDescription("Give the bot's brand and either customerId or an identifier (kind, value) the bot knows, e.g. kind=phone&value=0612345678.")
        .WithPersonalDataRead()
        .Produces<BotContext>()
        .ProducesProblem(StatusCodes.Status404NotFound);

    private static BotContext Unknown(string action, string reason) => new(false, null, null, null, [], [], new SuggestedStep(action, reason));

    /// <summary>The first rule that applies, most urgent first.</summary>
    public static SuggestedStep Suggest(UnifiedCustomerView view, IReadOnlyList<ContactLine> recent, string brand)
    {
        var lastTwo = recent.Take(2).ToList();
        if (lastTwo.Count == 2 && lastTwo.All(IsNegative))
            return new SuggestedStep("offer-human", "The last two contacts were negative: offer a human adviser straight away.");
        if (view.Now.OpenCases.OrderByDescending(c => c.Brand == brand).FirstOrDefault() is { } open)
            return new SuggestedStep("continue-case", $"Case '{open.Title}' is open ({open.ContactCount} contacts so far): continue it.", open.CaseId);
        if (view.Intensity is { Dormant: true } && view.ContactCount > 0)
            return new SuggestedStep("reconnect", $"No contact for {view.Intensity.DaysSinceLastContact} days: welcome the customer back.");
        return new SuggestedStep("welcome", "Nothing pending: greet the customer by name and ask how to help.");
    }

    private static bool IsNegative(ContactLine contact) =>
        contact.Satisfaction is <= 2 || contact.Outcome is Outcome.Abandoned;
}
