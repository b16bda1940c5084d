namespace InteractionLedger.Http;

/// <summary>What a pure decision concluded for one command against the current state.</summary>
public abstract record Decision
{
    /// <summary>Append these events (in order) to the customer's stream.</summary>
    public sealed record Append(IReadOnlyList<object> Events) : Decision;

    /// <summary>The command's effect is already in the stream (a retry): nothing is written.</summary>
    /// <param name="AtVersion">The version the original command produced, when known.</param>
    public sealed record AlreadyDone(long? AtVersion = null) : Decision;

    public sealed record Rejected(Rejection Rejection) : Decision;

    public static Decision Emit(params object[] events) => new Append(events);
    public static readonly Decision NothingToDo = new AlreadyDone();
    public static Decision NotFound(string field, string detail) => new Rejected(new(RejectionKind.NotFound, field, detail));
    public static Decision Conflict(string field, string detail) => new Rejected(new(RejectionKind.Conflict, field, detail));
    public static Decision Invalid(string field, string detail) => new Rejected(new(RejectionKind.Invalid, field, detail));
}

public enum RejectionKind
{
    /// <summary>The addressed customer, case or interaction does not exist.</summary>
    NotFound,
    /// <summary>The command contradicts the current state (e.g. rating twice with different scores).</summary>
    Conflict,
    /// <summary>The command is well-formed but refers to something it may not (e.g. an unknown case).</summary>
    Invalid,
    /// <summary>The client's expected version is no longer the stream's version.</summary>
    VersionMismatch,
}

/// <param name="Field">The request field (JSON name) the rejection is about.</param>
/// <param name="Candidates">Customers the caller may choose from (an identifier shared by several customers).</param>
public sealed record Rejection(RejectionKind Kind, string Field, string Detail, IReadOnlyList<Guid>? Candidates = null);

/// <summary>The result of a command on a customer's stream, as the API reports it.</summary>
/// <param name="Version">The stream version after the command (unchanged when nothing was written).</param>
/// <param name="Written">False when the command was a retry of one already applied.</param>
/// <param name="OriginalVersion">For a retry, the version the original command produced, when known.</param>
public sealed record WriteOutcome(Guid CustomerId, long Version, bool Written, Rejection? Rejection = null, long? OriginalVersion = null)
{
    public static WriteOutcome Reject(Guid customerId, long version, Rejection rejection) =>
        new(customerId, version, false, rejection);
}
