using InteractionLedger.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace InteractionLedger.Tests.Privacy;

/// <summary>
/// At 13 million records a day the ledger holds about 100 million within a week: one customer's accesses and one
/// person's must stay index lookups in every monthly partition, checked on PostgreSQL's own plan of the search's query.
/// </summary>
public sealed class when_the_privacy_officer_searches_a_large_access_ledger(LedgerApi api)
{
    [Theory]
    [InlineData("customer_id = $1::uuid", "a customer's accesses")]
    [InlineData("person = $1::text", "a person's accesses")]
    public async Task postgresql_answers_from_an_index_of_each_partition_without_a_scan(string condition, string search)
    {
        await using var connection = new NpgsqlConnection(api.Factory.Services.GetRequiredService<InteractionLedger.Hosting.LedgerDatabase>().ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        // On a small test table a sequential scan is cheaper, so the planner is told not to use one: what is checked
        // is that an index answers this exact query, which is what keeps it a lookup on a large table.
        await using (var analyze = new NpgsqlCommand("analyze ledger.access_records; set enable_seqscan = off;", connection))
            await analyze.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        await using var explain = new NpgsqlCommand(
            $"explain select id, lane, position, key_id, mac, record from ledger.access_records where {condition} order by id desc limit 101", connection);
        explain.Parameters.Add(new NpgsqlParameter { Value = search.StartsWith("a customer") ? Guid.NewGuid() : "u-4711" });

        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync(TestContext.Current.CancellationToken))
            while (await reader.ReadAsync(TestContext.Current.CancellationToken)) plan.Add(reader.GetString(0));

        await using var partitions = new NpgsqlCommand(
            "select count(*) from pg_inherits where inhparent = 'ledger.access_records'::regclass", connection);
        var partitionCount = (long)(await partitions.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
        partitionCount.ShouldBeGreaterThanOrEqualTo(3, "this month's and the next two");
        plan.ShouldNotContain(line => line.Contains("Seq Scan"), search);
        plan.Count(line => line.Contains("Index Scan Backward using access_records_m")).ShouldBe((int)partitionCount, search);
    }
}
