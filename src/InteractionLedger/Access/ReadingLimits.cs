using System.Globalization;
using System.Threading.RateLimiting;
using InteractionLedger.Http;
using Microsoft.AspNetCore.RateLimiting;

namespace InteractionLedger.Access;

/// <summary>
/// How fast, and how widely, one principal may read: configured per role under <c>Ledger:ReadingLimits:{Role}</c>.
/// <see cref="RequestsPerSecond"/> and <see cref="Burst"/> feed a token bucket per principal (a leaked key cannot page
/// through the base at full speed: it gets 429 with Retry-After). <see cref="DistinctCustomersPerHour"/> is not a
/// limit but a tripwire: a principal reading more distinct customers than that in an hour is listed to the privacy
/// officer (<c>GET /privacy/unusual-reading</c>).
/// </summary>
public sealed class ReadingLimit
{
    public int RequestsPerSecond { get; set; }
    public int Burst { get; set; }
    public int DistinctCustomersPerHour { get; set; }
}

public static class ReadingLimits
{
    /// <summary>
    /// Defaults sized for shared keys (one agent desktop key serves many agents; the benchmark's single key serves
    /// 300 writes/s and 150 reads/s at the design peak, and up to about 2,000 requests/s in its scenarios).
    /// </summary>
    public static readonly IReadOnlyDictionary<Role, ReadingLimit> Defaults = new Dictionary<Role, ReadingLimit>
    {
        [Role.Agent] = new() { RequestsPerSecond = 3000, Burst = 6000, DistinctCustomersPerHour = 2000 },
        [Role.Chatbot] = new() { RequestsPerSecond = 1000, Burst = 2000, DistinctCustomersPerHour = 5000 },
        [Role.Integration] = new() { RequestsPerSecond = 3000, Burst = 6000, DistinctCustomersPerHour = 50000 },
        [Role.PrivacyOfficer] = new() { RequestsPerSecond = 100, Burst = 1000, DistinctCustomersPerHour = 500 },
        [Role.Administrator] = new() { RequestsPerSecond = 100, Burst = 1000, DistinctCustomersPerHour = 100 },
        [Role.Monitoring] = new() { RequestsPerSecond = 10, Burst = 100, DistinctCustomersPerHour = 0 },
        // Re-contact lists name a page of customers per request: a campaign's list is a few thousand of them.
        [Role.Analyst] = new() { RequestsPerSecond = 100, Burst = 1000, DistinctCustomersPerHour = 20000 },
    };

    public static IReadOnlyDictionary<Role, ReadingLimit> From(IConfiguration configuration) =>
        Enum.GetValues<Role>().ToDictionary(role => role, role =>
        {
            var limit = Defaults[role];
            var section = configuration.GetSection($"Ledger:ReadingLimits:{role}");
            return new ReadingLimit
            {
                RequestsPerSecond = section.GetValue(nameof(ReadingLimit.RequestsPerSecond), limit.RequestsPerSecond),
                Burst = section.GetValue(nameof(ReadingLimit.Burst), limit.Burst),
                DistinctCustomersPerHour = section.GetValue(nameof(ReadingLimit.DistinctCustomersPerHour), limit.DistinctCustomersPerHour),
            };
        });

    public static IServiceCollection AddLedgerReadingLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var limits = From(configuration);
        services.AddSingleton(limits);
        services.AddRateLimiter(options =>
        {
            // Per principal, after authentication; anonymous calls (health, the API document) are not limited here.
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            {
                if (http.User.Identity?.IsAuthenticated != true) return RateLimitPartition.GetNoLimiter("anonymous");
                var caller = Caller.From(http.User);
                var limit = limits[caller.Role];
                return RateLimitPartition.GetTokenBucketLimiter(caller.Id, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = Math.Max(1, limit.Burst),
                    TokensPerPeriod = Math.Max(1, limit.RequestsPerSecond),
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            options.OnRejected = async (context, cancellation) =>
            {
                var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
                    ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)) : 1;
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests.",
                    detail: $"This principal's request rate is limited; retry in {seconds} s.", type: ProblemTypes.RateLimited)
                    .ExecuteAsync(context.HttpContext);
            };
        });
        return services;
    }
}
