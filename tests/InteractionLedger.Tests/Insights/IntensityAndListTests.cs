using System.Text.Json.Nodes;
using InteractionLedger.Tests.Support;

namespace InteractionLedger.Tests.Insights;

[Collection("insights")]
public sealed class when_the_relationship_is_read_across_the_base(InsightsWorld world)
{
    [Fact]
    public async Task each_customer_of_the_month_is_counted_by_level_recency_and_movement()
    {
        using var client = world.As("dev-analyst-horizon-telecom", "analytics");
        var report = await InsightsWorld.JsonAsync(await client.GetAsync(
            $"/insights/intensity?from={InsightsWorld.Month:yyyy-MM-dd}&to={InsightsWorld.Month.AddMonths(1):yyyy-MM-dd}"));

        // Eleven customers (objectors left out), one contact each, 10 to 14 days into the month: all low, all within 30 days
        // at its end, all new that month, none on two channels.
        var month = report["months"]!.AsArray().Single()!;
        month["brand"]!.GetValue<string>().ShouldBe("horizon-telecom");
        month["customers"]!.GetValue<int>().ShouldBe(11);
        Count(month, "levels", "level", "low").ShouldBe(11);
        Count(month, "levels", "level", "high").ShouldBe(0);
        Count(month, "recency", "recency", "recent").ShouldBe(11);
        // Every movement there can be is listed (new or from each of four levels, to each level), zeros included: a
        // movement listed only when made would say a hidden one is at least one customer.
        var movements = month["movements"]!.AsArray().Select(m => m!).ToList();
        movements.Count.ShouldBe(20);
        var movement = movements.Single(m => m["customers"]?.GetValue<int>() != 0);
        movement["from"].ShouldBeNull();
        movement["to"]!.GetValue<string>().ShouldBe("low");
        movement["customers"]!.GetValue<int>().ShouldBe(11);
        month["multiChannelShare"]!.GetValue<double>().ShouldBe(0);
        month["multiBrandShare"].ShouldBeNull();
        report["excludedCustomers"]!.GetValue<int>().ShouldBe(3);
    }

    [Fact]
    public async Task a_brands_hidden_figure_is_never_the_group_s_less_the_other_brands()
    {
        using var lead = world.As("dev-analyst-group", "analytics");
        var report = await InsightsWorld.JsonAsync(await lead.GetAsync(
            $"/insights/intensity?from={InsightsWorld.Month:yyyy-MM-dd}&to={InsightsWorld.Month.AddMonths(1):yyyy-MM-dd}"));
        var months = report["months"]!.AsArray().Select(m => m!).ToList();
        var group = months.Single(m => m["brand"] is null);
        var brands = months.Where(m => m["brand"] is not null).ToList();
        group["suppressed"]!.GetValue<bool>().ShouldBeFalse();

        // At the month's end Banque has a single customer (the loyal one, quiet since): its row is hidden, and so is the
        // smallest other brand's (Énergie's three), or the group's customers less Télécom's and Énergie's would give it.
        brands.Count(b => b["suppressed"]!.GetValue<bool>()).ShouldNotBe(1);
        Brand(brands, InsightsWorld.Banque)["suppressed"]!.GetValue<bool>().ShouldBeTrue();
        Brand(brands, InsightsWorld.Energie)["suppressed"]!.GetValue<bool>().ShouldBeTrue();
        Brand(brands, InsightsWorld.Telecom)["customers"]!.GetValue<int>().ShouldBe(11);

        // Figure by figure, among the brands' rows that are shown: never one alone hidden where the group's is shown.
        foreach (var (list, key) in new[] { ("levels", "level"), ("recency", "recency") })
            foreach (var value in group[list]!.AsArray().Where(f => f!["customers"] is not null).Select(f => f![key]!.GetValue<string>()))
                brands.Count(b => b["suppressed"]!.GetValue<bool>()
                                  || b[list]!.AsArray().Single(f => f![key]!.GetValue<string>() == value)!["customers"] is null)
                    .ShouldNotBe(1, $"{list} {value}");
    }

