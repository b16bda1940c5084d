using InteractionLedger.Access;

namespace InteractionLedger.Consent;

/// <summary>Consents, withdrawals and objections: routes, role policies and reach rules, in one place.</summary>
public static class ConsentModule
{
    public static IEndpointRouteBuilder MapConsentModule(this IEndpointRouteBuilder app)
    {
        var reads = app.MapGroup("/customers").WithTags("Consent");
        reads.MapCustomerConsents();

        var writes = app.MapGroup("/customers").WithTags("Consent")
            .RequireAuthorization(LedgerPolicies.RecordConsent).RequireCustomerInReach();
        writes.MapGiveConsent();
        writes.MapWithdrawConsent();
        writes.MapRecordObjection();
        return app;
    }
}
