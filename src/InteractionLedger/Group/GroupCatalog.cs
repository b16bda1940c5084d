namespace InteractionLedger.Group;

/// <summary>One brand of the group, as configured under <c>Ledger:Group:Brands</c>.</summary>
/// <param name="Code">The brand's code: how every <c>brand</c> field and parameter of the API names it.</param>
/// <param name="Name">The brand's display name.</param>
public sealed record Brand(string Code, string Name);

/// <summary>
/// The group this deployment serves and its brands. Brands are configuration, not data: a contact recorded
/// for a brand the group does not own is an input error, not a new brand.
/// </summary>
public sealed class GroupCatalog
{
    /// <summary>The group's name.</summary>
    public string Name { get; init; } = "";
    /// <summary>The group's brands.</summary>
    public List<Brand> Brands { get; init; } = [];

    /// <summary>Calling code of the group's home country: a national phone number ("06 12…") is read as +33 6 12….</summary>
    public string DefaultCountryCallingCode { get; init; } = "33";

    /// <summary>The codes of the group's brands, in the order of <c>brands</c>.</summary>
    public IReadOnlyList<string> BrandCodes => Brands.Select(b => b.Code).ToList();

    public bool IsKnownBrand(string? code) => code is not null && Brands.Any(b => b.Code == code);

    /// <summary>A brand's name as people read it; the code itself for a brand the group no longer has.</summary>
    public string NameOf(string code) => Brands.FirstOrDefault(b => b.Code == code)?.Name ?? code;
}
