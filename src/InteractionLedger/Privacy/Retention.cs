using InteractionLedger.Hosting;
using InteractionLedger.Consent;
using InteractionLedger.Customers;
using InteractionLedger.Identity;
using InteractionLedger.Interactions;
using InteractionLedger.Overview;
using JasperFx.Events;
using Marten;
using Wolverine;

namespace InteractionLedger.Privacy;

/// <summary>How long free text and contact details live (<c>Ledger:Retention</c>): what a privacy officer sets, in one place.</summary>
/// <param name="InteractionTextDays">After this many days from the contact, its summary and its rating comment are erased.</param>
/// <param name="ContactDetailsDays">After this many days without any contact, the customer's e-mail addresses, phone
/// numbers, social handles and chat sessions are erased.</param>
/// <param name="RunEveryHours">How often the retention job runs.</param>
/// <param name="Scheduled">False to run it only on demand (tests, or an external scheduler).</param>
public sealed record RetentionPolicy(int InteractionTextDays = 3 * 365, int ContactDetailsDays = 3 * 365, double RunEveryHours = 24,
    bool Scheduled = true);

/// <summary>One run of the retention job: what it erased and what it found lapsed.</summary>
public sealed class RetentionRun
{
    /// <summary>The run's id.</summary>
    public Guid Id { get; set; }
    /// <summary>"schedule" or the principal who asked for the run.</summary>
    public string Trigger { get; set; } = "";
    /// <summary>When the run started (UTC).</summary>
    public DateTimeOffset StartedAt { get; set; }
    /// <summary>When the run finished (UTC).</summary>
    public DateTimeOffset FinishedAt { get; set; }
    /// <summary>Contacts that happened before this lost their free text.</summary>
    public DateTimeOffset TextCutoff { get; set; }
    /// <summary>Customers who had contacts with free text older than the text cutoff.</summary>
    public int CustomersAffected { get; set; }
    /// <summary>Contacts whose summary or rating comment was cleared.</summary>
    public int InteractionsCleared { get; set; }
    /// <summary>Customers with no contact since this lost their contact details.</summary>
    public DateTimeOffset ContactDetailsCutoff { get; set; }
    /// <summary>Contact details (e-mail addresses, phone numbers, social handles, chat sessions) unlinked and erased.</summary>
    public int ContactDetailsErased { get; set; }
    /// <summary>Consents found past their expiry date and recorded as expired.</summary>
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

    public static async Task<RetentionRun> Handle(ApplyRetention command, IDocumentStore store, Npgsql.NpgsqlDataSource dataSource,
        RetentionPolicy policy, TimeProvider clock, CancellationToken cancellation)
    {
        var run = new RetentionRun { Id = Guid.CreateVersion7(), Trigger = command.Trigger, StartedAt = clock.GetUtcNow() };
        run.TextCutoff = run.StartedAt.AddDays(-policy.InteractionTextDays);
        run.ContactDetailsCutoff = run.StartedAt.AddDays(-policy.ContactDetailsDays);

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
            var quiet = await query.QueryAsync<CustomerOverview>(
                "where data -> 'identifiers' <> '{}'::jsonb and coalesce((data ->> 'lastContactAt')::timestamptz, (data ->> 'registeredAt')::timestamptz) < ?",
                cancellation, run.ContactDetailsCutoff);
            foreach (var chunk in quiet.Select(o => o.Id).Chunk(CustomersPerTransaction))
                run.ContactDetailsErased += await EraseContactDetailsAsync(store, chunk, run.ContactDetailsCutoff, run.StartedAt, cancellation);
            await MaskErasedContactDetailsAsync(store, dataSource, cancellation);
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
        // Every view holding free text, as declared (PersonalData), is brought in line with the masked events.
        var scope = new PersonalDataScope(customers, cancellation);
        var cleared = 0;
        foreach (var holding in PersonalData.Holdings)
            if (holding.ClearExpiredText is { } clear) cleared += await clear(session, scope, cutoff);
        await session.SaveChangesAsync(cancellation);
        return cleared;
    }

