using InteractionLedger.Access;

namespace InteractionLedger.Merging;

/// <summary>Merges and their undo: routes, role policy and reach rule, in one place. Both customers must be within reach.</summary>
public static class MergingModule
{
    public static IEndpointRouteBuilder MapMergingModule(this IEndpointRouteBuilder app)
    {
        var merging = app.MapGroup("/customers").WithTags("Merging")
            .RequireAuthorization(LedgerPolicies.ManageIdentity).RequireCustomerInReach();
        merging.MapMergeCustomers();
        merging.MapUnmergeCustomers();
        return app;
    }
}
