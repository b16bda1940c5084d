using System.Text.Json;
using System.Threading.Channels;
using InteractionLedger.Access;
using InteractionLedger.Hosting;
using Npgsql;

namespace InteractionLedger.Privacy;

/// <summary>One read of a customer's personal data, allowed, reduced or refused: the unit of the access ledger.</summary>
/// <param name="At">When the read was decided (UTC).</param>
/// <param name="Role">The reader's role (kebab-case, e.g. <c>agent</c>, <c>privacy-officer</c>).</param>
/// <param name="PrincipalBrands">The brands the reader acts for; null for the whole group.</param>
/// <param name="View">The view read (e.g. <c>timeline</c>, <c>export</c>), the oversight read (e.g. <c>access-ledger</c>), or the endpoint of an attempt out of reach.</param>
/// <param name="Purpose">The purpose stated (kebab-case).</param>
/// <param name="LegalBasis">The legal basis of that purpose (kebab-case).</param>
/// <param name="Decision"><c>allowed</c>, <c>reduced</c> or <c>refused</c>.</param>
/// <param name="PartsReturned">The data parts returned (e.g. <c>identity</c>, <c>free-text</c>); for an oversight read, what was read.</param>
/// <param name="Withheld">The parts left out, each with its reason.</param>
/// <param name="ConsentsReliedOn">The consents (or their absence) the decision depended on.</param>
/// <param name="Refusal">Why the read was refused, in plain words; null unless refused.</param>
/// <param name="Principal">The person's subject when a person read, else the API key's principal.</param>
/// <param name="CustomerId">Null for a lookup that named nobody, or an oversight read of no one customer.</param>
/// <param name="BrandsReturned">Brands whose history was returned; null for all of them.</param>
/// <param name="RequestId">The HTTP request's trace id, to find the call in logs.</param>
/// <param name="Reference">The random reference the caller was given for this record. Callers never see the record's
/// position: a sequence number would let them count the records their probes of other brands' customers leave.</param>
/// <param name="Person">The person who read (subject and display name); null when a system read with its key alone.</param>
/// <param name="Application">The application the read came through: the API key's principal or the token's client id.</param>
public sealed record AccessRecord(DateTimeOffset At, string Principal, string Role, IReadOnlyList<string>? PrincipalBrands,
    Guid? CustomerId, string View, string Purpose, string LegalBasis, string Decision, IReadOnlyList<string> PartsReturned,
    IReadOnlyList<Withheld> Withheld, IReadOnlyList<string>? BrandsReturned, IReadOnlyList<ConsentReliedOn> ConsentsReliedOn,
    string? Refusal, string RequestId, Guid? Reference = null, Person? Person = null, string? Application = null);

/// <summary>An access record as stored: its place in its chain, the key that MACed it and its MAC (hex).</summary>
/// <param name="Id">The record's sequence number in the ledger (the newest is the highest); what <c>before</c> pages by.</param>
/// <param name="Lane">The chain the record is on (0 to 15, chosen by customer).</param>
/// <param name="Position">Its position in that chain, from 1.</param>
/// <param name="KeyId">The id of the MAC key that sealed it.</param>
/// <param name="Mac">HMAC-SHA-256 of the record together with the previous record's MAC in the chain, lowercase hex.</param>
/// <param name="Record">The access record.</param>
public sealed record StoredAccessRecord(long Id, int Lane, long Position, string KeyId, string Mac, AccessRecord Record);

/// <summary>
/// The tamper-evident log of reads of personal data. Each record is MACed (HMAC-SHA-256, key outside the database)
/// together with the previous record's MAC, so editing, removing or reordering one breaks the chain, and nobody without
/// the key can forge a replacement; signed checkpoints written outside the database catch a chain cut short at its end.
/// Records are spread over a few independent chains (lanes, by customer) so that several service instances writing at
/// once queue on different rows; the table is partitioned by month so retention drops whole partitions.
/// </summary>
public sealed class AccessLedger(NpgsqlDataSource dataSource, AccessLedgerKeys keys) : IAsyncDisposable
{
    public const int Lanes = 16;
    public const string Records = $"{LedgerStore.Schema}.access_records";
    public const string Heads = $"{LedgerStore.Schema}.access_chain_heads";

