using System.Net.Http.Json;
using InteractionLedger.Privacy;
using InteractionLedger.Tests.Support;
using Npgsql;

namespace InteractionLedger.Tests.Privacy;

/// <summary>On a database of its own: these tests tamper with the ledger on purpose.</summary>
public sealed class when_someone_tampers_with_the_access_ledger(LedgerApi api)
{
    [Fact]
    public async Task verification_finds_an_edited_record_a_desynchronised_column_and_a_removed_one()
    {
        var connectionString = await api.Server.CreateDatabaseAsync("tamper");
        await using var ledger = new LedgerFactory(connectionString, "Development");
        using var agent = ledger.ClientAs(Callers.TelecomAgent);
        using var officer = ledger.ClientAs(Callers.PrivacyOfficer, purpose: null);
        var customers = new List<Guid>();
        for (var i = 0; i < 20; i++) customers.Add(await agent.RegisterAsync());
        foreach (var customerId in customers)
        {
            (await agent.GetAsync($"/customers/{customerId}")).EnsureSuccessStatusCode();
            (await agent.GetAsync($"/customers/{customerId}/timeline")).EnsureSuccessStatusCode();
        }
        async Task<ChainVerification> VerifyAsync() =>
            (await officer.GetFromJsonAsync<ChainVerification>("/privacy/access-ledger/verification", InteractionLedger.Hosting.ApiJson.Options))!;

        var intact = await VerifyAsync();
        intact.Intact.ShouldBeTrue();
        intact.RecordsChecked.ShouldBe(40);

        // Someone turns a refusal into an allowed read... in the JSON, where the hash covers it,
        var target = await ScalarAsync<long>(connectionString, "select id from ledger.access_records order by id offset 7 limit 1");
        await ExecuteAsync(connectionString, $"update ledger.access_records set record = replace(record, '\"service\"', '\"marketing\"') where id = {target}");
        var edited = await VerifyAsync();
        edited.Intact.ShouldBeFalse();
        edited.FirstBreak!.RecordId.ShouldBe(target);
        edited.FirstBreak.Problem.ShouldContain("changed");
        await ExecuteAsync(connectionString, $"update ledger.access_records set record = replace(record, '\"marketing\"', '\"service\"') where id = {target}");
        (await VerifyAsync()).Intact.ShouldBeTrue();

        // ... or only in the searchable column a privacy officer filters on,
        await ExecuteAsync(connectionString, $"update ledger.access_records set purpose = 'analytics' where id = {target}");
        var column = await VerifyAsync();
        column.FirstBreak!.RecordId.ShouldBe(target);
        column.FirstBreak.Problem.ShouldContain("columns");
        await ExecuteAsync(connectionString, $"update ledger.access_records set purpose = 'service' where id = {target}");

        // ... or deletes it.
        await ExecuteAsync(connectionString, $"delete from ledger.access_records where id = {target}");
        var removed = await VerifyAsync();
        removed.Intact.ShouldBeFalse();
        removed.FirstBreak!.Problem.ShouldContain("missing");
    }

    [Fact]
    public async Task a_read_whose_access_record_cannot_be_written_returns_no_data()
    {
        var connectionString = await api.Server.CreateDatabaseAsync("unrecordable");
        await using var ledger = new LedgerFactory(connectionString, "Development");
        using var agent = ledger.ClientAs(Callers.TelecomAgent);
        var customerId = await agent.RegisterAsync(displayName: "Nadia Unrecorded");
        await ExecuteAsync(connectionString,
            "create or replace function ledger.refuse() returns trigger language plpgsql as $$ begin raise exception 'ledger full'; end $$; " +
            "create trigger refuse before insert on ledger.access_records for each row execute function ledger.refuse();");

        var response = await agent.GetAsync($"/customers/{customerId}");

        ((int)response.StatusCode).ShouldBeGreaterThanOrEqualTo(500);
        (await response.Content.ReadAsStringAsync()).ShouldNotContain("Nadia");
    }

    [Fact]
    public async Task two_service_instances_recording_reads_at_once_keep_every_chain_intact()
    {
        var connectionString = await api.Server.CreateDatabaseAsync("two_instances");
        await using (var ledger = new LedgerFactory(connectionString, "Development")) ledger.CreateClient().Dispose(); // creates the schema
        await using var first = NpgsqlDataSource.Create(connectionString);
        await using var second = NpgsqlDataSource.Create(connectionString);
        await using var instanceA = new AccessLedger(first);
        await using var instanceB = new AccessLedger(second);
        // Few customers, so both instances keep extending the same chains behind each other's back.
        var customers = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid()).ToArray();
        AccessRecord Read(int i) => new(InteractionLedger.Interactions.TimelineEntry.AtStoredPrecision(DateTimeOffset.UtcNow), $"agent-{i % 2}", "agent", null, customers[i % customers.Length], "profile",
            "service", "contract", "allowed", ["identity"], [], null, [], null, $"request-{i}");

        var ids = await Task.WhenAll(Enumerable.Range(0, 400).Select(i => (i % 2 == 0 ? instanceA : instanceB).AppendAsync(Read(i), CancellationToken.None)));

        ids.Distinct().Count().ShouldBe(400);
        var verification = await instanceA.VerifyAsync(CancellationToken.None);
        verification.FirstBreak.ShouldBeNull();
        verification.RecordsChecked.ShouldBe(400);
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
