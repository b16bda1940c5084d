using InteractionLedger.Access;

namespace InteractionLedger.Interactions;

/// <summary>Contacts, their ratings and the timeline: routes, role policies and reach rules, in one place.</summary>
public static class InteractionsModule
{
    public static IEndpointRouteBuilder MapInteractionsModule(this IEndpointRouteBuilder app)
    {
        var reads = app.MapGroup("/customers").WithTags("Interactions");
        reads.MapGetInteraction();
        reads.MapTimeline();

        var writes = app.MapGroup("/customers").WithTags("Interactions")
            .RequireAuthorization(LedgerPolicies.RecordContacts).RequireCustomerInReach();
        writes.MapRecordInteraction();
        writes.MapRateInteraction();
        return app;
    }
}
