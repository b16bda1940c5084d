using Marten;

namespace InteractionLedger.Access;

/// <summary>
/// Who wrote each event: the person (subject and display name), the application they acted through, and the request,
/// in every event's metadata (headers, and the user name column with the person's subject or the system's key). A
/// privacy officer can then answer "who recorded this" as precisely as "who read this".
/// </summary>
public static class WriteMetadata
{
    public const string PersonHeader = "person";
    public const string PersonNameHeader = "personName";
    public const string ApplicationHeader = "application";
    public const string RequestHeader = "request";
}

/// <summary>
/// Stamps every event a session is about to append with the caller of the HTTP request it serves. Handlers run inline
/// in the request (InvokeAsync), so the request is the ambient one. Set on the events themselves just before they are
/// written: Wolverine opens its sessions without Marten's session factory hooks.
/// </summary>
public sealed class EventAuthorship(IHttpContextAccessor http) : Marten.DocumentSessionListenerBase
{
    public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
    {
        if (http.HttpContext is not { User.Identity.IsAuthenticated: true } context) return Task.CompletedTask;
        var caller = Caller.From(context.User);
        var request = System.Diagnostics.Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
        foreach (var stream in session.PendingChanges.Streams())
        foreach (var e in stream.Events)
        {
            e.UserName = caller.Id;
            if (caller.Person is { } person)
            {
                e.SetHeader(WriteMetadata.PersonHeader, person.Subject);
                if (person.Name is not null) e.SetHeader(WriteMetadata.PersonNameHeader, person.Name);
            }
            e.SetHeader(WriteMetadata.ApplicationHeader, caller.ApplicationId);
            e.SetHeader(WriteMetadata.RequestHeader, request);
        }
        return Task.CompletedTask;
    }
}
