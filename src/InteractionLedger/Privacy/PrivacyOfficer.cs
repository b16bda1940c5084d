using InteractionLedger.Consent;
using InteractionLedger.Hosting;
using InteractionLedger.Http;
using Marten;
using Npgsql;

namespace InteractionLedger.Privacy;

/// <summary>An access that relied on a consent the customer later withdrew (or let expire): lawful then, to review now.</summary>
/// <param name="Access">The access ledger record of the read.</param>
/// <param name="Purpose">The purpose whose consent the read relied on.</param>
/// <param name="Brand">The brand of the consent relied on; null for a consent covering the whole group.</param>
/// <param name="ConsentGivenAt">When that consent was given (the read's time when the record does not say).</param>
/// <param name="Kind">What ended it: <c>withdrawn</c> or <c>expired</c>.</param>
/// <param name="WithdrawnAt">When the consent was withdrawn or expired: after the read.</param>
public sealed record AccessUnderWithdrawnConsent(StoredAccessRecord Access, Purpose Purpose, string? Brand, DateTimeOffset ConsentGivenAt,
    string Kind, DateTimeOffset WithdrawnAt);

/// <summary>One purpose in the record of processing (GDPR art. 30): what the policy says, and what the ledger saw.</summary>
/// <param name="Purpose">The purpose of processing.</param>
/// <param name="LegalBasis">The legal basis it rests on.</param>
/// <param name="Description">What the purpose is, in the words of the record of processing.</param>
/// <param name="DataCategories">The categories of personal data it uses.</param>
/// <param name="RolesAndParts">Each role that may read for it (e.g. <c>agent</c>) with the data parts it gets (e.g. <c>identity</c>); empty when no role does.</param>
/// <param name="Reads">The reads the access ledger holds for this purpose, by role and decision.</param>
/// <param name="CustomersConsenting">Customers whose consent to this purpose, for a brand or the whole group, is currently recorded as given.</param>
/// <param name="CustomersObjecting">Customers currently objecting to this purpose, for a brand or the whole group.</param>
public sealed record ProcessingActivity(Purpose Purpose, LegalBasis LegalBasis, string Description, string DataCategories,
    IReadOnlyDictionary<string, string[]> RolesAndParts, IReadOnlyList<ProcessingVolume> Reads, int CustomersConsenting, int CustomersObjecting);

/// <summary>Reads for a purpose by one role with one decision.</summary>
/// <param name="Role">The readers' role (kebab-case, e.g. <c>agent</c>, <c>chatbot</c>).</param>
/// <param name="Decision"><c>allowed</c>, <c>reduced</c> or <c>refused</c>.</param>
/// <param name="Reads">How many such reads the access ledger holds (records older than its retention are gone).</param>
/// <param name="Principals">How many distinct principals made them.</param>
public sealed record ProcessingVolume(string Role, string Decision, long Reads, long Principals);

/// <summary>
/// The record of processing activities (GDPR art. 30): every purpose with its legal basis, the data it uses, who may
/// use which data, and the reads the access ledger holds.
/// </summary>
/// <param name="ProducedAt">When this record was produced (UTC).</param>
/// <param name="Activities">One entry per purpose of processing.</param>
/// <param name="CustomersErased">Ledger ids erased so far (a customer erased with others merged into them counts once per id).</param>
public sealed record RecordOfProcessing(DateTimeOffset ProducedAt, IReadOnlyList<ProcessingActivity> Activities, long CustomersErased);

public static class PrivacyOfficerEndpoints
{
    private const string AccessLedgerList = "access-ledger";

