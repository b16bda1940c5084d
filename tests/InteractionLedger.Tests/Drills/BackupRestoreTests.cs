using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using InteractionLedger.DemoData;
using InteractionLedger.LocalPostgres;
using InteractionLedger.Tests.Support;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace InteractionLedger.Tests.Drills;

/// <summary>
/// The drill a DBA runs before trusting the backups: pg_dump the ledger, pg_restore it into a fresh cluster, rebuild
/// every view from the restored events, and find the same ledger.
/// </summary>
public sealed class when_the_ledger_is_restored_from_a_backup(LedgerApi api)
{
    [Fact]
    public async Task a_fresh_cluster_holds_the_same_events_the_same_views_after_rebuild_and_an_intact_access_ledger()
    {
        var binaries = PostgresBinaries.Find();
        Assert.SkipWhen(binaries is null, "PostgreSQL's binaries are needed for pg_dump and a fresh cluster");
        var source = await api.Server.CreateDatabaseAsync("backup");
        await using (var ledger = new LedgerFactory(source, "Development"))
        {
            var store = ledger.Services.GetRequiredService<IDocumentStore>();
            await DemoDataCommand.LoadAsync(store, new DemoDataGenerator(Contacts.Brands, 5, DateTimeOffset.UtcNow).Customers(200).ToList());
            using var agent = ledger.ClientAs(Callers.TelecomAgent);
            var customerId = await agent.RegisterAsync();
            await agent.PostJsonAsync($"/customers/{customerId}/interactions", Contacts.Valid()).EnsureAsync();
            await agent.PostJsonAsync($"/customers/{customerId}/consents",
                new { consentId = Guid.NewGuid(), purpose = "marketing", collectedVia = "phone", notice = "v1" }).EnsureAsync();
            (await agent.GetAsync($"/customers/{customerId}/timeline")).EnsureSuccessStatusCode();
        }
        var dump = Path.Combine(Path.GetTempPath(), $"ledger-backup-{Guid.NewGuid():N}.dump");
        await RunAsync(Path.Combine(binaries!, "pg_dump"), "--format=custom", "--file", dump, "--dbname", Uri(source));

        await using var fresh = await LocalPostgresCluster.StartAsync(new LocalPostgresOptions
        {
            DataDirectory = Path.Combine(Path.GetTempPath(), $"ledger-restore-{Guid.NewGuid():N}"), Throwaway = true, WithoutDurability = true,
        });
        var restoring = Stopwatch.StartNew();
        await RunAsync(Path.Combine(binaries!, "pg_restore"), "--no-owner", "--dbname", Uri(fresh.ConnectionString), dump);
        restoring.Stop();
        File.Delete(dump);

        await using var original = new LedgerFactory(source, "Development");
        // The access ledger's key and checkpoints live outside the database: restored beside it, as an operator would.
        await using var restored = new LedgerFactory(fresh.ConnectionString, "Development", settings: new Dictionary<string, string>
        {
            ["Ledger:AccessLedger:Directory"] = LedgerFactory.AccessLedgerDirectoryOf(source),
        });
        var before = await ViewSnapshot.TakeAsync(original.Services.GetRequiredService<IDocumentStore>());
        var restoredStore = restored.Services.GetRequiredService<IDocumentStore>();
        await ViewSnapshot.RebuildAllAsync(restoredStore, TestContext.Current.CancellationToken);
        var after = await ViewSnapshot.TakeAsync(restoredStore);

        after.DifferencesFrom(before).ShouldBeEmpty();
        before["interactions"].Count.ShouldBeGreaterThan(500);
        (await CountAsync(fresh.ConnectionString, "select count(*) from ledger.mt_events"))
            .ShouldBe(await CountAsync(source, "select count(*) from ledger.mt_events"));
        (await CountAsync(fresh.ConnectionString, "select count(*) from ledger.access_records"))
            .ShouldBe(await CountAsync(source, "select count(*) from ledger.access_records"));
        using var officer = restored.ClientAs(Callers.PrivacyOfficer, purpose: null);
        (await officer.GetFromJsonAsync<JsonObject>("/privacy/access-ledger/verification"))!["intact"]!.GetValue<bool>().ShouldBeTrue();
        DrillReport.Record("Backup and restore", "events", await CountAsync(source, "select count(*) from ledger.mt_events"));
        DrillReport.Record("Backup and restore", "pg_restore into a fresh cluster", restoring.Elapsed);
        DrillReport.Record("Backup and restore", "views rebuilt from the restored events identical to the original", after.DifferencesFrom(before).Count == 0 ? "yes" : "no");
    }

    private static string Uri(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        var password = string.IsNullOrEmpty(b.Password) ? "" : ":" + System.Uri.EscapeDataString(b.Password);
        return $"postgresql://{b.Username}{password}@{b.Host}:{b.Port}/{b.Database}";
    }

    private static async Task RunAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool, arguments) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(0, $"{Path.GetFileName(tool)}: {await errors}");
    }

    private static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
