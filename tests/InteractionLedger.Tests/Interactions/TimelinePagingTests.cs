using System.Net;
using InteractionLedger.Interactions;
using InteractionLedger.Tests.Support;

namespace InteractionLedger.Tests.Interactions;

/// <summary>A customer with thousands of contacts, recorded through the API, read back page by page.</summary>
public sealed class when_paging_through_a_long_timeline(LedgerApi api)
{
    private const int ContactCount = 2_000;

    [Fact]
    public async Task every_contact_appears_exactly_once_newest_first_and_filters_hold_on_every_page()
    {
        var customerId = await api.RegisterCustomerAsync();
        var start = DateTimeOffset.UtcNow.AddDays(-400);
        var channels = Enum.GetValues<Channel>();
        // Ties on occurredAt on purpose: the cursor must order them by id and lose none.
        var recorded = Enumerable.Range(0, ContactCount).Select(i => Contacts.Valid(
            channels[i % channels.Length], occurredAt: start.AddMinutes(i / 3 * 90), brand: Contacts.Brands[i % 3])).ToList();
        await Parallel.ForEachAsync(recorded, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (contact, _) => await api.RecordAsync(customerId, contact));

        var all = await ReadAll($"/customers/{customerId}/timeline?limit=137");
        all.Select(i => i.InteractionId).ShouldBe(recorded.Select(c => Guid.Parse(c["interactionId"]!.GetValue<string>())), ignoreOrder: true);
        all.Select(i => i.InteractionId).Distinct().Count().ShouldBe(ContactCount);
        all.ShouldBe(all.OrderByDescending(i => i.OccurredAt).ThenByDescending(i => i.InteractionId).ToList());

        var from = start.AddDays(10);
        var to = start.AddDays(30);
        var filtered = await ReadAll($"/customers/{customerId}/timeline?limit=50&channel=phone&channel=chat&brand=horizon-banque" +
                                     $"&from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}");
        var expected = all.Where(i => i.Channel is Channel.Phone or Channel.Chat && i.Brand == "horizon-banque"
                                      && i.OccurredAt >= from && i.OccurredAt < to).ToList();
        expected.ShouldNotBeEmpty();
        filtered.ShouldBe(expected);
    }

    private async Task<List<TimelineItem>> ReadAll(string firstPage)
    {
        var items = new List<TimelineItem>();
        string? cursor = null;
        do
        {
            var page = await api.GetAsync<TimelinePage>(cursor is null ? firstPage : $"{firstPage}&cursor={cursor}");
            items.AddRange(page.Items);
            cursor = page.Next;
        } while (cursor is not null);
        return items;
    }

    [Theory]
    [InlineData("channel=fax", "channel")]
    [InlineData("reason=gossip", "reason")]
    [InlineData("brand=acme", "brand")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1000", "limit")]
    [InlineData("cursor=bm9wZQ", "cursor")]
    public async Task bad_query_parameters_are_named(string query, string field)
    {
        var customerId = await api.RegisterCustomerAsync();

        var response = await api.Client.GetAsync($"/customers/{customerId}/timeline?{query}");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.ProblemAsync()).ErrorFields().ShouldBe([field]);
    }
}
