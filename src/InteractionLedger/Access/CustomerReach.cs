using InteractionLedger.Customers;
using InteractionLedger.Hosting;
using Marten;

namespace InteractionLedger.Access;

/// <summary>
/// Object-level authorisation for writes addressed to a customer: a brand-scoped caller may change only customers
/// it has a relationship with, whatever id it sends. Out of reach answers like unknown, so ids cannot be probed.
/// </summary>
public static class CustomerReach
{
    public static bool IsWithin(Caller caller, Customer customer) =>
        caller.Brands is null || caller.ActsForAny(customer.Brands);

    public static TBuilder RequireCustomerInReach<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (http.Request.RouteValues.TryGetValue("customerId", out var raw) && Guid.TryParse(raw?.ToString(), out var customerId)
                && http.User.Identity?.IsAuthenticated == true)
            {
                var caller = Caller.From(http.User);
                if (caller.Brands is not null)
                {
                    var session = http.RequestServices.GetRequiredService<IQuerySession>();
                    var customer = await session.LoadAsync<Customer>(customerId, http.RequestAborted);
                    if (customer is null || !IsWithin(caller, customer)) return CustomerReads.NotFound(customerId);
                }
            }
            return await next(context);
        });

    /// <summary>
    /// A 403 for a write naming a brand of the group the caller does not act for; null when the brand is the caller's,
    /// or absent, or unknown (which input validation reports).
    /// </summary>
    public static IResult? OutsideBrands(HttpContext http, Group.GroupCatalog group, string? brand)
    {
        var caller = Caller.From(http.User);
        return brand is null || !group.IsKnownBrand(brand) || caller.ActsFor(brand) ? null : Results.Problem(
            statusCode: StatusCodes.Status403Forbidden, title: "Outside your brands.", detail: $"'{caller.Id}' acts for {caller.ScopeText}, not '{brand}'.",
            type: "https://interactionledger.dev/problems/brand-out-of-scope", extensions: new Dictionary<string, object?> { ["field"] = "brand" });
    }
}