    /// <summary>
    /// Unlinks the contact details (claims, customer and overview follow, inline), then masks them in the stored events.
    /// </summary>
    private static async Task<int> EraseContactDetailsAsync(IDocumentStore store, Guid[] customers, DateTimeOffset cutoff, DateTimeOffset now,
        CancellationToken cancellation)
    {
        var erased = 0;
        await using (var session = store.LightweightSession())
        {
            foreach (var customerId in customers)
            {
                var (stream, overview) = await session.LockWithAsync<CustomerOverview>(customerId, customerId, cancellation);
                // Re-checked under the lock: a contact may have arrived since the query.
                if (stream.Aggregate is not { } customer || (overview?.LastContactAt ?? customer.RegisteredAt) >= cutoff) continue;
                foreach (var (key, held) in customer.Identifiers.Where(i => CustomerIdentifier.ContactDetails.Contains(i.Value.Identifier.Kind)).ToList())
                {
                    stream.AppendOne(new IdentifierUnlinked(key, held.Identifier.Kind, RetentionActor,
                        $"No contact since {cutoff:yyyy-MM-dd}: contact details past their retention period.", now));
                    erased++;
                }
            }
            await session.SaveChangesAsync(cancellation);
        }
        return erased;
    }

    private const string RetentionActor = "retention";

