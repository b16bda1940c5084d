using InteractionLedger.Access;

namespace InteractionLedger.Identity;

/// <summary>Identifiers, resolution and possible duplicates: routes, role policies and reach rules, in one place.</summary>
public static class IdentityModule
{
    public static IEndpointRouteBuilder MapIdentityModule(this IEndpointRouteBuilder app)
    {
        var writes = app.MapGroup("/customers").WithTags("Identity")
            .RequireAuthorization(LedgerPolicies.ManageIdentity).RequireCustomerInReach();
        writes.MapLinkIdentifier();
        writes.MapUnlinkIdentifier();
        writes.MapDismissPossibleDuplicate();

        app.MapLookupIdentifier().WithReachRule(ReachRule.ResolvedWithinReach);
        app.MapRecordIdentifiedContact().RequireAuthorization(LedgerPolicies.RecordContacts).WithReachRule(ReachRule.ResolvedWithinReach);
        return app;
    }
}
