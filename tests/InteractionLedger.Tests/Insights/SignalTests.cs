using System.Text.Json.Nodes;
using InteractionLedger.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace InteractionLedger.Tests.Insights;

[Collection("insights")]
public sealed class when_customers_should_be_called_before_they_call(InsightsWorld world)
{
    private async Task<List<(Guid Customer, string Signal, DateTimeOffset Since, JsonNode Line)>> WorklistAsync(string? signal = null)
    {
        using var agent = world.As("dev-agent-horizon-banque", "service");
        var page = await InsightsWorld.JsonAsync(await agent.GetAsync($"/insights/signals/worklist?brand=horizon-banque&limit=200{(signal is null ? "" : $"&signal={signal}")}"));
        page["next"].ShouldBeNull();
        return page["items"]!.AsArray().Select(i => (i!["customerId"]!.GetValue<Guid>(), i["signal"]!.GetValue<string>(),
            i["since"]!.GetValue<DateTimeOffset>(), (JsonNode)i)).ToList();
    }

    [Fact]
    public async Task the_worklist_follows_the_clock_oldest_signal_first()
    {
        // The only test that moves the clock (a fake clock only goes forward): the others hold at any of these times.
        var who = world.SignalCustomers;
        var start = InsightsWorld.Start;
        {
            // Today: the loyal customer went dormant 20 days ago; the negative ratings were given today.
            world.Clock.GetUtcNow().ShouldBe(start);
            var today = await WorklistAsync();
            today.Select(l => (l.Customer, l.Signal)).ShouldBe([(who["loyal"], "dormant-loyal"), (who["negative"], "negative-contacts")]);
            today[0].Since.ShouldBe(start.AddDays(-200 + 180), TimeSpan.FromSeconds(1));

            // Two days on, yesterday's abandoned call is overdue (24 h); the one the brand called back is not.
            world.Clock.SetUtcNow(start.AddDays(2));
            var later = await WorklistAsync();
            later.Select(l => (l.Customer, l.Signal)).ShouldBe([(who["loyal"], "dormant-loyal"), (who["negative"], "negative-contacts"),
                (who["abandoned"], "not-called-back")]);
            later[2].Since.ShouldBe(start.AddHours(-20 + 24), TimeSpan.FromSeconds(1));

            // Eight days on, the case opened on the first day has been open for more than seven.
            world.Clock.SetUtcNow(start.AddDays(8));
            var dragging = await WorklistAsync("case-dragging");
            dragging.Select(l => l.Customer).ShouldBe([who["dragging"]]);
            dragging[0].Since.ShouldBe(start.AddDays(7), TimeSpan.FromSeconds(1));
            dragging[0].Line["about"].ShouldNotBeNull();
        }
    }

    [Fact]
    public async Task each_line_suggests_the_channel_the_brand_may_use_and_leaves_an_access_record()
    {
        var lines = await WorklistAsync();
        var negative = lines.Single(l => l.Customer == world.SignalCustomers["negative"]).Line;
        var loyal = lines.Single(l => l.Customer == world.SignalCustomers["loyal"]).Line;

        // Stated SMS, and a phone number to send it to; the loyal customer writes by e-mail and left an address.
        negative["suggested"]!["channel"]!.GetValue<string>().ShouldBe("sms");
        negative["suggested"]!["basis"]!.GetValue<string>().ShouldBe("stated");
        loyal["suggested"]!["channel"]!.GetValue<string>().ShouldBe("email");
        loyal["suggested"]!["basis"]!.GetValue<string>().ShouldBe("behaviour");
        negative["displayName"]!.GetValue<string>().ShouldBe("Signal negative");

        using var officer = world.As(Callers.PrivacyOfficer, null);
        var accesses = await InsightsWorld.JsonAsync(await officer.GetAsync($"/privacy/customers/{world.SignalCustomers["negative"]}/accesses"));
        var record = accesses["items"]!.AsArray().Select(r => r!["record"]!)
            .Single(r => r["reference"]!.GetValue<Guid>() == negative["accessRecord"]!.GetValue<Guid>());
        record["view"]!.GetValue<string>().ShouldBe("signal-worklist");
        record["purpose"]!.GetValue<string>().ShouldBe("service");
        record["principal"]!.GetValue<string>().ShouldBe("agent-horizon-banque");
    }

