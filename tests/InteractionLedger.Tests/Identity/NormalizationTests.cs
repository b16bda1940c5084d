using InteractionLedger.Identity;

namespace InteractionLedger.Tests.Identity;

public sealed class when_identifiers_are_normalised
{
    [Theory]
    [InlineData(IdentifierKind.Email, "  Jeanne.Martin@Example.COM ", null, "jeanne.martin@example.com")]
    [InlineData(IdentifierKind.Email, "jeanne.martin+promo@example.com", null, "jeanne.martin+promo@example.com")]
    [InlineData(IdentifierKind.Phone, "06 12 34 56 78", null, "+33612345678")]
    [InlineData(IdentifierKind.Phone, "+33 (0)6.12.34.56.78", null, "+33612345678")]
    [InlineData(IdentifierKind.Phone, "+33 6 12 34 56 78", null, "+33612345678")]
    [InlineData(IdentifierKind.Phone, "0033-6-12-34-56-78", null, "+33612345678")]
    [InlineData(IdentifierKind.Phone, "+1 (415) 555-0100", null, "+14155550100")]
    [InlineData(IdentifierKind.Phone, "12", null, null)]
    [InlineData(IdentifierKind.Email, "not-an-address", null, null)]
    [InlineData(IdentifierKind.BrandCustomerNumber, " ab 12345 ", "horizon-telecom", "AB12345")]
    [InlineData(IdentifierKind.SocialHandle, "Twitter:@JeanneM", null, "twitter:@jeannem")]
    [InlineData(IdentifierKind.ChatSession, "  sess-AbC  ", null, "sess-AbC")]
    // One identity however it was typed: invisible characters dropped, compatibility forms folded (NFKC).
    [InlineData(IdentifierKind.Email, "admin.rt\u200b@example.com", null, "admin.rt@example.com")]
    [InlineData(IdentifierKind.Email, "\ufeffjeanne.martin@exam\u00adple.com", null, "jeanne.martin@example.com")]
    [InlineData(IdentifierKind.Email, "\uff4a\uff45\uff41\uff4e\uff4e\uff45\uff20\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45\uff0e\uff43\uff4f\uff4d", null, "jeanne@example.com")]
    [InlineData(IdentifierKind.Phone, "\uff10\uff16 12 34 56 78", null, "+33612345678")]
    [InlineData(IdentifierKind.SocialHandle, "twitter:@jeanne\u200dm", null, "twitter:@jeannem")]
    // A Cyrillic "а" among Latin letters is a spoof of another address, refused; an address wholly in Cyrillic is not.
    [InlineData(IdentifierKind.Email, "\u0430dmin.rt@example.com", null, null)]
    [InlineData(IdentifierKind.Email, "\u0438\u0432\u0430\u043d@\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444", null, "\u0438\u0432\u0430\u043d@\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444")]
    public void the_value_matched_is_normalised_and_the_original_kept(IdentifierKind kind, string value, string? brand, string? expected)
    {
        var (identifier, error) = IdentifierNormalization.Normalize(new IdentifierInput(kind, value, brand), "33");

        if (expected is null)
        {
            identifier.ShouldBeNull();
            error.ShouldNotBeNull();
            return;
        }
        identifier!.Value.ShouldBe(expected);
        identifier.Original.ShouldBe(value);
    }

    [Fact]
    public void a_brand_customer_number_needs_its_brand_and_is_keyed_by_it()
    {
        IdentifierNormalization.Normalize(new IdentifierInput(IdentifierKind.BrandCustomerNumber, "123"), "33").Error!.ShouldContain("'brand'");

        var telecom = IdentifierNormalization.Normalize(new IdentifierInput(IdentifierKind.BrandCustomerNumber, "123", "horizon-telecom"), "33").Identifier!;
        var bank = IdentifierNormalization.Normalize(new IdentifierInput(IdentifierKind.BrandCustomerNumber, "123", "horizon-banque"), "33").Identifier!;
        telecom.Key.ShouldNotBe(bank.Key);
    }

    [Fact]
    public void spellings_of_one_identifier_share_one_key()
    {
        var keys = new[] { "06 12 34 56 78", "+33612345678", "0033 6 12 34 56 78", "06-12-34-56-78" }
            .Select(v => IdentifierNormalization.Normalize(new IdentifierInput(IdentifierKind.Phone, v), "33").Identifier!.Key);

        keys.Distinct().ShouldHaveSingleItem().ShouldBe("phone:+33612345678");
    }
}

/// <summary>The resolution policy, row by row, as a privacy officer would read it.</summary>
public sealed class when_reading_the_resolution_policy
{
    [Theory]
    [InlineData(IdentifierKind.BrandCustomerNumber, false, IdentifierStrength.Strong)]
    [InlineData(IdentifierKind.Email, true, IdentifierStrength.Strong)]
    [InlineData(IdentifierKind.Email, false, IdentifierStrength.Weak)]
    [InlineData(IdentifierKind.Phone, true, IdentifierStrength.Weak)]
    [InlineData(IdentifierKind.SocialHandle, false, IdentifierStrength.Strong)]
    [InlineData(IdentifierKind.ChatSession, false, IdentifierStrength.Weak)]
    [InlineData(IdentifierKind.LoyaltyCard, false, IdentifierStrength.Strong)]
    [InlineData(IdentifierKind.Other, true, IdentifierStrength.Weak)]
    public void each_kind_has_its_strength(IdentifierKind kind, bool verified, IdentifierStrength strength)
    {
        var identifier = new CustomerIdentifier(kind, "x", "x", "horizon-telecom", verified);

        IdentityPolicy.StrengthOf(identifier).ShouldBe(strength);
    }

    [Fact]
    public void every_kind_has_exactly_one_rule_with_a_reason()
    {
        IdentityPolicy.Rules.Select(r => r.Kind).ShouldBe(Enum.GetValues<IdentifierKind>(), ignoreOrder: true);
        IdentityPolicy.Rules.ShouldAllBe(r => r.Why.Length > 10);
        IdentityPolicy.RuleFor(IdentifierKind.Other).MayResolveAlone.ShouldBeFalse();
    }
}
