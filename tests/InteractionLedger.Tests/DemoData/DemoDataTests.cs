using InteractionLedger.Cases;
using InteractionLedger.Customers;
using InteractionLedger.DemoData;
using InteractionLedger.Interactions;
using InteractionLedger.Tests.Support;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace InteractionLedger.Tests.DemoData;

public sealed class when_generating_demo_data(LedgerApi api)
{
    private static readonly string[] Brands = ["horizon-telecom", "horizon-energie", "horizon-banque", "horizon-voyages"];

    [Fact]
    public void the_histories_follow_the_figures_of_the_domain()
    {
        var customers = new DemoDataGenerator(Brands, seed: 7, DateTimeOffset.UtcNow).Customers(2_000).ToList();
        var interactions = customers.SelectMany(c => c.Interactions).ToList();
        var byChannel = interactions.GroupBy(i => i.Channel).ToDictionary(g => g.Key, g => g.Count());

        // Phone and e-mail most used, then chat, then social networks and chatbots.
        byChannel[Channel.Phone].ShouldBeGreaterThan(byChannel[Channel.Chat]);
        byChannel[Channel.Email].ShouldBeGreaterThan(byChannel[Channel.Chat]);
        byChannel[Channel.Chat].ShouldBeGreaterThan(byChannel[Channel.SocialNetwork]);
        byChannel[Channel.Chat].ShouldBeGreaterThan(byChannel[Channel.Chatbot]);
        Enum.GetValues<Channel>().ShouldAllBe(c => byChannel.ContainsKey(c));

        var contactsPerCase = interactions.Where(i => i.CaseId is not null).GroupBy(i => i.CaseId).Average(g => g.Count());
        contactsPerCase.ShouldBeInRange(2.0, 3.5);

        var ratings = customers.SelectMany(c => c.Events.OfType<InteractionRated>()).ToList();
        var negativeShare = ratings.Count(r => r.Satisfaction <= 2) / (double)ratings.Count;
        negativeShare.ShouldBeInRange(0.10, 0.50);

        var dormant = customers.Count(c => !c.Interactions.Any() || c.Interactions.Max(i => i.OccurredAt) < DateTimeOffset.UtcNow.AddDays(-180));
        (dormant / (double)customers.Count).ShouldBeInRange(0.05, 0.40);
        interactions.ShouldAllBe(i => i.OccurredAt <= DateTimeOffset.UtcNow);
    }

    [Fact]
    public void the_same_seed_gives_the_same_data()
    {
        var now = DateTimeOffset.UtcNow;
        var first = new DemoDataGenerator(Brands, 11, now).Customers(50).SelectMany(c => c.Interactions).ToList();
        var second = new DemoDataGenerator(Brands, 11, now).Customers(50).SelectMany(c => c.Interactions).ToList();

        second.ShouldBe(first);
    }

    [Fact]
    public async Task loaded_demo_customers_are_served_by_the_api_like_any_other()
    {
        var customers = new DemoDataGenerator(Brands, Random.Shared.Next(), DateTimeOffset.UtcNow).Customers(40).ToList();

        await DemoDataCommand.LoadAsync(api.Factory.Services.GetRequiredService<IDocumentStore>(), customers);

        foreach (var customer in customers.Take(10))
        {
            var profile = await api.GetAsync<CustomerProfile>($"/customers/{customer.CustomerId}");
            profile.Version.ShouldBe(customer.Events.Count);
            var timeline = await api.GetAsync<TimelinePage>($"/customers/{customer.CustomerId}/timeline?limit=200");
            timeline.Items.Select(i => i.InteractionId).ShouldBe(customer.Interactions.Select(i => i.InteractionId), ignoreOrder: true);
            var cases = (await api.GetAsync<CaseList>($"/customers/{customer.CustomerId}/cases")).Cases;
            cases.Count.ShouldBe(customer.Events.OfType<CaseOpened>().Count());
            foreach (var identifier in customer.Identifiers)
            {
                var lookup = await api.GetAsync<InteractionLedger.Identity.IdentifierLookup>(
                    $"/identifiers?kind={InteractionLedger.Hosting.ApiJson.Name(identifier.Kind)}&value={Uri.EscapeDataString(identifier.Original)}&brand={identifier.Brand}");
                lookup.ResolvesTo.ShouldBe(customer.CustomerId);
            }
        }
    }
}
