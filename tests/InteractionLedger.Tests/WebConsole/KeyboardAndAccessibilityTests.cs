using InteractionLedger.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace InteractionLedger.Tests.WebConsole;

/// <summary>The agent's journey with the keyboard alone, focus visible at every step; axe on the pages the journeys do not visit.</summary>
[Collection("console")]
public sealed class KeyboardAndAccessibilityTests(ConsoleHost host)
{
    [Fact]
    public async Task an_agent_finds_a_customer_and_records_a_contact_with_the_keyboard_alone()
    {
        using var api = host.Api();
        var email = ConsoleWorld.Email("keyboard");
        var customer = await api.CustomerAsync("Karim Clavier", contacts: 1);
        await api.LinkAsync(customer, "email", email);

        await host.RunAsync(nameof(an_agent_finds_a_customer_and_records_a_contact_with_the_keyboard_alone), async page =>
        {
            await ConsoleHost.SignInAsync(page, ConsoleWorld.TelecomAgent);
            await TabToAsync(page, "#lookup-kind");
            await page.Keyboard.TypeAsync("E");
            await TabToAsync(page, "#lookup-value");
            await page.Keyboard.TypeAsync(email);
            await page.Keyboard.PressAsync("Enter");
            await page.WaitForURLAsync($"**/console/customers/{customer}?purpose=service");

            await TabToAsync(page, "#contact-channel");
            await page.Keyboard.TypeAsync("Chat");
            await TabToAsync(page, "#contact-reason");
            await page.Keyboard.TypeAsync("Bil");
            await TabToAsync(page, "#contact-outcome");
            await page.Keyboard.TypeAsync("Res");
            await TabToAsync(page, "#contact-summary");
            await page.Keyboard.TypeAsync("Typed without a mouse.");
            await TabToAsync(page, "form[action*='RecordContact'] button[type=submit]");
            await page.Keyboard.PressAsync("Enter");
            await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Contact recorded.");
            await Expect(page.Locator(".timeline .entry").First).ToContainTextAsync("Typed without a mouse.");
            await Expect(page.Locator(".timeline .entry").First).ToContainTextAsync("Chat");
        });
    }

    /// <summary>Presses Tab until the element has the focus (it is reachable in the page's order), and checks the focus shows.</summary>
    private static async Task TabToAsync(IPage page, string selector, int most = 80)
    {
        for (var presses = 0; presses < most; presses++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await page.EvaluateAsync<bool>("s => document.activeElement === document.querySelector(s)", selector))
            {
                var outline = await page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle");
                outline.ShouldNotBe("none", $"the focus on {selector} is visible");
                return;
            }
        }
        throw new InvalidOperationException($"{selector} was not reached with Tab.");
    }

    [Fact]
    public async Task the_pages_the_journeys_do_not_visit_have_no_serious_accessibility_violation_either()
    {
        await host.RunAsync(nameof(the_pages_the_journeys_do_not_visit_have_no_serious_accessibility_violation_either), async page =>
        {
            await page.GotoAsync("/console/sign-in");
            await ConsoleHost.ShouldBeAccessibleAsync(page);
            await ConsoleHost.SignInAsync(page, ConsoleWorld.TelecomAgent);
            foreach (var path in new[] { "/console/customers/new", "/console/lookup", "/console/privacy", "/console/no-such-page", $"/console/customers/{Guid.NewGuid()}" })
            {
                await page.GotoAsync(path);
                await ConsoleHost.ShouldBeAccessibleAsync(page);
            }
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
            await ConsoleHost.SignInAsync(page, ConsoleWorld.PrivacyOfficer);
            await ConsoleHost.ShouldBeAccessibleAsync(page);
        });
    }
}
