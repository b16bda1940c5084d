using Npgsql;

namespace InteractionLedger.Benchmark;

/// <summary>
/// The physical limit on the same PostgreSQL: the minimal SQL of an append (bump a stream version row, insert one
/// event row, commit) and of a timeline read, through raw Npgsql with no HTTP, no JSON contract, no views.
/// </summary>
public static class RawBaseline
{
    private const string Payload = """{"brand":"horizon-telecom","channel":"Phone","summary":"Customer asked why the last invoice doubled; explained the end of the promotion."}""";

    public static async Task CreateAsync(NpgsqlDataSource raw, IReadOnlyList<Guid> writeTargets, IReadOnlyList<Guid> longHistory, int history)
    {
        await using var setup = raw.CreateBatch();
        setup.BatchCommands.Add(new NpgsqlBatchCommand("""
            create schema if not exists baseline;
            """));
        setup.BatchCommands.Add(new NpgsqlBatchCommand("create table if not exists baseline.streams (id uuid primary key, version bigint not null)"));
        setup.BatchCommands.Add(new NpgsqlBatchCommand(
            "create table if not exists baseline.events (stream_id uuid not null, version bigint not null, data jsonb not null, primary key (stream_id, version))"));
        setup.BatchCommands.Add(new NpgsqlBatchCommand("insert into baseline.streams select unnest($1::uuid[]), 0")
            { Parameters = { new NpgsqlParameter<Guid[]> { TypedValue = [.. writeTargets] } } });
        setup.BatchCommands.Add(new NpgsqlBatchCommand("insert into baseline.streams select unnest($1::uuid[]), $2")
            { Parameters = { new NpgsqlParameter<Guid[]> { TypedValue = [.. longHistory] }, new NpgsqlParameter<int> { TypedValue = history } } });
        setup.BatchCommands.Add(new NpgsqlBatchCommand("insert into baseline.events select s, v, $3::jsonb from unnest($1::uuid[]) s, generate_series(1, $2) v")
            { Parameters = { new NpgsqlParameter<Guid[]> { TypedValue = [.. longHistory] }, new NpgsqlParameter<int> { TypedValue = history },
                new NpgsqlParameter<string> { TypedValue = Payload } } });
        await setup.ExecuteNonQueryAsync();
    }

    public static async Task AppendAsync(NpgsqlDataSource raw, Guid stream)
    {
        await using var connection = await raw.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var bump = new NpgsqlCommand("update baseline.streams set version = version + 1 where id = $1 returning version", connection, transaction);
        bump.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = stream });
        var version = (long)(await bump.ExecuteScalarAsync())!;
        await using var append = new NpgsqlCommand("insert into baseline.events values ($1, $2, $3::jsonb)", connection, transaction);
        append.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = stream });
        append.Parameters.Add(new NpgsqlParameter<long> { TypedValue = version });
        append.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Payload });
        await append.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }

    public static async Task ReadAsync(NpgsqlDataSource raw, Guid stream)
    {
        await using var read = raw.CreateCommand("select data from baseline.events where stream_id = $1 order by version desc limit 50");
        read.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = stream });
        await using var reader = await read.ExecuteReaderAsync();
        while (await reader.ReadAsync()) reader.GetString(0);
    }
}
