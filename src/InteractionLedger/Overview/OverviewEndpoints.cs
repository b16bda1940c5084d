using InteractionLedger.Customers;
using InteractionLedger.Group;
using InteractionLedger.Merging;
using Marten;

namespace InteractionLedger.Overview;

public static class OverviewEndpoints
{
    /// <summary>
    /// The unified view of a customer and everyone merged into them, with their recent contacts newest first;
    /// null when the customer does not exist.
    /// </summary>
    public static async Task<(UnifiedCustomerView View, IReadOnlyList<ContactLine> Recent)?> LoadViewAsync(IQuerySession session,
        Guid customerId, DateTimeOffset now, RelationshipPolicy policy, GroupCatalog group, CancellationToken cancellation)
    {
        if (await CustomerGroup.LoadAsync(session, customerId, cancellation) is not { } members) return null;
        var overviews = (await session.LoadManyAsync<CustomerOverview>(cancellation, members.Members))
            .OrderBy(o => o.Id == members.Root ? 0 : 1).ToList();
        if (overviews.Count == 0) return null;
        var recent = overviews.SelectMany(o => o.RecentContacts).OrderByDescending(c => c.OccurredAt).ToList();
        return (UnifiedCustomerView.Build(customerId, overviews, now, policy, group), recent);
    }

    public static RouteHandlerBuilder MapCustomerOverview(this IEndpointRouteBuilder customers) => customers
        .MapGet("/{customerId:guid}/overview", async (Guid customerId, IQuerySession session, TimeProvider clock,
            RelationshipPolicy policy, GroupCatalog group, CancellationToken cancellation) =>
            await LoadViewAsync(session, customerId, clock.GetUtcNow(), policy, group, cancellation) is { } loaded
                ? Results.Ok(loaded.View)
                : CustomerReads.NotFound(customerId))
        .WithName("GetCustomerOverview")
        .WithSummary("Everything an agent needs when the customer calls: who, how they reach the group, what is going on, how it is going, how intense the relationship is.")
        .WithDescription("Across all channels and brands, and every customer merged into this one. An absorbed id answers with its survivor's view (mergedInto).")
        .Produces<UnifiedCustomerView>()
        .ProducesProblem(StatusCodes.Status404NotFound);
}
