namespace InteractionLedger.Group;

/// <summary>One brand of the group, as configured under <c>Ledger:Group:Brands</c>.</summary>
public sealed record Brand(string Code, string Name);

/// <summary>
/// The group this deployment serves and its brands. Brands are configuration, not data: a contact recorded
/// for a brand the group does not own is an input error, not a new brand.
/// </summary>
public sealed class GroupCatalog
{
    public string Name { get; init; } = "";
    public List<Brand> Brands { get; init; } = [];

    /// <summary>Calling code of the group's home country: a national phone number ("06 12…") is read as +33 6 12….</summary>
    public string DefaultCountryCallingCode { get; init; } = "33";

    public IReadOnlyList<string> BrandCodes => Brands.Select(b => b.Code).ToList();

    public bool IsKnownBrand(string? code) => code is not null && Brands.Any(b => b.Code == code);
}