    /// <summary>
    /// Masks the values of the contact details retention unlinked, wherever they are still readable in the stored events
    /// (the unlinking, the linking, possible duplicates found on them) and in the customer's list of possible duplicates.
    /// Found from the events themselves, so a run interrupted between unlinking and masking is finished by the next one.
    /// </summary>
    private static async Task MaskErasedContactDetailsAsync(IDocumentStore store, Npgsql.NpgsqlDataSource dataSource, CancellationToken cancellation)
    {
        var keysByCustomer = new Dictionary<Guid, HashSet<string>>();
        await using (var command = dataSource.CreateCommand(
            $"select stream_id, data ->> 'identifierKey' from {Hosting.LedgerStore.Schema}.mt_events where type = 'identifier_unlinked' " +
            "and data ->> 'unlinkedBy' = $1 and data ->> 'identifierKey' not like '%:'"))
        {
            command.Parameters.Add(new Npgsql.NpgsqlParameter<string> { TypedValue = RetentionActor });
            await using var reader = await command.ExecuteReaderAsync(cancellation);
            while (await reader.ReadAsync(cancellation))
            {
                var customerId = reader.GetGuid(0);
                if (!keysByCustomer.TryGetValue(customerId, out var keys)) keysByCustomer[customerId] = keys = [];
                keys.Add(reader.GetString(1));
            }
        }
        if (keysByCustomer.Count == 0) return;

        await store.Advanced.ApplyEventDataMasking(masking =>
        {
            foreach (var (customerId, keys) in keysByCustomer)
                masking.IncludeStream(customerId, e => e.Data switch
                {
                    IdentifierLinked linked => keys.Contains(linked.IdentifierKey),
                    IdentifierUnlinked unlinked => keys.Contains(unlinked.IdentifierKey),
                    PossibleDuplicateFound found => keys.Contains(found.IdentifierKey),
                    IdentifierReleased released => keys.Contains(released.IdentifierKey),
                    _ => false,
                });
        }, cancellation);

        await using var session = store.LightweightSession();
        foreach (var (customerId, keys) in keysByCustomer)
        {
            // As a rebuild from the masked events would have it: the duplicate stays listed, its identifier's value does not.
            if ((await session.LockAsync(customerId, cancellation)).Aggregate is not { } customer) continue;
            customer.PossibleDuplicates = customer.PossibleDuplicates
                .Select(d => keys.Contains(d.IdentifierKey) ? d with { IdentifierKey = CustomerIdentifier.ErasedKey(d.IdentifierKey) } : d).ToList();
            session.Store(customer);
        }
        await session.SaveChangesAsync(cancellation);
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

/// <summary>
/// Runs the retention job once at a time across every service instance on the database (a PostgreSQL advisory lock),
/// and never twice in a row for nothing: a request arriving while a run is going on, or within a minute of one starting,
/// is answered with that run instead of starting another.
/// </summary>
public sealed class RetentionRunner(IServiceProvider services, DatabaseLocks locks, IDocumentStore store, TimeProvider clock)
{
    private static readonly TimeSpan Coalescing = TimeSpan.FromMinutes(1);

    /// <summary>Runs now, or answers the run that was going on when asked, or that started within the last minute.</summary>
    public async Task<RetentionRun> RunOnDemandAsync(string trigger, CancellationToken cancellation)
    {
        var asked = clock.GetUtcNow();
        await using var held = await locks.AcquireAsync(DatabaseLocks.Retention, cancellation);
        if (await LatestAsync(trigger: null, cancellation) is { } latest && (latest.FinishedAt >= asked || latest.StartedAt > asked - Coalescing))
            return latest;
        return await RunAsync(trigger, cancellation);
    }

    /// <summary>Runs if the last scheduled run is older than the period and no other instance is running it; the run, or null.</summary>
    public async Task<RetentionRun?> RunIfDueAsync(TimeSpan period, CancellationToken cancellation)
    {
        await using var held = await locks.TryAcquireAsync(DatabaseLocks.Retention, cancellation);
        if (held is null || NextDue(await LatestAsync(ScheduleTrigger, cancellation), period) > clock.GetUtcNow()) return null;
        return await RunAsync(ScheduleTrigger, cancellation);
    }

    public const string ScheduleTrigger = "schedule";

    public static DateTimeOffset NextDue(RetentionRun? last, TimeSpan period) => last is null ? DateTimeOffset.MinValue : last.StartedAt + period;

    public async Task<RetentionRun?> LatestAsync(string? trigger, CancellationToken cancellation)
    {
        await using var query = store.QuerySession();
        var runs = query.Query<RetentionRun>();
        return await (trigger is null ? runs : runs.Where(r => r.Trigger == trigger)).OrderByDescending(r => r.StartedAt).FirstOrDefaultAsync(cancellation);
    }

    private async Task<RetentionRun> RunAsync(string trigger, CancellationToken cancellation)
    {
        // The bus is scoped: a background service has no request scope of its own.
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMessageBus>().InvokeAsync<RetentionRun>(new ApplyRetention(trigger), cancellation);
    }
}

/// <summary>
/// Runs the retention job on its schedule, from a started host (Wolverine refuses messages before): at start if the
/// last scheduled run is a period old or more — a service restarted daily still runs it — then whenever it falls due.
/// Every instance watches the schedule; the lock and the due check make one of them run it.
/// </summary>
public sealed class RetentionSchedule(RetentionPolicy policy, RetentionRunner runner, IHostApplicationLifetime lifetime, TimeProvider clock,
    ILogger<RetentionSchedule> logger) : BackgroundService
{
    /// <summary>How often an instance looks whether a run fell due (another instance may have run it meanwhile).</summary>
    private static readonly TimeSpan Watch = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        if (!policy.Scheduled) return;
        if (!await HostStarted.WaitAsync(lifetime, stopping)) return;
        var period = TimeSpan.FromHours(policy.RunEveryHours);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (await runner.RunIfDueAsync(period, stopping) is { } run)
                    logger.LogInformation("Retention run {RunId}: {Cleared} contacts lost their free text, {Erased} contact details erased, {Expired} consents expired",
                        run.Id, run.InteractionsCleared, run.ContactDetailsErased, run.ConsentsExpired);
                var due = RetentionRunner.NextDue(await runner.LatestAsync(RetentionRunner.ScheduleTrigger, stopping), period);
                var wait = due - clock.GetUtcNow();
                // Due but not run here: another instance holds the lock and is running it; look again later.
                await Task.Delay(wait <= TimeSpan.Zero || wait > Watch ? Watch : wait, clock, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Retention run failed; retried in a minute");
                try { await Task.Delay(TimeSpan.FromMinutes(1), clock, stopping); }
                catch (OperationCanceledException) { return; }
            }
        }
    }
}
