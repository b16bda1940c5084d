using System.Net;
using System.Text.Json.Nodes;
using InteractionLedger.Tests.Support;

namespace InteractionLedger.Tests.Hosting;

/// <summary>
/// One paging convention for every list: a bounded <c>limit</c>, an opaque <c>cursor</c>, <c>next</c> in the body;
/// a cursor made for one list is refused by another, as input naming the field.
/// </summary>
public sealed class when_a_client_pages_through_a_list(LedgerApi api)
{
    [Fact]
    public async Task every_list_bounds_its_limit_and_refuses_a_cursor_it_did_not_make()
    {
        using var agent = api.Factory.ClientAs(Callers.TelecomAgent);
        var customerId = await agent.RegisterAsync();
        await agent.PostJsonAsync($"/customers/{customerId}/interactions", Contacts.Valid()).EnsureAsync();
        using var officer = api.Factory.ClientAs(Callers.PrivacyOfficer, purpose: null);
        var lists = new[]
        {
            (Client: agent, Path: $"/customers/{customerId}/timeline"),
            (Client: officer, Path: $"/privacy/customers/{customerId}/accesses"),
            (Client: officer, Path: $"/privacy/accesses?customerId={customerId}"),
            (Client: officer, Path: $"/privacy/customers/{customerId}/accesses-under-withdrawn-consent"),
            (Client: officer, Path: "/privacy/retention/runs"),
            (Client: officer, Path: "/privacy/access-ledger/checkpoints"),
        };
        static string Forged(string text) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var foreignCursor = Forged("someone-else's|1");
        foreach (var (client, path) in lists)
        {
            var separator = path.Contains('?') ? '&' : '?';
            var first = await client.GetAsync($"{path}{separator}limit=1");
            first.StatusCode.ShouldBe(HttpStatusCode.OK, path);
            var page = (await first.JsonAsync()).AsObject();
            page.ContainsKey("items").ShouldBeTrue(path);
            page.ContainsKey("next").ShouldBeTrue(path);

            var ownListForged = new[] { $"withdrawn-consent:{customerId:N}|abc", "access-ledger|-5", "retention-runs|99999999999999999999999", "access-ledger|1e5" }
                .Select(text => $"cursor={Forged(text)}");
            foreach (var refused in new[] { "limit=0", "limit=201", "cursor=not-a-cursor", $"cursor={foreignCursor}" }.Concat(
                         path.Contains("withdrawn") || path.Contains("accesses") || path.Contains("retention") ? ownListForged : []))
            {
                var response = await client.GetAsync($"{path}{separator}{refused}");
                response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, $"{path} {refused}: {await response.Content.ReadAsStringAsync()}");
                (await response.JsonAsync())["errors"]!.AsObject().ContainsKey(refused.Split('=')[0]).ShouldBeTrue($"{path} {refused}");
            }
        }
    }

    [Fact]
    public async Task walking_the_pages_of_the_access_ledger_gives_every_record_once()
    {
        using var agent = api.Factory.ClientAs(Callers.TelecomAgent);
        var customerId = await agent.RegisterAsync();
        for (var read = 0; read < 5; read++) (await agent.GetAsync($"/customers/{customerId}/overview")).EnsureSuccessStatusCode();
        using var officer = api.Factory.ClientAs(Callers.PrivacyOfficer, purpose: null);

        var seen = new List<long>();
        string? cursor = null;
        do
        {
            var page = await officer.GetAsync($"/privacy/customers/{customerId}/accesses?limit=2" +
                                              (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}")).EnsureAsync();
            var body = await page.JsonAsync();
            var items = body["items"]!.AsArray();
            items.Count.ShouldBeLessThanOrEqualTo(2);
            seen.AddRange(items.Select(i => i!["id"]!.GetValue<long>()));
            cursor = body["next"]?.GetValue<string>();
        } while (cursor is not null);

        seen.Count.ShouldBeGreaterThanOrEqualTo(5);
        seen.ShouldBeUnique();
        seen.ShouldBe(seen.OrderDescending().ToList(), "newest first");
    }
}
