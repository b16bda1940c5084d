using InteractionLedger.Access;
using InteractionLedger.Group;
using InteractionLedger.Identity;

namespace InteractionLedger.WebConsole;

/// <summary>The screen-pop form: the identifier a call, an e-mail or a chat came with.</summary>
/// <param name="Brands">The brands the person may name: their own, or every brand of the group.</param>
/// <param name="Purpose">The purpose the page reads for, kept for the next lookup.</param>
public sealed record LookupFormModel(string? Kind, string? Value, string? Brand, IReadOnlyList<Brand> Brands, string? Purpose = null)
{
    public static readonly IdentifierKind[] Kinds =
        [IdentifierKind.Phone, IdentifierKind.Email, IdentifierKind.BrandCustomerNumber, IdentifierKind.SocialHandle, IdentifierKind.LoyaltyCard, IdentifierKind.ChatSession];

    public static LookupFormModel For(Caller me, GroupCatalog group, string? kind = null, string? value = null, string? brand = null,
        string? purpose = null) => new(kind, value, brand, ConsolePage.BrandsOf(me, group), purpose);
}
