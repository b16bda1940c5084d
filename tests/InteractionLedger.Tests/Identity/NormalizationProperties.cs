using FsCheck.Xunit;
using InteractionLedger.Identity;

namespace InteractionLedger.Tests.Identity;

/// <summary>Normalisation over many generated spellings, not a handful of examples.</summary>
public sealed class normalisation_properties
{
    private static readonly string[] Separators = [" ", ".", "-", "", " / "];

    private static string? KeyOf(IdentifierKind kind, string value) =>
        IdentifierNormalization.Normalize(new IdentifierInput(kind, value), "33").Identifier?.Key;

    [Property(MaxTest = 300)]
    public bool every_spelling_of_a_french_mobile_number_has_one_key(uint number, byte separatorSeed)
    {
        var digits = (number % 100_000_000).ToString("D8");
        var separator = Separators[separatorSeed % Separators.Length];
        string Spaced(string head) => head + separator + string.Join(separator, Enumerable.Range(0, 4).Select(i => digits.Substring(i * 2, 2)));

        var expected = $"phone:+336{digits}";
        return new[] { Spaced("06"), Spaced("+33 6"), Spaced("0033 6"), Spaced("+33 (0)6") }.All(v => KeyOf(IdentifierKind.Phone, v) == expected);
    }

    [Property(MaxTest = 300)]
    public bool normalising_twice_changes_nothing(string? raw, bool email)
    {
        var kind = email ? IdentifierKind.Email : IdentifierKind.ChatSession;
        var (first, _) = IdentifierNormalization.Normalize(new IdentifierInput(kind, raw), "33");
        if (first is null) return true;
        var (second, _) = IdentifierNormalization.Normalize(new IdentifierInput(kind, first.Value), "33");
        return second?.Key == first.Key;
    }
}
