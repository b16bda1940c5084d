using System.Text.Json.Nodes;
using InteractionLedger.Interactions;
using InteractionLedger.Tests.Support;

namespace InteractionLedger.Tests.Insights;

[Collection("insights")]
public sealed class when_a_brand_reads_its_service_quality(InsightsWorld world)
{
    private const string AnalystKey = "dev-analyst-horizon-telecom";

    private async Task<JsonObject> ReportAsync(string key = AnalystKey, string query = "")
    {
        var month = InsightsWorld.Month;
        using var client = world.As(key, "analytics");
        return await InsightsWorld.JsonAsync(await client.GetAsync(
            $"/insights/service-quality?from={month:yyyy-MM-dd}&to={month.AddMonths(1):yyyy-MM-dd}{query}"));
    }

    private static JsonObject Cell(JsonObject report, string? brand, string? channel) =>
        report["cells"]!.AsArray().Select(c => c!.AsObject())
            .Single(c => c["brand"]?.GetValue<string>() == brand && c["channel"]?.GetValue<string>() == channel);

    [Fact]
    public async Task the_phone_cell_has_the_figures_computed_by_hand_beside_the_published_ones()
    {
        var phone = Cell(await ReportAsync(), "horizon-telecom", "phone");

        phone["period"]!.GetValue<DateTimeOffset>().ShouldBe(InsightsWorld.Month);
        phone["suppressed"]!.GetValue<bool>().ShouldBeFalse();
        phone["contacts"]!.GetValue<int>().ShouldBe(6);
        phone["customers"]!.GetValue<int>().ShouldBe(6);
        phone["customerShare"]!.GetValue<double>().ShouldBe(0.5455);
        phone["averageSatisfaction"]!.GetValue<double>().ShouldBe(3.2);
        phone["satisfiedShare"]!.GetValue<double>().ShouldBe(0.6);
        phone["referenceSatisfiedShare"]!.GetValue<double>().ShouldBe(0.79);
        phone["negativeShare"]!.GetValue<double>().ShouldBe(0.4);
        phone["firstContactResolution"]!.GetValue<double>().ShouldBe(0.6667);
        // Interpolated: 10…60 s give 35 and 55, no one contact's own waiting.
        phone["waitingP50Seconds"]!.GetValue<int>().ShouldBe(35);
        phone["waitingP90Seconds"]!.GetValue<int>().ShouldBe(55);
        phone["unansweredShare"]!.GetValue<double>().ShouldBe(0.1667);
    }

    [Fact]
    public async Task a_cell_of_fewer_customers_than_the_minimum_is_suppressed_not_rounded_and_so_is_one_beside_it()
    {
        var report = await ReportAsync();
        var email = Cell(report, "horizon-telecom", "email");

        email["suppressed"]!.GetValue<bool>().ShouldBeTrue();
        email["contacts"].ShouldBeNull();
        email["customers"].ShouldBeNull();
        email["satisfiedShare"].ShouldBeNull();
        email["referenceSatisfiedShare"]!.GetValue<double>().ShouldBe(0.78);
        // Three chat customers are enough for a figure, but the brand's total minus phone and chat would give e-mail's.
        Cell(report, "horizon-telecom", "chat")["suppressed"]!.GetValue<bool>().ShouldBeTrue();
        Cell(report, "horizon-telecom", "phone")["suppressed"]!.GetValue<bool>().ShouldBeFalse();
        var brand = Cell(report, "horizon-telecom", null);
        brand["contacts"]!.GetValue<int>().ShouldBe(11);
        brand["customers"]!.GetValue<int>().ShouldBe(11);
        report["minimumCustomers"]!.GetValue<int>().ShouldBe(InsightsWorld.MinimumCustomers);
    }

