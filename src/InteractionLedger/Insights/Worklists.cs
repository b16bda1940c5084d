using System.Globalization;
using InteractionLedger.Access;
using InteractionLedger.Group;
using InteractionLedger.Hosting;
using InteractionLedger.Http;
using InteractionLedger.Interactions;
using InteractionLedger.Merging;
using InteractionLedger.Overview;
using InteractionLedger.Privacy;
using Marten;
using Npgsql;

namespace InteractionLedger.Insights;

/// <summary>A customer on a re-contact list.</summary>
/// <param name="CustomerId">The customer (the survivor, for customers merged together).</param>
/// <param name="DisplayName">Their name, as the caller's brands may see it; null when withheld.</param>
/// <param name="LastContactAt">Their last contact with the brand.</param>
/// <param name="QuietForDays">Whole days since then.</param>
/// <param name="ActiveElsewhere">Whether they were in contact with another brand of the group since the list's cutoff;
/// null when the caller may not know (the customer has not consented to sharing across the group's brands).</param>
/// <param name="Suggested">The channel to use, restricted to those the brand can start a contact on with contact details it may use.</param>
/// <param name="AccessRecord">The reference of the access record this line left.</param>
public sealed record ReContactLine(Guid CustomerId, string? DisplayName, DateTimeOffset LastContactAt, int QuietForDays, bool? ActiveElsewhere,
    SuggestedChannel Suggested, Guid AccessRecord);

/// <summary>A page of a re-contact list.</summary>
/// <param name="Next">The cursor of the next page; null at the end. Customers whose consents refuse the purpose (or who do
/// not share across brands, when the list asks for activity elsewhere) are left out unseen, so a page can hold fewer lines
/// than asked, even none: keep following next. How many were left out is not said: counted for each cut-off, it would
/// date the last contact of customers who refused.</param>
public sealed record ReContactPage(string Brand, Purpose Purpose, int QuietForDays, bool ActiveElsewhereOnly, IReadOnlyList<ReContactLine> Items,
    string? Next);

/// <summary>A customer to contact before they call, on a brand's worklist.</summary>
/// <param name="Signal">Why.</param>
/// <param name="Since">When the signal arose (the second negative rating, the case's n-th contact or threshold, the call-back's deadline, the day the customer went dormant).</param>
/// <param name="About">The case or contact it is about, when it is about one.</param>
public sealed record SignalLine(Guid CustomerId, string? DisplayName, SignalKind Signal, DateTimeOffset Since, Guid? About, SuggestedChannel Suggested,
    Guid AccessRecord);

public sealed record SignalWorklist(string Brand, IReadOnlyList<SignalLine> Items, string? Next);

/// <summary>
/// Lists that name customers: each line is a read of personal data for the purpose stated, decided by the purpose
/// policy on the customer's consents at that moment (a customer it refuses is left out, not shown as refused) and
/// recorded in the access ledger before the page is answered.
/// </summary>
public static class Worklists
{
    private sealed record Listed(Guid Candidate, CustomerGroup Customer, AccessDecision Decision);

    /// <summary>The caller, purpose and brand of a list (one brand's, read for <paramref name="purposes"/>), or the problem.</summary>
    private static async Task<((Caller Caller, Purpose Purpose, string Brand)? List, IResult? Problem)> OpenAsync(HttpContext http, string view,
        string? brand, GroupCatalog group, PersonalDataGate gate, Purpose[] purposes, CancellationToken cancellation)
    {
        if (string.IsNullOrWhiteSpace(brand)) return (null, InputErrors.For("brand", "'brand' is required: a list is one brand's.").ToResult());
        var (admitted, problem) = await InsightsScope.AdmitAsync(http, view, purposes,
            stated => $"This list is read for {string.Join(" or ", purposes.Select(ApiJson.Name))}, not {ApiJson.Name(stated)}.",
            [brand], group, gate, cancellation);
        return admitted is var (caller, purpose, _) ? ((caller, purpose, brand), null) : (null, problem);
    }