    [Fact]
    public async Task the_recent_customers_are_the_months_customers_hidden_as_service_quality_hides_them()
    {
        // The customers in contact during the month are both intensity's "recent" ones and service quality's customers of
        // the month: hidden by one route and shown by the other, the shown one would give the hidden one back.
        using var lead = world.As("dev-analyst-group", "analytics");
        var period = $"from={InsightsWorld.Month.AddMonths(-2):yyyy-MM-dd}&to={InsightsWorld.Month.AddMonths(1):yyyy-MM-dd}";
        var intensity = await InsightsWorld.JsonAsync(await lead.GetAsync($"/insights/intensity?{period}"));
        var quality = await InsightsWorld.JsonAsync(await lead.GetAsync($"/insights/service-quality?{period}"));
        foreach (var month in intensity["months"]!.AsArray().Select(m => m!).Where(m => !m["suppressed"]!.GetValue<bool>()))
        {
            var brand = month["brand"]?.GetValue<string>();
            var recent = month["recency"]!.AsArray().Single(r => r!["recency"]!.GetValue<string>() == "recent")!["customers"]?.GetValue<int>();
            var cell = quality["cells"]!.AsArray().SingleOrDefault(c => c!["brand"]?.GetValue<string>() == brand && c["channel"] is null
                && c["period"]!.GetValue<DateTimeOffset>() == month["month"]!.GetValue<DateTimeOffset>());
            var customers = cell is null ? 0 : cell["customers"]?.GetValue<int>();
            // Hidden by service quality, hidden here; shown here, the same number (the group's row may show its customers
            // only, when a brand's row is hidden).
            if (customers is null) recent.ShouldBeNull($"{brand ?? "group"}, {month["month"]}");
            else if (recent is not null || brand is not null) recent.ShouldBe(customers, $"{brand ?? "group"}, {month["month"]}");
        }
    }

    [Fact]
    public async Task a_figure_nothing_else_could_cover_hides_its_row()
    {
        // Horizon Maison, long before the base: six customers in contact during a month, two the month before. At the
        // month's end: 8 customers, 6 recent (shown by service quality as the month's customers), 2 lately (too few),
        // none fading or dormant: 8 - 6 - 0 - 0 would give the 2 back, so the row is hidden whole.
        var month = InsightsWorld.Month.AddMonths(-45);
        await world.CustomersInContactAsync("horizon-maison", 8, i => i < 6 ? month.AddDays(5 + i) : month.AddDays(-10 + i));
        await world.ViewsCaughtUpAsync();
        using var planner = world.As("dev-analyst-horizon-maison", "analytics");
        var period = $"from={month:yyyy-MM-dd}&to={month.AddMonths(1):yyyy-MM-dd}";
        var quality = await InsightsWorld.JsonAsync(await planner.GetAsync($"/insights/service-quality?{period}"));
        quality["cells"]!.AsArray().Single(c => c!["channel"] is null)!["customers"]!.GetValue<int>().ShouldBe(6);

        var intensity = await InsightsWorld.JsonAsync(await planner.GetAsync($"/insights/intensity?{period}"));
        intensity["months"]!.AsArray().Single()!["suppressed"]!.GetValue<bool>().ShouldBeTrue();
    }

    private static JsonNode Brand(List<JsonNode> months, string brand) => months.Single(m => m["brand"]?.GetValue<string>() == brand);

    private static int? Count(JsonNode month, string list, string key, string value) =>
        month[list]!.AsArray().Single(l => l![key]!.GetValue<string>() == value)!["customers"]?.GetValue<int>();
}