    /// <summary>Creates the ledger's tables (migrations/004_access_ledger.sql); partitions are created apart.</summary>
    public static Task CreateSchemaAsync(NpgsqlDataSource dataSource, CancellationToken cancellation) =>
        SchemaScripts.ApplyAsync(dataSource, SchemaScripts.AccessLedger, cancellation);

    /// <summary>
    /// A customer's chain: from the id's last byte, which is random in version 4 and version 7 ids alike (the first
    /// bytes of a version 7 id are its time, which would put every customer registered in the same minute on one chain).
    /// </summary>
    public static int LaneOf(Guid? customerId) => customerId is { } id ? id.ToByteArray()[15] % Lanes : 0;

    /// <summary>
    /// Appends a record and returns once it is durably committed: the caller shows data only after that. Records of
    /// concurrent reads are written together, one transaction per batch, so the commit (a disk flush) that makes a
    /// record durable is shared by every read waiting at that moment instead of being paid by each.
    /// </summary>
    public Task<long> AppendAsync(AccessRecord record, CancellationToken cancellation)
    {
        EnsureWriterStarted();
        var pending = new PendingRecord(record, JsonSerializer.Serialize(record, ApiJson.Options),
            new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_pending.Writer.TryWrite(pending)) throw new ObjectDisposedException(nameof(AccessLedger), "The access ledger is shutting down.");
        return pending.Written.Task.WaitAsync(cancellation);
    }

    private const int MaxBatch = 500;
    private readonly Channel<PendingRecord> _pending = Channel.CreateUnbounded<PendingRecord>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _starting = new();
    private Task? _writer;

    private sealed record PendingRecord(AccessRecord Record, string Json, TaskCompletionSource<long> Written)
    {
        public int Lane => LaneOf(Record.CustomerId);
    }

