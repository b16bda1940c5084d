namespace InteractionLedger.Interactions;

// Serialized as kebab-case strings ("social-network", "click-to-call"): the wire format and the stored
// events use the same names, so renaming a member is a breaking change to both. Add members; never rename.

/// <summary>The channel a contact happened on.</summary>
public enum Channel
{
    Phone, Email, Chat, Chatbot, SocialNetwork, Sms, ClickToCall, Video,
    /// <summary>IVR, FAQ, kiosk: the customer served themselves.</summary>
    SelfService,
    FaceToFace, PostalMail,
}

/// <summary>Who started the contact.</summary>
public enum Direction { Inbound, Outbound }

/// <summary>Why the customer (or the brand) made contact.</summary>
public enum ContactReason { Complaint, Order, OrderStatus, TechnicalHelp, Billing, InformationRequest, Cancellation, Other }

/// <summary>How the contact ended.</summary>
public enum Outcome { Resolved, Unresolved, Transferred, Abandoned }

/// <summary>What kind of party handled the contact on the brand's side.</summary>
public enum HandlerKind { Agent, Bot, SelfService }