    public static async Task<IResult> ReContactAsync(HttpContext http, string? brand, int? quietForDays, bool? activeElsewhere, int? limit, string? cursor,
        IQuerySession session, NpgsqlDataSource database, GroupCatalog group, PersonalDataGate gate, ListCursor cursors, TimeProvider clock,
        CancellationToken cancellation)
    {
        var errors = new InputErrors();
        errors.Required("quietForDays", quietForDays);
        errors.Range("quietForDays", quietForDays, 1, 3650);
        var size = Paging.Limit(limit, errors);
        var list = $"re-contact/{brand}/{quietForDays}/{activeElsewhere == true}";
        var after = cursors.Read(cursor, list, errors);
        Guid? afterCustomer = null;
        if (after is not null)
        {
            if (Guid.TryParse(after, out var id)) afterCustomer = id;
            else errors.Add("cursor", "'cursor' is not a cursor this API returned for this list.");
        }
        if (errors.Any) return errors.ToResult();
        // Winning a customer back is marketing: it needs their consent, and their objection ends it (service is handling the
        // customer's own request, which a customer gone quiet has not made).
        var (opened, problem) = await OpenAsync(http, "re-contact-list", brand, group, gate, [Purpose.Marketing], cancellation);
        if (opened is not var (caller, purpose, code)) return problem!;

        var now = clock.GetUtcNow();
        var cutoff = now.AddDays(-quietForDays!.Value);
        // One batch of quiet customers, in id order, is decided per request and those the purpose refuses are skipped: a
        // page costs one batch however rare consent is, and may be short (even empty) before its next.

        var scanned = new List<(Guid Customer, DateTimeOffset LastAt, bool ActiveElsewhere)>();
        // A fixed batch, whatever the page's size: whether a next page exists then tells nothing of how many were left out.
        const int batch = 500;
        await using (var command = database.CreateCommand($"""
            select f.customer_id, max(f.occurred_at),
                   exists (select 1 from {InsightsTables.Contacts} o where o.customer_id = f.customer_id and o.brand <> @brand and o.occurred_at >= @cutoff)
            from {InsightsTables.Contacts} f
            where f.brand = @brand and f.customer_id > @after
              and not exists (select 1 from {InsightsTables.Erasures} e where e.id = f.customer_id)
            group by f.customer_id having max(f.occurred_at) < @cutoff
            order by f.customer_id limit @batch
            """))
        {
            command.Parameters.AddWithValue("brand", code);
            command.Parameters.AddWithValue("cutoff", cutoff.UtcDateTime);
            command.Parameters.AddWithValue("after", afterCustomer ?? Guid.Empty);
            command.Parameters.AddWithValue("batch", batch);
            await using var reader = await command.ExecuteReaderAsync(cancellation);
            while (await reader.ReadAsync(cancellation))
                scanned.Add((reader.GetGuid(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetBoolean(2)));
        }

        var listed = new List<(Listed Line, DateTimeOffset LastAt, bool ActiveElsewhere)>();
        Guid? last = null;
        foreach (var candidate in scanned)
        {
            if (listed.Count == size) break;
            last = candidate.Customer;
            var decided = await DecideAsync(session, caller, purpose, DataView.ReContactList, code, candidate.Customer, group, now, cancellation);
            // An absorbed id is listed (if at all) under its survivor; a survivor is quiet only if everyone merged into it is.
            if (decided is null) continue;
            var lastAt = candidate.LastAt;
            if (decided.Customer.Members.Count > 1)
            {
                if (await LastContactAsync(database, code, decided.Customer.Members, cancellation) is not { } merged || merged >= cutoff) continue;
                lastAt = merged;
            }
            var sharesAcross = decided.Decision.VisibleBrands is null;
            if (decided.Decision.Outcome == AccessOutcome.Refused || (activeElsewhere == true && !(sharesAcross && candidate.ActiveElsewhere))) continue;
            listed.Add((decided, lastAt, candidate.ActiveElsewhere));
        }
        var more = scanned.Count == batch || (last is { } l && scanned[^1].Customer != l);

        // Recorded before anything more is read about them (the channels they use).
        var references = await RecordAsync(http, gate, listed.Select(l => l.Line).ToList(), cancellation);
        var usage = await UsageAsync(database, code, listed.Select(l => l.Line.Candidate).ToArray(), now, cancellation);
        var items = listed.Select((l, i) => new ReContactLine(l.Line.Customer.Root, NameOf(l.Line), l.LastAt, (int)(now - l.LastAt).TotalDays,
            l.Line.Decision.VisibleBrands is null ? l.ActiveElsewhere : null,
            ChannelSuggestion.For(l.Line.Customer.People, l.Line.Decision, usage.GetValueOrDefault(l.Line.Candidate) ?? []), references[i])).ToList();
        var next = more && last is { } position ? cursors.Make(list, position.ToString()) : null;
        return Results.Ok(new ReContactPage(code, purpose, quietForDays.Value, activeElsewhere == true, items, next));
    }

    public static async Task<IResult> SignalsAsync(HttpContext http, string? brand, SignalKind? kind, int? limit, string? cursor,
        IQuerySession session, NpgsqlDataSource database, GroupCatalog group, PersonalDataGate gate, ListCursor cursors, InsightsPolicy policy,
        RelationshipPolicy relationship, TimeProvider clock, CancellationToken cancellation)
    {
        var errors = new InputErrors();
        var size = Paging.Limit(limit, errors);
        var list = $"signals/{brand}/{kind}";
        (DateTimeOffset Since, Guid Customer, string Kind, Guid About)? after = null;
        if (cursors.Read(cursor, list, errors) is { } position)
        {
            if (position.Split('/') is [var micros, var customer, var afterKind, var about]
                && long.TryParse(micros, NumberStyles.None, CultureInfo.InvariantCulture, out var at) && at <= DateTimeOffset.MaxValue.UtcTicks / 10
                && Guid.TryParse(customer, out var customerId) && Guid.TryParse(about, out var aboutId))
                after = (new DateTimeOffset(at * 10, TimeSpan.Zero), customerId, afterKind, aboutId);
            else errors.Add("cursor", "'cursor' is not a cursor this API returned for this list.");
        }
        if (errors.Any) return errors.ToResult();
        // Calling a customer back before they call is serving them: the worklist is read for service only.
        var (opened, problem) = await OpenAsync(http, "signal-worklist", brand, group, gate, [Purpose.Service], cancellation);
        if (opened is not var (caller, purpose, code)) return problem!;

        var now = clock.GetUtcNow();
        var rows = new List<StandingSignal>();
        await using (var command = database.CreateCommand($"""
            with signals as ({SignalQuery.Sql(leaveOutObjectors: false)})
            select customer_id, brand, kind, since, about from signals
            where (@kind::text is null or kind = @kind)
              and (since, customer_id, kind, coalesce(about, '00000000-0000-0000-0000-000000000000'::uuid)) > (@after_since, @after_customer, @after_kind, @after_about)
            order by since, customer_id, kind, coalesce(about, '00000000-0000-0000-0000-000000000000'::uuid) limit @rows
            """))
        {
            command.Parameters.AddWithValue("brands", new[] { code });
            command.Parameters.Add(new NpgsqlParameter("kind", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)kind?.ToString() ?? DBNull.Value });
            command.Parameters.AddWithValue("after_since", (after?.Since ?? DateTimeOffset.MinValue.AddYears(1)).UtcDateTime);
            command.Parameters.AddWithValue("after_customer", after?.Customer ?? Guid.Empty);
            command.Parameters.AddWithValue("after_kind", after?.Kind ?? "");
            command.Parameters.AddWithValue("after_about", after?.About ?? Guid.Empty);
            command.Parameters.AddWithValue("rows", size + 1);
            SignalQuery.AddThresholds(command, policy, relationship, now);
            await using var reader = await command.ExecuteReaderAsync(cancellation);
            while (await reader.ReadAsync(cancellation))
                rows.Add(new StandingSignal(reader.GetGuid(0), reader.GetString(1), Enum.Parse<SignalKind>(reader.GetString(2)),
                    reader.GetFieldValue<DateTimeOffset>(3), reader.IsDBNull(4) ? null : reader.GetGuid(4)));
        }

        var page = rows.Take(size).ToList();
        var decided = new Dictionary<Guid, Listed?>();
        foreach (var customer in page.Select(r => r.CustomerId).Distinct())
            decided[customer] = await DecideAsync(session, caller, purpose, DataView.SignalWorklist, code, customer, group, now, cancellation);
        var shown = decided.Values.OfType<Listed>().Where(l => l.Decision.Outcome != AccessOutcome.Refused).ToList();
        var references = await RecordAsync(http, gate, shown, cancellation);
        var usage = await UsageAsync(database, code, shown.Select(l => l.Candidate).ToArray(), now, cancellation);
        var referenceOf = shown.Select((l, i) => (l.Candidate, Reference: references[i])).ToDictionary(x => x.Candidate, x => x.Reference);
        var items = page.Where(r => referenceOf.ContainsKey(r.CustomerId)).Select(r =>
        {
            var line = decided[r.CustomerId]!;
            return new SignalLine(line.Customer.Root, NameOf(line), r.Kind, r.Since, r.About,
                ChannelSuggestion.For(line.Customer.People, line.Decision, usage.GetValueOrDefault(r.CustomerId) ?? []), referenceOf[r.CustomerId]);
        }).ToList();
        var next = rows.Count > size && page[^1] is var lastRow
            ? cursors.Make(list, $"{lastRow.Since.UtcTicks / 10}/{lastRow.CustomerId}/{lastRow.Kind}/{lastRow.About ?? Guid.Empty}") : null;
        return Results.Ok(new SignalWorklist(code, items, next));
    }