    [Fact]
    public async Task signals_are_counted_for_the_brand_and_suppressed_below_the_minimum()
    {
        using var analyst = world.As("dev-analyst-group", "analytics");
        var counts = await InsightsWorld.JsonAsync(await analyst.GetAsync("/insights/signals?brand=horizon-banque&brand=horizon-telecom"));

        // Counted as at the start of the day, from what was recorded by then: the base was recorded today, so on its day
        // nobody is counted yet; a day later (the worklist test moves the clock), one dormant loyal customer is, below the
        // minimum of 3, so not shown. No case at all: none is shown as none.
        var rows = counts["counts"]!.AsArray().Select(c => c!).ToList();
        var loyal = rows.Single(c => c["brand"]?.GetValue<string>() == "horizon-banque" && c["signal"]!.GetValue<string>() == "dormant-loyal")["customers"];
        if (world.Clock.GetUtcNow().UtcDateTime.Date == InsightsWorld.Start.UtcDateTime.Date) loyal!.GetValue<int>().ShouldBe(0);
        else loyal.ShouldBeNull();
        rows.Single(c => c["brand"]?.GetValue<string>() == "horizon-telecom" && c["signal"]!.GetValue<string>() == "case-dragging")["customers"]!.GetValue<int>().ShouldBe(0);
        rows.ShouldContain(c => c["brand"] == null, "the group's row, for a caller acting for the whole group");
    }

    [Fact]
    public async Task each_new_signal_is_announced_once_to_other_systems()
    {
        var announcer = world.Factory.Services.GetRequiredService<InteractionLedger.Insights.SignalAnnouncer>();
        var first = await announcer.AnnounceAsync(TestContext.Current.CancellationToken);
        first.ShouldContain(a => a.CustomerId == world.SignalCustomers["loyal"] && a.Brand == InsightsWorld.Banque
                                 && a.Signal == InteractionLedger.Insights.SignalKind.DormantLoyal);
        first.ShouldNotContain(a => a.CustomerId == world.SignalCustomers["called-back"]);
        (await announcer.AnnounceAsync(TestContext.Current.CancellationToken)).ShouldBeEmpty("a signal is announced once");
    }

    [Theory]
    [InlineData("dev-agent-horizon-banque", "marketing", "brand=horizon-banque", 400, "purpose")]
    [InlineData("dev-agent-horizon-telecom", "service", "brand=horizon-banque", 403, "brand")]
    [InlineData("dev-agent-horizon-banque", "service", "", 400, "brand")]
    [InlineData("dev-agent-horizon-banque", "service", "brand=horizon-banque&signal=unhappy", 400, "signal")]
    [InlineData("dev-agent-horizon-banque", "service", "brand=horizon-banque&limit=0", 400, "limit")]
    [InlineData("dev-agent-horizon-banque", "service", "brand=horizon-banque&cursor=%2F%2F%2F", 400, "cursor")]
    [InlineData("dev-analyst-horizon-banque", "service", "brand=horizon-banque", 403, null)]
    [InlineData("dev-monitoring", "service", "brand=horizon-banque", 403, null)]
    public async Task a_worklist_outside_its_rules_names_nobody(string key, string purpose, string query, int status, string? field)
    {
        using var client = world.As(key, purpose);
        var response = await client.GetAsync($"/insights/signals/worklist?{query}");
        ((int)response.StatusCode).ShouldBe(status);
        if (field is not null) (await response.ProblemAsync()).ErrorFields().ShouldContain(field);
    }
}

