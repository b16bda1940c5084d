using System.Net;
using System.Net.Http.Json;
using InteractionLedger.Hosting;
using InteractionLedger.Privacy;
using InteractionLedger.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace InteractionLedger.Tests.Privacy;

/// <summary>
/// An attacker with the service's own database login, but not the MAC key nor the checkpoint folder, tampers with the
/// access ledger; each tampering is reported at its place. Each test on a database of its own.
/// </summary>
public sealed class when_someone_tampers_with_the_access_ledger(LedgerApi api)
{
    private async Task<TamperedLedger> LedgerWithReadsAsync(string name, int customers = 12, TimeProvider? clock = null)
    {
        var connectionString = await api.Server.CreateDatabaseAsync(name);
        var ledger = new TamperedLedger(connectionString, new LedgerFactory(connectionString, "Development", clock));
        await ledger.ReadCustomersAsync(customers);
        return ledger;
    }

    [Fact]
    public async Task an_intact_ledger_verifies_and_its_checkpoint_is_signed_outside_the_database()
    {
        await using var ledger = await LedgerWithReadsAsync("ledger_intact");

        var full = await ledger.VerifyAsync();
        full.Intact.ShouldBeTrue();
        full.RecordsChecked.ShouldBe(24);
        var checkpoint = await ledger.CheckpointAsync();
        checkpoint.Lanes.Sum(l => l.Position).ShouldBe(24);
        var folder = Path.Combine(LedgerFactory.AccessLedgerDirectoryOf(ledger.ConnectionString), "checkpoints");
        Directory.GetFiles(folder, "*.json", SearchOption.AllDirectories).ShouldHaveSingleItem().ShouldContain(checkpoint.Id);
        (await ledger.Officer.GetFromJsonAsync<InteractionLedger.Http.Page<LedgerCheckpoint>>("/privacy/access-ledger/checkpoints", ApiJson.Options))!
            .Items.ShouldHaveSingleItem().Signature.ShouldBe(checkpoint.Signature);

        // Incremental verification costs what was added since the checkpoint, not the table.
        await ledger.ReadCustomersAsync(2);
        var incremental = await ledger.VerifyAsync("incremental");
        incremental.Intact.ShouldBeTrue();
        incremental.FromCheckpoint!.Id.ShouldBe(checkpoint.Id);
        incremental.RecordsChecked.ShouldBe(4);
    }

    [Fact]
    public async Task every_edited_record_is_reported_not_only_the_first()
    {
        await using var ledger = await LedgerWithReadsAsync("ledger_edited");
        var (lane, position, id) = await ledger.NewestOfBusiestChainAsync();
        var other = await Sql.ScalarAsync<long>(ledger.ConnectionString, $"select id from ledger.access_records where lane <> {lane} order by id limit 1");

        // Someone turns a read into another purpose in the text the MAC covers, and elsewhere in a searchable column only.
        await ledger.ExecuteAsync($"update ledger.access_records set record = replace(record, '\"service\"', '\"marketing\"') where id = {id}");
        await ledger.ExecuteAsync($"update ledger.access_records set purpose = 'analytics' where id = {other}");

        var verification = await ledger.VerifyAsync();

        verification.Intact.ShouldBeFalse();
        verification.Breaks.Count.ShouldBe(2);
        verification.Breaks.ShouldContain(b => b.RecordId == id && b.Lane == lane && b.Position == position && b.Kind == BreakKind.Edited);
        verification.Breaks.ShouldContain(b => b.RecordId == other && b.Kind == BreakKind.Edited);
    }

    [Fact]
    public async Task a_deleted_record_is_reported_missing_at_its_position()
    {
        await using var ledger = await LedgerWithReadsAsync("ledger_deleted");
        var (lane, position, _) = await ledger.NewestOfBusiestChainAsync();
        position.ShouldBeGreaterThan(1);
        await ledger.ExecuteAsync($"delete from ledger.access_records where lane = {lane} and position = {position - 1}");

        var verification = await ledger.VerifyAsync();

        verification.Breaks.ShouldHaveSingleItem().ShouldBe(new ChainBreak(lane, position - 1, BreakKind.Missing,
            $"Records {position - 1} to {position - 1} of the chain are gone.", 1));
    }