    /// <summary>
    /// Decided as a read for the list's brand: a list is one brand's, so the consent that counts is the customer's word to
    /// that brand (or to the group), and other brands' history is shown only if the customer shares it across the group,
    /// even to a caller acting for the whole group.
    /// </summary>
    private static async Task<Listed?> DecideAsync(IQuerySession session, Caller caller, Purpose purpose, DataView view, string brand, Guid candidate,
        GroupCatalog group, DateTimeOffset now, CancellationToken cancellation)
    {
        if (await CustomerGroup.LoadAsync(session, candidate, cancellation) is not { } customer || customer.Root != candidate) return null;
        var forTheBrand = caller with { Brands = new HashSet<string> { brand } };
        return new Listed(candidate, customer, AccessPolicy.Decide(new AccessRequest(forTheBrand, purpose, view, customer.People, group.BrandCodes,
            TimelineEntry.AtStoredPrecision(now))));
    }

    private static async Task<IReadOnlyList<Guid>> RecordAsync(HttpContext http, PersonalDataGate gate, IReadOnlyList<Listed> listed,
        CancellationToken cancellation) =>
        // Recorded together: the access ledger commits concurrent records in one batch.
        await Task.WhenAll(listed.Select(l => gate.RecordListedAsync(http, l.Customer, l.Decision, cancellation)));