    public static void MapPrivacyOfficer(this IEndpointRouteBuilder privacy)
    {
        privacy.MapGet("/customers/{customerId:guid}/accesses", (Guid customerId, string? cursor, int? limit, AccessLedger ledger,
                PersonalDataGate gate, HttpContext http, CancellationToken cancellation) =>
                SearchAsync(new AccessSearch(CustomerId: customerId), new InputErrors(), cursor, limit, ledger, gate, http, cancellation))
            .WithName("ListCustomerAccesses")
            .WithSummary("Who read this customer's data, when, for what purpose, under which legal basis, with what decision; newest first.")
            .Produces<Page<StoredAccessRecord>>()
            .ProducesValidationProblem();

        privacy.MapGet("/accesses", (string? principal, string? person, string? purpose, string? decision, DateTimeOffset? from, DateTimeOffset? to,
                Guid? customerId, string? cursor, int? limit, AccessLedger ledger, PersonalDataGate gate, HttpContext http, CancellationToken cancellation) =>
            {
                var errors = new InputErrors();
                Purpose? purposeFilter = ApiJson.TryParse<Purpose>(purpose, out var p) ? p : null;
                if (purpose is not null && purposeFilter is null) errors.Add("purpose", $"Use one of: {ApiJson.AllowedValues<Purpose>()}.");
                AccessOutcome? decisionFilter = ApiJson.TryParse<AccessOutcome>(decision, out var d) ? d : null;
                if (decision is not null && decisionFilter is null) errors.Add("decision", $"Use one of: {ApiJson.AllowedValues<AccessOutcome>()}.");
                if (from > to) errors.Add("from", "'from' must not be after 'to'.");
                return SearchAsync(new AccessSearch(customerId, principal, purposeFilter, decisionFilter, from, to, Person: person), errors, cursor, limit,
                    ledger, gate, http, cancellation);
            })
            .WithName("SearchAccesses")
            .WithSummary("Search the access ledger by person (their identity provider subject), principal (person or API key), purpose, decision " +
                         "(allowed, reduced, refused), customer and time range ('to' exclusive).")
            .Produces<Page<StoredAccessRecord>>()
            .ProducesValidationProblem();

        privacy.MapGet("/customers/{customerId:guid}/consents", async (Guid customerId, IQuerySession session, PersonalDataGate gate,
                HttpContext http, CancellationToken cancellation) =>
            {
                await gate.RecordOversightReadAsync(http, customerId, "consent-history", cancellation);
                return await session.LoadAsync<ConsentHistory>(customerId, cancellation) is { } history
                    ? Results.Ok(history.Entries)
                    : await session.LoadAsync<Customers.Customer>(customerId, cancellation) is not null
                        ? Results.Ok(Array.Empty<ConsentHistoryEntry>())
                        : await Erasure.NotFoundOrErasedAsync(session, customerId, cancellation);
            })
            .WithName("GetConsentHistory")
            .WithSummary("Every consent given, withdrawn, expired and every objection of the customer, oldest first.")
            .Produces<List<ConsentHistoryEntry>>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        privacy.MapGet("/customers/{customerId:guid}/accesses-under-withdrawn-consent", async (Guid customerId, string? cursor, int? limit,
                IQuerySession session, AccessLedger ledger, PersonalDataGate gate, HttpContext http, CancellationToken cancellation) =>
            {
                var errors = new InputErrors();
                var size = Paging.Limit(limit, errors);
                var list = $"withdrawn-consent:{customerId:N}";
                var after = Paging.NumberAt(cursor, list, errors);
                if (errors.Any) return errors.ToResult();
                await gate.RecordOversightReadAsync(http, customerId, "accesses-under-withdrawn-consent", cancellation);
                var history = (await session.LoadAsync<ConsentHistory>(customerId, cancellation))?.Entries ?? [];
                // Newest first, like the ledger: the position is the access record's id, and only older records are read.
                var records = await ledger.SearchAsync(new AccessSearch(CustomerId: customerId, BeforeId: after, Limit: int.MaxValue), cancellation);
                // A read can have relied on several consents: a page holds whole reads (limit counts reads), so the
                // cursor, a read's id, never splits one across two pages.
                var reads = AccessesUnderWithdrawnConsent(records, history).GroupBy(a => a.Access.Id).Take(size + 1).ToList();
                var page = Paging.Of(reads, size, list, read => read.Key.ToString(System.Globalization.CultureInfo.InvariantCulture));
                return Results.Ok(new Page<AccessUnderWithdrawnConsent>(page.Items.SelectMany(read => read).ToList(), page.Next));
            })
            .WithName("ListAccessesUnderWithdrawnConsent")
            .WithSummary("Reads of this customer's data that relied on a consent they have since withdrawn or let expire; newest first.")
            .WithDescription("Paged by read: limit counts reads, each listed with every consent it relied on that has since ended.")
            .Produces<Page<AccessUnderWithdrawnConsent>>()
            .ProducesValidationProblem();

        privacy.MapGet("/record-of-processing", async (NpgsqlDataSource dataSource, TimeProvider clock, CancellationToken cancellation) =>
                Results.Ok(await RecordOfProcessingAsync(dataSource, clock.GetUtcNow(), cancellation)))
            .WithName("GetRecordOfProcessing")
            .WithSummary("The record of processing: each purpose with its legal basis, data categories, who may use which data, and the reads seen.")
            .Produces<RecordOfProcessing>();

        privacy.MapGet("/customers/{customerId:guid}/export", Export.HandleAsync)
            .WithName("ExportCustomer")
            .WithSummary("Everything the ledger holds about a customer, as one JSON document (GDPR right of access and portability).")
            .WithDescription("State purpose data-subject-rights. The export is itself recorded in the access ledger.")
            .Produces<CustomerExport>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        privacy.MapEraseCustomer();
    }

