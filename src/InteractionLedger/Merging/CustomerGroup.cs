using InteractionLedger.Customers;
using Marten;

namespace InteractionLedger.Merging;

/// <summary>
/// The customers that answer as one: the root (the survivor that was not itself merged away) and everyone merged
/// into it, directly or through merges of merged customers.
/// </summary>
/// <param name="Requested">The id the caller asked for; it may be an absorbed one, which keeps answering.</param>
/// <param name="People">The members' write models, root first: their brands and consents count for the group.</param>
public sealed record CustomerGroup(Guid Requested, Guid Root, IReadOnlyList<Guid> Members, IReadOnlyList<Customer> People)
{
    /// <summary>Merge chains are short; a longer one means corrupt data, and reading must still end.</summary>
    private const int MaxDepth = 32;

    /// <returns>Null when the customer does not exist.</returns>
    public static async Task<CustomerGroup?> LoadAsync(IQuerySession session, Guid customerId, CancellationToken cancellation)
    {
        var customer = await session.LoadAsync<Customer>(customerId, cancellation);
        if (customer is null) return null;

        for (var depth = 0; customer.AbsorbedInto is { } survivor && depth < MaxDepth; depth++)
            customer = await session.LoadAsync<Customer>(survivor, cancellation) ?? customer;

        var members = new List<Guid> { customer.Id };
        var people = new List<Customer> { customer };
        var frontier = customer.Absorbed.ToList();
        for (var depth = 0; frontier.Count > 0 && depth < MaxDepth; depth++)
        {
            frontier = frontier.Except(members).ToList();
            members.AddRange(frontier);
            var absorbed = frontier.Count == 0 ? [] : await session.LoadManyAsync<Customer>(cancellation, frontier);
            people.AddRange(absorbed);
            frontier = absorbed.SelectMany(c => c.Absorbed).ToList();
        }
        return new CustomerGroup(customerId, customer.Id, members, people);
    }

    public Guid? MergedInto => Requested == Root ? null : Root;
}
