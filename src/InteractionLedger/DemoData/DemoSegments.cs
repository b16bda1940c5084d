using InteractionLedger.Interactions;

namespace InteractionLedger.DemoData;

/// <summary>
/// The 2010 segmentation of 1,118 consumers (shared/DOMAIN.md): share of the population, relational intensity,
/// and the channel each segment prefers. The generator draws customers from it.
/// </summary>
public sealed record DemoSegment(string Name, double Share, bool HighIntensity, Channel[] Preferred);

public static class DemoFigures
{
    public static readonly DemoSegment[] Segments =
    [
        new("traditional", 0.20, false, [Channel.FaceToFace]),
        new("involved traditional", 0.16, true, [Channel.FaceToFace, Channel.Phone]),
        new("distant traditional", 0.08, false, [Channel.Phone]),
        new("autonomous technophile", 0.20, false, [Channel.Email, Channel.Chat, Channel.SelfService]),
        new("efficient technophile", 0.16, true, [Channel.Phone, Channel.Chat]),
        new("fun technophile", 0.08, true, [Channel.FaceToFace, Channel.SocialNetwork, Channel.Video]),
        new("young beginner", 0.07, false, [Channel.Phone, Channel.Chatbot]),
        new("unclassified", 0.05, false, []),
    ];

    /// <summary>
    /// Relative weight of each channel per contact: phone and e-mail most used (61% and 56% of consumers in 2017),
    /// then chat (23%), social networks (10%) and chatbots (8%); self-service absorbs simple requests.
    /// </summary>
    public static readonly IReadOnlyDictionary<Channel, double> ChannelWeights = new Dictionary<Channel, double>
    {
        [Channel.Phone] = 30, [Channel.Email] = 26, [Channel.Chat] = 11, [Channel.SocialNetwork] = 5,
        [Channel.Chatbot] = 5, [Channel.SelfService] = 8, [Channel.FaceToFace] = 5, [Channel.Sms] = 4,
        [Channel.ClickToCall] = 3, [Channel.Video] = 1, [Channel.PostalMail] = 2,
    };

    /// <summary>Share of satisfied customers by channel (2017); channels without a figure get the phone's.</summary>
    public static double SatisfiedShare(Channel channel) => channel switch
    {
        Channel.FaceToFace => 0.94,
        Channel.ClickToCall => 0.84,
        Channel.Chat => 0.83,
        Channel.Phone => 0.79,
        Channel.Email => 0.78,
        Channel.Chatbot or Channel.SelfService => 0.62, // "the feeling of talking to machines"
        _ => 0.75,
    };

    /// <summary>The most shared contacts: complaints, orders, technical help, order status.</summary>
    public static readonly IReadOnlyDictionary<ContactReason, double> ReasonWeights = new Dictionary<ContactReason, double>
    {
        [ContactReason.Complaint] = 14, [ContactReason.Order] = 16, [ContactReason.OrderStatus] = 14,
        [ContactReason.TechnicalHelp] = 16, [ContactReason.Billing] = 16, [ContactReason.InformationRequest] = 14,
        [ContactReason.Cancellation] = 5, [ContactReason.Other] = 5,
    };

    public static readonly IReadOnlyDictionary<ContactReason, string[]> Summaries = new Dictionary<ContactReason, string[]>
    {
        [ContactReason.Complaint] = ["Unhappy with a late intervention.", "Complains about repeated calls without answer.", "Disputes a fee charged without notice."],
        [ContactReason.Order] = ["Ordered a new subscription option.", "Placed an order for a replacement device.", "Upgraded to the premium offer."],
        [ContactReason.OrderStatus] = ["Asked where the delivery is.", "Checked the installation date.", "Wanted tracking of a parcel."],
        [ContactReason.TechnicalHelp] = ["Connection drops every evening.", "Cannot log in to the customer area.", "App crashes on payment."],
        [ContactReason.Billing] = ["Invoice higher than usual.", "Direct debit taken twice.", "Asked for a payment schedule."],
        [ContactReason.InformationRequest] = ["Asked about the new tariffs.", "Wanted opening hours of the shop.", "Asked how to transfer the contract."],
        [ContactReason.Cancellation] = ["Wants to cancel the contract at term.", "Asked for the cancellation conditions.", "Moving abroad, ends the subscription."],
        [ContactReason.Other] = ["Updated postal address.", "Thanked the adviser for the last call.", "Asked for a duplicate of a document."],
    };

    public static readonly string[] FirstNames =
        ["Jeanne", "Louis", "Camille", "Hugo", "Léa", "Lucas", "Chloé", "Gabriel", "Manon", "Jules", "Inès", "Arthur", "Sarah", "Nathan", "Alice", "Paul", "Emma", "Raphaël", "Zoé", "Malik"];

    public static readonly string[] LastNames =
        ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "Haddad", "Nguyen", "Fontaine", "Rousseau", "Blanc"];
}
