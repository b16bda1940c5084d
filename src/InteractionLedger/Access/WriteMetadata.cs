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

    public static void Stamp(IDocumentSession session, Caller caller, string requestId)
    {
        session.LastModifiedBy = caller.Id;
        if (caller.Person is { } person)
        {
            session.SetHeader(PersonHeader, person.Subject);
            if (person.Name is not null) session.SetHeader(PersonNameHeader, person.Name);
        }
        session.SetHeader(ApplicationHeader, caller.ApplicationId);
        session.SetHeader(RequestHeader, requestId);
    }

    /// <summary>For writes no caller asked for (the retention job): the job is the application, no person acted.</summary>
    public static void StampSystem(IDocumentSession session, string job)
    {
        session.LastModifiedBy = job;
        session.SetHeader(ApplicationHeader, job);
    }
}

/// <summary>
/// The sessions Wolverine's handlers write with: identity-map sessions (see Program) stamped with the caller of the
/// HTTP request they serve. Handlers run inline in the request (InvokeAsync), so the request is the ambient one.
/// </summary>
public sealed class LedgerSessionFactory(IDocumentStore store, IHttpContextAccessor http) : ISessionFactory
{
    public IQuerySession QuerySession() => store.QuerySession();

    public IDocumentSession OpenSession()
    {
        var session = store.IdentitySession();
        if (http.HttpContext is { User.Identity.IsAuthenticated: true } context)
            WriteMetadata.Stamp(session, Caller.From(context.User), System.Diagnostics.Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier);
        return session;
    }
}