[Collection("insights")]
public sealed class when_customers_are_listed_to_win_back(InsightsWorld world)
{
    private async Task GiveAsync(Guid customer, string purpose, string? brand) =>
        await world.Agent.PostJsonAsync($"/customers/{customer}/consents",
            new { consentId = Guid.NewGuid(), purpose, brand, collectedVia = "phone", notice = "Notice v1" }).EnsureAsync();

    [Fact]
    public async Task a_marketing_list_names_only_those_who_consented_with_an_access_record_each()
    {
        var (first, second, objecting) = (world.TelecomCustomers[0], world.TelecomCustomers[1], world.TelecomCustomers[2]);
        await GiveAsync(first, "marketing", "horizon-telecom");
        await GiveAsync(second, "marketing", null);
        await GiveAsync(objecting, "marketing", "horizon-telecom");
        await world.Agent.PostJsonAsync($"/customers/{objecting}/objections",
            new { purpose = "marketing", reason = "No offers", collectedVia = "email" }).EnsureAsync();

        using var planner = world.As("dev-analyst-horizon-telecom", "marketing");
        var page = await InsightsWorld.JsonAsync(await planner.GetAsync("/insights/re-contact?brand=horizon-telecom&quietForDays=30&limit=200"));

        var listed = page["items"]!.AsArray().Select(i => i!["customerId"]!.GetValue<Guid>()).ToList();
        listed.ShouldContain(first);
        listed.ShouldContain(second);
        listed.ShouldNotContain(objecting);
        // The analytics objectors never consented to marketing (other tests of this collection give some of the others consent).
        listed.ShouldAllBe(c => world.TelecomCustomers.Contains(c));
        page["next"].ShouldBeNull();
        var line = page["items"]!.AsArray().Single(i => i!["customerId"]!.GetValue<Guid>() == first)!;
        line["displayName"]!.GetValue<string>().ShouldBe("Phone Customer 1");
        line["quietForDays"]!.GetValue<int>().ShouldBeGreaterThanOrEqualTo(30);
        // Nobody gave the brand contact details it may use: no channel to suggest.
        line["suggested"]!["basis"]!.GetValue<string>().ShouldBe("none");

        using var officer = world.As(Callers.PrivacyOfficer, null);
        var accesses = await InsightsWorld.JsonAsync(await officer.GetAsync($"/privacy/customers/{first}/accesses"));
        var record = accesses["items"]!.AsArray().Select(r => r!["record"]!)
            .Single(r => r["reference"]!.GetValue<Guid>() == line["accessRecord"]!.GetValue<Guid>());
        record["purpose"]!.GetValue<string>().ShouldBe("marketing");
        record["view"]!.GetValue<string>().ShouldBe("re-contact-list");
        var unlisted = await InsightsWorld.JsonAsync(await officer.GetAsync($"/privacy/customers/{objecting}/accesses"));
        unlisted["items"]!.AsArray().ShouldNotContain(r => r!["record"]!["view"]!.GetValue<string>() == "re-contact-list"
                                                           && r["record"]!["purpose"]!.GetValue<string>() == "marketing");
    }

