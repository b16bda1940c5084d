using InteractionLedger.Access;
using InteractionLedger.Hosting;
using InteractionLedger.Http;
using Npgsql;

namespace InteractionLedger.Privacy;

/// <summary>A principal that read more distinct customers in one window than its role's tripwire allows.</summary>
/// <param name="Principal">Who read: the person's subject when a person read, else the API key's principal.</param>
/// <param name="Role">The principal's role (kebab-case, e.g. <c>agent</c>).</param>
/// <param name="WindowStart">Start of the window (inclusive); windows are aligned on whole multiples of their length.</param>
/// <param name="WindowEnd">End of the window (exclusive).</param>
/// <param name="DistinctCustomers">Distinct customers the principal's reads concerned in the window, refused ones included.</param>
/// <param name="Threshold">The role's <c>DistinctCustomersPerHour</c>, scaled to the window.</param>
public sealed record UnusualReadingFlag(string Principal, string Role, DateTimeOffset WindowStart, DateTimeOffset WindowEnd,
    long DistinctCustomers, long Threshold);

/// <summary>Principals that read more distinct customers in a window than their role's tripwire allows, over one period.</summary>
/// <param name="From">Start of the period examined (inclusive).</param>
/// <param name="To">End of the period examined (exclusive).</param>
/// <param name="WindowMinutes">Length of each window, in minutes.</param>
/// <param name="Flags">Every window in which a principal went over its role's threshold, oldest window first; empty when none did.</param>
public sealed record UnusualReadingReport(DateTimeOffset From, DateTimeOffset To, int WindowMinutes, IReadOnlyList<UnusualReadingFlag> Flags);

/// <summary>
/// Computed from the access ledger itself, not counted on the side: every instance's reads are in it, a restart
/// forgets nothing, and the read path pays nothing for the tripwire.
/// </summary>
public static class UnusualReading
{
    public const int MaxDays = 31;

    public static RouteHandlerBuilder MapUnusualReading(this IEndpointRouteBuilder privacy) => privacy
        .MapGet("/unusual-reading", async (DateTimeOffset? from, DateTimeOffset? to, int? windowMinutes, NpgsqlDataSource database,
            IReadOnlyDictionary<Role, ReadingLimit> limits, TimeProvider clock, CancellationToken cancellation) =>
        {
            var until = to ?? clock.GetUtcNow();
            var since = from ?? until.AddDays(-1);
            var window = windowMinutes ?? 60;
            var errors = new InputErrors();
            errors.Range("windowMinutes", window, 1, 24 * 60);
            if (since >= until) errors.Add("from", "'from' must be before 'to'.");
            else if (until - since > TimeSpan.FromDays(MaxDays)) errors.Add("from", $"At most {MaxDays} days at once.");
            if (errors.Any) return errors.ToResult();

            var scale = window / 60.0;
            var lowest = limits.Values.Min(l => (long)Math.Ceiling(l.DistinctCustomersPerHour * scale));
            await using var command = database.CreateCommand($"""
                select principal, record::jsonb ->> 'role' as role,
                       date_bin(make_interval(mins => $3), recorded_at, timestamptz '2000-01-01') as window_start,
                       count(distinct customer_id) as customers
                from {LedgerStore.Schema}.access_records
                where recorded_at >= $1 and recorded_at < $2 and customer_id is not null
                group by 1, 2, 3
                having count(distinct customer_id) > $4
                order by 3, 1
                """);
            command.Parameters.Add(new NpgsqlParameter { Value = since });
            command.Parameters.Add(new NpgsqlParameter { Value = until });
            command.Parameters.Add(new NpgsqlParameter { Value = window });
            command.Parameters.Add(new NpgsqlParameter { Value = lowest });
            var flags = new List<UnusualReadingFlag>();
            await using var reader = await command.ExecuteReaderAsync(cancellation);
            while (await reader.ReadAsync(cancellation))
            {
                var role = reader.GetString(1);
                var threshold = ApiJson.TryParse<Role>(role, out var parsed)
                    ? (long)Math.Ceiling(limits[parsed].DistinctCustomersPerHour * scale) : lowest;
                var count = reader.GetInt64(3);
                if (count <= threshold) continue;
                var start = reader.GetFieldValue<DateTimeOffset>(2);
                flags.Add(new UnusualReadingFlag(reader.GetString(0), role, start, start.AddMinutes(window), count, threshold));
            }
            return Results.Ok(new UnusualReadingReport(since, until, window, flags));
        })
        .WithName("ListUnusualReading")
        .WithSummary("Principals that read unusually many distinct customers in a window (default: the last 24 hours, hourly windows).")
        .WithDescription("The tripwire per role is Ledger:ReadingLimits:{Role}:DistinctCustomersPerHour (README). Computed from the access ledger.")
        .Produces<UnusualReadingReport>()
        .ProducesValidationProblem();
}
