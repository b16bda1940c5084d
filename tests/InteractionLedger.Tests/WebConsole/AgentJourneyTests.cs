using System.Text.RegularExpressions;
using InteractionLedger.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace InteractionLedger.Tests.WebConsole;

/// <summary>The agent's screen, in a real browser: from the call ringing to a recorded, rated contact on a case.</summary>
[Collection("console")]
public sealed class AgentJourneyTests(ConsoleHost host)
{
    [Fact]
    public async Task an_agent_goes_from_screen_pop_to_a_rated_contact_on_a_case_and_undoes_a_merge_with_the_keyboard_where_it_counts()
    {
        using var api = host.Api();
        var email = ConsoleWorld.Email("jeanne");
        var phone = ConsoleWorld.Phone();
        var jeanne = await api.CustomerAsync("Jeanne Martin", summary: "<script>alert('stored')</script> asked about roaming");
        await api.LinkAsync(jeanne, "email", email);
        await api.LinkAsync(jeanne, "phone", phone);
        // Another customer with the same (weak) phone number: a possible duplicate of Jeanne.
        var twin = await api.CustomerAsync("J. Martin", contacts: 1);
        await api.LinkAsync(twin, "phone", phone);

        await host.RunAsync(nameof(an_agent_goes_from_screen_pop_to_a_rated_contact_on_a_case_and_undoes_a_merge_with_the_keyboard_where_it_counts), async page =>
        {
            await ConsoleHost.SignInAsync(page, ConsoleWorld.TelecomAgent);
            await ConsoleHost.ShouldBeAccessibleAsync(page);

            // Screen pop, typed as an agent would: focus the field, type, Enter.
            await page.GetByLabel("Identifier", new() { Exact = true }).SelectOptionAsync("email");
            await page.GetByLabel("Value", new() { Exact = true }).FocusAsync();
            await page.Keyboard.TypeAsync(email);
            await page.Keyboard.PressAsync("Enter");
            await page.WaitForURLAsync($"**/console/customers/{jeanne}?purpose=service");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Jeanne Martin" })).ToBeVisibleAsync();
            await Expect(page.Locator(".purpose select")).ToHaveValueAsync("service");
            // A stored summary with a script is text on screen, never run (a dialog would fail the scenario).
            await Expect(page.Locator(".timeline .summary").First).ToContainTextAsync("<script>alert('stored')</script>");
            await ConsoleHost.ShouldBeAccessibleAsync(page);
            await ConsoleHost.ScreenshotForDocsAsync(page, "agent-customer-page");

            // Open a case, then record the contact being handled on it.
            await page.GetByText("Open a case, or attach a contact to one").ClickAsync();
            await page.GetByLabel("Title").FillAsync("Roaming charges in Italy");
            await page.GetByRole(AriaRole.Button, new() { Name = "Open the case" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Case opened.");
            await Expect(page.Locator(".now .cases")).ToContainTextAsync("Roaming charges in Italy");

            await page.Locator("#contact-channel").SelectOptionAsync("Chat");
            await page.Locator("#contact-reason").SelectOptionAsync("Billing");
            await page.Locator("#contact-outcome").SelectOptionAsync("Resolved");
            await page.Locator("#contact-case").SelectOptionAsync(new SelectOptionValue { Label = "Roaming charges in Italy" });
            await page.Locator("#contact-summary").FillAsync("Refunded the roaming charges.");
            await page.Locator("#contact-summary").PressAsync("Tab");
            await page.Keyboard.PressAsync("Enter");
            await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Contact recorded.");
            await Expect(page.Locator(".timeline .entry").First).ToContainTextAsync("Refunded the roaming charges.");
            await Expect(page.Locator(".now .cases")).ToContainTextAsync("1 contact");

            // The customer rates it.
            await page.GetByText("Record a rating").ClickAsync();
            await page.GetByLabel("Satisfaction (1 to 5)").FillAsync("4");
            await page.GetByRole(AriaRole.Button, new() { Name = "Record the rating" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Rating recorded.");
            await Expect(page.Locator(".timeline .entry").First).ToContainTextAsync("rated 4/5");

            // The timeline, filtered to chat.
            await page.GetByRole(AriaRole.Link, new() { Name = "Whole timeline, with filters" }).ClickAsync();
            await page.GetByRole(AriaRole.Checkbox, new() { Name = "Chat", Exact = true }).CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
            await Expect(page.Locator(".timeline .entry")).ToHaveCountAsync(1);
            await ConsoleHost.ShouldBeAccessibleAsync(page);
            await page.GetByRole(AriaRole.Link, new() { Name = "Clear filters" }).ClickAsync();
            await ConsoleHost.ScreenshotForDocsAsync(page, "agent-timeline");
            await page.GetByRole(AriaRole.Link, new() { Name = "Back to the customer" }).ClickAsync();

            // The possible duplicate: compared, merged with a preview, then the merge undone.
            await page.GetByRole(AriaRole.Link, new() { Name = "Compare and merge" }).ClickAsync();
            await Expect(page.GetByTestId("merge-preview")).ToContainTextAsync("contacts");
            await ConsoleHost.ShouldBeAccessibleAsync(page);
            await page.GetByLabel("Why these are the same person").FillAsync("Same phone, same address, confirmed on the call.");
            await page.GetByRole(AriaRole.Button, new() { Name = "Merge", Exact = true }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Merged.");
            await Expect(page.GetByText(twin.ToString())).ToBeVisibleAsync();
            await page.GetByLabel("Why undo").FillAsync("Not the same person after all.");
            await page.GetByRole(AriaRole.Button, new() { Name = "Undo the merge" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Merge undone");
        });
    }

    [Fact]
    public async Task a_lookup_several_customers_share_offers_a_choice_and_one_nobody_holds_offers_to_register()
    {
        using var api = host.Api();
        var phone = ConsoleWorld.Phone();
        var first = await api.CustomerAsync("Paul Durand", contacts: 1);
        var second = await api.CustomerAsync("Pauline Durand", contacts: 1);
        await api.LinkAsync(first, "phone", phone);
        await api.LinkAsync(second, "phone", phone);

        await host.RunAsync(nameof(a_lookup_several_customers_share_offers_a_choice_and_one_nobody_holds_offers_to_register), async page =>
        {
            await ConsoleHost.SignInAsync(page, ConsoleWorld.TelecomAgent);
            await page.GotoAsync($"/console/lookup?kind=phone&value={Uri.EscapeDataString(phone)}");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Several customers share this identifier" })).ToBeVisibleAsync();
            await Expect(page.Locator(".candidates li")).ToHaveCountAsync(2);
            await ConsoleHost.ShouldBeAccessibleAsync(page);

            var unknown = ConsoleWorld.Email("new");
            await page.GotoAsync($"/console/lookup?kind=email&value={Uri.EscapeDataString(unknown)}");
            await page.GetByRole(AriaRole.Link, new() { Name = "Register a new customer with it" }).ClickAsync();
            await page.GetByLabel("Name").FillAsync("Nadia Benali");
            await page.GetByRole(AriaRole.Button, new() { Name = "Register", Exact = true }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Nadia Benali" })).ToBeVisibleAsync();
            await Expect(page.Locator(".identifiers")).ToContainTextAsync(unknown);
        });
    }

    [Fact]
    public async Task an_agent_of_one_brand_sees_another_brands_history_as_withheld_with_the_reason()
    {
        using var group = host.Api("dev-integration-group");
        var traveller = await group.CustomerAsync("Marc Lefèvre", brand: "horizon-voyages", contacts: 2);
        await group.PostJsonAsync($"/customers/{traveller}/interactions", Contacts.Valid(brand: "horizon-telecom")).EnsureAsync();

        await host.RunAsync(nameof(an_agent_of_one_brand_sees_another_brands_history_as_withheld_with_the_reason), async page =>
        {
            await ConsoleHost.SignInAsync(page, ConsoleWorld.TelecomAgent);
            await page.GotoAsync($"/console/customers/{traveller}");
            var withheld = page.Locator(".withheld [data-part='other-brands']").First;
            await Expect(withheld).ToContainTextAsync("History with other brands of the group hidden:");
            await Expect(withheld).ToContainTextAsync("horizon-voyages");
            await Expect(withheld).ToContainTextAsync("has not consented to sharing across the group's brands");
            // Only the agent's own brand's contact is shown.
            await Expect(page.Locator(".timeline .entry")).ToHaveCountAsync(1);
            await ConsoleHost.ShouldBeAccessibleAsync(page);
        });
    }

    [Fact]
    public async Task the_console_speaks_french_from_the_browser_and_switches_to_english_on_request()
    {
        await host.RunAsync(nameof(the_console_speaks_french_from_the_browser_and_switches_to_english_on_request), async page =>
        {
            await ConsoleHost.SignInAsync(page, ConsoleWorld.TelecomAgent);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Rechercher par identifiant" })).ToBeVisibleAsync();
            await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "fr");
            await ConsoleHost.ShouldBeAccessibleAsync(page);
            await page.GetByLabel("Langue").SelectOptionAsync("en");
            await page.GetByRole(AriaRole.Button, new() { Name = "Changer" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Search by identifier" })).ToBeVisibleAsync();
        }, locale: "fr-FR");
    }
}
