namespace InteractionLedger.Access;

/// <summary>
/// A command on a customer that the caller may carry out only on what its brands hold: another brand's contact, case
/// or identifier is, to it, one that does not exist (the same 404), unless the customer shares across brands.
/// </summary>
public interface IBrandScopedCommand
{
    /// <summary>Null when every brand's data may be touched.</summary>
    IReadOnlySet<string>? VisibleBrands { get; }
}

public static class BrandScopedCommands
{
    /// <summary>Data of no brand (recorded for the whole group) is everyone's who reaches the customer.</summary>
    public static bool Sees(this IBrandScopedCommand command, string? brand) =>
        brand is null || command.VisibleBrands is null || command.VisibleBrands.Contains(brand);
}
