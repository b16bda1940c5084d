using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace InteractionLedger.Identity;

/// <summary>The kinds of identifier a customer is known by.</summary>
public enum IdentifierKind { Email, Phone, BrandCustomerNumber, SocialHandle, ChatSession, LoyaltyCard, Other }

/// <summary>An identifier as a caller gives it.</summary>
/// <param name="Kind">The kind of identifier (e.g. <c>email</c>, <c>phone</c>, <c>brand-customer-number</c>).</param>
/// <param name="Value">As typed or received; normalised before matching, and kept as given.</param>
/// <param name="Brand">The brand that issued it: required for brand customer numbers.</param>
/// <param name="Verified">True when the brand verified it (e.g. an e-mail confirmed by a link): a verified e-mail identifies a person.</param>
public sealed record IdentifierInput(IdentifierKind? Kind, string? Value, string? Brand = null, bool Verified = false);

/// <summary>An identifier after normalisation: <see cref="Key"/> is what matching compares.</summary>
/// <param name="Kind">The kind of identifier.</param>
/// <param name="Value">The normalised value matching compares (e.g. an e-mail address in lower case, a phone number in E.164 form such as <c>+33612345678</c>).</param>
/// <param name="Original">The value as it was given.</param>
/// <param name="Brand">The brand that issued it (brand customer numbers) or that collected it; null when it was collected for the whole group.</param>
/// <param name="Verified">True when the brand verified it (e.g. an e-mail confirmed by a link).</param>
public sealed record CustomerIdentifier(IdentifierKind Kind, string Value, string Original, string? Brand, bool Verified)
{
    /// <summary>
    /// What lookups, unlinking and possible duplicates name the identifier by: <c>kind:value</c>, or
    /// <c>kind:brand:value</c> for a brand customer number (kind in kebab-case, value normalised).
    /// </summary>
    public string Key => IdentityPolicy.RuleFor(Kind).BrandScoped
        ? $"{Hosting.ApiJson.Name(Kind)}:{Brand}:{Value}"
        : $"{Hosting.ApiJson.Name(Kind)}:{Value}";

    /// <summary>
    /// Ways to reach the customer, erased once they have not been in contact for the retention period. Numbers a brand
    /// issued (customer number, loyalty card) identify the contract, not how to reach the person, and stay.
    /// </summary>
    public static readonly IReadOnlySet<IdentifierKind> ContactDetails =
        new HashSet<IdentifierKind> { IdentifierKind.Email, IdentifierKind.Phone, IdentifierKind.SocialHandle, IdentifierKind.ChatSession };

    /// <summary>What a contact detail's key becomes in stored events once erased: its kind, no value.</summary>
    public static string ErasedKey(string key) => key[..(key.IndexOf(':') + 1)];
}

/// <summary>
/// Normalisation before matching. Conservative on purpose: a rule that merges two real people's identifiers
/// (e.g. dropping dots or +tags from e-mail local parts, which only some providers ignore) would show one customer
/// another's history. Only what is certainly noise is removed.
/// </summary>
public static partial class IdentifierNormalization
{
    public const int MaxLength = 200;

