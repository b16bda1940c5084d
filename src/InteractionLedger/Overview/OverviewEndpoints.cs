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
    public static async Task<(UnifiedCustomerView View, IReadOnlyList<ContactLine> Recent)?> LoadViewAsync(IQuerySession session,
        CustomerGroup members, DateTimeOffset now, RelationshipPolicy policy, GroupCatalog group, CancellationToken cancellation)
    {
        var customerId = members.Requested;
        var overviews = (await session.LoadManyAsync<CustomerOverview>(cancellation, members.Members))
            .OrderBy(o => o.Id == members.Root ? 0 : 1).ToList();
        if (overviews.Count == 0) return null;
        var recent = overviews.SelectMany(o => o.RecentContacts).OrderByDescending(c => c.OccurredAt).ToList();
        return (UnifiedCustomerView.Build(customerId, overviews, now, policy, group), recent);
    }

    public static RouteHandlerBuilder MapCustomerOverview(this IEndpointRouteBuilder customers) => customers
        .MapGet("/{customerId:guid}/overview", async (Guid customerId, IQuerySession session, TimeProvider clock,
            RelationshipPolicy policy, GroupCatalog group, PersonalDataGate gate, HttpContext http, CancellationToken cancellation) =>
        {
            var (pass, problem) = await gate.OpenCustomerAsync(http, session, customerId, DataView.Overview, cancellation);
            if (pass is null) return problem!;
            return await LoadViewAsync(session, pass.Customer!, clock.GetUtcNow(), policy, group, cancellation) is { } loaded
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
        var crossBrandFigures = decision.VisibleBrands is null || view.Who.Brands.All(decision.ShowsBrand);
        var byBrand = view.Reach.ContactsByBrand.Where(b => decision.ShowsBrand(b.Key)).ToDictionary(b => b.Key, b => b.Value);
        return view with
        {
            ContactCount = byBrand.Values.Sum(),
            Who = view.Who with
            {
                DisplayName = decision.Shows(DataPart.Identity) ? view.Who.NameShownTo(decision) : null,
                Identifiers = decision.Shows(DataPart.Identity) ? view.Who.Identifiers.Where(i => i.Brand is null || decision.ShowsBrand(i.Brand)).ToList() : [],
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
