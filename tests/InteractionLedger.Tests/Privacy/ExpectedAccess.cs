using InteractionLedger.Access;
using InteractionLedger.Consent;
using InteractionLedger.Privacy;

namespace InteractionLedger.Tests.Privacy;

/// <summary>
/// What each role gets, per purpose and per state of the customer's word on that purpose, reading the full overview of
/// a customer of its own brand. Written out by hand from the policy the privacy officer signed, not derived from
/// the code under test: "refused" is a 403, "reduced" a 200 that lists what it withheld.
/// </summary>
public static class ExpectedAccess
{
    public static readonly ConsentStatus[] States = [ConsentStatus.NotGiven, ConsentStatus.Given, ConsentStatus.Withdrawn, ConsentStatus.Expired, ConsentStatus.Objected];

    private const string A = "allowed", R = "reduced", X = "refused";

    //                                                                      not-given  given  withdrawn  expired  objected
    private static readonly Dictionary<(Role, Purpose), string[]> Table = new()
    {
        [(Role.Agent, Purpose.Service)] =                                   [A, A, A, A, A],
        [(Role.Agent, Purpose.Personalisation)] =                           [X, A, X, X, X],
        [(Role.Agent, Purpose.Marketing)] =                                 [X, R, X, X, X],
        [(Role.Agent, Purpose.Analytics)] =                                 [X, X, X, X, X],
        [(Role.Agent, Purpose.BotProfiling)] =                              [X, X, X, X, X],
        [(Role.Agent, Purpose.DataSubjectRights)] =                         [X, X, X, X, X],
        // A bot never gets what agents wrote under service, nor decides from the profile without art. 22 consent.
        [(Role.Chatbot, Purpose.Service)] =                                 [R, R, R, R, R],
        [(Role.Chatbot, Purpose.Personalisation)] =                         [X, R, X, X, X],
        [(Role.Chatbot, Purpose.Marketing)] =                               [X, X, X, X, X],
        [(Role.Chatbot, Purpose.Analytics)] =                               [X, X, X, X, X],
        [(Role.Chatbot, Purpose.BotProfiling)] =                            [X, R, X, X, X],
        [(Role.Chatbot, Purpose.DataSubjectRights)] =                       [X, X, X, X, X],
        [(Role.PrivacyOfficer, Purpose.Service)] =                          [X, X, X, X, X],
        [(Role.PrivacyOfficer, Purpose.Personalisation)] =                  [X, X, X, X, X],
        [(Role.PrivacyOfficer, Purpose.Marketing)] =                        [X, X, X, X, X],
        [(Role.PrivacyOfficer, Purpose.Analytics)] =                        [X, X, X, X, X],
        [(Role.PrivacyOfficer, Purpose.BotProfiling)] =                     [X, X, X, X, X],
        [(Role.PrivacyOfficer, Purpose.DataSubjectRights)] =                [A, A, A, A, A],
        [(Role.Integration, Purpose.Service)] =                             [X, X, X, X, X],
        [(Role.Integration, Purpose.Personalisation)] =                     [X, X, X, X, X],
        [(Role.Integration, Purpose.Marketing)] =                           [X, R, X, X, X],
        // Legitimate interest: no consent needed, an objection ends it.
        [(Role.Integration, Purpose.Analytics)] =                           [R, R, R, R, X],
        [(Role.Integration, Purpose.BotProfiling)] =                        [X, X, X, X, X],
        [(Role.Integration, Purpose.DataSubjectRights)] =                   [X, X, X, X, X],
        [(Role.Administrator, Purpose.Service)] =                           [X, X, X, X, X],
        [(Role.Administrator, Purpose.Personalisation)] =                   [X, X, X, X, X],
        [(Role.Administrator, Purpose.Marketing)] =                         [X, X, X, X, X],
        [(Role.Administrator, Purpose.Analytics)] =                         [R, R, R, R, X],
        [(Role.Administrator, Purpose.BotProfiling)] =                      [X, X, X, X, X],
        [(Role.Administrator, Purpose.DataSubjectRights)] =                 [X, X, X, X, X],
        // Monitoring reads operational metrics, never a customer (over HTTP it is refused before the policy: TelemetryTests).
        [(Role.Monitoring, Purpose.Service)] =                              [X, X, X, X, X],
        [(Role.Monitoring, Purpose.Personalisation)] =                      [X, X, X, X, X],
        [(Role.Monitoring, Purpose.Marketing)] =                            [X, X, X, X, X],
        [(Role.Monitoring, Purpose.Analytics)] =                            [X, X, X, X, X],
        [(Role.Monitoring, Purpose.BotProfiling)] =                         [X, X, X, X, X],
        [(Role.Monitoring, Purpose.DataSubjectRights)] =                    [X, X, X, X, X],
        // The analyst reads figures (analytics) and the lists of campaigns it plans (marketing): never a customer's
        // history for service, nor what agents wrote.
        [(Role.Analyst, Purpose.Service)] =                                 [X, X, X, X, X],
        [(Role.Analyst, Purpose.Personalisation)] =                         [X, X, X, X, X],
        [(Role.Analyst, Purpose.Marketing)] =                               [X, R, X, X, X],
        [(Role.Analyst, Purpose.Analytics)] =                               [R, R, R, R, X],
        [(Role.Analyst, Purpose.BotProfiling)] =                            [X, X, X, X, X],
        [(Role.Analyst, Purpose.DataSubjectRights)] =                       [X, X, X, X, X],
    };

    public static readonly Purpose[] ReadPurposes = Table.Keys.Select(k => k.Item2).Distinct().ToArray();

    public static string For(Role role, Purpose purpose, ConsentStatus state) => Table[(role, purpose)][Array.IndexOf(States, state)];

    /// <summary>Every combination, for a theory.</summary>
    public static TheoryData<Role, Purpose, ConsentStatus> All()
    {
        var data = new TheoryData<Role, Purpose, ConsentStatus>();
        foreach (var ((role, purpose), _) in Table)
        foreach (var state in States)
            data.Add(role, purpose, state);
        return data;
    }
}
