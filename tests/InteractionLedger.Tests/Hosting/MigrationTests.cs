using System.Net;
using InteractionLedger.Tests.Support;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Weasel.Core;
using Weasel.Core.Migrations;
using Wolverine.Persistence.Durability;

namespace InteractionLedger.Tests.Hosting;

/// <summary>
/// In production the service creates no schema: a DBA applies migrations/. These scripts must therefore create
/// exactly what the Marten and Wolverine model expects; when the model changes, migrations/regenerate.sh must be run.
/// </summary>
public sealed class when_the_schema_comes_from_migrations(LedgerApi api)
{
    [Fact]
    public async Task checked_in_migrations_create_exactly_the_model()
    {
        var connectionString = await api.Server.CreateDatabaseAsync("migrations");
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            foreach (var script in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "migrations"), "*.sql").Order())
            {
                await using var apply = new NpgsqlCommand(await File.ReadAllTextAsync(script), connection);
                await apply.ExecuteNonQueryAsync();
            }
        }

        // Outside Development no key is known unless configured: the one caller this test needs, stored hashed.
        await using var production = new LedgerFactory(connectionString, "Production", settings: new Dictionary<string, string>
        {
            ["Ledger:Principals:0:Id"] = "agent-group",
            ["Ledger:Principals:0:Role"] = "Agent",
            ["Ledger:Principals:0:KeySha256"] = InteractionLedger.Access.PrincipalDirectory.Hash(LedgerFactory.GroupAgentKey),
            // ... and the access ledger's MAC key, held outside the database.
            ["Ledger:AccessLedger:Keys:0:Id"] = "migrations-test",
            ["Ledger:AccessLedger:Keys:0:Secret"] = Convert.ToBase64String(new byte[32]),
            // Behind a TLS terminator, as README's production setup has it: the scheme the browser used is forwarded.
            ["FORWARDEDHEADERS_ENABLED"] = "true",
        });
        using var client = production.CreateClient();

        var store = production.Services.GetRequiredService<IDocumentStore>();
        var ledgerDrift = await store.Storage.Database.CreateMigrationAsync();
        ledgerDrift.Difference.ShouldBe(SchemaPatchDifference.None,
            "migrations/ no longer match the Marten model: run migrations/regenerate.sh.");

        var messages = production.Services.GetRequiredService<IMessageStore>().ShouldBeAssignableTo<IDatabase>()!;
        var messageDrift = await messages.CreateMigrationAsync();
        messageDrift.Difference.ShouldBe(SchemaPatchDifference.None,
            "migrations/ no longer match Wolverine's message storage: run migrations/regenerate.sh.");

        var registered = await client.PostAsync("/customers", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        registered.StatusCode.ShouldBe(HttpStatusCode.Created);
        // Outside Development there is no development sign-in, and its personas do not exist.
        (await client.PostAsync("/dev/sign-in", new StringContent("{\"persona\":\"privacy-officer\"}", System.Text.Encoding.UTF8, "application/json")))
            .StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await client.GetAsync("/dev/personas")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // Nor does the console offer them: with no identity provider configured, it says so. Its cookies are Secure
        // (the service sits behind a TLS terminator) and its answers ask for HTTPS.
        using var behindTls = new HttpRequestMessage(HttpMethod.Get, "/console/sign-in");
        behindTls.Headers.Add("X-Forwarded-Proto", "https");
        var signIn = await client.SendAsync(behindTls);
        var page = await signIn.Content.ReadAsStringAsync();
        page.ShouldNotContain("data-persona");
        page.ShouldContain("No sign-in is configured");
        signIn.Headers.GetValues("Set-Cookie").ShouldAllBe(cookie => cookie.Contains("secure", StringComparison.OrdinalIgnoreCase));
        signIn.Headers.GetValues("Strict-Transport-Security").Single().ShouldStartWith("max-age=");
        var persona = await client.PostAsync("/console/sign-in?handler=Persona", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["persona"] = "privacy-officer",
            ["__RequestVerificationToken"] = InteractionLedger.Tests.Support.ConsoleHost.AntiforgeryToken(page),
        }));
        ((int)persona.StatusCode).ShouldBeOneOf(400, 404);
    }

    [Fact]
    public async Task the_access_ledger_script_keeps_an_older_sha256_ledger_aside_and_starts_keyed_chains()
    {
        var connectionString = await api.Server.CreateDatabaseAsync("ledger_upgrade");
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        // The ledger as an earlier version created it, with one record.
        await using (var earlier = new NpgsqlCommand("""
            create schema ledger;
            create table ledger.access_chain_heads (lane integer primary key, position bigint not null, head_hash bytea not null);
            create table ledger.access_records (id bigserial primary key, lane integer not null, position bigint not null,
              recorded_at timestamptz not null, customer_id uuid, principal varchar not null, purpose varchar not null,
              decision varchar not null, record varchar not null, hash bytea not null);
            create unique index ix_access_records_chain on ledger.access_records (lane, position);
            insert into ledger.access_records (lane, position, recorded_at, principal, purpose, decision, record, hash)
            values (0, 1, now(), 'agent-group', 'service', 'allowed', '{}', '\x00');
            """, connection))
            await earlier.ExecuteNonQueryAsync();

        var script = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "migrations", "004_access_ledger.sql"));
        for (var run = 0; run < 2; run++) // safe to re-run
        {
            await using var apply = new NpgsqlCommand(script, connection);
            await apply.ExecuteNonQueryAsync();
        }

        async Task<object?> ScalarAsync(string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            return await command.ExecuteScalarAsync();
        }
        (await ScalarAsync("select count(*) from ledger.access_records_sha256")).ShouldBe(1L);
        (await ScalarAsync("select relkind::text from pg_class where relname = 'access_records' and relnamespace = 'ledger'::regnamespace")).ShouldBe("p");
        (await ScalarAsync("select count(*) from ledger.access_chain_heads where position = 0")).ShouldBe(16L);
    }
}
