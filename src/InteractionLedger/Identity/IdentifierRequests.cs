using InteractionLedger.Group;
using InteractionLedger.Http;

namespace InteractionLedger.Identity;

public static class IdentifierValidation
{
    /// <summary>Normalises an identifier from a request, adding errors under <paramref name="field"/> (e.g. "identifiers[1]").</summary>
    public static CustomerIdentifier? Normalize(IdentifierInput? input, string field, GroupCatalog group, InputErrors errors)
    {
        if (input is null)
        {
            errors.Add(field, $"'{field}' is required.");
            return null;
        }
        if (input.Brand is { Length: > 0 } brand && !group.IsKnownBrand(brand))
        {
            errors.Add($"{field}.brand", $"'{brand}' is not a brand of {group.Name}.");
            return null;
        }
        var (identifier, error) = IdentifierNormalization.Normalize(input, group.DefaultCountryCallingCode);
        if (error is not null) errors.Add($"{field}.{(input.Kind is null ? "kind" : error.Contains("'brand'") ? "brand" : "value")}", error);
        return identifier;
    }
}
