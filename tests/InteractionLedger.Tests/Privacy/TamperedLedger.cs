using System.Net;
using System.Net.Http.Json;
using InteractionLedger.Hosting;
using InteractionLedger.Privacy;
using InteractionLedger.Tests.Support;
using Npgsql;

namespace InteractionLedger.Tests.Privacy;

/// <summary>A service on a database of its own whose access ledger a test tampers with, and the officer who verifies it.</summary>
public sealed class TamperedLedger(string connectionString, LedgerFactory factory) : IAsyncDisposable
{
    public string ConnectionString { get; } = connectionString;
    public LedgerFactory Factory { get; } = factory;
    public HttpClient Agent { get; } = factory.ClientAs(Callers.TelecomAgent);
    public HttpClient Officer { get; } = factory.ClientAs(Callers.PrivacyOfficer, purpose: null);

    public async Task<LedgerVerification> VerifyAsync(string mode = "full") =>
        (await Officer.GetFromJsonAsync<LedgerVerification>($"/privacy/access-ledger/verification?mode={mode}", ApiJson.Options))!;

    public async Task<LedgerCheckpoint> CheckpointAsync()
    {
        var response = await Officer.PostAsync("/privacy/access-ledger/checkpoints", null);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<LedgerCheckpoint>(ApiJson.Options))!;
    }

    /// <summary>Reads that leave records in every chain (customers spread over the lanes).</summary>
    public async Task ReadCustomersAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var customerId = await Agent.RegisterAsync();
            (await Agent.GetAsync($"/customers/{customerId}")).EnsureSuccessStatusCode();
            (await Agent.GetAsync($"/customers/{customerId}/timeline")).EnsureSuccessStatusCode();
        }
    }

    /// <summary>The newest (lane, position, id) of the busiest chain.</summary>
    public async Task<(int Lane, long Position, long Id)> NewestOfBusiestChainAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select lane, position, id from ledger.access_records where lane = (select lane from ledger.access_chain_heads order by position desc limit 1) " +
            "order by position desc limit 1", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt32(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    public Task ExecuteAsync(string sql) => Sql.ExecuteAsync(ConnectionString, sql);

    public async ValueTask DisposeAsync()
    {
        Agent.Dispose();
        Officer.Dispose();
        await Factory.DisposeAsync();
    }
}

/// <summary>SQL run as the attacker (or the test) would, with the service's own login.</summary>
public static class Sql
{
    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