    private static string? NameOf(Listed line) =>
        line.Decision.Shows(DataPart.Identity)
            ? line.Customer.People.Where(p => p.DisplayName is not null && (p.RegisteredFor is null || line.Decision.ShowsBrand(p.RegisteredFor)))
                .Select(p => p.DisplayName).FirstOrDefault()
            : null;

    /// <summary>The last contact with the brand of any of the merged customers.</summary>
    private static async Task<DateTimeOffset?> LastContactAsync(NpgsqlDataSource database, string brand, IReadOnlyList<Guid> members, CancellationToken cancellation)
    {
        await using var command = database.CreateCommand($"select max(occurred_at) from {InsightsTables.Contacts} where brand = @brand and customer_id = any(@members)");
        command.Parameters.AddWithValue("brand", brand);
        command.Parameters.AddWithValue("members", members.ToArray());
        return await command.ExecuteScalarAsync(cancellation) is DateTime at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null;
    }

    /// <summary>How often each customer used each channel with the brand: the behaviour a suggestion reads (never other brands').</summary>
    private static async Task<Dictionary<Guid, Dictionary<Channel, int>>> UsageAsync(NpgsqlDataSource database, string brand, Guid[] customers,
        DateTimeOffset now, CancellationToken cancellation)
    {
        var usage = new Dictionary<Guid, Dictionary<Channel, int>>();
        if (customers.Length == 0) return usage;
        await using var command = database.CreateCommand($"""
            select customer_id, channel, count(*) from {InsightsTables.Contacts}
            where brand = @brand and customer_id = any(@customers) and occurred_at >= @now - interval '365 days' group by 1, 2
            """);
        command.Parameters.AddWithValue("brand", brand);
        command.Parameters.AddWithValue("customers", customers);
        command.Parameters.AddWithValue("now", now.UtcDateTime);
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            if (!usage.TryGetValue(reader.GetGuid(0), out var channels)) usage[reader.GetGuid(0)] = channels = [];
            channels[Enum.Parse<Channel>(reader.GetString(1))] = (int)reader.GetInt64(2);
        }
        return usage;
    }
}