    private static async Task<IResult> SearchAsync(AccessSearch filter, InputErrors errors, string? cursor, int? limit, AccessLedger ledger,
        PersonalDataGate gate, HttpContext http, CancellationToken cancellation)
    {
        var size = Paging.Limit(limit, errors);
        var before = Paging.NumberAt(cursor, AccessLedgerList, errors);
        if (errors.Any) return errors.ToResult();
        // The privacy officer's own reading of the ledger is recorded in it, before anything is read.
        await gate.RecordOversightReadAsync(http, filter.CustomerId, "access-ledger", cancellation);
        var found = await ledger.SearchAsync(filter with { BeforeId = before, Limit = size + 1 }, cancellation);
        return Results.Ok(Paging.Of(found, size, AccessLedgerList, r => r.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>For each access that relied on a given consent, the first later withdrawal or expiry covering it.</summary>
    public static IReadOnlyList<AccessUnderWithdrawnConsent> AccessesUnderWithdrawnConsent(IEnumerable<StoredAccessRecord> records,
        IReadOnlyList<ConsentHistoryEntry> history)
    {
        var found = new List<AccessUnderWithdrawnConsent>();
        foreach (var access in records)
        foreach (var relied in access.Record.ConsentsReliedOn.Where(c => c.Status == ConsentStatus.Given))
        {
            var ended = history.Where(e => e.Purpose == relied.Purpose && e.At > access.Record.At && e.Kind is "withdrawn" or "expired"
                                           && (e.Brand is null || e.Brand == relied.Brand || e.ConsentId == relied.ConsentId))
                .MinBy(e => e.At);
            if (ended is not null)
                found.Add(new AccessUnderWithdrawnConsent(access, relied.Purpose, relied.Brand, relied.StatedAt ?? access.Record.At, ended.Kind, ended.At));
        }
        return found;
    }

    private static async Task<RecordOfProcessing> RecordOfProcessingAsync(NpgsqlDataSource dataSource, DateTimeOffset now, CancellationToken cancellation)
    {
        var volumes = new List<(string Purpose, ProcessingVolume Volume)>();
        await using (var command = dataSource.CreateCommand($"""
            select purpose, record::jsonb ->> 'role', decision, count(*), count(distinct principal)
            from {AccessLedger.Records} group by 1, 2, 3 order by 1, 2, 3
            """))
        await using (var reader = await command.ExecuteReaderAsync(cancellation))
            while (await reader.ReadAsync(cancellation))
                volumes.Add((reader.GetString(0), new ProcessingVolume(reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetInt64(4))));

        var standings = new Dictionary<(string Purpose, string Status), int>();
        await using (var command = dataSource.CreateCommand($"""
            select s.value ->> 'purpose', s.value ->> 'status', count(distinct c.id)
            from {LedgerStore.Schema}.mt_doc_customer c, jsonb_each(c.data -> 'consents') s group by 1, 2
            """))
        await using (var reader = await command.ExecuteReaderAsync(cancellation))
            while (await reader.ReadAsync(cancellation))
                standings[(reader.GetString(0), reader.GetString(1))] = (int)reader.GetInt64(2);

        long erased;
        await using (var command = dataSource.CreateCommand($"select count(*) from {LedgerStore.Schema}.mt_doc_customererasure"))
            erased = (long)(await command.ExecuteScalarAsync(cancellation))!;

        return new RecordOfProcessing(now, PurposePolicy.Rules.Select(rule => new ProcessingActivity(rule.Purpose, rule.LegalBasis, rule.Description,
            rule.DataCategories, rule.Readers.ToDictionary(r => ApiJson.Name(r.Key), r => r.Value.Select(ApiJson.Name).ToArray()),
            volumes.Where(v => v.Purpose == ApiJson.Name(rule.Purpose)).Select(v => v.Volume).ToList(),
            standings.GetValueOrDefault((rule.Purpose.ToString(), nameof(ConsentStatus.Given))),
            standings.GetValueOrDefault((rule.Purpose.ToString(), nameof(ConsentStatus.Objected))))).ToList(), erased);
    }
}
