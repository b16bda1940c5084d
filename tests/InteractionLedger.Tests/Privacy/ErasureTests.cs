using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using InteractionLedger.Tests.Support;
using Npgsql;

namespace InteractionLedger.Tests.Privacy;

public sealed class when_a_customer_is_erased(LedgerApi api)
{
    [Fact]
    public async Task nothing_personal_is_left_in_any_table_while_the_fact_the_counts_and_the_access_ledger_stay()
    {
        using var agent = api.Factory.ClientAs(Callers.TelecomAgent);
        using var officer = api.Factory.ClientAs(Callers.PrivacyOfficer, purpose: null);
        var marker = Guid.NewGuid().ToString("N")[..10];
        var secrets = new
        {
            Name = $"Ondine {marker}", AbsorbedName = $"O. {marker}b", Email = $"ondine.{marker}@example.org",
            Phone = "+3361" + Random.Shared.Next(1000000, 9999999), Summary = $"Told us about her divorce {marker}s",
            Comment = $"Rude agent {marker}c", Title = $"Dispute {marker}t", Notice = $"Notice {marker}n",
        };

        var customerId = await agent.RegisterAsync(displayName: secrets.Name);
        var absorbedId = await agent.RegisterAsync(displayName: secrets.AbsorbedName);
        await agent.PostJsonAsync($"/customers/{customerId}/identifiers",
            new { kind = "email", value = secrets.Email, verified = true, linkedBy = "agent-7", reason = "given on the phone" }).EnsureAsync();
        await agent.PostJsonAsync($"/customers/{absorbedId}/identifiers",
            new { kind = "phone", value = secrets.Phone, linkedBy = "agent-7", reason = "caller id" }).EnsureAsync();
        var contact = Contacts.Valid();
        contact["summary"] = secrets.Summary;
        await agent.PostJsonAsync($"/customers/{customerId}/interactions", contact).EnsureAsync();
        await agent.PostJsonAsync($"/customers/{absorbedId}/interactions", Contacts.Valid(channel: InteractionLedger.Interactions.Channel.Sms)).EnsureAsync();
        (await agent.PutAsJsonAsync($"/customers/{customerId}/interactions/{contact["interactionId"]}/rating", new { satisfaction = 1, comment = secrets.Comment }))
            .EnsureSuccessStatusCode();
        await agent.PostJsonAsync($"/customers/{customerId}/cases",
            new { brand = "horizon-telecom", reason = "complaint", title = secrets.Title, openedBy = "agent-7" }).EnsureAsync();
        await agent.PostJsonAsync($"/customers/{customerId}/consents",
            new { consentId = Guid.NewGuid(), purpose = "marketing", collectedVia = "phone", notice = secrets.Notice }).EnsureAsync();
        await agent.PostJsonAsync($"/customers/{customerId}/merges",
            new { absorbedCustomerId = absorbedId, decidedBy = "agent-7", reason = "same person" }).EnsureAsync();
        (await agent.GetAsync($"/customers/{customerId}/overview")).EnsureSuccessStatusCode();
        (await ValuesFoundAsync(secrets)).ShouldNotBeEmpty("the values must be there before, or the check below proves nothing");

        var erased = await (await officer.PostJsonAsync($"/privacy/customers/{absorbedId}/erasure",
            new { reason = "GDPR art. 17, letter of 2026-11-20" }).EnsureAsync()).JsonAsync();
        var again = await (await officer.PostJsonAsync($"/privacy/customers/{customerId}/erasure", new { reason = "again" }).EnsureAsync()).JsonAsync();

        erased["erasedCustomers"]!.AsArray().Select(n => n!.GetValue<Guid>()).ShouldBe([customerId, absorbedId], ignoreOrder: true);
        again["replayed"]!.GetValue<bool>().ShouldBeTrue();
        (await ValuesFoundAsync(secrets)).ShouldBeEmpty();
        (await CountAsync($"select count(*) from ledger.mt_events where stream_id in ('{customerId}', '{absorbedId}')")).ShouldBe(0);
        (await CountAsync($"select count(*) from ledger.mt_streams where id in ('{customerId}', '{absorbedId}')")).ShouldBe(0);

        foreach (var url in new[] { $"/customers/{customerId}", $"/customers/{absorbedId}/timeline", $"/customers/{customerId}/overview" })
            (await agent.GetAsync(url)).StatusCode.ShouldBe(HttpStatusCode.Gone, url);
        using var dsr = api.Factory.ClientAs(Callers.PrivacyOfficer, "data-subject-rights");
        (await dsr.GetAsync($"/privacy/customers/{customerId}/export")).StatusCode.ShouldBe(HttpStatusCode.Gone);
        var lookup = await agent.GetFromJsonAsync<JsonObject>($"/identifiers?kind=email&value={Uri.EscapeDataString(secrets.Email)}");
        lookup!["holders"]!.AsArray().ShouldBeEmpty();
        (await agent.PostJsonAsync("/customers", new { customerId, displayName = "Someone else", brand = "horizon-telecom" }))
            .StatusCode.ShouldBe(HttpStatusCode.Conflict, "an erased id is never reused");

        // What stays: the fact, counts that identify nobody, and an access ledger that still verifies.
        var facts = await CountAsync($"select count(*) from ledger.mt_doc_customererasure where id in ('{customerId}', '{absorbedId}') " +
                                     "and (data ->> 'contacts')::int = 2 and (data -> 'contactsByBrand' ->> 'horizon-telecom')::int = 2");
        facts.ShouldBe(2);
        var accesses = await officer.GetFromJsonAsync<JsonObject>($"/privacy/customers/{customerId}/accesses");
        accesses!["items"]!.AsArray().ShouldNotBeEmpty();
        (await officer.GetFromJsonAsync<JsonObject>("/privacy/access-ledger/verification"))!["intact"]!.GetValue<bool>().ShouldBeTrue();
    }

    /// <summary>Every table of every schema, every column, as text: where any of the values still appears.</summary>
    private async Task<List<string>> ValuesFoundAsync(object secrets)
    {
        var values = secrets.GetType().GetProperties().Select(p => (string)p.GetValue(secrets)!).ToList();
        var found = new List<string>();
        await using var connection = new NpgsqlConnection(api.Factory.Services.GetRequiredService<InteractionLedger.Hosting.LedgerDatabase>().ConnectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("select quote_ident(table_schema) || '.' || quote_ident(table_name) from information_schema.tables " +
                                                  "where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')", connection))
        await using (var reader = await list.ExecuteReaderAsync())
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        tables.Count.ShouldBeGreaterThan(10);

        foreach (var table in tables)
        foreach (var value in values)
        {
            // Values are compared as the database holds them: JSON escapes non-ASCII, and phones are stored normalised.
            await using var search = new NpgsqlCommand($"select count(*) from {table} t where t::text ilike '%' || $1 || '%'", connection);
            search.Parameters.AddWithValue(value.StartsWith('+') ? value[1..] : value.Split(' ')[^1]);
            if ((long)(await search.ExecuteScalarAsync())! > 0) found.Add($"{table}: {value}");
        }
        return found;
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(api.Factory.Services.GetRequiredService<InteractionLedger.Hosting.LedgerDatabase>().ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
