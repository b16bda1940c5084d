using System.Net;
using InteractionLedger.Access;
using InteractionLedger.Consent;
using InteractionLedger.Hosting;
using InteractionLedger.Privacy;
using InteractionLedger.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace InteractionLedger.Tests.Privacy;

/// <summary>The signed table, through the HTTP API: every role reads every customer state for every purpose.</summary>
public sealed class when_every_role_reads_for_every_purpose(LedgerApi api)
{
    [Fact]
    public async Task each_answer_and_each_access_record_is_the_one_the_table_expects()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 6, 1, 9, 0, 0, TimeSpan.Zero));
        await using var ledger = new LedgerFactory(await api.Server.CreateDatabaseAsync("matrix"), "Development", clock);
        using var agent = ledger.ClientAs(Callers.TelecomAgent);
        using var officer = ledger.ClientAs(Callers.PrivacyOfficer, purpose: null);

        var customers = new List<(Purpose Purpose, ConsentStatus State, Guid CustomerId)>();
        foreach (var purpose in ExpectedAccess.ReadPurposes)
        foreach (var state in ReachableStates(purpose))
        {
            var customerId = await agent.RegisterAsync();
            await agent.PostJsonAsync($"/customers/{customerId}/interactions", Contacts.Valid(occurredAt: clock.GetUtcNow().AddHours(-1))).EnsureAsync();
            await Bring(agent, customerId, purpose, state, clock);
            customers.Add((purpose, state, customerId));
        }
        clock.Advance(TimeSpan.FromDays(2)); // past the expiry of the consents meant to lapse

        var mismatches = new List<string>();
        foreach (var (purpose, state, customerId) in customers)
        {
            foreach (var role in ReadingRoles)
            {
                using var reader = ledger.ClientAs(Callers.KeyOf(role), ApiJson.Name(purpose));
                var response = await reader.GetAsync($"/customers/{customerId}/overview");
                var expected = ExpectedAccess.For(role, purpose, state);
                var got = response.StatusCode switch
                {
                    HttpStatusCode.Forbidden => "refused",
                    HttpStatusCode.OK => (await response.JsonAsync())["access"]!["decision"]!.GetValue<string>(),
                    var other => $"HTTP {(int)other}",
                };
                if (got != expected) mismatches.Add($"{role} reading for {purpose} when {state}: expected {expected}, got {got}");
            }

            var records = (await (await officer.GetAsync($"/privacy/customers/{customerId}/accesses")).JsonAsync())["items"]!.AsArray();
            var decisions = records.Select(r => (r!["record"]!["role"]!.GetValue<string>(), r["record"]!["decision"]!.GetValue<string>())).ToList();
            foreach (var role in ReadingRoles)
                if (!decisions.Contains((ApiJson.Name(role), ExpectedAccess.For(role, purpose, state))))
                    mismatches.Add($"no access record '{ExpectedAccess.For(role, purpose, state)}' for {role} reading for {purpose} when {state}");
        }

        mismatches.ShouldBeEmpty();
        customers.Count.ShouldBeGreaterThanOrEqualTo(19);
    }

    /// <summary>Monitoring never reaches the policy (403 by endpoint policy, nothing recorded): TelemetryTests.</summary>
    private static readonly Role[] ReadingRoles = Enum.GetValues<Role>().Where(r => r != Role.Monitoring).ToArray();

    /// <summary>The states the API lets a customer reach for a purpose (no consent is collected for a contract, nor objection to it).</summary>
    private static IEnumerable<ConsentStatus> ReachableStates(Purpose purpose)
    {
        var rule = PurposePolicy.RuleFor(purpose);
        yield return ConsentStatus.NotGiven;
        if (rule.LegalBasis == LegalBasis.Consent)
        {
            yield return ConsentStatus.Given;
            yield return ConsentStatus.Withdrawn;
            yield return ConsentStatus.Expired;
        }
        if (rule.Objectable) yield return ConsentStatus.Objected;
    }

    private static async Task Bring(HttpClient agent, Guid customerId, Purpose purpose, ConsentStatus state, TimeProvider clock)
    {
        var name = ApiJson.Name(purpose);
        if (state is ConsentStatus.Given or ConsentStatus.Withdrawn or ConsentStatus.Expired)
            await agent.PostJsonAsync($"/customers/{customerId}/consents", new
            {
                consentId = Guid.NewGuid(), purpose = name, collectedVia = "phone", notice = "Notice v1",
                expiresAt = state == ConsentStatus.Expired ? clock.GetUtcNow().AddDays(1) : (DateTimeOffset?)null,
            }).EnsureAsync();
        if (state == ConsentStatus.Withdrawn)
            await agent.PostJsonAsync($"/customers/{customerId}/consents/withdrawals", new { purpose = name, collectedVia = "email" }).EnsureAsync();
        if (state == ConsentStatus.Objected)
            await agent.PostJsonAsync($"/customers/{customerId}/objections", new { purpose = name, collectedVia = "email" }).EnsureAsync();
    }
}
