using System.Net;
using System.Net.Http.Json;
using InteractionLedger.Customers;
using InteractionLedger.Http;
using InteractionLedger.Interactions;
using InteractionLedger.Tests.Support;

namespace InteractionLedger.Tests.Drills;

/// <summary>64 concurrent writers on one customer, with and without expected versions.</summary>
public sealed class when_one_customer_is_hot(LedgerApi api)
{
    private const int Writers = 64;

    [Fact]
    public async Task every_unconditional_write_is_stored_and_each_expected_version_has_exactly_one_winner()
    {
        var customerId = await api.RegisterCustomerAsync();

        var unconditional = await Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => Task.Run(() =>
            api.SendJsonAsync(HttpMethod.Post, $"/customers/{customerId}/interactions", Contacts.Valid().ToJsonString()))));
        unconditional.ShouldAllBe(r => r.StatusCode == HttpStatusCode.Created);
        var afterUnconditional = (await api.GetAsync<CustomerProfile>($"/customers/{customerId}")).Version;
        afterUnconditional.ShouldBe(1 + Writers);

        // Everyone read the same version and races to write on it: exactly one may win.
        var conditional = await Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => Task.Run(() =>
            api.SendJsonAsync(HttpMethod.Post, $"/customers/{customerId}/interactions", Contacts.Valid().ToJsonString(),
                ifMatch: ExpectedVersion.ETagFor(afterUnconditional)))));

        conditional.Count(r => r.StatusCode == HttpStatusCode.Created).ShouldBe(1);
        conditional.Count(r => r.StatusCode == HttpStatusCode.PreconditionFailed).ShouldBe(Writers - 1);
        var timeline = await api.GetAsync<TimelinePage>($"/customers/{customerId}/timeline?limit=200");
        var finalVersion = (await api.GetAsync<CustomerProfile>($"/customers/{customerId}")).Version;
        DrillReport.Record("Hot customer", "concurrent writers", Writers);
        DrillReport.Record("Hot customer", "unconditional writes stored", $"{unconditional.Count(r => r.StatusCode == HttpStatusCode.Created)} of {Writers}");
        DrillReport.Record("Hot customer", "winners on one expected version", conditional.Count(r => r.StatusCode == HttpStatusCode.Created));
        DrillReport.Record("Hot customer", "412 for the others", conditional.Count(r => r.StatusCode == HttpStatusCode.PreconditionFailed));
        DrillReport.Record("Hot customer", "stream version = registration + contacts", finalVersion == 1 + timeline.Items.Count ? "yes" : "no");
        timeline.Items.Count.ShouldBe(Writers + 1);
        (await api.GetAsync<CustomerProfile>($"/customers/{customerId}")).Version.ShouldBe(afterUnconditional + 1);
    }
}
