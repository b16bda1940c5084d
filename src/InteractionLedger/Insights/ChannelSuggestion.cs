using InteractionLedger.Customers;
using InteractionLedger.Identity;
using InteractionLedger.Interactions;
using InteractionLedger.Privacy;

namespace InteractionLedger.Insights;

/// <summary>Why a channel is suggested: <c>stated</c> (the customer's own preference), <c>behaviour</c> (the channel they
/// use most with the brand), <c>contact-details</c> (the only way the brand may reach them), or <c>none</c>.</summary>
public enum SuggestionBasis { Stated, Behaviour, ContactDetails, None }

/// <summary>The channel to reach a customer on, and why.</summary>
public sealed record SuggestedChannel(Channel? Channel, SuggestionBasis Basis);

/// <summary>
/// The channel to use to reach a customer first: the one they stated, else the one they use most with the brand,
/// restricted to the channels the brand can start a contact on with the contact details it may use (a chat, a kiosk
/// or a shop visit are the customer's to start). A customer the brand has no usable contact details for gets none.
/// </summary>
public static class ChannelSuggestion
{
    private static readonly IReadOnlyDictionary<IdentifierKind, Channel[]> ReachableBy = new Dictionary<IdentifierKind, Channel[]>
    {
        [IdentifierKind.Phone] = [Channel.Phone, Channel.Sms],
        [IdentifierKind.Email] = [Channel.Email],
        [IdentifierKind.SocialHandle] = [Channel.SocialNetwork],
    };

    /// <summary>Channels a contact started by a customer on one channel is best answered on, when the brand cannot start one there.</summary>
    private static readonly IReadOnlyDictionary<Channel, Channel[]> Nearest = new Dictionary<Channel, Channel[]>
    {
        [Channel.ClickToCall] = [Channel.Phone], [Channel.Video] = [Channel.Phone], [Channel.FaceToFace] = [Channel.Phone],
        [Channel.Chat] = [Channel.Email, Channel.Sms], [Channel.Chatbot] = [Channel.Email, Channel.Sms], [Channel.SelfService] = [Channel.Email],
        [Channel.PostalMail] = [Channel.Email],
    };

    public static SuggestedChannel For(IReadOnlyList<Customer> people, AccessDecision decision, IReadOnlyDictionary<Channel, int> usageWithBrand)
    {
        var reachable = people.SelectMany(p => p.Identifiers.Values)
            .Where(held => held.SeenBy(decision.ShowsBrand))
            .SelectMany(held => ReachableBy.GetValueOrDefault(held.Identifier.Kind, []))
            .ToHashSet();
        if (!decision.Shows(DataPart.Identity) || reachable.Count == 0) return new SuggestedChannel(null, SuggestionBasis.None);
        if (people.Select(p => p.StatedPreferredChannel).FirstOrDefault(c => c is not null) is { } stated && reachable.Contains(stated))
            return new SuggestedChannel(stated, SuggestionBasis.Stated);
        foreach (var (used, _) in usageWithBrand.OrderByDescending(u => u.Value).ThenBy(u => u.Key))
        {
            if (reachable.Contains(used)) return new SuggestedChannel(used, SuggestionBasis.Behaviour);
            if (Nearest.GetValueOrDefault(used, []).Where(reachable.Contains).Cast<Channel?>().FirstOrDefault() is { } near)
                return new SuggestedChannel(near, SuggestionBasis.Behaviour);
        }
        return new SuggestedChannel(reachable.Order().First(), SuggestionBasis.ContactDetails);
    }
}
