using InteractionLedger.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace InteractionLedger.Tests.WebConsole;

/// <summary>What an agent types in the console (an identifier to look up, a name, a summary) never reaches a log line.</summary>
public sealed class ConsoleLogsTests(LedgerApi api)
{
    private const string Name = "Zéphyrine Quenouille-Planted";
    private const string Email = "zephyrine.planted@example.com";
    private const string Phone = "+33 6 99 88 77 66";
    private const string Summary = "PLANTED-SUMMARY asked about the blue tariff";
    private static readonly string[] Planted = [Name, Email, "699887766", Summary, "PLANTED-SUMMARY"];

    [Fact]
    public async Task no_value_typed_in_the_console_appears_in_the_services_log_even_at_debug()
    {
        var log = new CapturedLog();
        await using var factory = new LedgerFactory(await api.Server.CreateDatabaseAsync("consolelogs"), "Development",
            settings: new Dictionary<string, string>
            {
                ["Logging:LogLevel:Default"] = "Debug", ["Logging:LogLevel:Microsoft.AspNetCore"] = "Debug", ["Logging:LogLevel:System.Net.Http"] = "Debug",
                ["Logging:LogLevel:Wolverine"] = "Debug", ["Logging:LogLevel:Marten"] = "Debug",
            },
            services: s => s.AddSingleton<ILoggerProvider>(log));
        using var agent = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer(), AllowAutoRedirect = true })
            { BaseAddress = new Uri(ConsoleHost.StartOnKestrel(factory)) };
        (await ConsoleHost.SignInAsPersonaAsync(agent, ConsoleWorld.TelecomAgent)).EnsureSuccessStatusCode();

        // Screen pop on a number nobody holds, then registration with it and a name.
        (await agent.GetStringAsync($"/console/lookup?kind=phone&value={Uri.EscapeDataString(Phone)}")).ShouldContain("No customer within your reach");
        var register = await agent.GetStringAsync($"/console/customers/new?kind=email&value={Uri.EscapeDataString(Email)}&brand=horizon-telecom");
        var registered = await agent.PostAsync($"/console/customers/new?kind=email&value={Uri.EscapeDataString(Email)}&brand=horizon-telecom", Form(
            ("DisplayName", Name), ("Brand", "horizon-telecom"), ("Kind", "email"), ("Value", Email),
            ("NewCustomerId", System.Text.RegularExpressions.Regex.Match(register, "name=\"NewCustomerId\" value=\"([^\"]+)\"").Groups[1].Value),
            ("__RequestVerificationToken", ConsoleHost.AntiforgeryToken(register))));
        registered.EnsureSuccessStatusCode();
        var customerPage = registered.RequestMessage!.RequestUri!.AbsolutePath;
        var page = await registered.Content.ReadAsStringAsync();
        page.ShouldContain(Name);

        // A contact refused (bad waiting time), then recorded; the lookup that now finds the customer.
        var token = ConsoleHost.AntiforgeryToken(page);
        await agent.PostAsync($"{customerPage}?handler=RecordContact", Form(("Contact.InteractionId", Guid.NewGuid().ToString()),
            ("Contact.Brand", "horizon-telecom"), ("Contact.Channel", "Phone"), ("Contact.Reason", "Billing"), ("Contact.Outcome", "Resolved"),
            ("Contact.WaitingSeconds", "-1"), ("Contact.Summary", Summary), ("__RequestVerificationToken", token)));
        (await agent.PostAsync($"{customerPage}?handler=RecordContact", Form(("Contact.InteractionId", Guid.NewGuid().ToString()),
            ("Contact.Brand", "horizon-telecom"), ("Contact.Channel", "Phone"), ("Contact.Reason", "Billing"), ("Contact.Outcome", "Resolved"),
            ("Contact.Summary", Summary), ("__RequestVerificationToken", token)))).EnsureSuccessStatusCode();
        (await agent.GetStringAsync($"/console/lookup?kind=email&value={Uri.EscapeDataString(Email)}")).ShouldContain(Summary);
        (await agent.GetStringAsync($"{customerPage}/timeline?reason=Billing")).ShouldContain(Summary);

        var hits = log.Lines.Where(line => Planted.Any(v => line.Contains(v, StringComparison.OrdinalIgnoreCase))).ToList();
        hits.ShouldBeEmpty();
        log.Lines.Count.ShouldBeGreaterThan(20, "the log was captured at Debug");
    }

    private static FormUrlEncodedContent Form(params (string Key, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)));
}