    [Fact]
    public async Task pages_follow_one_another_without_repeating_anyone_and_their_cursors_say_nothing()
    {
        foreach (var customer in world.TelecomCustomers.Skip(5)) await GiveAsync(customer, "marketing", null);
        using var planner = world.As("dev-analyst-horizon-telecom", "marketing");
        const string List = "/insights/re-contact?brand=horizon-telecom&quietForDays=30";
        var all = (await InsightsWorld.JsonAsync(await planner.GetAsync($"{List}&limit=200")))["items"]!.AsArray()
            .Select(i => i!["customerId"]!.GetValue<Guid>()).ToList();
        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await InsightsWorld.JsonAsync(await planner.GetAsync($"{List}&limit=2{(cursor is null ? "" : $"&cursor={cursor}")}"));
            seen.AddRange(page["items"]!.AsArray().Select(i => i!["customerId"]!.GetValue<Guid>()));
            cursor = page["next"]?.GetValue<string>();
            // The cursor is sealed: nothing in it names the customer the list stopped at (maybe one it left out).
            if (cursor is not null)
                foreach (var customer in world.TelecomCustomers.Concat(world.Objectors))
                    System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(cursor)).ShouldNotContain(customer.ToString());
        } while (cursor is not null);

        seen.ShouldBeUnique();
        seen.ShouldBe(all, ignoreOrder: true);
        all.Count.ShouldBeGreaterThanOrEqualTo(world.TelecomCustomers.Count - 5);
        // A cursor made by hand, in the plain form an earlier version used, starts nowhere.
        var forged = System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes($"re-contact/horizon-telecom/30/False|{Guid.Empty}"));
        (await planner.GetAsync($"{List}&cursor={forged}")).StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task activity_with_another_brand_is_told_only_of_customers_who_share_across_brands()
    {
        var sharing = world.TelecomCustomers[3];
        var notSharing = world.TelecomCustomers[4];
        foreach (var customer in new[] { sharing, notSharing })
        {
            await world.RecordAsync(customer, InsightsWorld.Contact("horizon-banque", InteractionLedger.Interactions.Channel.Phone, world.Clock.GetUtcNow().AddDays(-1), "resolved", 10));
            await GiveAsync(customer, "marketing", "horizon-telecom");
        }
        await GiveAsync(sharing, "cross-brand-sharing", null);
        await world.ViewsCaughtUpAsync();

        using var agent = world.As("dev-agent-horizon-telecom", "marketing");
        var page = await InsightsWorld.JsonAsync(await agent.GetAsync("/insights/re-contact?brand=horizon-telecom&quietForDays=30&activeElsewhere=true&limit=200"));

        page["items"]!.AsArray().Select(i => i!["customerId"]!.GetValue<Guid>()).ShouldBe([sharing]);
        page["items"]![0]!["activeElsewhere"]!.GetValue<bool>().ShouldBeTrue();
        var all = await InsightsWorld.JsonAsync(await agent.GetAsync("/insights/re-contact?brand=horizon-telecom&quietForDays=30&limit=200"));
        all["items"]!.AsArray().Single(i => i!["customerId"]!.GetValue<Guid>() == notSharing)!["activeElsewhere"].ShouldBeNull();
    }

    [Theory]
    [InlineData("dev-analyst-horizon-telecom", "analytics", "brand=horizon-telecom&quietForDays=30", 400, "purpose")]
    [InlineData("dev-analyst-horizon-telecom", "marketing", "brand=horizon-energie&quietForDays=30", 403, "brand")]
    [InlineData("dev-analyst-horizon-telecom", "marketing", "quietForDays=30", 400, "brand")]
    [InlineData("dev-analyst-horizon-telecom", "marketing", "brand=horizon-telecom", 400, "quietForDays")]
    [InlineData("dev-analyst-horizon-telecom", "marketing", "brand=horizon-telecom&quietForDays=0", 400, "quietForDays")]
    [InlineData("dev-analyst-horizon-telecom", "marketing", "brand=horizon-telecom&quietForDays=30&cursor=bm90LWEtY3Vyc29y", 400, "cursor")]
    [InlineData("dev-analyst-horizon-telecom", "service", "brand=horizon-telecom&quietForDays=30", 400, "purpose")]
    [InlineData("dev-agent-horizon-telecom", "service", "brand=horizon-telecom&quietForDays=30", 400, "purpose")]
    [InlineData("dev-bot-horizon-telecom", "marketing", "brand=horizon-telecom&quietForDays=30", 403, null)]
    public async Task a_list_outside_its_rules_names_nobody(string key, string purpose, string query, int status, string? field)
    {
        using var client = world.As(key, purpose);
        var response = await client.GetAsync($"/insights/re-contact?{query}");
        ((int)response.StatusCode).ShouldBe(status);
        if (field is not null) (await response.ProblemAsync()).ErrorFields().ShouldContain(field);
    }
}
