using InteractionLedger.Hosting;
using Npgsql;

namespace InteractionLedger.Tests.Drills;

/// <summary>
/// What the database answers when it cannot take the work now is a 503 with Retry-After, as an outage is: nothing was
/// recorded, and the same request later succeeds. Constraint and input errors stay what they are.
/// </summary>
public sealed class when_the_database_cannot_take_the_work_now
{
    [Theory]
    [InlineData("53300", true)] // too many connections
    [InlineData("53200", true)] // out of memory
    [InlineData("53100", true)] // disk full
    [InlineData("57P01", true)] // shutting down
    [InlineData("08006", true)] // connection failure
    [InlineData("23505", false)] // a unique key: a conflict, answered as such
    [InlineData("22P02", false)] // invalid input
    public void it_is_answered_as_unavailable_only_for_conditions_that_pass(string sqlState, bool unavailable)
    {
        var refused = new PostgresException("refused", "FATAL", "FATAL", sqlState);
        DatabaseUnavailableExceptionHandler.IsUnavailable(refused).ShouldBe(unavailable);
        DatabaseUnavailableExceptionHandler.IsUnavailable(new InvalidOperationException("wrapped", refused)).ShouldBe(unavailable);
    }
}
