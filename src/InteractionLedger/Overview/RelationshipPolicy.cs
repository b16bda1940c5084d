namespace InteractionLedger.Overview;

/// <summary>
/// How intense the relationship is, from the contacts of the last 365 days: <c>none</c>, <c>low</c>, <c>medium</c> or
/// <c>high</c> (thresholds under <c>Ledger:Relationship</c>: medium from 4 contacts, high from 12 by default).
/// </summary>
public enum RelationalIntensity { None, Low, Medium, High }

/// <summary>
/// How the relationship is read, configured under <c>Ledger:Relationship</c>. The 2010 segmentation separates
/// low- and high-intensity customers; the group should reconnect with the dormant ones.
/// </summary>
public sealed class RelationshipPolicy
{
    /// <summary>No contact for this long makes a customer dormant.</summary>
    public int DormantAfterDays { get; init; } = 180;
    /// <summary>Contacts in the last 365 days from which intensity is medium, and high.</summary>
    public int MediumIntensityFrom { get; init; } = 4;
    public int HighIntensityFrom { get; init; } = 12;
    /// <summary>A rating at or below this is a negative experience.</summary>
    public int NegativeAtMost { get; init; } = 2;

    public RelationalIntensity IntensityOf(int contactsLastYear) => contactsLastYear switch
    {
        0 => RelationalIntensity.None,
        _ when contactsLastYear >= HighIntensityFrom => RelationalIntensity.High,
        _ when contactsLastYear >= MediumIntensityFrom => RelationalIntensity.Medium,
        _ => RelationalIntensity.Low,
    };
}
