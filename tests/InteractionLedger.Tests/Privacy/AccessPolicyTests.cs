using InteractionLedger.Access;
using InteractionLedger.Consent;
using InteractionLedger.Customers;
using InteractionLedger.Privacy;

namespace InteractionLedger.Tests.Privacy;

public sealed class the_access_policy
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
    private static readonly string[] Group = ["horizon-telecom", "horizon-energie"];

    [Theory]
    [MemberData(nameof(Combinations))]
    public void decides_every_role_purpose_and_consent_as_the_signed_table_says(Role role, Purpose purpose, ConsentStatus state)
    {
        var caller = new Caller($"{role}", role, role is Role.PrivacyOfficer or Role.Administrator ? null : new HashSet<string> { "horizon-telecom" });
        var customer = CustomerOfTelecom(Statement(purpose, state));

        var decision = AccessPolicy.Decide(new AccessRequest(caller, purpose, DataView.Overview, [customer], Group, Now));

        ApiName(decision.Outcome).ShouldBe(ExpectedAccess.For(role, purpose, state), $"{role} reading for {purpose} when the customer's word is {state}");
        if (decision.Outcome == AccessOutcome.Reduced) decision.Withheld.ShouldNotBeEmpty();
        if (decision.Outcome == AccessOutcome.Refused) decision.RefusalReason.ShouldNotBeNullOrWhiteSpace();
    }

    public static TheoryData<Role, Purpose, ConsentStatus> Combinations() => ExpectedAccess.All();

    [Fact]
    public void every_role_and_every_purpose_a_read_can_state_is_in_the_table()
    {
        var statable = PurposePolicy.Rules.Where(r => r.StatableForReads).Select(r => r.Purpose);
        ExpectedAccess.ReadPurposes.ShouldBe(statable, ignoreOrder: true);
        var rows = ExpectedAccess.All().Select(row => (row.Data.Item1, row.Data.Item2)).Distinct().Count();
        rows.ShouldBe(Enum.GetValues<Role>().Length * statable.Count());
    }

    [Fact]
    public void history_with_other_brands_needs_the_customers_consent_to_sharing()
    {
        var agent = new Caller("a", Role.Agent, new HashSet<string> { "horizon-telecom" });
        var both = CustomerOfTelecom();
        both.Brands.Add("horizon-energie");

        var without = AccessPolicy.Decide(new AccessRequest(agent, Purpose.Service, DataView.Timeline, [both], Group, Now));
        both.Consents["x"] = new ConsentStatement(Purpose.CrossBrandSharing, null, ConsentStatus.Given, Now.AddDays(-1), Guid.NewGuid());
        var with = AccessPolicy.Decide(new AccessRequest(agent, Purpose.Service, DataView.Timeline, [both], Group, Now));

        without.Outcome.ShouldBe(AccessOutcome.Reduced);
        without.VisibleBrands.ShouldBe(["horizon-telecom"]);
        without.Withheld.ShouldHaveSingleItem().Part.ShouldBe(DataPart.OtherBrands);
        with.Outcome.ShouldBe(AccessOutcome.Allowed);
        with.VisibleBrands.ShouldBeNull();
        with.ConsentsReliedOn.ShouldContain(c => c.Purpose == Purpose.CrossBrandSharing && c.Status == ConsentStatus.Given);
    }

    [Fact]
    public void a_customer_of_another_brand_only_is_out_of_reach_unless_they_share_across_the_group()
    {
        var agent = new Caller("a", Role.Agent, new HashSet<string> { "horizon-telecom" });
        var energie = new Customer { Id = Guid.NewGuid(), Brands = ["horizon-energie"] };

        AccessPolicy.Decide(new AccessRequest(agent, Purpose.Service, DataView.Profile, [energie], Group, Now))
            .Refusal.ShouldBe(RefusalKind.OutOfScope);
        energie.Consents["x"] = new ConsentStatement(Purpose.CrossBrandSharing, null, ConsentStatus.Given, Now.AddDays(-1), Guid.NewGuid());
        AccessPolicy.Decide(new AccessRequest(agent, Purpose.Service, DataView.Profile, [energie], Group, Now))
            .Outcome.ShouldBe(AccessOutcome.Allowed);
    }

    [Fact]
    public void the_latest_word_wins_and_a_brand_withdrawal_beats_an_earlier_group_consent()
    {
        var agent = new Caller("a", Role.Agent, new HashSet<string> { "horizon-telecom" });
        var customer = CustomerOfTelecom(new ConsentStatement(Purpose.Marketing, null, ConsentStatus.Given, Now.AddDays(-10), Guid.NewGuid()));
        customer.Consents["b"] = new ConsentStatement(Purpose.Marketing, "horizon-telecom", ConsentStatus.Withdrawn, Now.AddDays(-1));

        AccessPolicy.Decide(new AccessRequest(agent, Purpose.Marketing, DataView.Overview, [customer], Group, Now))
            .Refusal.ShouldBe(RefusalKind.NoConsent);
        customer.Brands.Add("horizon-energie");
        var energieAgent = agent with { Brands = new HashSet<string> { "horizon-energie" } };
        AccessPolicy.Decide(new AccessRequest(energieAgent, Purpose.Marketing, DataView.Overview, [customer], Group, Now))
            .Outcome.ShouldNotBe(AccessOutcome.Refused, "the withdrawal named Télécom only; the group consent still covers Énergie");
    }

    private static Customer CustomerOfTelecom(ConsentStatement? statement = null)
    {
        var customer = new Customer { Id = Guid.NewGuid(), Brands = ["horizon-telecom"] };
        if (statement is not null) customer.Consents[ConsentStatement.KeyOf(statement.Purpose, statement.Brand)] = statement;
        return customer;
    }

    private static ConsentStatement? Statement(Purpose purpose, ConsentStatus state) => state switch
    {
        ConsentStatus.NotGiven => null,
        ConsentStatus.Expired => new ConsentStatement(purpose, null, ConsentStatus.Given, Now.AddDays(-30), Guid.NewGuid(), ExpiresAt: Now.AddDays(-1)),
        _ => new ConsentStatement(purpose, null, state, Now.AddDays(-30), state == ConsentStatus.Given ? Guid.NewGuid() : null),
    };

    private static string ApiName(AccessOutcome outcome) => InteractionLedger.Hosting.ApiJson.Name(outcome);
}
