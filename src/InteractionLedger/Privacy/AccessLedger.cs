using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using InteractionLedger.Hosting;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace InteractionLedger.Privacy;

/// <summary>One read of a customer's personal data, allowed, reduced or refused: the unit of the access ledger.</summary>
/// <param name="CustomerId">Null for a lookup that named nobody.</param>
/// <param name="BrandsReturned">Brands whose history was returned; null for all of them.</param>
/// <param name="RequestId">The HTTP request's trace id, to find the call in logs.</param>
/// <param name="Reference">The random reference the caller was given for this record (absent from records written
/// before references existed). Callers never see the record's position: a sequence number would let them count the
/// records their probes of other brands' customers leave.</param>
public sealed record AccessRecord(DateTimeOffset At, string Principal, string Role, IReadOnlyList<string>? PrincipalBrands,
    Guid? CustomerId, string View, string Purpose, string LegalBasis, string Decision, IReadOnlyList<string> PartsReturned,
    IReadOnlyList<Withheld> Withheld, IReadOnlyList<string>? BrandsReturned, IReadOnlyList<ConsentReliedOn> ConsentsReliedOn,
    string? Refusal, string RequestId, Guid? Reference = null);

/// <summary>An access record as stored: its place in its chain and its hash.</summary>
public sealed record StoredAccessRecord(long Id, int Lane, long Position, string Hash, AccessRecord Record);

/// <param name="Intact">True when every chain recomputes from its first record to its head.</param>
/// <param name="FirstBreak">The first record (by lane, then position) whose content, hash or place does not check.</param>
public sealed record ChainVerification(bool Intact, long RecordsChecked, ChainBreak? FirstBreak);

public sealed record ChainBreak(int Lane, long Position, long? RecordId, string Problem);

/// <summary>
/// The tamper-evident log of reads of personal data. Each record is hashed with the previous record's hash, so
/// editing, removing or reordering one breaks every hash after it. Records are spread over a few independent
/// chains (lanes, by customer) so that several service instances writing at once queue on different row locks;
/// each lane is verified on its own.
/// </summary>
public sealed class AccessLedger(NpgsqlDataSource dataSource) : IAsyncDisposable
{
    public const int Lanes = 16;
    private const string Records = $"{LedgerStore.Schema}.access_records";
    private const string Heads = $"{LedgerStore.Schema}.access_chain_heads";

    public static IEnumerable<Table> Tables()
    {
        var heads = new Table(new PostgresqlObjectName(LedgerStore.Schema, "access_chain_heads", SchemaUtils.IdentifierUsage.General));
        heads.AddColumn<int>("lane").AsPrimaryKey();
        heads.AddColumn<long>("position").NotNull();
        heads.AddColumn("head_hash", "bytea").NotNull();
        yield return heads;

        var records = new Table(new PostgresqlObjectName(LedgerStore.Schema, "access_records", SchemaUtils.IdentifierUsage.General));
        records.AddColumn<long>("id").BigAutoIncrement().AsPrimaryKey();
        records.AddColumn<int>("lane").NotNull();
        records.AddColumn<long>("position").NotNull();
        records.AddColumn<DateTimeOffset>("recorded_at").NotNull();
        records.AddColumn<Guid>("customer_id");
        records.AddColumn<string>("principal").NotNull();
        records.AddColumn<string>("purpose").NotNull();
        records.AddColumn<string>("decision").NotNull();
        records.AddColumn<string>("record").NotNull();
        records.AddColumn("hash", "bytea").NotNull();
        records.Indexes.Add(new IndexDefinition("ix_access_records_chain") { Columns = ["lane", "position"], IsUnique = true });
        records.Indexes.Add(new IndexDefinition("ix_access_records_customer") { Columns = ["customer_id", "id"] });
        records.Indexes.Add(new IndexDefinition("ix_access_records_time") { Columns = ["recorded_at"] });
        yield return records;
    }

    public static int LaneOf(Guid? customerId) => customerId is { } id ? id.ToByteArray()[0] % Lanes : 0;

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
    /// instance extending a chain makes it stale, which the unique (lane, position) index turns into a refused
    /// batch: the heads are then read again and the batch chained anew.
    /// </summary>
    private Dictionary<int, (long Position, byte[] Hash)>? _heads;