    [Fact]
    public async Task only_whole_periods_that_are_over_are_shown()
    {
        var month = InsightsWorld.Month;
        using var client = world.As(AnalystKey, "analytics");
        var whole = await InsightsWorld.JsonAsync(await client.GetAsync($"/insights/service-quality?from={month:yyyy-MM-dd}&to={month.AddMonths(1):yyyy-MM-dd}"));
        // 'to' in the middle of the next month is taken back to its start: a day more or less of contacts is never a difference.
        var cut = await InsightsWorld.JsonAsync(await client.GetAsync($"/insights/service-quality?from={month.AddDays(9):yyyy-MM-dd}&to={month.AddMonths(1).AddDays(12):yyyy-MM-dd}"));
        cut["cells"]!.ToJsonString().ShouldBe(whole["cells"]!.ToJsonString());
        cut["to"]!.GetValue<DateTimeOffset>().ShouldBe(month.AddMonths(1));
        // The current month is not over: asking only for it is asking for no whole month. Current by the service's
        // clock, which the signal tests move on by up to eight days: near a month's end, into the next month.
        var now = world.Clock.GetUtcNow();
        var current = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        (await client.GetAsync($"/insights/service-quality?from={current:yyyy-MM-dd}")).StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);
        // Weeks nest in months: the month's four weeks add up to it.
        var weeks = await InsightsWorld.JsonAsync(await client.GetAsync(
            $"/insights/service-quality?from={month:yyyy-MM-dd}&to={month.AddMonths(1):yyyy-MM-dd}&granularity=week"));
        var periods = weeks["cells"]!.AsArray().Where(c => c!["brand"]!.GetValue<string>() == "horizon-telecom" && c["channel"] is null)
            .Select(c => c!["period"]!.GetValue<DateTimeOffset>()).ToList();
        periods.ShouldAllBe(p => p.Day == 1 || p.Day == 8 || p.Day == 15 || p.Day == 22);
    }

    [Fact]
    public async Task the_groups_totals_are_the_whole_groups_whichever_brands_are_named()
    {
        using var client = world.As("dev-analyst-group", "analytics");
        string Url(string brand) => $"/insights/service-quality?brand={brand}&from={InsightsWorld.Month:yyyy-MM-dd}&to={InsightsWorld.Month.AddMonths(1):yyyy-MM-dd}";
        var telecom = await InsightsWorld.JsonAsync(await client.GetAsync(Url("horizon-telecom")));
        var banque = await InsightsWorld.JsonAsync(await client.GetAsync(Url("horizon-banque")));
        Cell(telecom, null, null).ToJsonString().ShouldBe(Cell(banque, null, null).ToJsonString());
        banque["cells"]!.AsArray().ShouldNotContain(c => c!["brand"] != null && c["brand"]!.GetValue<string>() == "horizon-telecom");
    }

    [Theory]
    [InlineData("service-quality", "cells")]
    [InlineData("service-quality", "reasons")]
    [InlineData("intensity", "months")]
    [InlineData("signals", "counts")]
    public async Task a_brand_sees_its_figures_hidden_as_the_group_sees_them(string view, string list)
    {
        // Were a brand's own figures suppressed apart from the other brands', its view would show the partner the group's
        // view hides (or the other way round), and the group's figure less that partner would give the hidden one back.
        var period = view == "signals" ? "" : $"from={InsightsWorld.Month.AddMonths(-1):yyyy-MM-dd}&to={InsightsWorld.Month.AddMonths(1):yyyy-MM-dd}";
        using var lead = world.As("dev-analyst-group", "analytics");
        var groupView = await InsightsWorld.JsonAsync(await lead.GetAsync($"/insights/{view}?{period}"));
        foreach (var brand in new[] { InsightsWorld.Telecom, InsightsWorld.Energie, InsightsWorld.Banque })
        {
            using var own = world.As($"dev-analyst-{brand}", "analytics");
            var brandView = await InsightsWorld.JsonAsync(await own.GetAsync($"/insights/{view}?{period}"));
            string Rows(JsonObject report) => string.Join('\n', report[list]!.AsArray()
                .Where(r => r!["brand"]?.GetValue<string>() == brand).Select(r => r!.ToJsonString()));
            Rows(brandView).ShouldBe(Rows(groupView), $"{brand}'s {list}");
        }
    }

    [Fact]
    public async Task customers_who_objected_to_analytics_are_left_out_and_counted()
    {
        var report = await ReportAsync();

        report["excludedCustomers"]!.GetValue<int>().ShouldBe(3);
        // Their contacts (rated 1, waited 600 s) would have changed every figure of the phone cell.
        Cell(report, "horizon-telecom", "phone")["contacts"]!.GetValue<int>().ShouldBe(6);
    }

    [Fact]
    public async Task a_weeks_reasons_are_never_the_months_less_its_other_weeks()
    {
        // Horizon Voyages, more than two years before the base (no other contact of the group then, and out of every
        // intensity month's two years): four customers call about billing in
        // the month's first week, one in its second. The month's billing (5 customers) is shown; the second week's (1) is
        // not, and neither is the first week's, or the month less it would give the second back.
        var month = InsightsWorld.Month.AddMonths(-26);
        await world.CustomersInContactAsync("horizon-voyages", 5, i => month.AddDays(i < 4 ? 1 + i : 8).AddHours(10));
        await world.ViewsCaughtUpAsync();
        using var client = world.As("dev-analyst-group", "analytics");
        JsonNode Billing(JsonObject report, DateTimeOffset period) => report["reasons"]!.AsArray()
            .Single(r => r!["brand"]?.GetValue<string>() == "horizon-voyages" && r["reason"]!.GetValue<string>() == "billing"
                         && r["period"]!.GetValue<DateTimeOffset>() == period)!;
        var monthly = await InsightsWorld.JsonAsync(await client.GetAsync(
            $"/insights/service-quality?brand=horizon-voyages&from={month:yyyy-MM-dd}&to={month.AddMonths(1):yyyy-MM-dd}"));
        var weekly = await InsightsWorld.JsonAsync(await client.GetAsync(
            $"/insights/service-quality?brand=horizon-voyages&from={month:yyyy-MM-dd}&to={month.AddMonths(1):yyyy-MM-dd}&granularity=week"));

        Billing(monthly, month)["contacts"]!.GetValue<int>().ShouldBe(5);
        Billing(weekly, month.AddDays(7))["suppressed"]!.GetValue<bool>().ShouldBeTrue();
        Billing(weekly, month)["suppressed"]!.GetValue<bool>().ShouldBeTrue();
        // The same for the weeks asked one at a time: the month is read with them whatever the weeks asked.
        var firstWeek = await InsightsWorld.JsonAsync(await client.GetAsync(
            $"/insights/service-quality?brand=horizon-voyages&from={month:yyyy-MM-dd}&to={month.AddDays(7):yyyy-MM-dd}&granularity=week"));
        Billing(firstWeek, month)["suppressed"]!.GetValue<bool>().ShouldBeTrue();
    }

    [Fact]
    public async Task a_month_hidden_as_a_partner_is_not_given_back_by_its_weeks()
    {
        // Another month nobody else writes to: Voyages 3 customers, all in the first week; Énergie 2 (too few) and Banque 6
        // in the third.
        // The monthly figures hide Énergie and, as its partner against the group, Voyages (the smallest); Voyages' first
        // week alone would be its month: it is hidden by the weekly figures too.
        var month = InsightsWorld.Month.AddMonths(-29);
        foreach (var (brand, customers, day) in new[] { ("horizon-energie", 2, 16), ("horizon-voyages", 3, 2), ("horizon-banque", 6, 16) })
            await world.CustomersInContactAsync(brand, customers, i => month.AddDays(day + i % 3).AddHours(10));
        await world.ViewsCaughtUpAsync();
        using var client = world.As("dev-analyst-group", "analytics");
        JsonObject Total(JsonObject report, string brand, DateTimeOffset period) => report["cells"]!.AsArray().Select(c => c!.AsObject())
            .Single(c => c["brand"]?.GetValue<string>() == brand && c["channel"] is null && c["period"]!.GetValue<DateTimeOffset>() == period);
        var monthly = await InsightsWorld.JsonAsync(await client.GetAsync(
            $"/insights/service-quality?from={month:yyyy-MM-dd}&to={month.AddMonths(1):yyyy-MM-dd}"));
        Total(monthly, "horizon-energie", month)["suppressed"]!.GetValue<bool>().ShouldBeTrue();
        Total(monthly, "horizon-voyages", month)["suppressed"]!.GetValue<bool>().ShouldBeTrue();
        Total(monthly, "horizon-banque", month)["contacts"]!.GetValue<int>().ShouldBe(6);

        var weekly = await InsightsWorld.JsonAsync(await client.GetAsync(
            $"/insights/service-quality?from={month:yyyy-MM-dd}&to={month.AddMonths(1):yyyy-MM-dd}&granularity=week"));
        Total(weekly, "horizon-voyages", month)["suppressed"]!.GetValue<bool>().ShouldBeTrue();

        NothingGivesBackAHiddenTotal(monthly);
        NothingGivesBackAHiddenTotal(weekly);
    }

    /// <summary>
    /// Nothing shown adds up to, or is a share of, a hidden total: a channel's share of its brand's customers, or the
    /// brand's reasons (their contacts add up to the total's), would give it back.
    /// </summary>
    private static void NothingGivesBackAHiddenTotal(JsonObject report)
    {
        static (string?, DateTimeOffset) Of(JsonNode figure) => (figure["brand"]?.GetValue<string>(), figure["period"]!.GetValue<DateTimeOffset>());
        var hiddenTotals = report["cells"]!.AsArray().Where(c => c!["channel"] is null && c["suppressed"]!.GetValue<bool>()).Select(c => Of(c!)).ToHashSet();
        hiddenTotals.ShouldNotBeEmpty();
        report["cells"]!.AsArray().Where(c => c!["channel"] is not null && c["customerShare"] is not null && hiddenTotals.Contains(Of(c))).ShouldBeEmpty();
        report["reasons"]!.AsArray().Where(r => (r!["contacts"] is not null || r["share"] is not null) && hiddenTotals.Contains(Of(r))).ShouldBeEmpty();
    }

    [Fact]
    public async Task a_brand_total_hidden_as_a_partner_is_given_back_by_no_share_and_no_reason()
    {
        // Another month nobody else writes to. Énergie: 2 customers (too few). Banque: 13, about technical help (5), an
        // order (3) and billing (5). Voyages: 7 about billing, 3 by phone and 4 by chat.
        // Énergie's total is hidden and, as its partner against the group, the smallest other brand's: Voyages' 7, whose
        // chat cell (4 customers) is still shown. Its share of Voyages' customers (4/7) would give that total back, and so
        // would Voyages' one reason (its 7 contacts; the partners the reasons need are Banque's): neither is shown.
        var month = InsightsWorld.Month.AddMonths(-35);
        DateTimeOffset At(int i) => month.AddDays(3 + i % 3).AddHours(10);
        await world.CustomersInContactAsync("horizon-energie", 2, At, reason: ContactReason.TechnicalHelp);
        await world.CustomersInContactAsync("horizon-banque", 5, At, reason: ContactReason.TechnicalHelp);
        await world.CustomersInContactAsync("horizon-banque", 3, At, reason: ContactReason.Order);
        await world.CustomersInContactAsync("horizon-banque", 5, At);
        await world.CustomersInContactAsync("horizon-voyages", 3, At, Channel.Phone);
        await world.CustomersInContactAsync("horizon-voyages", 4, At, Channel.Chat);
        await world.ViewsCaughtUpAsync();
        using var client = world.As("dev-analyst-group", "analytics");
        foreach (var granularity in new[] { "month", "week" })
        {
            var report = await InsightsWorld.JsonAsync(await client.GetAsync(
                $"/insights/service-quality?from={month:yyyy-MM-dd}&to={month.AddMonths(1):yyyy-MM-dd}&granularity={granularity}"));
            var voyages = report["cells"]!.AsArray().Select(c => c!.AsObject())
                .Where(c => c["brand"]?.GetValue<string>() == "horizon-voyages" && c["period"]!.GetValue<DateTimeOffset>() == month).ToList();
            voyages.Single(c => c["channel"] is null)["suppressed"]!.GetValue<bool>().ShouldBeTrue();
            // What could give it back is there: a channel shown, and Voyages' reason.
            voyages.ShouldContain(c => c["channel"] != null && !c["suppressed"]!.GetValue<bool>());
            report["reasons"]!.AsArray().ShouldContain(r => r!["brand"]!.GetValue<string>() == "horizon-voyages"
                && r["period"]!.GetValue<DateTimeOffset>() == month);
            NothingGivesBackAHiddenTotal(report);
        }
    }

    [Fact]
    public async Task weeks_are_shown_once_their_month_is_over()
    {
        // Weeks are suppressed together with their month: while it runs, that would change from one day to the next.
        var now = world.Clock.GetUtcNow();
        var monthStart = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        using var client = world.As(AnalystKey, "analytics");
        var response = await client.GetAsync($"/insights/service-quality?granularity=week&from={monthStart:yyyy-MM-dd}");
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);
        (await response.ProblemAsync()).ErrorFields().ShouldContain("from");
        var report = await InsightsWorld.JsonAsync(await client.GetAsync("/insights/service-quality?granularity=week"));
        report["to"]!.GetValue<DateTimeOffset>().ShouldBe(monthStart);
    }

    [Fact]
    public async Task cases_and_reasons_are_read_beside_the_published_figures()
    {
        using var client = world.As("dev-analyst-group", "analytics");
        var month = new DateTimeOffset(InsightsWorld.CasesAt.Year, InsightsWorld.CasesAt.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var report = await InsightsWorld.JsonAsync(await client.GetAsync(
            $"/insights/service-quality?brand=horizon-energie&from={month:yyyy-MM-dd}&to={month.AddMonths(1):yyyy-MM-dd}"));

        var effort = report["cases"]!.AsArray().Single(c => c!["brand"]?.GetValue<string>() == "horizon-energie")!;
        effort["resolvedCases"]!.GetValue<int>().ShouldBe(3);
        effort["contactsPerResolvedCase"]!.GetValue<double>().ShouldBe(2.33);
        report["references"]!["contactsPerSatisfyingAnswer"]!.GetValue<double>().ShouldBe(2.8);
        // The first contact of each case opened a request the case then needed more contacts for.
        var phone = report["cells"]!.AsArray().Where(c => c!["brand"]?.GetValue<string>() == "horizon-energie" && c["channel"]?.GetValue<string>() == "phone")
            .Select(c => c!).ToList();
        phone.Sum(c => c["contacts"]!.GetValue<int>()).ShouldBe(3);
        phone.ShouldAllBe(c => c["firstContactResolution"]!.GetValue<double>() == 0);
        var billing = (await ReportAsync())["reasons"]!.AsArray().Single(r => r!["brand"]!.GetValue<string>() == "horizon-telecom" && r["reason"]!.GetValue<string>() == "billing")!;
        billing["contacts"]!.GetValue<int>().ShouldBe(11);
        billing["share"]!.GetValue<double>().ShouldBe(1);
    }

    [Fact]
    public async Task a_brand_sees_its_own_rows_and_the_group_is_seen_only_group_wide()
    {
        var brand = await ReportAsync();
        brand["brands"]!.AsArray().Select(b => b!.GetValue<string>()).ShouldBe(["horizon-telecom"]);
        brand["cells"]!.AsArray().ShouldAllBe(c => c!["brand"]!.GetValue<string>() == "horizon-telecom");

        var group = await ReportAsync("dev-analyst-group");
        var total = Cell(group, null, "phone");
        total["contacts"]!.GetValue<int>().ShouldBe(6);
        Cell(group, null, null)["contacts"]!.GetValue<int>().ShouldBe(11);
    }

    [Fact]
    public async Task the_same_figures_come_as_csv()
    {
        using var client = world.As(AnalystKey, "analytics");
        var response = await client.GetAsync($"/insights/service-quality?from={InsightsWorld.Month:yyyy-MM-dd}&to={InsightsWorld.Month.AddMonths(1):yyyy-MM-dd}&format=csv");
        response.EnsureSuccessStatusCode();
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldStartWith("brand,channel,period,suppressed,contacts,customers");
        lines.ShouldContain($"horizon-telecom,phone,{InsightsWorld.Month:yyyy-MM-dd}T00:00:00Z,false,6,6,0.5455,3.2,0.6,0.79,0.4,0.6667,35,55,0.1667");
        lines.ShouldContain($"horizon-telecom,email,{InsightsWorld.Month:yyyy-MM-dd}T00:00:00Z,true,,,,,,0.78,,,,,");
    }
}

