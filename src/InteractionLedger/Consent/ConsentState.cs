using InteractionLedger.Access;
using InteractionLedger.Customers;
using InteractionLedger.Privacy;

namespace InteractionLedger.Consent;

/// <summary>
/// Where a customer stands on a purpose: <c>not-given</c> (nothing stated), <c>given</c>, <c>withdrawn</c>, <c>expired</c>
/// (a consent past its expiry date) or <c>objected</c>.
/// </summary>
public enum ConsentStatus { NotGiven, Given, Withdrawn, Expired, Objected }

/// <summary>The customer's latest word on one purpose for one brand (or the whole group, when Brand is null).</summary>
/// <param name="Purpose">The purpose concerned.</param>
/// <param name="Brand">The brand it covers; null for the whole group.</param>
/// <param name="Status">As recorded: given, withdrawn, expired or objected. A consent past its <c>expiresAt</c> no longer counts, even while still <c>given</c>.</param>
/// <param name="At">When the statement was made, or when the consent expired.</param>
/// <param name="ConsentId">The collecting system's id of the consent; null for a withdrawal or an objection.</param>
/// <param name="ExpiresAt">When the consent lapses unless renewed; null when it does not, and for a withdrawal or an objection.</param>
public sealed record ConsentStatement(Purpose Purpose, string? Brand, ConsentStatus Status, DateTimeOffset At, Guid? ConsentId = null,
    DateTimeOffset? ExpiresAt = null)
{
    public static string KeyOf(Purpose purpose, string? brand) => $"{purpose}|{brand ?? "*"}";

    public ConsentStatus StatusAt(DateTimeOffset now) =>
        Status == ConsentStatus.Given && ExpiresAt is { } expires && expires <= now ? ConsentStatus.Expired : Status;
}

/// <summary>Where a customer stands on a purpose for a caller, and the statement that decided it.</summary>
public sealed record ConsentStanding(Purpose Purpose, ConsentStatus Status, ConsentStatement? Statement);

/// <summary>
/// Reads the customer's consent statements for a caller. For each brand the caller acts for, the most recent
/// statement naming that brand or the whole group wins (a later "not for this brand" beats an earlier "yes, group";
/// a later group withdrawal beats everything before). A caller acting for several brands gets the least permissive
/// of them: it could otherwise use, for one brand, a consent given to another.
/// </summary>
public static class ConsentRules
{
    public static ConsentStanding StandingFor(IEnumerable<Customer> people, Purpose purpose, Caller caller,
        IEnumerable<string> groupBrands, DateTimeOffset now)
    {
        var statements = people.SelectMany(c => c.Consents.Values).Where(s => s.Purpose == purpose).ToList();
        var brands = caller.Brands ?? groupBrands.ToHashSet();
        ConsentStanding? weakest = null;
        foreach (var brand in brands.Order())
        {
            var latest = statements.Where(s => s.Brand is null || s.Brand == brand).MaxBy(s => s.At);
            var standing = new ConsentStanding(purpose, latest?.StatusAt(now) ?? ConsentStatus.NotGiven, latest);
            if (weakest is null || Rank(standing.Status) < Rank(weakest.Status)) weakest = standing;
        }
        return weakest ?? new ConsentStanding(purpose, ConsentStatus.NotGiven, null);
    }

    /// <summary>True when the customer's latest word on this purpose and brand already is this one: a retry, or saying it twice.</summary>
    public static bool Restates(Customer customer, Purpose purpose, string? brand, ConsentStatus status) =>
        customer.Consents.GetValueOrDefault(ConsentStatement.KeyOf(purpose, brand))?.Status == status;

    private static int Rank(ConsentStatus status) => status == ConsentStatus.Given ? 1 : 0;
}
