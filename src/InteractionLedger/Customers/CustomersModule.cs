using InteractionLedger.Access;

namespace InteractionLedger.Customers;

/// <summary>Registering customers and reading their profile: routes, role policies and reach rules, in one place.</summary>
public static class CustomersModule
{
    public static IEndpointRouteBuilder MapCustomersModule(this IEndpointRouteBuilder app)
    {
        var customers = app.MapGroup("/customers").WithTags("Customers");
        customers.MapRegisterCustomer().RequireAuthorization(LedgerPolicies.RecordContacts).WithReachRule(ReachRule.OwnBrandsOnly);
        customers.MapGetCustomer();
        return app;
    }
}
