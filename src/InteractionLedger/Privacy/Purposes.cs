using InteractionLedger.Access;

namespace InteractionLedger.Privacy;

/// <summary>Why personal data is used. Every read states one; consents and objections name one.</summary>
public enum Purpose
{
    /// <summary>Handling the customer's own request.</summary>
    Service,
    /// <summary>Tailoring the service to what the customer said and did.</summary>
    Personalisation,
    Marketing,
    /// <summary>Statistics about contacts; no one is looked at as a person.</summary>
    Analytics,
    /// <summary>Letting one brand of the group use what the customer did with another.</summary>
    CrossBrandSharing,
    /// <summary>A bot deciding on its own from the customer's profile (GDPR art. 22).</summary>
    BotProfiling,
    /// <summary>Answering the customer's GDPR requests: access, portability, erasure.</summary>
    DataSubjectRights,
}

/// <summary>
/// The legal basis (GDPR art. 6) a purpose of processing rests on: <c>contract</c>, <c>consent</c>,
/// <c>legitimate-interest</c> or <c>legal-obligation</c>.
/// </summary>
public enum LegalBasis { Contract, Consent, LegitimateInterest, LegalObligation }

/// <summary>The parts of a customer's data a read can return or withhold.</summary>
public enum DataPart
{
    /// <summary>Name and identifiers (e-mail, phone, customer numbers).</summary>
    Identity,
    /// <summary>When, where and why the customer was in contact, and cases.</summary>
    ContactHistory,
    /// <summary>What was said: summaries, rating comments, case titles and resolutions.</summary>
    FreeText,
    /// <summary>Satisfaction the customer expressed.</summary>
    Ratings,
    /// <summary>Figures and suggestions derived from the whole profile (intensity, dormancy, next step).</summary>
    Profiling,
    /// <summary>History with brands the caller does not act for.</summary>
    OtherBrands,
    /// <summary>Who accessed the customer's data.</summary>
    AccessRecords,
}

/// <summary>One row of the purpose policy.</summary>
/// <param name="ConsentRequired">Refused unless the customer gave consent for it, for the caller's brand or the whole group.</param>
/// <param name="Objectable">The customer may object to it (GDPR art. 21); it is then refused.</param>
/// <param name="StatableForReads">False for a purpose that only widens other reads when consented (cross-brand sharing).</param>
/// <param name="Readers">The roles that may read for this purpose, and the parts each one gets.</param>
/// <param name="DataCategories">What it uses, in the words of the record of processing.</param>
public sealed record PurposeRule(Purpose Purpose, LegalBasis LegalBasis, bool ConsentRequired, bool Objectable, bool StatableForReads,
    IReadOnlyDictionary<Role, DataPart[]> Readers, string DataCategories, string Description);

/// <summary>
/// The purposes of processing, their legal basis and who may use which data for them: the table a data-protection
/// officer reads and signs. <see cref="AccessPolicy"/> applies it; nothing else grants access to personal data.
/// </summary>
public static class PurposePolicy
{
    private static readonly DataPart[] Everything = [DataPart.Identity, DataPart.ContactHistory, DataPart.FreeText, DataPart.Ratings, DataPart.Profiling];

    public static readonly IReadOnlyList<PurposeRule> Rules =
    [
        new(Purpose.Service, LegalBasis.Contract, ConsentRequired: false, Objectable: false, StatableForReads: true,
            new Dictionary<Role, DataPart[]>
            {
                [Role.Agent] = Everything,
                // A bot answering a request needs where things stand, not what agents wrote about the customer.
                [Role.Chatbot] = [DataPart.Identity, DataPart.ContactHistory, DataPart.Profiling],
            },
            "identity, identifiers, contact history, cases, ratings", "Handling the customer's own requests, on any channel."),
        new(Purpose.Personalisation, LegalBasis.Consent, ConsentRequired: true, Objectable: true, StatableForReads: true,
            new Dictionary<Role, DataPart[]> { [Role.Agent] = Everything, [Role.Chatbot] = Everything },
            "contact history, preferences, ratings, summaries", "Tailoring service to the customer's habits and history."),
        new(Purpose.Marketing, LegalBasis.Consent, ConsentRequired: true, Objectable: true, StatableForReads: true,
            new Dictionary<Role, DataPart[]>
            {
                // Complaints and what agents wrote are not marketing material.
                [Role.Agent] = [DataPart.Identity, DataPart.ContactHistory, DataPart.Profiling],
                [Role.Integration] = [DataPart.Identity, DataPart.ContactHistory, DataPart.Profiling],
                // The campaign planner's re-contact list: who, since when quiet, and the channel to use.
                [Role.Analyst] = [DataPart.Identity, DataPart.ContactHistory, DataPart.Profiling],
            },
            "identity, contact channels and frequency", "Offers sent or made to the customer."),
        new(Purpose.Analytics, LegalBasis.LegitimateInterest, ConsentRequired: false, Objectable: true, StatableForReads: true,
            new Dictionary<Role, DataPart[]>
            {
                [Role.Integration] = [DataPart.ContactHistory, DataPart.Ratings],
                [Role.Administrator] = [DataPart.ContactHistory, DataPart.Ratings],
                // Customer-experience leads and service managers: figures across the base, never a person.
                [Role.Analyst] = [DataPart.ContactHistory, DataPart.Ratings],
            },
            "contact history and ratings, without identity or free text", "Statistics on channels, effort and satisfaction."),
        new(Purpose.CrossBrandSharing, LegalBasis.Consent, ConsentRequired: true, Objectable: false, StatableForReads: false,
            new Dictionary<Role, DataPart[]>(),
            "contact history with the group's other brands", "Being recognised by every brand of the group (widens service and personalisation reads)."),
        new(Purpose.BotProfiling, LegalBasis.Consent, ConsentRequired: true, Objectable: true, StatableForReads: true,
            new Dictionary<Role, DataPart[]> { [Role.Chatbot] = [DataPart.ContactHistory, DataPart.Ratings, DataPart.Profiling] },
            "contact history and ratings", "A bot choosing its next step on its own from the customer's profile."),
        new(Purpose.DataSubjectRights, LegalBasis.LegalObligation, ConsentRequired: false, Objectable: false, StatableForReads: true,
            new Dictionary<Role, DataPart[]> { [Role.PrivacyOfficer] = [.. Everything, DataPart.OtherBrands, DataPart.AccessRecords] },
            "everything the ledger holds about the customer", "Access, portability and erasure requests (GDPR art. 15, 17, 20)."),
    ];

    public static PurposeRule RuleFor(Purpose purpose) => Rules.First(r => r.Purpose == purpose);
}
