using System.Net;
using InteractionLedger.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace InteractionLedger.Tests.WebConsole;

/// <summary>The console's forms: the API's own messages, conflicts said plainly, nothing recorded twice; further pages on scroll.</summary>
[Collection("console")]
public sealed class ConsoleFormTests(ConsoleHost host)
{
    [Fact]
    public async Task a_contact_form_sent_twice_records_one_contact()
    {
        using var seed = host.Api();
        var customer = await seed.CustomerAsync("Twice Sent", contacts: 0);
        using var agent = await host.SignedInClientAsync(ConsoleWorld.TelecomAgent);
        var page = await agent.GetStringAsync($"/console/customers/{customer}");
        var form = ConsoleWorld.ContactForm(ConsoleHost.AntiforgeryToken(page));
        // As the page's form sends it: the time the page opened, the same on every send.
        form["Contact.OccurredAt"] = WebUtility.HtmlDecode(
            System.Text.RegularExpressions.Regex.Match(page, "name=\"Contact.OccurredAt\" value=\"([^\"]+)\"").Groups[1].Value);
        form["Contact.OccurredAt"].ShouldNotBeEmpty();
        var first = await agent.PostAsync($"/console/customers/{customer}?handler=RecordContact", new FormUrlEncodedContent(form));
        var second = await agent.PostAsync($"/console/customers/{customer}?handler=RecordContact", new FormUrlEncodedContent(form));
        first.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        second.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await seed.GetJsonAsync($"/customers/{customer}"))["interactionCount"]!.GetValue<int>().ShouldBe(1);
        (await agent.GetStringAsync(second.Headers.Location!.ToString())).ShouldContain("The contact was already recorded.");
    }

    [Fact]
    public async Task a_form_the_api_refuses_shows_the_apis_own_message_beside_the_field_and_keeps_what_was_typed()
    {
        using var seed = host.Api();
        var customer = await seed.CustomerAsync("Incomplete Form", contacts: 0);
        using var agent = await host.SignedInClientAsync(ConsoleWorld.TelecomAgent);
        var token = ConsoleHost.AntiforgeryToken(await agent.GetStringAsync($"/console/customers/{customer}"));
        var form = ConsoleWorld.ContactForm(token, reason: null);
        form["Contact.Summary"] = "Typed before the mistake";
        form["Contact.WaitingSeconds"] = "-5";
        var refused = await agent.PostAsync($"/console/customers/{customer}?handler=RecordContact", new FormUrlEncodedContent(form));
        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var html = await refused.Content.ReadAsStringAsync();
        html.ShouldContain("class=\"problem\" role=\"alert\"");
        html.ShouldContain("<code>reason</code>");
        html.ShouldContain("<code>waitingSeconds</code>");
        html.ShouldContain("Typed before the mistake");
        (await seed.GetJsonAsync($"/customers/{customer}"))["interactionCount"]!.GetValue<int>().ShouldBe(0);
    }

    [Fact]
    public async Task someone_writing_first_is_said_plainly_and_nothing_is_overwritten()
    {
        using var seed = host.Api();
        var customer = await seed.CustomerAsync("Raced Preference", contacts: 1);
        using var agent = await host.SignedInClientAsync(ConsoleWorld.TelecomAgent);
        var page = await agent.GetStringAsync($"/console/customers/{customer}");
        var version = System.Text.RegularExpressions.Regex.Match(page, "name=\"Version\" value=\"(\\d+)\"").Groups[1].Value;
        // Another agent states the customer's preference meanwhile.
        await seed.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/customers/{customer}/preferred-channel")
        {
            Content = JsonContent("{\"channel\":\"email\",\"recordedBy\":\"agent-007\"}"),
        }).EnsureAsync();
        var stale = await agent.PostAsync($"/console/customers/{customer}?handler=PreferredChannel", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Version"] = version, ["Contact.Channel"] = "Sms", ["__RequestVerificationToken"] = ConsoleHost.AntiforgeryToken(page),
        }));
        ((int)stale.StatusCode).ShouldBeOneOf(409, 412);
        (await stale.Content.ReadAsStringAsync()).ShouldContain("Someone else changed this customer first.");
        (await seed.GetJsonAsync($"/customers/{customer}/overview"))["reach"]!["preferredChannel"]!["channel"]!.GetValue<string>().ShouldBe("email");
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    [Fact]
    public async Task the_timeline_loads_older_contacts_as_the_agent_scrolls()
    {
        using var seed = host.Api();
        var customer = await seed.CustomerAsync("Long History", contacts: 30);
        await host.RunAsync(nameof(the_timeline_loads_older_contacts_as_the_agent_scrolls), async page =>
        {
            await ConsoleHost.SignInAsync(page, ConsoleWorld.TelecomAgent);
            await page.GotoAsync($"/console/customers/{customer}/timeline");
            await Expect(page.Locator(".timeline .entry")).ToHaveCountAsync(25);
            await page.Locator("a[data-more]").ScrollIntoViewIfNeededAsync();
            await Expect(page.Locator(".timeline .entry")).ToHaveCountAsync(30);
            await Expect(page.GetByText("The beginning of the relationship.")).ToBeVisibleAsync();
            // Loaded by scrolling, the focus stays where the agent had it.
            await Expect(page.Locator(".timeline .entry").Nth(25)).Not.ToBeFocusedAsync();
        });
    }
}
