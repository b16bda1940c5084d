using System.Text.RegularExpressions;
using InteractionLedger.Interactions;
using InteractionLedger.Tests.Insights;
using InteractionLedger.Tests.Support;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace InteractionLedger.Tests.WebConsole;

/// <summary>
/// The insights in a real browser: the customer-experience lead's figures with their charts, the campaign planner's
/// list of customers to win back, the agent's worklist. On Horizon Voyages, which no other console test writes to.
/// </summary>
[Collection("console")]
public sealed class InsightsJourneyTests(ConsoleHost host)
{
    private const string Brand = "horizon-voyages";

    [Fact]
    public async Task the_lead_reads_the_figures_the_planner_lists_who_to_win_back_and_the_agent_who_to_call()
    {
        using var api = host.Api();
        // Fourteen months ago, six customers called Horizon Voyages (above the minimum of five); two accept its offers.
        var today = DateTimeOffset.UtcNow;
        var month = new DateTimeOffset(today.Year, today.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(-14);
        var customers = new List<Guid>();
        for (var i = 0; i < 6; i++)
        {
            var customer = await api.RegisterAsync(Brand, $"Voyageur {i + 1}");
            customers.Add(customer);
            var contact = InsightsWorld.Contact(Brand, Channel.Phone, month.AddDays(3 + i), "resolved", 30 + i);
            await api.PostJsonAsync($"/customers/{customer}/interactions", contact).EnsureAsync();
            await api.PutAsync($"/customers/{customer}/interactions/{contact["interactionId"]}/rating",
                new StringContent($"{{\"satisfaction\":{(i < 4 ? 5 : 2)}}}", System.Text.Encoding.UTF8, "application/json")).EnsureAsync();
        }
        foreach (var customer in customers.Take(2))
        {
            await api.LinkAsync(customer, "email", ConsoleWorld.Email("voyageur"));
            await api.PostJsonAsync($"/customers/{customer}/consents", new
            {
                consentId = Guid.NewGuid(), purpose = "marketing", brand = Brand, collectedVia = "email", notice = "Offers v1",
            }).EnsureAsync();
        }
        // Yesterday morning a customer called and nobody answered: a call-back is due.
        var unanswered = await api.RegisterAsync(Brand, "Appel Manqué");
        await api.PostJsonAsync($"/customers/{unanswered}/interactions",
            InsightsWorld.Contact(Brand, Channel.Phone, today.AddHours(-30), "abandoned", 400)).EnsureAsync();
        await host.Factory.Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
        var period = $"brand={Brand}&from={month:yyyy-MM-dd}&to={month.AddMonths(1):yyyy-MM-dd}";

        await host.RunAsync("insights-lead", async page =>
        {
            await ConsoleHost.SignInAsync(page, "analyst-group");
            await page.GetByRole(AriaRole.Link, new() { Name = "Service quality" }).First.ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Service quality — Whole group" })).ToBeVisibleAsync();
            await page.GotoAsync($"/console/insights/quality?{period}");
            var chart = page.GetByRole(AriaRole.Img, new() { NameRegex = new Regex("Satisfied customers by channel") });
            await Expect(chart).ToBeVisibleAsync();
            await Expect(chart).ToContainTextAsync("67%");
            // Four of six rated 4 or 5: 67%, beside phone's published 79%.
            var phone = page.Locator("table").First.Locator("tbody tr").Filter(new() { HasText = "Phone" });
            await Expect(phone.Locator("td").Nth(3)).ToHaveTextAsync("67%");
            await Expect(phone.Locator("td").Nth(4)).ToHaveTextAsync("79%");
            await ConsoleHost.ShouldBeAccessibleAsync(page);
            await ConsoleHost.ScreenshotForDocsAsync(page, "insights-service-quality");
            var csv = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download as CSV" }).ClickAsync());
            (await File.ReadAllTextAsync((await csv.PathAsync())!)).ShouldContain($"{Brand},phone,{month:yyyy-MM-dd}T00:00:00Z,false,6,6");

            await page.GotoAsync($"/console/insights/intensity?{period}");
            await Expect(page.GetByRole(AriaRole.Img, new() { NameRegex = new Regex("Customers by intensity level") })).ToBeVisibleAsync();
            await Expect(page.Locator("table").First.Locator("tbody tr").First.Locator("td").First).ToHaveTextAsync("6");
            // Movements from a level (or new) to a level, every one shown, zeros included: the six were new, now low.
            var movements = page.GetByTestId("movements").Locator("tbody tr");
            await Expect(movements).ToHaveCountAsync(5);
            await Expect(movements.First.Locator("th")).ToHaveTextAsync("New customers");
            await Expect(movements.First.Locator("td")).ToHaveTextAsync(["0", "6", "0", "0"]);
            await ConsoleHost.ShouldBeAccessibleAsync(page);
            await ConsoleHost.ScreenshotForDocsAsync(page, "insights-intensity");

            await page.GotoAsync($"/console/insights/signals?brand={Brand}");
            await Expect(page.GetByRole(AriaRole.Img, new() { NameRegex = new Regex("Customers by signal") })).ToBeVisibleAsync();
            await ConsoleHost.ShouldBeAccessibleAsync(page);
        });

        await host.RunAsync("insights-planner", async page =>
        {
            await ConsoleHost.SignInAsync(page, "analyst-group");
            await page.GetByRole(AriaRole.Link, new() { Name = "Customers to win back" }).First.ClickAsync();
            await page.GetByLabel("Brand", new() { Exact = true }).SelectOptionAsync(Brand);
            await page.GetByLabel("No contact for more than (days)").FillAsync("300");
            await page.GetByRole(AriaRole.Button, new() { Name = "List" }).ClickAsync();
            var rows = page.GetByTestId("re-contact").Locator("tbody tr");
            await Expect(rows).ToHaveCountAsync(2);
            await Expect(rows.First).ToContainTextAsync("Email");
            await Expect(page.GetByTestId("re-contact").Locator("caption")).ToContainTextAsync("2 customers listed");
            await ConsoleHost.ShouldBeAccessibleAsync(page);
            var csv = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Download as CSV" }).ClickAsync());
            var lines = (await File.ReadAllTextAsync((await csv.PathAsync())!)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            lines.Length.ShouldBe(3);
            lines.Skip(1).ShouldAllBe(line => line.Contains("Voyageur"));
        });

        await host.RunAsync("insights-agent", async page =>
        {
            await ConsoleHost.SignInAsync(page, "agent-horizon-voyages");
            await page.GetByRole(AriaRole.Link, new() { Name = "Customers to call" }).First.ClickAsync();
            var row = page.GetByTestId("worklist").Locator("tbody tr").Filter(new() { HasText = "Appel Manqué" });
            await Expect(row).ToContainTextAsync("Not called back");
            await ConsoleHost.ShouldBeAccessibleAsync(page);
            await row.GetByRole(AriaRole.Link).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Appel Manqué" })).ToBeVisibleAsync();
        });
    }

    [Fact]
    public async Task the_figures_pages_are_the_analysts_and_the_worklist_the_agents()
    {
        using var agent = await host.SignedInClientAsync("agent-horizon-voyages");
        (await agent.GetAsync("/console/insights/quality")).StatusCode.ShouldBe(System.Net.HttpStatusCode.Redirect);
        using var analyst = await host.SignedInClientAsync("analyst-horizon-telecom");
        (await analyst.GetAsync("/console/worklist")).StatusCode.ShouldBe(System.Net.HttpStatusCode.Redirect);
        // Another brand's figures: the API's refusal, shown on the page.
        var other = await analyst.GetAsync($"/console/insights/quality?brand={Brand}");
        other.StatusCode.ShouldBe(System.Net.HttpStatusCode.Forbidden);
        // A re-contact export is a read of personal data: no link (GET) may trigger it, and a POST needs the form's token.
        (await analyst.PostAsync("/console/insights/re-contact?handler=Csv&brand=horizon-telecom&quietForDays=30", null))
            .StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);
        var notAsked = await analyst.GetStringAsync("/console/insights/re-contact");
        notAsked.ShouldNotContain("data-testid=\"re-contact\"");
    }
}