    [Fact]
    public async Task deleting_the_newest_record_and_moving_the_head_back_is_caught_by_the_checkpoint()
    {
        await using var ledger = await LedgerWithReadsAsync("ledger_head_back");
        await ledger.CheckpointAsync();
        var (lane, position, id) = await ledger.NewestOfBusiestChainAsync();

        // What the attacker did: the chain and its head agree again, only the checkpoint remembers.
        await ledger.ExecuteAsync($"""
            delete from ledger.access_records where id = {id};
            update ledger.access_chain_heads set position = {position - 1},
              mac = (select mac from ledger.access_records where lane = {lane} and position = {position - 1}) where lane = {lane};
            """);

        foreach (var mode in new[] { "incremental", "full" })
        {
            var verification = await ledger.VerifyAsync(mode);
            verification.Intact.ShouldBeFalse(mode);
            var truncated = verification.Breaks.ShouldHaveSingleItem(mode);
            (truncated.Lane, truncated.Position, truncated.Kind).ShouldBe((lane, position, BreakKind.TruncatedSinceCheckpoint), mode);
        }
        // And a broken ledger is never certified by a new checkpoint.
        (await ledger.Officer.PostAsync("/privacy/access-ledger/checkpoints", null)).StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task a_chain_truncated_since_the_checkpoint_is_reported_with_what_is_gone()
    {
        await using var ledger = await LedgerWithReadsAsync("ledger_truncated", customers: 30);
        await ledger.CheckpointAsync();
        var (lane, position, _) = await ledger.NewestOfBusiestChainAsync();
        position.ShouldBeGreaterThanOrEqualTo(3);

        // Only the records are cut, the head is left: both the checkpoint and the head disagree with the chain.
        await ledger.ExecuteAsync($"delete from ledger.access_records where lane = {lane} and position > {position - 3}");

        var verification = await ledger.VerifyAsync();

        verification.Breaks.ShouldContain(b => b.Lane == lane && b.Position == position - 2 && b.Kind == BreakKind.TruncatedSinceCheckpoint && b.Count == 3);
        verification.Breaks.ShouldContain(b => b.Lane == lane && b.Kind == BreakKind.HeadMismatch);
    }

    [Fact]
    public async Task a_chain_re_maced_with_a_guessed_key_is_reported_record_by_record()
    {
        await using var ledger = await LedgerWithReadsAsync("ledger_rehashed");
        await ledger.CheckpointAsync();
        var (lane, newest, _) = await ledger.NewestOfBusiestChainAsync();

        // The attacker knows the algorithm and the key id (both are in the repository and the rows), not the secret.
        var keyId = await Sql.ScalarAsync<string>(ledger.ConnectionString, "select key_id from ledger.access_records limit 1");
        var guessed = AccessLedgerKeys.Of(keyId, new byte[32]);
        var rows = new List<(long Id, long Position, SearchableColumns Columns, string Text)>();
        await using (var connection = new NpgsqlConnection(ledger.ConnectionString))
        {
            await connection.OpenAsync();
            await using var read = new NpgsqlCommand(
                $"select id, position, recorded_at, customer_id, principal, person, purpose, decision, record from ledger.access_records where lane = {lane} order by position",
                connection);
            await using var reader = await read.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                rows.Add((reader.GetInt64(0), reader.GetInt64(1), new SearchableColumns(reader.GetFieldValue<DateTimeOffset>(2), reader.GetGuid(3),
                    reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetString(6), reader.GetString(7)), reader.GetString(8)));
        }
        var previous = Array.Empty<byte>();
        foreach (var row in rows)
        {
            previous = guessed.RecordMac(keyId, previous, lane, row.Position, row.Columns, row.Text);
            await ledger.ExecuteAsync($"update ledger.access_records set mac = '\\x{Convert.ToHexStringLower(previous)}' where id = {row.Id}");
        }
        await ledger.ExecuteAsync($"update ledger.access_chain_heads set mac = '\\x{Convert.ToHexStringLower(previous)}' where lane = {lane}");

        var full = await ledger.VerifyAsync();
        full.Breaks.Where(b => b.Kind == BreakKind.Edited).Select(b => b.Position).ShouldBe(Enumerable.Range(1, (int)newest).Select(p => (long)p));
        full.Breaks.ShouldAllBe(b => b.Lane == lane);
        var incremental = await ledger.VerifyAsync("incremental");
        incremental.Breaks.ShouldHaveSingleItem().ShouldSatisfyAllConditions(
            b => b.Kind.ShouldBe(BreakKind.Edited), b => b.Position.ShouldBe(newest), b => b.Detail.ShouldContain("checkpoint"));
    }

    [Fact]
    public async Task a_partition_dropped_by_hand_leaves_its_chains_missing_their_start()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 10, 15, 9, 0, 0, TimeSpan.Zero));
        await using var ledger = await LedgerWithReadsAsync("ledger_dropped", customers: 6, clock);
        clock.Advance(TimeSpan.FromDays(30));
        await ledger.ReadCustomersAsync(6);
        var october = await CountsByLaneAsync(ledger.ConnectionString, "ledger.access_records_m202610");
        var november = await CountsByLaneAsync(ledger.ConnectionString, "ledger.access_records_m202611");

        await ledger.ExecuteAsync("drop table ledger.access_records_m202610");

        var verification = await ledger.VerifyAsync();
        // Each chain that goes on in November misses its October records from position 1; a chain that ended in
        // October has nothing left, and its head points at records that are gone.
        var expected = october.Select(o => november.ContainsKey(o.Key)
            ? (o.Key, 1L, BreakKind.Missing, o.Value)
            : (o.Key, 1L, BreakKind.HeadMismatch, 1L)).OrderBy(b => b.Key).ToList();
        verification.Breaks.Select(b => (b.Lane, b.Position, b.Kind, b.Count)).OrderBy(b => b.Lane).ShouldBe(expected);
    }

    private static async Task<Dictionary<int, long>> CountsByLaneAsync(string connectionString, string table)
    {
        var counts = new Dictionary<int, long>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select lane, count(*) from {table} group by lane", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) counts[reader.GetInt32(0)] = reader.GetInt64(1);
        return counts;
    }

    [Fact]
    public async Task retention_drops_whole_partitions_past_five_years_and_the_remaining_chains_still_verify()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2021, 1, 10, 9, 0, 0, TimeSpan.Zero));
        await using var ledger = await LedgerWithReadsAsync("ledger_retention", customers: 6, clock);
        clock.Advance(TimeSpan.FromDays(5 * 365 + 40));
        await ledger.ReadCustomersAsync(6);
        var maintenance = ledger.Factory.Services.GetRequiredService<AccessLedgerMaintenance>();

        var retired = await maintenance.RetireAgedPartitionsAsync(CancellationToken.None);

        retired.ShouldHaveSingleItem().RetiredPartition.ShouldBe("access_records_m202101");
        (await Sql.ScalarAsync<long>(ledger.ConnectionString, "select count(*) from ledger.access_records")).ShouldBe(12);
        (await Sql.ScalarAsync<long>(ledger.ConnectionString,
            "select count(*) from pg_class where relname = 'access_records_m202101'")).ShouldBe(0);
        var verification = await ledger.VerifyAsync();
        verification.Intact.ShouldBeTrue(string.Join("; ", verification.Breaks));
        verification.RecordsChecked.ShouldBe(12);
    }

    [Fact]
    public async Task retention_refuses_to_sign_away_a_recent_partition_renamed_as_an_old_one()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 15, 9, 0, 0, TimeSpan.Zero));
        await using var ledger = await LedgerWithReadsAsync("ledger_renamed", customers: 4, clock);
        var current = AccessLedgerPartitions.For(clock.GetUtcNow()).Name;
        await ledger.ExecuteAsync($"alter table ledger.{current} rename to access_records_m202001");

        var retired = await ledger.Factory.Services.GetRequiredService<AccessLedgerMaintenance>().RetireAgedPartitionsAsync(CancellationToken.None);

        retired.ShouldBeEmpty();
        (await Sql.ScalarAsync<long>(ledger.ConnectionString, "select count(*) from ledger.access_records_m202001")).ShouldBe(8);
        (await ledger.VerifyAsync()).Intact.ShouldBeTrue();
    }

    [Fact]
    public async Task a_forged_record_outside_every_chain_is_reported_by_full_verification()
    {
        await using var ledger = await LedgerWithReadsAsync("ledger_forged", customers: 2);
        // The attacker owns the table: the guard constraint goes first, then a record no chain walk would read.
        await ledger.ExecuteAsync("alter table ledger.access_records drop constraint access_records_in_a_chain");
        await ledger.ExecuteAsync("""
            insert into ledger.access_records (recorded_at, lane, position, customer_id, principal, purpose, decision, record, key_id, mac)
            select recorded_at, 99, 1, customer_id, 'agent-x', purpose, decision, record, key_id, mac from ledger.access_records limit 1
            """);
        var forged = await Sql.ScalarAsync<long>(ledger.ConnectionString, "select id from ledger.access_records where lane = 99");

        var verification = await ledger.VerifyAsync();

        verification.Breaks.ShouldHaveSingleItem().ShouldSatisfyAllConditions(
            b => b.Kind.ShouldBe(BreakKind.OutOfOrder), b => b.RecordId.ShouldBe(forged), b => b.Lane.ShouldBe(99));
    }

    [Fact]
    public async Task a_read_whose_access_record_cannot_be_written_returns_no_data()
    {
        var connectionString = await api.Server.CreateDatabaseAsync("unrecordable");
        await using var ledger = new LedgerFactory(connectionString, "Development");
        using var agent = ledger.ClientAs(Callers.TelecomAgent);
        var customerId = await agent.RegisterAsync(displayName: "Nadia Unrecorded");
        await Sql.ExecuteAsync(connectionString,
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
        await using var factory = new LedgerFactory(connectionString, "Development");
        factory.CreateClient().Dispose(); // creates the schema
        var keys = factory.Services.GetRequiredService<AccessLedgerKeys>();
        await using var first = NpgsqlDataSource.Create(connectionString);
        await using var second = NpgsqlDataSource.Create(connectionString);
        await using var instanceA = new AccessLedger(first, keys);
        await using var instanceB = new AccessLedger(second, keys);
        // Few customers, so both instances keep extending the same chains behind each other's back.
        var customers = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid()).ToArray();
        AccessRecord Read(int i) => new(InteractionLedger.Interactions.TimelineEntry.AtStoredPrecision(DateTimeOffset.UtcNow), $"agent-{i % 2}", "agent", null, customers[i % customers.Length], "profile",
            "service", "contract", "allowed", ["identity"], [], null, [], null, $"request-{i}");

        var ids = await Task.WhenAll(Enumerable.Range(0, 400).Select(i => (i % 2 == 0 ? instanceA : instanceB).AppendAsync(Read(i), CancellationToken.None)));

        ids.Distinct().Count().ShouldBe(400);
        var (verification, _) = await factory.Services.GetRequiredService<AccessLedgerVerifier>().VerifyAsync(full: true, CancellationToken.None);
        verification.Breaks.ShouldBeEmpty();
        verification.RecordsChecked.ShouldBe(400);
    }
}
