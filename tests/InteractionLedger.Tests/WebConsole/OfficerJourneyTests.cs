using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using InteractionLedger.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace InteractionLedger.Tests.WebConsole;

/// <summary>The privacy officer's desk, in a real browser: who read a customer and why, the export, the erasure.</summary>
[Collection("console")]
public sealed class OfficerJourneyTests(ConsoleHost host)
{
    [Fact]
    public async Task the_officer_finds_who_read_a_customer_exports_and_erases_them_then_signs_out()
    {
        using var api = host.Api();
        var customer = await api.CustomerAsync("Odile Garnier", contacts: 2);

        // An agent reads the customer through the console: the ledger names the person and the console.
        await host.RunAsync("officer-agent-read", async page =>
        {
            await ConsoleHost.SignInAsync(page, ConsoleWorld.TelecomAgent);
            await page.GotoAsync($"/console/customers/{customer}");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Odile Garnier" })).ToBeVisibleAsync();
        });

        await host.RunAsync(nameof(the_officer_finds_who_read_a_customer_exports_and_erases_them_then_signs_out), async page =>
        {
            await ConsoleHost.SignInAsync(page, ConsoleWorld.PrivacyOfficer);
            await page.GetByRole(AriaRole.Link, new() { Name = "Search the access ledger" }).ClickAsync();
            await page.GetByLabel("Customer id").FillAsync(customer.ToString());
            await page.GetByLabel("Purpose").SelectOptionAsync("Service");
            await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
            var rows = page.Locator("table.records tbody tr");
            await Expect(rows.Filter(new() { HasText = ConsoleWorld.TelecomAgentName }).First).ToContainTextAsync("console");
            await ConsoleHost.ShouldBeAccessibleAsync(page);
            await ConsoleHost.ScreenshotForDocsAsync(page, "officer-access-ledger-search");

            await rows.First.GetByRole(AriaRole.Link).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Who read this customer's data" })).ToBeVisibleAsync();
            await ConsoleHost.ShouldBeAccessibleAsync(page);

            var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Export (JSON)" }).ClickAsync());
            var exported = JsonNode.Parse(await File.ReadAllTextAsync((await download.PathAsync())!))!;
            exported["customerId"]!.GetValue<Guid>().ShouldBe(customer);

            await page.GetByRole(AriaRole.Link, new() { Name = "Erase this customer…" }).ClickAsync();
            await Expect(page.Locator("tr.kept")).ToContainTextAsync("accesses");
            await ConsoleHost.ShouldBeAccessibleAsync(page);
            await page.GetByLabel("Reason (the customer's request, its date and reference)").FillAsync("Request by e-mail, ref. DPO-2026-118");
            // A wrong confirmation erases nothing.
            await page.GetByLabel("Type the customer's id to confirm").FillAsync(Guid.NewGuid().ToString());
            await page.GetByRole(AriaRole.Button, new() { Name = "Erase, irreversibly" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Nothing was erased.");
            await page.GetByLabel("Type the customer's id to confirm").FillAsync(customer.ToString());
            await page.GetByRole(AriaRole.Button, new() { Name = "Erase, irreversibly" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Erased.");
            (await api.GetAsync($"/customers/{customer}")).IsSuccessStatusCode.ShouldBeFalse();

            await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("You are signed out.");
            await page.GotoAsync("/console/privacy");
            await page.WaitForURLAsync(new Regex("/console/sign-in"));
        });
    }

    [Fact]
    public async Task the_officer_verifies_the_ledger_signs_a_checkpoint_and_runs_retention()
    {
        await host.RunAsync(nameof(the_officer_verifies_the_ledger_signs_a_checkpoint_and_runs_retention), async page =>
        {
            await ConsoleHost.SignInAsync(page, ConsoleWorld.PrivacyOfficer);
            await page.GotoAsync("/console/privacy/ledger");
            await Expect(page.GetByTestId("verification")).ToContainTextAsync("Intact");
            await page.GetByRole(AriaRole.Button, new() { Name = "Verify and sign a checkpoint now" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Checkpoint signed.");
            await page.GetByRole(AriaRole.Button, new() { Name = "Run retention now" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Retention run finished.");
            await ConsoleHost.ShouldBeAccessibleAsync(page);
            await page.GotoAsync("/console/privacy/record-of-processing");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Record of processing" })).ToBeVisibleAsync();
            await ConsoleHost.ShouldBeAccessibleAsync(page);
        });
    }
}
