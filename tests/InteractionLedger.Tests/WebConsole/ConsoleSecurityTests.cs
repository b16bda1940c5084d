using System.Net;
using InteractionLedger.Tests.Support;
using InteractionLedger.WebConsole;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace InteractionLedger.Tests.WebConsole;

/// <summary>What the console refuses, and the headers and encoding that keep its pages safe, tried as an attacker would.</summary>
[Collection("console")]
public sealed class ConsoleSecurityTests(ConsoleHost host, LedgerApi api)
{
    [Fact]
    public async Task every_console_answer_carries_the_security_headers_and_pages_hold_no_inline_script()
    {
        using var agent = await host.SignedInClientAsync(ConsoleWorld.TelecomAgent);
        using var seed = host.Api();
        var customer = await seed.CustomerAsync("Headers Check", contacts: 1);
        foreach (var path in new[] { "/console/sign-in", "/console", $"/console/customers/{customer}", $"/console/customers/{customer}/timeline" })
        {
            var response = await agent.GetAsync(path);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, path);
            var csp = response.Headers.GetValues("Content-Security-Policy").Single();
            csp.ShouldContain("script-src 'self';");
            csp.ShouldNotContain("unsafe-inline");
            csp.ShouldContain("frame-ancestors 'none'");
            csp.ShouldContain("form-action 'self'");
            response.Headers.GetValues("X-Content-Type-Options").Single().ShouldBe("nosniff");
            response.Headers.GetValues("Referrer-Policy").Single().ShouldBe("same-origin");
            response.Headers.CacheControl!.NoStore.ShouldBeTrue(path);
            var html = await response.Content.ReadAsStringAsync();
            System.Text.RegularExpressions.Regex.Matches(html, "<script(?![^>]*\\bsrc=)").Count.ShouldBe(0, path);
            System.Text.RegularExpressions.Regex.Matches(html, "<[^>]+\\son[a-z]+\\s*=").Count.ShouldBe(0, path + " has no inline event handler");
        }
    }

    [Fact]
    public void the_desktops_allowed_to_frame_the_console_are_configured_not_coded()
    {
        ConsoleModule.ContentSecurityPolicy(new ConsoleOptions()).ShouldContain("frame-ancestors 'none'");
        var embedded = new ConsoleOptions { FrameAncestors = ["https://crm.example.com", "https://phone.example.com"] };
        ConsoleModule.ContentSecurityPolicy(embedded).ShouldContain("frame-ancestors https://crm.example.com https://phone.example.com");
        embedded.EmbeddedCrossSite.ShouldBeTrue();
    }

    [Fact]
    public async Task a_form_sent_without_its_antiforgery_token_is_refused_and_records_nothing()
    {
        using var seed = host.Api();
        var customer = await seed.CustomerAsync("Forged Form", contacts: 1);
        using var agent = await host.SignedInClientAsync(ConsoleWorld.TelecomAgent);
        var withoutToken = ConsoleWorld.ContactForm(token: "");
        withoutToken.Remove("__RequestVerificationToken");
        var forged = await agent.PostAsync($"/console/customers/{customer}?handler=RecordContact", new FormUrlEncodedContent(withoutToken));
        forged.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await seed.GetJsonAsync($"/customers/{customer}"))["interactionCount"]!.GetValue<int>().ShouldBe(1);
    }

    [Fact]
    public async Task nobody_signed_in_is_sent_to_sign_in_and_a_role_reaches_only_its_own_pages()
    {
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(host.BaseUrl) };
        foreach (var path in new[] { "/console", "/console/lookup?kind=phone&value=0600000000", $"/console/customers/{Guid.NewGuid()}", "/console/privacy" })
        {
            var response = await anonymous.GetAsync(path);
            response.StatusCode.ShouldBe(HttpStatusCode.Redirect, path);
            response.Headers.Location!.PathAndQueryOf().ShouldStartWith("/console/sign-in?returnUrl=", Case.Sensitive, path);
        }
        using var agent = await host.SignedInClientAsync(ConsoleWorld.TelecomAgent);
        foreach (var path in new[] { "/console/privacy", $"/console/privacy/customers/{Guid.NewGuid()}", "/console/privacy/ledger" })
            (await agent.GetAsync(path)).Headers.Location!.PathAndQueryOf().ShouldStartWith("/console/denied", Case.Sensitive, path);
        using var officer = await host.SignedInClientAsync(ConsoleWorld.PrivacyOfficer);
        (await officer.GetAsync("/console/lookup")).Headers.Location!.PathAndQueryOf().ShouldStartWith("/console/denied");
        using var administrator = await host.SignedInClientAsync("administrator");
        (await administrator.GetAsync("/console/privacy/ledger")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await administrator.GetAsync("/console/privacy")).Headers.Location!.PathAndQueryOf().ShouldStartWith("/console/denied");
    }

    [Fact]
    public async Task sign_in_sends_the_person_only_to_a_page_of_the_console()
    {
        using var client = host.ClientWith(new CookieContainer());
        foreach (var target in new[] { "https://evil.example/phish", "//evil.example", "/\\evil.example", "/swagger", "javascript:alert(1)",
                     "/console/../swagger", "/console/%2e%2e/dev/api-keys", "/consoleX", "/console@evil.example" })
            (await ConsoleHost.SignInAsPersonaAsync(client, ConsoleWorld.TelecomAgent, target)).Headers.Location!.ToString().ShouldBe("/console/", target);
        (await ConsoleHost.SignInAsPersonaAsync(client, "administrator-of-everything")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task another_brands_customer_reads_and_writes_like_an_unknown_one()
    {
        using var seed = host.Api();
        var telecom = await seed.CustomerAsync("Brand Bound", contacts: 1);
        using var energie = await host.SignedInClientAsync("agent-horizon-energie");
        var theirs = await energie.GetAsync($"/console/customers/{telecom}");
        var nobody = await energie.GetAsync($"/console/customers/{Guid.NewGuid()}");
        theirs.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        nobody.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var page = await theirs.Content.ReadAsStringAsync();
        page.ShouldNotContain("Brand Bound");
        foreach (var view in new[] { "timeline", $"merge/{Guid.NewGuid()}" })
            (await energie.GetAsync($"/console/customers/{telecom}/{view}")).StatusCode.ShouldBe(HttpStatusCode.NotFound, view);

        var form = await (await energie.GetAsync("/console")).Content.ReadAsStringAsync();
        var write = await energie.PostAsync($"/console/customers/{telecom}?handler=RecordContact",
            new FormUrlEncodedContent(ConsoleWorld.ContactForm(ConsoleHost.AntiforgeryToken(form), brand: "horizon-energie")));
        write.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await seed.GetJsonAsync($"/customers/{telecom}"))["interactionCount"]!.GetValue<int>().ShouldBe(1);
    }

    [Fact]
    public async Task a_session_ends_after_the_idle_time_configured()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var factory = new LedgerFactory(await api.Server.CreateDatabaseAsync("consolesession"), "Development", clock,
            new Dictionary<string, string> { ["Ledger:Console:SessionMinutes"] = "20" });
        using var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Remove("X-Api-Key");
        var form = await client.GetStringAsync("/console/sign-in");
        (await client.PostAsync("/console/sign-in?handler=Persona", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["persona"] = ConsoleWorld.PrivacyOfficer, ["__RequestVerificationToken"] = ConsoleHost.AntiforgeryToken(form),
        }))).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await client.GetAsync("/console")).StatusCode.ShouldBe(HttpStatusCode.OK);
        clock.Advance(TimeSpan.FromMinutes(19));
        (await client.GetAsync("/console")).StatusCode.ShouldBe(HttpStatusCode.OK);
        clock.Advance(TimeSpan.FromMinutes(21));
        var expired = await client.GetAsync("/console");
        expired.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        expired.Headers.Location!.PathAndQueryOf().ShouldStartWith("/console/sign-in");
    }

    [Fact]
    public async Task signing_out_ends_the_session_for_every_copy_of_its_cookie()
    {
        var cookies = new CookieContainer();
        using var agent = await host.SignedInClientAsync(ConsoleWorld.TelecomAgent, cookies);
        var page = await agent.GetAsync("/console");
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var copy = host.ClientWith(CopyOf(cookies));
        (await copy.GetAsync("/console")).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await agent.PostAsync("/console/sign-out", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = ConsoleHost.AntiforgeryToken(await page.Content.ReadAsStringAsync()),
        }))).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var replayed = await copy.GetAsync("/console");
        replayed.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        replayed.Headers.Location!.PathAndQueryOf().ShouldStartWith("/console/sign-in");
    }

    /// <summary>Every cookie of a session, copied into a jar of its own: what someone who copied them would send.</summary>
    private static CookieContainer CopyOf(CookieContainer cookies)
    {
        var copy = new CookieContainer();
        copy.Add(cookies.GetAllCookies());
        return copy;
    }

    [Fact]
    public async Task values_the_console_cannot_read_are_refused_naming_the_field_and_nothing_is_sent()
    {
        using var seed = host.Api();
        var customer = await seed.CustomerAsync("Hostile Input", contacts: 1);
        using var agent = await host.SignedInClientAsync(ConsoleWorld.TelecomAgent);
        foreach (var query in new[] { "from=0001-01-01", "to=9999-12-31", "from=2026-13-45", "channel=1", "channel=bogus", "caseId=xyz", "from=2026-05-01&to=2026-04-01" })
            (await agent.GetAsync($"/console/customers/{customer}/timeline?{query}")).StatusCode.ShouldBe(HttpStatusCode.BadRequest, query);
        using var officer = await host.SignedInClientAsync(ConsoleWorld.PrivacyOfficer);
        foreach (var query in new[] { "from=0001-01-01", "for=bogus", "decision=7", "customerId=zz" })
            (await officer.GetAsync($"/console/privacy?{query}")).StatusCode.ShouldBe(HttpStatusCode.BadRequest, query);

        var page = await agent.GetStringAsync($"/console/customers/{customer}");
        var token = ConsoleHost.AntiforgeryToken(page);
        foreach (var (handler, field, value) in new[]
                 {
                     ("RecordContact", "Contact.Channel", "1"), ("RecordContact", "Contact.OccurredAt", "2026-02-31T25:61"),
                     ("RecordContact", "Contact.WaitingSeconds", "99999999999999"), ("Resolve", "Version", "abc"),
                     ("Consent", "Statement.Kind", "<script>"), ("UndoMerge", "absorbedCustomerId", "zz"),
                 })
        {
            var form = ConsoleWorld.ContactForm(token);
            form["Statement.Purpose"] = "Marketing";
            form["Statement.CollectedVia"] = "Phone";
            form["Statement.Text"] = "notice v1";
            form["Why"] = "because";
            form[field] = value;
            var url = $"/console/customers/{customer}?handler={handler}" + (field == "absorbedCustomerId" ? $"&absorbedCustomerId={value}" : "");
            (await agent.PostAsync(url, new FormUrlEncodedContent(form))).StatusCode.ShouldBe(HttpStatusCode.BadRequest, $"{handler} {field}={value}");
        }
        (await seed.GetJsonAsync($"/customers/{customer}"))["interactionCount"]!.GetValue<int>().ShouldBe(1);
        (await seed.GetJsonAsync($"/customers/{customer}/consents"))["standings"]!.AsArray()
            .Single(s => s!["purpose"]!.GetValue<string>() == "marketing")!["status"]!.GetValue<string>().ShouldBe("not-given");

        var unknown = await agent.GetAsync("/console/customers/not-a-guid");
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await unknown.Content.ReadAsStringAsync()).ShouldContain("No such page");
    }

    [Fact]
    public async Task a_purpose_not_statable_stops_every_page_before_it_reads_or_writes()
    {
        using var seed = host.Api();
        var customer = await seed.CustomerAsync("Purpose Bound", contacts: 1);
        using var officer = await host.SignedInClientAsync(ConsoleWorld.PrivacyOfficer);
        var erasurePage = await officer.GetStringAsync($"/console/privacy/customers/{customer}/erasure");
        var erased = await officer.PostAsync($"/console/privacy/customers/{customer}/erasure?purpose=marketingx", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Reason"] = "request", ["Confirmation"] = customer.ToString(), ["__RequestVerificationToken"] = ConsoleHost.AntiforgeryToken(erasurePage),
        }));
        erased.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await seed.GetAsync($"/customers/{customer}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        foreach (var path in new[] { $"/console/privacy/customers/{customer}?purpose=service", "/console/privacy/ledger?purpose=marketingx", "/console/privacy/ledger?mode=fullx" })
            (await officer.GetAsync(path)).StatusCode.ShouldBe(HttpStatusCode.BadRequest, path);

        using var agent = await host.SignedInClientAsync(ConsoleWorld.TelecomAgent);
        (await agent.GetAsync($"/console/customers/{customer}/timeline?channel=")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var register = await agent.GetStringAsync("/console/customers/new");
        var newId = Guid.NewGuid();
        (await agent.PostAsync("/console/customers/new?kind=bogus&value=someone%40example.com", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["DisplayName"] = "Never Registered", ["Brand"] = "horizon-telecom", ["NewCustomerId"] = newId.ToString(),
            ["__RequestVerificationToken"] = ConsoleHost.AntiforgeryToken(register),
        }))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await seed.GetAsync($"/customers/{newId}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task nobody_found_for_another_purpose_than_service_is_no_invitation_to_register_a_duplicate()
    {
        using var seed = host.Api();
        var phone = ConsoleWorld.Phone();
        var customer = await seed.CustomerAsync("Marketing Hidden", contacts: 1);
        await seed.LinkAsync(customer, "phone", phone);
        using var agent = await host.SignedInClientAsync(ConsoleWorld.TelecomAgent);
        var forMarketing = await agent.GetStringAsync($"/console/lookup?kind=phone&value={Uri.EscapeDataString(phone)}&purpose=marketing");
        forMarketing.ShouldContain("No customer this purpose lets you see holds this identifier");
        forMarketing.ShouldNotContain("Register a new customer with it");
        var unknown = await agent.GetStringAsync($"/console/lookup?kind=phone&value={Uri.EscapeDataString(ConsoleWorld.Phone())}");
        unknown.ShouldContain("Register a new customer with it");
    }

    [Fact]
    public async Task signing_in_over_a_session_ends_it()
    {
        var cookies = new CookieContainer();
        using var client = await host.SignedInClientAsync(ConsoleWorld.TelecomAgent, cookies);
        using var copy = host.ClientWith(CopyOf(cookies));
        (await copy.GetAsync("/console")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ConsoleHost.SignInAsPersonaAsync(client, ConsoleWorld.PrivacyOfficer)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await copy.GetAsync("/console")).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await client.GetAsync("/console/privacy")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task undoing_a_merge_with_the_empty_id_is_a_customer_never_merged_not_a_failure()
    {
        using var seed = host.Api();
        var customer = await seed.CustomerAsync("Empty Undo", contacts: 0);
        var response = await seed.PostJsonAsync($"/customers/{customer}/merges/{Guid.Empty}/undo", new { decidedBy = "agent-1", reason = "r" });
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public void outside_development_the_console_cookies_are_sent_over_https_only()
    {
        ConsoleAuthentication.SecurePolicy(new ConsoleOptions(), isDevelopment: false).ShouldBe(Microsoft.AspNetCore.Http.CookieSecurePolicy.Always);
        ConsoleAuthentication.SecurePolicy(new ConsoleOptions(), isDevelopment: true).ShouldBe(Microsoft.AspNetCore.Http.CookieSecurePolicy.SameAsRequest);
        ConsoleAuthentication.SecurePolicy(new ConsoleOptions { FrameAncestors = ["https://crm.example.com"] }, isDevelopment: true)
            .ShouldBe(Microsoft.AspNetCore.Http.CookieSecurePolicy.Always);
    }

    [Fact]
    public void console_pages_reach_customers_only_through_the_api()
    {
        Type[] direct = [typeof(IQuerySession), typeof(IDocumentSession), typeof(IDocumentStore), typeof(Wolverine.IMessageBus),
            typeof(Npgsql.NpgsqlDataSource), typeof(InteractionLedger.Privacy.PersonalDataGate), typeof(InteractionLedger.Privacy.AccessLedger),
            // Nor anything that could fetch those later.
            typeof(IServiceProvider), typeof(Microsoft.Extensions.DependencyInjection.IServiceScopeFactory)];
        // ConsoleSessions keeps signed-out session ids (random ids and times, nothing of any customer) in the database.
        var pages = typeof(ConsolePage).Assembly.GetTypes()
            .Where(t => t.Namespace?.StartsWith("InteractionLedger.WebConsole") == true && t != typeof(ConsoleSessions) && t != typeof(ConsoleSessionsSetup)).ToList();
        pages.Count.ShouldBeGreaterThan(10);
        var offending = pages.SelectMany(t => t.GetConstructors().SelectMany(c => c.GetParameters())
                .Where(p => direct.Any(d => d.IsAssignableFrom(p.ParameterType))).Select(p => $"{t.Name}({p.ParameterType.Name})"))
            .ToList();
        offending.ShouldBeEmpty("a page is just another caller: it reads and writes through ConsoleApi");
    }
}

internal static class Locations
{
    /// <summary>A redirect's target path, whether the server wrote it absolute or relative.</summary>
    public static string PathAndQueryOf(this Uri location) => location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;
}
