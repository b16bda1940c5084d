using InteractionLedger.Access;

namespace InteractionLedger.Overview;

/// <summary>The unified view, the chatbot context and the stated preferred channel: routes, policies and reach rules.</summary>
public static class OverviewModule
{
    public static IEndpointRouteBuilder MapOverviewModule(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/customers").WithTags("Customers").MapCustomerOverview();
        app.MapGroup("/customers").WithTags("Customers")
            .RequireAuthorization(LedgerPolicies.RecordContacts).RequireCustomerInReach()
            .MapStatePreferredChannel();
        app.MapBotContext().WithReachRule(ReachRule.ResolvedWithinReach);
        return app;
    }
}