[Collection("insights")]
public sealed class when_a_customer_in_the_insights_is_erased(InsightsWorld world)
{
    [Fact]
    public async Task they_leave_lists_and_figures_at_once_even_if_the_view_writes_their_facts_late()
    {
        // Three customers of a month of their own, out of every intensity month's two years (figures are suppressed across
        // the brands: the other tests' hand-computed figures must not depend on whether this one ran first), consenting
        // to marketing.
        var month = InsightsWorld.Month.AddMonths(-32);
        var customers = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var customer = await world.Agent.RegisterAsync(InsightsWorld.Energie, $"Erasable {i}");
            customers.Add(customer);
            await world.RecordAsync(customer, InsightsWorld.Contact(InsightsWorld.Energie, InteractionLedger.Interactions.Channel.Chat, month.AddDays(3 + i), "resolved", 15));
            await world.Agent.PostJsonAsync($"/customers/{customer}/consents",
                new { consentId = Guid.NewGuid(), purpose = "marketing", brand = "horizon-energie", collectedVia = "chat", notice = "v1" }).EnsureAsync();
        }
        await world.ViewsCaughtUpAsync();
        using var analyst = world.As("dev-analyst-horizon-energie", "analytics");
        using var planner = world.As("dev-analyst-horizon-energie", "marketing");
        string Figures() => $"/insights/service-quality?from={month:yyyy-MM-dd}&to={month.AddMonths(1):yyyy-MM-dd}";
        const string List = "/insights/re-contact?brand=horizon-energie&quietForDays=300&limit=200";
        ChatCustomers(await InsightsWorld.JsonAsync(await analyst.GetAsync(Figures()))).ShouldBe(3);
        Listed(await InsightsWorld.JsonAsync(await planner.GetAsync(List))).ShouldBe(customers, ignoreOrder: true);

        using var officer = world.As(Callers.PrivacyOfficer, "data-subject-rights");
        await officer.PostJsonAsync($"/privacy/customers/{customers[0]}/erasure", new { reason = "GDPR art. 17 request, ticket 1" }).EnsureAsync();

        // No wait for the daemon: the erasure deleted their facts in its own transaction.
        ChatCustomers(await InsightsWorld.JsonAsync(await analyst.GetAsync(Figures()))).ShouldBeNull();
        Listed(await InsightsWorld.JsonAsync(await planner.GetAsync(List))).ShouldBe(customers.Skip(1), ignoreOrder: true);

        // A fact the view writes after the erasure, from events it had read before, is not counted either.
        await using (var database = Npgsql.NpgsqlDataSource.Create(world.ConnectionString))
        await using (var late = database.CreateCommand($"""
            insert into {InteractionLedger.Insights.InsightsTables.Contacts} (id, customer_id, brand, channel, direction, reason, outcome, occurred_at, recorded_at)
            values (@id, @customer, 'horizon-energie', 'Chat', 'Inbound', 'Billing', 'Resolved', @at, @at)
            """))
        {
            late.Parameters.AddWithValue("id", Guid.NewGuid());
            late.Parameters.AddWithValue("customer", customers[0]);
            late.Parameters.AddWithValue("at", month.AddDays(3).UtcDateTime);
            await late.ExecuteNonQueryAsync();
        }
        ChatCustomers(await InsightsWorld.JsonAsync(await analyst.GetAsync(Figures()))).ShouldBeNull();
        Listed(await InsightsWorld.JsonAsync(await planner.GetAsync(List))).ShouldNotContain(customers[0]);
    }

    private static int? ChatCustomers(JsonObject report) => report["cells"]!.AsArray()
        .Single(c => c!["brand"]!.GetValue<string>() == "horizon-energie" && c["channel"]?.GetValue<string>() == "chat")!["customers"]?.GetValue<int>();

    private static List<Guid> Listed(JsonObject page) =>
        page["items"]!.AsArray().Select(i => i!["customerId"]!.GetValue<Guid>()).ToList();
}
