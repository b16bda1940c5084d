using InteractionLedger.Consent;
using InteractionLedger.Customers;
using InteractionLedger.Interactions;
using InteractionLedger.Overview;
using JasperFx.Events;
using Marten;
using Wolverine;

namespace InteractionLedger.Privacy;

/// <summary>How long free text lives (<c>Ledger:Retention</c>): what a privacy officer sets, in one place.</summary>
/// <param name="InteractionTextDays">After this many days from the contact, its summary and its rating comment are erased.</param>
/// <param name="RunEveryHours">How often the retention job runs.</param>
/// <param name="Scheduled">False to run it only on demand (tests, or an external scheduler).</param>
public sealed record RetentionPolicy(int InteractionTextDays = 3 * 365, double RunEveryHours = 24, bool Scheduled = true);

/// <summary>One run of the retention job: what it erased and what it found lapsed.</summary>
public sealed class RetentionRun
{
    public Guid Id { get; set; }
    /// <summary>"schedule" or the principal who asked for the run.</summary>
    public string Trigger { get; set; } = "";
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset FinishedAt { get; set; }
    /// <summary>Contacts that happened before this lost their free text.</summary>
    public DateTimeOffset TextCutoff { get; set; }
    public int CustomersAffected { get; set; }
    public int InteractionsCleared { get; set; }
    public int ConsentsExpired { get; set; }
}

public sealed record ApplyRetention(string Trigger);

/// <summary>
/// Events are immutable, but free text must not outlive its retention period: the text fields of old contacts are
/// masked in the stored events themselves (Marten's data masking, rules in <c>LedgerStore</c>), and the views built
/// from them are brought in line under the customer's stream lock so a concurrent write cannot bring the text back.
/// </summary>
public static class ApplyRetentionHandler
{
    private const int CustomersPerTransaction = 100;

    public static async Task<RetentionRun> Handle(ApplyRetention command, IDocumentStore store, RetentionPolicy policy, TimeProvider clock,
        CancellationToken cancellation)
    {
        var run = new RetentionRun { Id = Guid.CreateVersion7(), Trigger = command.Trigger, StartedAt = clock.GetUtcNow() };
        run.TextCutoff = run.StartedAt.AddDays(-policy.InteractionTextDays);

        await using (var query = store.QuerySession())
        {
            var expiring = await query.Query<TimelineEntry>()
                .Where(e => e.OccurredAt < run.TextCutoff && (e.Summary != null || (e.Rating != null && e.Rating.Comment != null)))
                .Select(e => e.CustomerId).Distinct().ToListAsync(cancellation);
            foreach (var chunk in expiring.Chunk(CustomersPerTransaction))
            {
                run.InteractionsCleared += await ClearTextAsync(store, chunk, run.TextCutoff, cancellation);
                run.CustomersAffected += chunk.Length;
            }
            run.ConsentsExpired = await ExpireConsentsAsync(store, query, run.StartedAt, cancellation);
        }

        run.FinishedAt = clock.GetUtcNow();
        await using var session = store.LightweightSession();
        session.Store(run);
        await session.SaveChangesAsync(cancellation);
        return run;
    }

    private static async Task<int> ClearTextAsync(IDocumentStore store, Guid[] customers, DateTimeOffset cutoff, CancellationToken cancellation)
    {
        bool Expired(IEvent e) => e.Data switch
        {
            InteractionRecorded r => r.OccurredAt < cutoff && r.Summary is not null,
            InteractionRated r => r.RatedAt < cutoff && r.Comment is not null,
            _ => false,
        };
        await store.Advanced.ApplyEventDataMasking(masking =>
        {
            foreach (var customer in customers) masking.IncludeStream(customer, Expired);
        }, cancellation);

        await using var session = store.LightweightSession();
        foreach (var customer in customers) await session.LockAsync(customer, cancellation);
        var entries = await session.Query<TimelineEntry>()
            .Where(e => customers.Contains(e.CustomerId) && e.OccurredAt < cutoff).ToListAsync(cancellation);
        var cleared = 0;
        foreach (var entry in entries.Where(e => e.Summary is not null || e.Rating?.Comment is not null))
        {
            entry.Summary = null;
            if (entry.Rating is { } rating && rating.RatedAt < cutoff) entry.Rating = rating with { Comment = null };
            session.Store(entry);
            cleared++;
        }
        // Summaries also live on in the overview's recent contacts and case steps: rebuilt from the masked events.
        foreach (var customer in customers)
            if (await session.Events.AggregateStreamAsync<CustomerOverview>(customer, token: cancellation) is { } overview)
                session.Store(overview);
        await session.SaveChangesAsync(cancellation);
        return cleared;
    }

    private static async Task<int> ExpireConsentsAsync(IDocumentStore store, IQuerySession query, DateTimeOffset now, CancellationToken cancellation)
    {
        var lapsed = await query.QueryAsync<Customer>(
            "where exists (select 1 from jsonb_each(data -> 'consents') s where s.value ->> 'status' = 'Given' " +
            "and (s.value ->> 'expiresAt')::timestamptz <= ?)", cancellation, now);
        var expired = 0;
        foreach (var chunk in lapsed.Chunk(CustomersPerTransaction))
        {
            await using var session = store.LightweightSession();
            foreach (var candidate in chunk)
            {
                var stream = await session.LockAsync(candidate.Id, cancellation);
                foreach (var statement in stream.Aggregate?.Consents.Values.Where(s => s.Status == ConsentStatus.Given && s.ExpiresAt <= now) ?? [])
                {
                    stream.AppendOne(new ConsentExpired(statement.ConsentId!.Value, statement.Purpose, statement.Brand, statement.ExpiresAt!.Value));
                    expired++;
                }
            }
            await session.SaveChangesAsync(cancellation);
        }
        return expired;
    }
}

/// <summary>Runs the retention job on its schedule; runs are idempotent, so two nodes running it only repeat a no-op.</summary>
public sealed class RetentionSchedule(RetentionPolicy policy, IServiceProvider services, ILogger<RetentionSchedule> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        if (!policy.Scheduled) return;
        using var timer = new PeriodicTimer(TimeSpan.FromHours(policy.RunEveryHours));
        do
        {
            try
            {
                var run = await services.GetRequiredService<IMessageBus>().InvokeAsync<RetentionRun>(new ApplyRetention("schedule"), stopping);
                logger.LogInformation("Retention: {Cleared} contacts lost their free text, {Expired} consents expired", run.InteractionsCleared, run.ConsentsExpired);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Retention run failed; the next run retries");
            }
        } while (await timer.WaitForNextTickAsync(stopping));
    }
}