    private async Task<long[]> WriteBatchAsync(IReadOnlyList<PendingRecord> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                _heads ??= await ReadHeadsAsync();
                return await AppendChainedAsync(batch, _heads);
            }
            // Another instance extended a chain first (the unique index refuses the stale position), or two instances
            // extending the same chains deadlocked and this batch was chosen to roll back: nothing of it committed.
            catch (PostgresException conflict) when (conflict.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DeadlockDetected
                                                     && attempt < 5)
            {
                _heads = null;
            }
            catch
            {
                // Whether the batch committed is unknown (the connection may have dropped during the commit).
                _heads = null;
                throw;
            }
        }
    }

    private async Task<Dictionary<int, (long Position, byte[] Hash)>> ReadHeadsAsync()
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            $"insert into {Heads} (lane, position, head_hash) select generate_series(0, {Lanes - 1}), 0, ''::bytea on conflict (lane) do nothing"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"select lane, position, head_hash from {Heads}"));
        var heads = new Dictionary<int, (long Position, byte[] Hash)>();
        await using var reader = await batch.ExecuteReaderAsync();
        do
            while (await reader.ReadAsync()) heads[reader.GetInt32(0)] = (reader.GetInt64(1), reader.GetFieldValue<byte[]>(2));
        while (await reader.NextResultAsync());
        return heads;
    }

    /// <summary>
    /// Chains the records after the known heads, then inserts them and moves the heads in one round trip: a batch
    /// without an explicit transaction runs as one implicit transaction, committed (and flushed) when it ends.
    /// </summary>
    private async Task<long[]> AppendChainedAsync(IReadOnlyList<PendingRecord> batch, Dictionary<int, (long Position, byte[] Hash)> knownHeads)
    {
        var heads = new Dictionary<int, (long Position, byte[] Hash)>(knownHeads);
        var positions = new long[batch.Count];
        var hashes = new byte[batch.Count][];
        for (var i = 0; i < batch.Count; i++)
        {
            var (position, previous) = heads[batch[i].Lane];
            positions[i] = position + 1;
            hashes[i] = ChainHash(previous, positions[i], batch[i].Json);
            heads[batch[i].Lane] = (positions[i], hashes[i]);
        }
        var moved = batch.Select(p => p.Lane).Distinct().Order().Select(lane => (Lane: lane, Head: heads[lane])).ToArray();
        // Rows go in (lane, position) order, so that two instances writing to the same chains wait for each other on
        // the chain index instead of deadlocking.
        var order = Enumerable.Range(0, batch.Count).OrderBy(i => batch[i].Lane).ThenBy(i => positions[i]).ToArray();

        await using var write = dataSource.CreateBatch();
        write.BatchCommands.Add(new NpgsqlBatchCommand($"""
            insert into {Records} (lane, position, recorded_at, customer_id, principal, purpose, decision, record, hash)
            select * from unnest($1::int[], $2::bigint[], $3::timestamptz[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bytea[])
            returning id, lane, position
            """)
        {
            Parameters =
            {
                new NpgsqlParameter<int[]> { TypedValue = order.Select(i => batch[i].Lane).ToArray() },
                new NpgsqlParameter<long[]> { TypedValue = order.Select(i => positions[i]).ToArray() },
                new NpgsqlParameter<DateTimeOffset[]> { TypedValue = order.Select(i => batch[i].Record.At).ToArray() },
                new NpgsqlParameter<Guid?[]> { TypedValue = order.Select(i => batch[i].Record.CustomerId).ToArray() },
                new NpgsqlParameter<string[]> { TypedValue = order.Select(i => batch[i].Record.Principal).ToArray() },
                new NpgsqlParameter<string[]> { TypedValue = order.Select(i => batch[i].Record.Purpose).ToArray() },
                new NpgsqlParameter<string[]> { TypedValue = order.Select(i => batch[i].Record.Decision).ToArray() },
                new NpgsqlParameter<string[]> { TypedValue = order.Select(i => batch[i].Json).ToArray() },
                new NpgsqlParameter<byte[][]> { TypedValue = order.Select(i => hashes[i]).ToArray() },
            },
        });
        write.BatchCommands.Add(new NpgsqlBatchCommand($"""
            update {Heads} h set position = v.position, head_hash = v.hash
            from unnest($1::int[], $2::bigint[], $3::bytea[]) as v(lane, position, hash) where h.lane = v.lane
            """)
        {
            Parameters =
            {
                new NpgsqlParameter<int[]> { TypedValue = moved.Select(m => m.Lane).ToArray() },
                new NpgsqlParameter<long[]> { TypedValue = moved.Select(m => m.Head.Position).ToArray() },
                new NpgsqlParameter<byte[][]> { TypedValue = moved.Select(m => m.Head.Hash).ToArray() },
            },
        });

        var index = new Dictionary<(int, long), int>();
        for (var i = 0; i < batch.Count; i++) index[(batch[i].Lane, positions[i])] = i;
        var ids = new long[batch.Count];
        await using (var reader = await write.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) ids[index[(reader.GetInt32(1), reader.GetInt64(2))]] = reader.GetInt64(0);
            while (await reader.NextResultAsync()) { }
        }
        foreach (var (lane, head) in moved) knownHeads[lane] = head;
        return ids;
    }

    /// <summary>A record's hash: the previous record's hash (empty for the first), its position and its exact text.</summary>
    public static byte[] ChainHash(byte[] previous, long position, string recordText) =>
        SHA256.HashData([.. previous, .. Encoding.UTF8.GetBytes($"{position}|{recordText}")]);

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
        if (filter.Purpose is { } purpose) Add("purpose = @", new NpgsqlParameter<string> { TypedValue = ApiJson.Name(purpose) });
        if (filter.Decision is { } decision) Add("decision = @", new NpgsqlParameter<string> { TypedValue = ApiJson.Name(decision) });
        if (filter.From is { } from) Add("recorded_at >= @", new NpgsqlParameter<DateTimeOffset> { TypedValue = from.ToUniversalTime() });
        if (filter.To is { } to) Add("recorded_at < @", new NpgsqlParameter<DateTimeOffset> { TypedValue = to.ToUniversalTime() });
        if (filter.BeforeId is { } before) Add("id < @", new NpgsqlParameter<long> { TypedValue = before });
        parameters.Add(new NpgsqlParameter<int> { TypedValue = filter.Limit });

        await using var command = dataSource.CreateCommand(
            $"select id, lane, position, hash, record from {Records} {(where.Count > 0 ? "where " + string.Join(" and ", where) : "")} " +
            $"order by id desc limit ${parameters.Count}");
        command.Parameters.AddRange(parameters.ToArray());
        var found = new List<StoredAccessRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
            found.Add(new StoredAccessRecord(reader.GetInt64(0), reader.GetInt32(1), reader.GetInt64(2),
                Convert.ToHexStringLower(reader.GetFieldValue<byte[]>(3)), JsonSerializer.Deserialize<AccessRecord>(reader.GetString(4), ApiJson.Options)!));
        return found;
    }

    /// <summary>
    /// Recomputes every chain from its first record: a record whose text was edited, whose indexed columns no
    /// longer say what its text says, that was removed, or that is missing at the end of its chain is reported.
    /// </summary>
    public async Task<ChainVerification> VerifyAsync(CancellationToken cancellation)
    {
        var heads = new Dictionary<int, (long Position, byte[] Hash)>();
        await using (var command = dataSource.CreateCommand($"select lane, position, head_hash from {Heads}"))
        await using (var reader = await command.ExecuteReaderAsync(cancellation))
            while (await reader.ReadAsync(cancellation))
                heads[reader.GetInt32(0)] = (reader.GetInt64(1), reader.GetFieldValue<byte[]>(2));

        long checkedCount = 0;
        var seen = new HashSet<int>();
        var lane = -1;
        long expectedPosition = 0;
        var previous = Array.Empty<byte>();
        ChainBreak? EndOfLane()
        {
            if (lane < 0) return null;
            var head = heads.GetValueOrDefault(lane);
            return head.Position == expectedPosition && head.Hash.AsSpan().SequenceEqual(previous) ? null
                : new ChainBreak(lane, expectedPosition + 1, null, $"The chain head says {head.Position} records; records up to {expectedPosition} were found.");
        }

        await using (var command = dataSource.CreateCommand(
            $"select id, lane, position, recorded_at, customer_id, principal, purpose, decision, record, hash from {Records} order by lane, position"))
        await using (var reader = await command.ExecuteReaderAsync(cancellation))
        {
            while (await reader.ReadAsync(cancellation))
            {
                var (id, recordLane, position) = (reader.GetInt64(0), reader.GetInt32(1), reader.GetInt64(2));
                if (recordLane != lane)
                {
                    if (EndOfLane() is { } gapAtEnd) return new ChainVerification(false, checkedCount, gapAtEnd);
                    (lane, expectedPosition, previous) = (recordLane, 0, []);
                    seen.Add(lane);
                }
                ChainVerification Broken(string problem) => new(false, checkedCount, new ChainBreak(lane, position, id, problem));

                if (position != expectedPosition + 1) return Broken($"Record {expectedPosition + 1} of the chain is missing.");
                var text = reader.GetString(8);
                var hash = reader.GetFieldValue<byte[]>(9);
                var expected = ChainHash(previous, position, text);
                if (!expected.AsSpan().SequenceEqual(hash)) return Broken("The record's content or hash was changed after it was written.");
                var record = JsonSerializer.Deserialize<AccessRecord>(text, ApiJson.Options)!;
                if (record.At != reader.GetFieldValue<DateTimeOffset>(3) || record.CustomerId != (reader.IsDBNull(4) ? null : reader.GetGuid(4))
                    || record.Principal != reader.GetString(5) || record.Purpose != reader.GetString(6) || record.Decision != reader.GetString(7))
                    return Broken("The record's searchable columns no longer match what it recorded.");
                previous = hash;
                expectedPosition = position;
                checkedCount++;
            }
        }
        if (EndOfLane() is { } lastGap) return new ChainVerification(false, checkedCount, lastGap);
        var emptied = heads.Where(h => h.Value.Position > 0 && !seen.Contains(h.Key)).Select(h => h.Key).Order().ToList();
        return emptied.Count > 0
            ? new ChainVerification(false, checkedCount, new ChainBreak(emptied[0], 1, null, "Every record of this chain is missing."))
            : new ChainVerification(true, checkedCount, null);
    }
}

/// <param name="BeforeId">Paging: only records older than this one.</param>
public sealed record AccessSearch(Guid? CustomerId = null, string? Principal = null, Purpose? Purpose = null, AccessOutcome? Decision = null,
    DateTimeOffset? From = null, DateTimeOffset? To = null, long? BeforeId = null, int Limit = 100);
