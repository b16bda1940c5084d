using InteractionLedger.Customers;
using InteractionLedger.Group;
using InteractionLedger.Merging;
using InteractionLedger.Privacy;
using Marten;

namespace InteractionLedger.Overview;

public static class OverviewEndpoints
{
    /// <summary>
    /// The unified view of a customer and everyone merged into them, with their recent contacts newest first;
    /// null when the customer does not exist.
    /// </summary>
    /// <param name="decision">When it withholds other brands' history, the recent contacts are the caller's brands' own,
    /// read from the timeline: the overview keeps the latest contacts of all brands, and which of the caller's own fell
    /// out of that window would tell it how recently another brand was in touch.</param>
    public static async Task<(UnifiedCustomerView View, IReadOnlyList<ContactLine> Recent)?> LoadViewAsync(IQuerySession session,
        CustomerGroup members, DateTimeOffset now, RelationshipPolicy policy, GroupCatalog group, AccessDecision decision,
        CancellationToken cancellation)
    {
        var customerId = members.Requested;
        var overviews = (await session.LoadManyAsync<CustomerOverview>(cancellation, members.Members))
            .OrderBy(o => o.Id == members.Root ? 0 : 1).ToList();
        if (overviews.Count == 0) return null;
        IReadOnlyList<ContactLine> recent;
        if (HidesOtherBrands(decision) && decision.VisibleBrands is { } visible)
        {
            var ids = members.Members.ToArray();
            var brands = visible.ToArray();
            recent = (await session.Query<Interactions.TimelineEntry>()
                    .Where(e => ids.Contains(e.CustomerId) && brands.Contains(e.Brand))
                    .OrderByDescending(e => e.OccurredAt).Take(CustomerOverview.RecentContactsKept).ToListAsync(cancellation))
                .Select(e => new ContactLine(e.Id, e.OccurredAt, e.Brand, e.Channel, e.Reason, e.Outcome, e.Summary, e.CaseId, e.Rating?.Satisfaction))
                .ToList();
        }
        else recent = overviews.SelectMany(o => o.RecentContacts).OrderByDescending(c => c.OccurredAt).ToList();
        return (UnifiedCustomerView.Build(customerId, overviews, now, policy, group), recent);
    }

    /// <summary>Whether the decision withholds other brands' history (and so every figure computed across brands).</summary>
    public static bool HidesOtherBrands(AccessDecision decision) => decision.Withheld.Any(w => w.Part == DataPart.OtherBrands);

    public static RouteHandlerBuilder MapCustomerOverview(this IEndpointRouteBuilder customers) => customers
        .MapGet("/{customerId:guid}/overview", async (Guid customerId, IQuerySession session, TimeProvider clock,
            RelationshipPolicy policy, GroupCatalog group, PersonalDataGate gate, HttpContext http, CancellationToken cancellation) =>
        {
            var (pass, problem) = await gate.OpenCustomerAsync(http, session, customerId, DataView.Overview, cancellation);
            if (pass is null) return problem!;
            return await LoadViewAsync(session, pass.Customer!, clock.GetUtcNow(), policy, group, pass.Decision, cancellation) is { } loaded
                ? Results.Ok(Reduce(loaded.View, loaded.Recent, pass.Decision, group) with { Access = pass.Notice })
                : CustomerReads.NotFound(customerId);
        })
        .WithName("GetCustomerOverview")
        .WithSummary("Everything an agent needs when the customer calls: who, how they reach the group, what is going on, how it is going, how intense the relationship is.")
        .WithDescription("Across all channels and brands, and every customer merged into this one. An absorbed id answers with its survivor's view (mergedInto).")
        .WithPersonalDataRead()
        .Produces<UnifiedCustomerView>()
        .ProducesProblem(StatusCodes.Status404NotFound);

    /// <summary>The view as the decision lets the caller see it.</summary>
    public static UnifiedCustomerView Reduce(UnifiedCustomerView view, IReadOnlyList<ContactLine> recent, AccessDecision decision, GroupCatalog group)
    {
        var freeText = decision.Shows(DataPart.FreeText);
        var crossBrandFigures = !HidesOtherBrands(decision);
        var byBrand = view.Reach.ContactsByBrand.Where(b => decision.ShowsBrand(b.Key)).ToDictionary(b => b.Key, b => b.Value);
        return view with
        {
            ContactCount = byBrand.Values.Sum(),
            Who = view.Who with
            {
                DisplayName = decision.Shows(DataPart.Identity) ? view.Who.NameShownTo(decision) : null,
                Identifiers = decision.Shows(DataPart.Identity) ? view.Who.Identifiers
                    .Where(i => i.Held?.SeenBy(decision.ShowsBrand) ?? (i.Brand is null || decision.ShowsBrand(i.Brand)))
                    .Select(i => i.Held is { } held ? i with { Brand = held.AsSeenBy(decision.ShowsBrand).Identifier.Brand } : i).ToList() : [],
                Brands = view.Who.Brands.Where(decision.ShowsBrand).ToList(),
                // When another brand's history is withheld, so are the dates it sets: the last contact is the last one
                // shown (among the recent ones kept), the first is not known from what may be shown.
                FirstContactAt = crossBrandFigures ? view.Who.FirstContactAt : null,
                LastContactAt = crossBrandFigures ? view.Who.LastContactAt
                    : recent.Where(c => decision.ShowsBrand(c.Brand)).Select(c => (DateTimeOffset?)c.OccurredAt).FirstOrDefault(),
            },
            Reach = view.Reach with
            {
                ContactsByBrand = byBrand,
                ContactsByChannel = crossBrandFigures ? view.Reach.ContactsByChannel : new Dictionary<Interactions.Channel, int>(),
                PreferredChannel = crossBrandFigures || view.Reach.PreferredChannel?.Source == "stated" ? view.Reach.PreferredChannel : null,
                ChannelsLast90Days = crossBrandFigures ? view.Reach.ChannelsLast90Days : [],
            },
            Now = new CurrentSection(
                view.Now.OpenCases.Where(c => decision.ShowsBrand(c.Brand))
                    .Select(c => freeText ? c : c with { Title = "", LastStep = null }).ToList(),
                recent.Where(c => decision.ShowsBrand(c.Brand)).Take(5)
                    .Select(c => UnifiedCustomerView.OneLine(freeText ? c : c with { Summary = null }, group)).ToList()),
            Quality = decision.Shows(DataPart.Ratings) && crossBrandFigures ? view.Quality : null,
            Intensity = decision.Shows(DataPart.Profiling) && crossBrandFigures ? view.Intensity : null,
        };
    }
}
