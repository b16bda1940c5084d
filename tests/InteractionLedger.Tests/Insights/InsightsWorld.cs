using System.Net.Http.Json;
using System.Text.Json.Nodes;
using InteractionLedger.Hosting;
using InteractionLedger.Interactions;
using InteractionLedger.Tests.Support;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace InteractionLedger.Tests.Insights;

[CollectionDefinition("insights")]
public sealed class InsightsCollection : ICollectionFixture<InsightsWorld>;

/// <summary>
/// A small base built contact by contact through the API on a database of its own, whose figures the tests compute by
/// hand (the comments of each part say how). The service's clock is the test's; the views are waited for, never slept on.
/// Figures are suppressed below 3 customers here (MinimumCustomersPerFigure), so that a handful of customers makes a cell.
/// </summary>
public sealed class InsightsWorld(LedgerApi api) : IAsyncLifetime
{
    public const string Telecom = "horizon-telecom";
    public const string Energie = "horizon-energie";
    public const string Banque = "horizon-banque";
    public const int MinimumCustomers = 3;

    /// <summary>Today at noon (UTC): the base is built then; signal tests move the clock on from there.</summary>
    public static readonly DateTimeOffset Start = new(DateTimeOffset.UtcNow.UtcDateTime.Date.AddHours(12), TimeSpan.Zero);

