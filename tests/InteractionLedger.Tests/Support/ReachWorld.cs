using System.Net.Http.Json;
using System.Text.Json.Nodes;
using InteractionLedger.Hosting;

namespace InteractionLedger.Tests.Support;

/// <summary>
/// A customer a reach test points at, with values distinctive enough to be searched for in any answer or log:
/// its name, e-mail, phone and brand customer number, one contact and one case.
/// </summary>
public sealed record Subject(Guid Id, string Brand, Guid InteractionId, Guid CaseId, string Name, string Email, string Phone, string Number)
{
    /// <summary>Every value of this customer that must not reach a caller without reach.</summary>
    public IEnumerable<string> PersonalValues => [Name, Email, Phone, Number];
}

/// <summary>Builds subjects through the public API, as each brand's own systems would.</summary>
public static class ReachWorld
{
    /// <summary>A customer nobody registered: random ids and values, as an attacker would guess them.</summary>
    public static Subject Unknown(string brand)
    {
        var tag = Guid.NewGuid().ToString("N")[..10];
        var digits = string.Concat(tag.Select(c => (char)('0' + c % 10)))[..8];
        return new Subject(Guid.NewGuid(), brand, Guid.NewGuid(), Guid.NewGuid(), $"Zélie Quintal-{tag}", $"zelie.{tag}@example.org",
            $"+3361{digits}", $"NUM{tag.ToUpperInvariant()}");
    }

    public static async Task<Subject> CreateAsync(LedgerFactory factory, string brand, bool sharesAcrossBrands = false)
    {
        var subject = Unknown(brand) with { Id = Guid.Empty };
        using var integration = factory.ClientAs($"dev-integration-{brand}");
        var created = await integration.PostJsonAsync("/interactions", new JsonObject
        {
            ["customer"] = new JsonObject
            {
                ["displayName"] = subject.Name,
                ["identifiers"] = new JsonArray(
                    new JsonObject { ["kind"] = "email", ["value"] = subject.Email },
                    new JsonObject { ["kind"] = "phone", ["value"] = subject.Phone },
                    new JsonObject { ["kind"] = "brand-customer-number", ["value"] = subject.Number, ["brand"] = brand }),
            },
            ["interaction"] = Contacts.Valid(interactionId: subject.InteractionId, brand: brand),
        }).EnsureAsync();
        subject = subject with { Id = (await created.JsonAsync())["customerId"]!.GetValue<Guid>() };

        await integration.PostJsonAsync($"/customers/{subject.Id}/cases", new
        {
            caseId = subject.CaseId, brand, reason = "billing", title = $"Invoice question of {subject.Name}", openedBy = "agent-7",
        }).EnsureAsync();
        if (sharesAcrossBrands)
        {
            await integration.PostJsonAsync($"/customers/{subject.Id}/consents", new
            {
                consentId = Guid.NewGuid(), purpose = "cross-brand-sharing", collectedVia = "phone", notice = "Group sharing notice v3",
            }).EnsureAsync();
        }
        return subject;
    }

    /// <summary>A subject erased by the privacy officer: its id answers 410 to those who knew it, 404 to everyone else.</summary>
    public static async Task<Subject> CreateErasedAsync(LedgerFactory factory, string brand)
    {
        var subject = await CreateAsync(factory, brand);
        using var officer = factory.ClientAs(Callers.PrivacyOfficer, "data-subject-rights");
        await officer.PostJsonAsync($"/privacy/customers/{subject.Id}/erasure", new { reason = "Art. 17 request, ticket 1" }).EnsureAsync();
        return subject;
    }

    public static async Task<int> ContactCountAsync(LedgerFactory factory, Guid customerId)
    {
        using var group = factory.ClientAs(LedgerFactory.GroupAgentKey);
        var page = await group.GetAsync($"/customers/{customerId}/timeline?limit=200").EnsureAsync();
        return (await page.Content.ReadFromJsonAsync<JsonObject>(ApiJson.Options))!["items"]!.AsArray().Count;
    }
}