    private void EnsureWriterStarted()
    {
        if (_writer is not null) return;
        lock (_starting) _writer ??= Task.Run(WriteLoopAsync);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingRecord>(MaxBatch);
        while (await _pending.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _pending.Reader.TryRead(out var next)) batch.Add(next);
            try
            {
                var ids = await WriteBatchAsync(batch);
                for (var i = 0; i < batch.Count; i++) batch[i].Written.TrySetResult(ids[i]);
            }
            catch (Exception e)
            {
                // Nobody is shown data whose access could not be recorded.
                foreach (var pending in batch) pending.Written.TrySetException(e);
            }
        }
    }

    /// <summary>
    /// The head of every chain as this writer last committed it. Only the write loop touches it. Another service
    /// instance extending a chain makes it stale, which the heads' compare-and-set turns into a refused batch:
    /// the heads are then read again and the batch chained anew.
    /// </summary>
    private Dictionary<int, ChainHead>? _heads;

    /// <summary>Where a chain ends: its last position, that record's MAC and time.</summary>
    private readonly record struct ChainHead(long Position, byte[] Mac, DateTimeOffset At);

    private async Task<long[]> WriteBatchAsync(IReadOnlyList<PendingRecord> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                _heads ??= await ReadHeadsAsync();
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                var ids = await AppendChainedAsync(batch, _heads);
                Hosting.LedgerTelemetry.RecordBatchCommit(started, batch.Count);
                return ids;
            }
            // Another instance moved a head first (the heads' compare-and-set refuses the batch), or two instances
            // extending the same chains deadlocked and this batch was chosen to roll back: nothing of it committed.
            catch (PostgresException conflict) when (conflict.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected
                                                     && attempt < 8)
            {
                _heads = null;
            }
            // A record dated in a month whose partition does not exist yet (the maintenance job creates them ahead;
            // this covers a clock that jumped, or a service that never ran it): create it, then write.
            catch (PostgresException missing) when (missing.SqlState == PostgresErrorCodes.CheckViolation && missing.ConstraintName is null && attempt < 8)
            {
                await AccessLedgerPartitions.EnsureAsync(dataSource, batch.Select(p => p.Record.At), CancellationToken.None);
            }
            catch
            {
                // Whether the batch committed is unknown (the connection may have dropped during the commit).
                _heads = null;
                throw;
            }
        }
    }

    private async Task<Dictionary<int, ChainHead>> ReadHeadsAsync()
    {
        var heads = new Dictionary<int, ChainHead>();
        await using var command = dataSource.CreateCommand($"select lane, position, mac, recorded_at from {Heads}");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            heads[reader.GetInt32(0)] = new ChainHead(reader.GetInt64(1), reader.GetFieldValue<byte[]>(2), reader.GetFieldValue<DateTimeOffset>(3));
        for (var lane = 0; lane < Lanes; lane++)
            if (!heads.ContainsKey(lane)) throw new InvalidOperationException($"The access ledger has no head for chain {lane}: apply migrations/004_access_ledger.sql.");
        return heads;
    }

    /// <summary>
    /// Chains the records after the known heads, then moves the heads (only if still where this writer saw them) and
    /// inserts the records in one statement: one round trip, one implicit transaction, one flush.
    /// </summary>
    private async Task<long[]> AppendChainedAsync(IReadOnlyList<PendingRecord> batch, Dictionary<int, ChainHead> knownHeads)
    {
        var heads = new Dictionary<int, ChainHead>(knownHeads);
        var positions = new long[batch.Count];
        var macs = new byte[batch.Count][];
        var records = new AccessRecord[batch.Count];
        var texts = new string[batch.Count];
        var keyId = keys.CurrentKeyId;
        for (var i = 0; i < batch.Count; i++)
        {
            var head = heads[batch[i].Lane];
            (records[i], texts[i]) = (batch[i].Record, batch[i].Json);
            // Times never go back along a chain (two instances' clocks differ by a little): a record dated before its
            // predecessor would land in an older month's partition than it, and that partition could not be retired whole.
            if (records[i].At < head.At)
            {
                records[i] = records[i] with { At = head.At };
                texts[i] = JsonSerializer.Serialize(records[i], ApiJson.Options);
            }
            positions[i] = head.Position + 1;
            macs[i] = keys.RecordMac(keyId, head.Mac, batch[i].Lane, positions[i], SearchableColumns.Of(records[i]), texts[i]);
            heads[batch[i].Lane] = new ChainHead(positions[i], macs[i], records[i].At);
        }
        var moved = batch.Select(p => p.Lane).Distinct().Order()
            .Select(lane => (Lane: lane, From: knownHeads[lane].Position, To: heads[lane])).ToArray();
        // Rows go in (lane, position) order, so that two instances writing to the same chains wait for each other
        // instead of deadlocking.
        var order = Enumerable.Range(0, batch.Count).OrderBy(i => batch[i].Lane).ThenBy(i => positions[i]).ToArray();

        await using var write = dataSource.CreateCommand($"""
            with moved as (
              update {Heads} h set position = v.position, mac = v.mac, recorded_at = v.at
              from unnest($11::int[], $12::bigint[], $13::bigint[], $14::bytea[], $17::timestamptz[]) as v(lane, previous, position, mac, at)
              where h.lane = v.lane and h.position = v.previous
              returning h.lane),
            checked as (select {LedgerStore.Schema}.access_ledger_heads_moved((select count(*) from moved), $15) as moved)
            insert into {Records} (lane, position, recorded_at, customer_id, principal, person, purpose, decision, record, mac, key_id)
            select r.*, $16 from checked, unnest($1::int[], $2::bigint[], $3::timestamptz[], $4::uuid[], $5::text[], $6::text[],
                                          $7::text[], $8::text[], $9::text[], $10::bytea[]) as r
            returning id, lane, position
            """);
        write.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = order.Select(i => batch[i].Lane).ToArray() });
        write.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = order.Select(i => positions[i]).ToArray() });
        write.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = order.Select(i => records[i].At).ToArray() });
        write.Parameters.Add(new NpgsqlParameter<Guid?[]> { TypedValue = order.Select(i => records[i].CustomerId).ToArray() });
        write.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = order.Select(i => records[i].Principal).ToArray() });
        write.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = order.Select(i => records[i].Person?.Subject).ToArray() });
        write.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = order.Select(i => records[i].Purpose).ToArray() });
        write.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = order.Select(i => records[i].Decision).ToArray() });
        write.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = order.Select(i => texts[i]).ToArray() });
        write.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = order.Select(i => macs[i]).ToArray() });
        write.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = moved.Select(m => m.Lane).ToArray() });
        write.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = moved.Select(m => m.From).ToArray() });
        write.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = moved.Select(m => m.To.Position).ToArray() });
        write.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = moved.Select(m => m.To.Mac).ToArray() });
        write.Parameters.Add(new NpgsqlParameter<int> { TypedValue = moved.Length });
        write.Parameters.Add(new NpgsqlParameter<string> { TypedValue = keyId });
        write.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = moved.Select(m => m.To.At).ToArray() });

        var index = new Dictionary<(int, long), int>();
        for (var i = 0; i < batch.Count; i++) index[(batch[i].Lane, positions[i])] = i;
        var ids = new long[batch.Count];
        await using (var reader = await write.ExecuteReaderAsync())
            while (await reader.ReadAsync()) ids[index[(reader.GetInt32(1), reader.GetInt64(2))]] = reader.GetInt64(0);
        foreach (var (lane, _, head) in moved) knownHeads[lane] = head;
        return ids;
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        if (_writer is not null) await _writer;
    }

    /// <summary>Records matching the filter, newest first.</summary>
    public async Task<IReadOnlyList<StoredAccessRecord>> SearchAsync(AccessSearch filter, CancellationToken cancellation)
    {
        var where = new List<string>();
        var parameters = new List<NpgsqlParameter>();
        void Add(string condition, NpgsqlParameter parameter)
        {
            parameters.Add(parameter);
            where.Add(condition.Replace("@", "$" + parameters.Count));
        }
        if (filter.CustomerId is { } customer) Add("customer_id = @", new NpgsqlParameter<Guid> { TypedValue = customer });
        if (filter.Principal is { } principal) Add("principal = @", new NpgsqlParameter<string> { TypedValue = principal });
        if (filter.Person is { } person) Add("person = @", new NpgsqlParameter<string> { TypedValue = person });
        if (filter.Purpose is { } purpose) Add("purpose = @", new NpgsqlParameter<string> { TypedValue = ApiJson.Name(purpose) });
        if (filter.Decision is { } decision) Add("decision = @", new NpgsqlParameter<string> { TypedValue = ApiJson.Name(decision) });
        if (filter.From is { } from) Add("recorded_at >= @", new NpgsqlParameter<DateTimeOffset> { TypedValue = from.ToUniversalTime() });
        if (filter.To is { } to) Add("recorded_at < @", new NpgsqlParameter<DateTimeOffset> { TypedValue = to.ToUniversalTime() });
        if (filter.BeforeId is { } before) Add("id < @", new NpgsqlParameter<long> { TypedValue = before });
        parameters.Add(new NpgsqlParameter<int> { TypedValue = filter.Limit });

        await using var command = dataSource.CreateCommand(
            $"select id, lane, position, key_id, mac, record from {Records} {(where.Count > 0 ? "where " + string.Join(" and ", where) : "")} " +
            $"order by id desc limit ${parameters.Count}");
        command.Parameters.AddRange(parameters.ToArray());
        var found = new List<StoredAccessRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
            found.Add(new StoredAccessRecord(reader.GetInt64(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetString(3),
                Convert.ToHexStringLower(reader.GetFieldValue<byte[]>(4)), JsonSerializer.Deserialize<AccessRecord>(reader.GetString(5), ApiJson.Options)!));
        return found;
    }
}

/// <param name="BeforeId">Paging: only records older than this one.</param>
/// <param name="Person">The subject of the person who read.</param>
public sealed record AccessSearch(Guid? CustomerId = null, string? Principal = null, Purpose? Purpose = null, AccessOutcome? Decision = null,
    DateTimeOffset? From = null, DateTimeOffset? To = null, long? BeforeId = null, int Limit = 100, string? Person = null);
