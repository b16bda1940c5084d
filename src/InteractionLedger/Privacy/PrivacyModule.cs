using InteractionLedger.Access;

namespace InteractionLedger.Privacy;

/// <summary>
/// The privacy officer's desk and the oversight routes: for roles acting for the whole group only, so the reach rule
/// is the role's. Reads of one customer's data still pass the purpose gate and leave their access record.
/// </summary>
public static class PrivacyModule
{
    public static IEndpointRouteBuilder MapPrivacyModule(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/privacy").WithTags("Privacy officer")
            .RequireAuthorization(LedgerPolicies.PrivacyOfficer).WithReachRule(ReachRule.GroupWide)
            .MapPrivacyOfficer();
        app.MapGroup("/privacy").WithTags("Privacy officer")
            .RequireAuthorization(LedgerPolicies.PrivacyOfficer).WithReachRule(ReachRule.GroupWide)
            .MapUnusualReading();
        app.MapGroup("/privacy").WithTags("Privacy officer")
            .RequireAuthorization(LedgerPolicies.Oversight).WithReachRule(ReachRule.GroupWide)
            .MapOversight();
        return app;
    }
}
