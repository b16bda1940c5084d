using System.Net;
using System.Net.Http.Json;
using InteractionLedger.Customers;
using InteractionLedger.Hosting;
using InteractionLedger.Tests.Support;

namespace InteractionLedger.Tests.Customers;

public sealed class when_registering_customers(LedgerApi api)
{
    [Fact]
    public async Task a_registration_retried_with_the_same_id_creates_one_customer()
    {
        var customerId = Guid.NewGuid();
        var body = new { customerId, displayName = "Camille Durand" };

        var first = await api.PostJsonAsync("/customers", body);
        var retry = await api.PostJsonAsync("/customers", body);
        var different = await api.PostJsonAsync("/customers", new { customerId, displayName = "Someone else" });

        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        first.Headers.Location!.ToString().ShouldBe($"/customers/{customerId}");
        retry.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await retry.Content.ReadFromJsonAsync<CustomerReceipt>(ApiJson.Options))!.Replayed.ShouldBeTrue();
        different.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await different.ProblemAsync()).ErrorFields().ShouldBe(["customerId"]);
        var profile = await api.GetAsync<CustomerProfile>($"/customers/{customerId}");
        profile.DisplayName.ShouldBe("Camille Durand");
        profile.Version.ShouldBe(1);
    }

    [Fact]
    public async Task concurrent_first_registrations_of_one_id_never_fail_with_a_server_error()
    {
        var customerId = Guid.NewGuid();

        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ =>
            Task.Run(() => api.PostJsonAsync("/customers", new { customerId, displayName = "Race" }))));

        responses.Count(r => r.StatusCode == HttpStatusCode.Created).ShouldBe(1);
        responses.ShouldAllBe(r => r.StatusCode == HttpStatusCode.Created || r.StatusCode == HttpStatusCode.OK
                                   || r.StatusCode == HttpStatusCode.Conflict);
        (await api.GetAsync<CustomerProfile>($"/customers/{customerId}")).Version.ShouldBe(1);
    }

    [Fact]
    public async Task an_unknown_customer_is_a_problem_naming_the_customer_id()
    {
        var response = await api.Client.GetAsync($"/customers/{Guid.NewGuid()}");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.ProblemAsync()).ErrorFields().ShouldBe(["customerId"]);
    }
}
