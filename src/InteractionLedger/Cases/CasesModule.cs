using InteractionLedger.Access;

namespace InteractionLedger.Cases;

/// <summary>Cases: routes, role policies and reach rules, in one place.</summary>
public static class CasesModule
{
    public static IEndpointRouteBuilder MapCasesModule(this IEndpointRouteBuilder app)
    {
        var reads = app.MapGroup("/customers").WithTags("Cases");
        reads.MapCaseList();
        reads.MapGetCase();

        var writes = app.MapGroup("/customers").WithTags("Cases")
            .RequireAuthorization(LedgerPolicies.ManageCases).RequireCustomerInReach();
        writes.MapOpenCase();
        writes.MapAttachInteractionToCase();
        writes.MapResolveCase();
        writes.MapReopenCase();
        return app;
    }
}