    /// <returns>The normalised identifier, or an error message for the value.</returns>
    public static (CustomerIdentifier? Identifier, string? Error) Normalize(IdentifierInput input, string defaultCountryCallingCode)
    {
        if (input.Kind is not { } kind) return (null, "'kind' is required.");
        if (string.IsNullOrWhiteSpace(input.Value)) return (null, "'value' is required.");
        if (input.Value.Length > MaxLength) return (null, $"'value' is longer than {MaxLength} characters.");
        var rule = IdentityPolicy.RuleFor(kind);
        if (rule.BrandScoped && string.IsNullOrWhiteSpace(input.Brand))
            return (null, $"A {Hosting.ApiJson.Name(kind)} is issued by a brand: 'brand' is required.");

        var collapsed = Whitespace().Replace(Canonical(input.Value).Trim(), " ");
        if (kind is IdentifierKind.Email or IdentifierKind.SocialHandle && MixesScripts(collapsed))
            return (null, "'value' mixes Latin letters with Cyrillic or Greek look-alikes in one part: refused as a likely spoof of another address.");
        var normalized = kind switch
        {
            IdentifierKind.Email => Email(collapsed),
            IdentifierKind.Phone => Phone(collapsed, defaultCountryCallingCode),
            IdentifierKind.SocialHandle => collapsed.ToLowerInvariant().Replace(" ", ""),
            IdentifierKind.LoyaltyCard or IdentifierKind.BrandCustomerNumber => collapsed.Replace(" ", "").ToUpperInvariant(),
            _ => collapsed,
        };
        if (normalized is null)
        {
            return (null, kind == IdentifierKind.Email
                ? "'value' is not an e-mail address."
                : "'value' is not a phone number (international +33 6 12 34 56 78, 0033…, or national 06 12 34 56 78).");
        }
        return (new CustomerIdentifier(kind, normalized, input.Value, rule.BrandScoped ? input.Brand!.Trim() : input.Brand?.Trim(),
            input.Verified), null);
    }

    /// <summary>
    /// One identity per address however it was typed or pasted: compatibility forms are folded (Unicode NFKC:
    /// fullwidth "ｊｅａｎｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ", ligatures, superscripts become their plain letters) and invisible format
    /// characters (zero-width space and joiners, soft hyphen, byte-order mark: Unicode category Cf) are dropped.
    /// The service runs in .NET's invariant globalization mode, where <see cref="string.Normalize(NormalizationForm)"/>
    /// leaves non-ASCII text as it is; the fullwidth and halfwidth forms input methods produce are then folded here.
    /// </summary>
    public static string Canonical(string value)
    {
        var folded = value.Normalize(NormalizationForm.FormKC);
        var kept = new StringBuilder(folded.Length);
        foreach (var c in folded)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format) continue;
            kept.Append(c switch
            {
                >= '\uFF01' and <= '\uFF5E' => (char)(c - 0xFEE0),
                '\u3000' => ' ',
                _ => c,
            });
        }
        return kept.ToString();
    }

    /// <summary>
    /// Letters of another script that look like Latin ones ("а" is Cyrillic) are not folded: they are other addresses,
    /// and internationalised ones are legitimate. One part (local part, domain label) mixing Latin with Cyrillic or
    /// Greek is, in practice, a spoof, and is refused rather than given an identity of its own.
    /// </summary>
    private static bool MixesScripts(string value) =>
        value.Split('@', '.').Any(part => part.Any(IsLatinLetter) && part.Any(c => c is >= '\u0370' and <= '\u052F'));

    private static bool IsLatinLetter(char c) => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '\u00C0' and <= '\u024F';

    /// <summary>Domains are case-insensitive, and in practice so are mailboxes; dots and +tags are kept.</summary>
    private static string? Email(string value)
    {
        var email = value.Replace(" ", "").ToLowerInvariant();
        return EmailShape().IsMatch(email) ? email : null;
    }

    /// <summary>E.164: "+" then 8 to 15 digits. "00" is the international prefix; a leading single 0 is national.</summary>
    private static string? Phone(string value, string defaultCountryCallingCode)
    {
        // "+33 (0)6 …": the bracketed 0 is the national trunk prefix, never dialled after the country code.
        var digits = PhoneNoise().Replace(value.Replace("(0)", ""), "");
        if (digits.StartsWith("00", StringComparison.Ordinal)) digits = "+" + digits[2..];
        else if (digits.StartsWith('0')) digits = "+" + defaultCountryCallingCode + digits[1..];
        return E164().IsMatch(digits) ? digits : null;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailShape();

    [GeneratedRegex(@"[\s\.\-\(\)/]")]
    private static partial Regex PhoneNoise();

    [GeneratedRegex(@"^\+[1-9]\d{7,14}$")]
    private static partial Regex E164();
}
