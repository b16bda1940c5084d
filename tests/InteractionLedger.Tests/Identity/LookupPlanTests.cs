using InteractionLedger.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace InteractionLedger.Tests.Identity;

/// <summary>Lookup by identifier must stay one index probe, also with a million customers: checked on PostgreSQL's own plan.</summary>
public sealed class when_an_identifier_is_looked_up(LedgerApi api)
{
    [Fact]
    public async Task postgresql_answers_it_from_the_primary_key_index_without_a_scan()
    {
        var table = $"{InteractionLedger.Hosting.LedgerStore.Schema}.mt_doc_identifierclaim";
        await using var connection = new NpgsqlConnection(api.Factory.Services.GetRequiredService<InteractionLedger.Hosting.LedgerDatabase>().ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        // On a small test table a sequential scan is cheaper, so the planner is told not to use one: what is checked
        // is that an index answers this exact query, which is what keeps it one probe on a large table.
        await using (var analyze = new NpgsqlCommand($"analyze {table}; set enable_seqscan = off;", connection))
            await analyze.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        await using var explain = new NpgsqlCommand($"explain select data from {table} where id = @key", connection);
        explain.Parameters.AddWithValue("key", "phone:+33612345678");

        var plan = (string)(await explain.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;

        plan.ShouldContain("Index Scan using pkey_mt_doc_identifierclaim_id");
    }
}