[Collection("insights")]
public sealed class when_figures_are_asked_outside_their_rules(InsightsWorld world)
{
    [Theory]
    [InlineData("dev-analyst-horizon-telecom", "service", 400, "purpose")]
    [InlineData("dev-analyst-horizon-telecom", null, 400, "purpose")]
    [InlineData("dev-agent-horizon-telecom", "analytics", 403, null)]
    [InlineData("dev-bot-horizon-telecom", "analytics", 403, null)]
    [InlineData("dev-privacy-officer", "analytics", 403, null)]
    [InlineData("dev-monitoring", "analytics", 403, null)]
    public async Task the_wrong_purpose_or_role_is_refused_before_any_figure(string key, string? purpose, int status, string? field)
    {
        using var client = world.As(key, purpose);
        foreach (var route in new[] { "/insights/service-quality", "/insights/intensity", "/insights/signals" })
        {
            var response = await client.GetAsync(route);
            ((int)response.StatusCode).ShouldBe(status, route);
            if (field is not null) (await response.ProblemAsync()).ErrorFields().ShouldContain(field);
        }
    }

    [Fact]
    public async Task another_brand_or_an_unknown_one_is_refused_naming_the_field()
    {
        using var client = world.As("dev-analyst-horizon-telecom", "analytics");
        var other = await client.GetAsync("/insights/service-quality?brand=horizon-energie");
        other.StatusCode.ShouldBe(System.Net.HttpStatusCode.Forbidden);
        (await other.ProblemAsync()).ErrorFields().ShouldBe(["brand"]);
        var unknown = await client.GetAsync("/insights/intensity?brand=%3Cscript%3E");
        unknown.StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);
        (await unknown.ProblemAsync()).ErrorFields().ShouldBe(["brand"]);
        (await client.GetAsync("/insights/service-quality")).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("from=2026-13-01", "from")]
    [InlineData("from=yesterday", "from")]
    [InlineData("from=2026-10-01&to=2026-09-01", "from")]
    [InlineData("from=2001-01-01&to=2026-01-01", "to")]
    [InlineData("granularity=day", "granularity")]
    [InlineData("granularity=1", "granularity")]
    [InlineData("format=xml", "format")]
    [InlineData("granularity=week", "granularity", "intensity")]
    public async Task bad_input_is_a_problem_naming_the_field(string query, string field, string view = "service-quality")
    {
        using var client = world.As("dev-analyst-horizon-telecom", "analytics");
        var response = await client.GetAsync($"/insights/{view}?{query}");
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);
        (await response.ProblemAsync()).ErrorFields().ShouldContain(field);
    }

    [Fact]
    public async Task another_brands_figures_refused_are_recorded_as_a_refused_read()
    {
        using var client = world.As("dev-analyst-horizon-energie", "analytics");
        (await client.GetAsync("/insights/intensity?brand=horizon-telecom")).StatusCode.ShouldBe(System.Net.HttpStatusCode.Forbidden);
        using var officer = world.As(Callers.PrivacyOfficer, null);
        var records = await InsightsWorld.JsonAsync(await officer.GetAsync("/privacy/accesses?principal=analyst-horizon-energie&decision=refused"));
        records["items"]!.AsArray().Select(r => r!["record"]!).ShouldContain(r => r["view"]!.GetValue<string>() == "intensity"
                                                                                 && r["refusal"]!.GetValue<string>().Contains("horizon-telecom"));
    }

    [Fact]
    public async Task every_read_of_figures_leaves_an_access_record_naming_no_customer()
    {
        using var client = world.As("dev-analyst-horizon-telecom", "analytics");
        var report = await InsightsWorld.JsonAsync(await client.GetAsync("/insights/signals"));
        using var officer = world.As(Callers.PrivacyOfficer, null);
        var records = await InsightsWorld.JsonAsync(await officer.GetAsync("/privacy/accesses?principal=analyst-horizon-telecom&limit=200"));

        var record = records["items"]!.AsArray().Select(r => r!["record"]!)
            .Single(r => r["reference"]?.GetValue<Guid>() == report["accessRecord"]!.GetValue<Guid>());
        record["customerId"].ShouldBeNull();
        record["view"]!.GetValue<string>().ShouldBe("signal-counts");
        record["purpose"]!.GetValue<string>().ShouldBe("analytics");
    }
}
