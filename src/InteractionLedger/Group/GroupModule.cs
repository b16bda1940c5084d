using InteractionLedger.Access;

namespace InteractionLedger.Group;

/// <summary>The group's brands: configuration, no customer data.</summary>
public static class GroupModule
{
    public static IEndpointRouteBuilder MapGroupModule(this IEndpointRouteBuilder app)
    {
        app.MapGet("/group", (GroupCatalog catalog) => catalog).WithTags("Group")
            .WithName("GetGroup")
            .WithSummary("The group this ledger serves and its brands (the values 'brand' accepts).")
            .Produces<GroupCatalog>()
            .WithReachRule(ReachRule.NoCustomerData);
        return app;
    }
}