    /// <summary>The first day of the month two months before today: the month of the service-quality base.</summary>
    public static readonly DateTimeOffset Month = new DateTimeOffset(Start.Year, Start.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(-2);

    /// <summary>When the cases were opened and resolved: in the month before <see cref="Month"/>, so it is over and apart from it.</summary>
    public static readonly DateTimeOffset CasesAt = Month.AddMonths(-1).AddDays(10).AddHours(12);

    /// <summary>The service's clock: at <see cref="CasesAt"/> while the cases are written, then at <see cref="Start"/>.</summary>
    public FakeTimeProvider Clock { get; } = new(CasesAt);
    public LedgerFactory Factory { get; private set; } = null!;
    public HttpClient Agent { get; private set; } = null!;
    public string ConnectionString { get; private set; } = "";

    /// <summary>Telecom: six phone customers (c1…c6), two by e-mail (c7, c8) and three by chat (c9…c11), all in <see cref="Month"/>.</summary>
    public List<Guid> TelecomCustomers { get; } = [];
    /// <summary>Telecom customers who objected to analytics (three, each with a phone contact rated 1 in the month).</summary>
    public List<Guid> Objectors { get; } = [];
    /// <summary>Energie customers each with one case of 2, 2 and 3 contacts, resolved.</summary>
    public List<Guid> CaseCustomers { get; } = [];
    public Dictionary<string, Guid> SignalCustomers { get; } = [];

    public async ValueTask InitializeAsync()
    {
        ConnectionString = await api.Server.CreateDatabaseAsync("insights");
        Factory = new LedgerFactory(ConnectionString, "Development", Clock,
            new Dictionary<string, string> { ["Ledger:Insights:MinimumCustomersPerFigure"] = MinimumCustomers.ToString() });
        Agent = Factory.CreateClient();
        await CasesAsync();
        Clock.SetUtcNow(Start);
        await ServiceQualityBaseAsync();
        await SignalsAsync();
        await ViewsCaughtUpAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Agent.Dispose();
        await Factory.DisposeAsync();
    }

    /// <summary>Until both asynchronous views have applied every event written so far.</summary>
    public Task ViewsCaughtUpAsync() =>
        Factory.Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));

    public HttpClient As(string apiKey, string? purpose) => Factory.ClientAs(apiKey, purpose);

    /// <summary>
    /// Telecom, phone, in the month: waits 10…60 s; outcomes resolved ×4, unresolved, abandoned; ratings 5, 4, 4, 2, 1 and none.
    /// So: 6 contacts, 6 customers, average 3.2, satisfied 3/5, negative 2/5, first-contact resolution 4/6, waiting p50 30 s and
    /// p90 60 s, unanswered 1/6. Two e-mail customers (a cell of 2, suppressed) and three by chat (suppressed with it: the brand's
    /// 11 contacts minus the phone's 6 and the chat's 3 would give the e-mail's 2): the brand has 11 customers, phone's share 6/11.
    /// Three objectors' phone contacts (rated 1) count nowhere.
    /// </summary>
    private async Task ServiceQualityBaseAsync()
    {
        (string Outcome, int? Rating)[] phone = [("resolved", 5), ("resolved", 4), ("resolved", 4), ("resolved", 2), ("unresolved", 1), ("abandoned", null)];
        for (var i = 0; i < phone.Length; i++)
        {
            var customer = await Agent.RegisterAsync(Telecom, $"Phone Customer {i + 1}");
            TelecomCustomers.Add(customer);
            var contact = await RecordAsync(customer, Contact(Telecom, Channel.Phone, Month.AddDays(10).AddHours(i), phone[i].Outcome, waiting: 10 * (i + 1)));
            if (phone[i].Rating is { } rating) await RateAsync(customer, contact, rating);
        }
        for (var i = 0; i < 2; i++)
        {
            var customer = await Agent.RegisterAsync(Telecom, $"Mail Customer {i + 1}");
            TelecomCustomers.Add(customer);
            await RecordAsync(customer, Contact(Telecom, Channel.Email, Month.AddDays(12).AddHours(i), "resolved", waiting: null));
        }
        for (var i = 0; i < 3; i++)
        {
            var customer = await Agent.RegisterAsync(Telecom, $"Chat Customer {i + 1}");
            TelecomCustomers.Add(customer);
            await RecordAsync(customer, Contact(Telecom, Channel.Chat, Month.AddDays(13).AddHours(i), "resolved", waiting: 5));
        }
        for (var i = 0; i < 3; i++)
        {
            var customer = await Agent.RegisterAsync(Telecom, $"Objector {i + 1}");
            Objectors.Add(customer);
            var contact = await RecordAsync(customer, Contact(Telecom, Channel.Phone, Month.AddDays(11).AddHours(i), "resolved", waiting: 600));
            await RateAsync(customer, contact, 1);
            await Agent.PostJsonAsync($"/customers/{customer}/objections",
                new { purpose = "analytics", reason = "Does not want to be counted", collectedVia = "phone" }).EnsureAsync();
        }
    }

    /// <summary>Energie, at <see cref="CasesAt"/>: three cases, each opened and resolved through the API, of 2, 2 and 3 contacts: 7/3 contacts per resolved case.</summary>
    private async Task CasesAsync()
    {
        foreach (var contacts in new[] { 2, 2, 3 })
        {
            var customer = await Agent.RegisterAsync(Energie, $"Case Customer {contacts}");
            CaseCustomers.Add(customer);
            var caseId = await OpenCaseAsync(customer, Energie);
            for (var i = 0; i < contacts; i++)
                await RecordAsync(customer, Contact(Energie, i == 0 ? Channel.Phone : Channel.Email, Clock.GetUtcNow().AddHours(-3 + i), "unresolved", 20, caseId));
            await Agent.PostJsonAsync($"/customers/{customer}/cases/{caseId}/resolve", new { resolvedBy = "agent-7", resolution = "Explained." }).EnsureAsync();
        }
    }

    /// <summary>
    /// Banque, relative to today: "negative" has two contacts rated 1 and 2 this week; "abandoned" called yesterday and nobody
    /// answered (not called back within 24 h once the clock moves two days); "called-back" also, but the brand called them
    /// after; "loyal" had 5 contacts over the year before going quiet 200 days ago; "dragging" has a case opened today
    /// with one contact (open too long once the clock moves 8 days); "answered" had two negatives and then a call from the brand.
    /// </summary>
    private async Task SignalsAsync()
    {
        var now = Clock.GetUtcNow();
        var negative = await BanqueCustomerAsync("negative");
        await RateAsync(negative, await RecordAsync(negative, Contact(Banque, Channel.Phone, now.AddDays(-5), "unresolved", 30)), 1);
        await RateAsync(negative, await RecordAsync(negative, Contact(Banque, Channel.Chat, now.AddDays(-3), "unresolved", 30)), 2);
        await Agent.PostJsonAsync($"/customers/{negative}/identifiers",
            new { kind = "phone", value = "+33 6 11 22 33 44", verified = true, linkedBy = "agent-7", reason = "Given on the phone" }).EnsureAsync();
        await Agent.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/customers/{negative}/preferred-channel")
        {
            Content = JsonContent.Create(new { channel = "sms", recordedBy = "agent-7" }),
        }).EnsureAsync();

        var abandoned = await BanqueCustomerAsync("abandoned");
        await RecordAsync(abandoned, Contact(Banque, Channel.Phone, now.AddHours(-20), "abandoned", 400));

        var calledBack = await BanqueCustomerAsync("called-back");
        await RecordAsync(calledBack, Contact(Banque, Channel.Phone, now.AddHours(-20), "abandoned", 400));
        await RecordAsync(calledBack, Contact(Banque, Channel.Phone, now.AddHours(-2), "resolved", null, direction: "outbound"));

        var loyal = await BanqueCustomerAsync("loyal");
        foreach (var daysAgo in new[] { 500, 420, 330, 260, 200 })
            await RecordAsync(loyal, Contact(Banque, Channel.Email, now.AddDays(-daysAgo), "resolved", null));
        await Agent.PostJsonAsync($"/customers/{loyal}/identifiers",
            new { kind = "email", value = "loyal@example.com", verified = true, linkedBy = "agent-7", reason = "Customer area" }).EnsureAsync();

        var dragging = await BanqueCustomerAsync("dragging");
        var caseId = await OpenCaseAsync(dragging, Banque);
        await RecordAsync(dragging, Contact(Banque, Channel.Phone, now.AddHours(-1), "unresolved", 30, caseId));

        var answered = await BanqueCustomerAsync("answered");
        await RateAsync(answered, await RecordAsync(answered, Contact(Banque, Channel.Phone, now.AddDays(-6), "unresolved", 30)), 1);
        await RateAsync(answered, await RecordAsync(answered, Contact(Banque, Channel.Phone, now.AddDays(-4), "unresolved", 30)), 1);
        await RecordAsync(answered, Contact(Banque, Channel.Phone, now, "resolved", null, direction: "outbound"));
    }

    private async Task<Guid> BanqueCustomerAsync(string name)
    {
        var customer = await Agent.RegisterAsync(Banque, $"Signal {name}");
        SignalCustomers[name] = customer;
        return customer;
    }

    public async Task<Guid> OpenCaseAsync(Guid customer, string brand)
    {
        var caseId = Guid.NewGuid();
        await Agent.PostJsonAsync($"/customers/{customer}/cases",
            new { caseId, brand, reason = "billing", title = "Invoice dispute", openedBy = "agent-7" }).EnsureAsync();
        return caseId;
    }

    public static JsonObject Contact(string brand, Channel channel, DateTimeOffset at, string outcome, int? waiting, Guid? caseId = null,
        string direction = "inbound", ContactReason reason = ContactReason.Billing)
    {
        var contact = Contacts.Valid(channel, occurredAt: at, brand: brand, reason: reason, caseId: caseId);
        contact["outcome"] = outcome;
        contact["waitingSeconds"] = waiting;
        contact["direction"] = direction;
        return contact;
    }

    /// <summary>
    /// New customers of a brand, each with one resolved contact (by phone, about billing, unless said) at the time
    /// <paramref name="at"/> gives for it (0, 1…).
    /// </summary>
    public async Task CustomersInContactAsync(string brand, int count, Func<int, DateTimeOffset> at, Channel channel = Channel.Phone,
        ContactReason reason = ContactReason.Billing)
    {
        for (var i = 0; i < count; i++)
            await RecordAsync(await Agent.RegisterAsync(brand, $"Client {i + 1}"), Contact(brand, channel, at(i), "resolved", 20, reason: reason));
    }

    public async Task<Guid> RecordAsync(Guid customer, JsonObject contact)
    {
        await Agent.PostJsonAsync($"/customers/{customer}/interactions", contact).EnsureAsync();
        return Guid.Parse(contact["interactionId"]!.GetValue<string>());
    }

    public async Task RateAsync(Guid customer, Guid interaction, int satisfaction) =>
        await Agent.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/customers/{customer}/interactions/{interaction}/rating")
        {
            Content = JsonContent.Create(new { satisfaction }),
        }).EnsureAsync();

    public static async Task<JsonObject> JsonAsync(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonObject>(ApiJson.Options))!;
    }
}
