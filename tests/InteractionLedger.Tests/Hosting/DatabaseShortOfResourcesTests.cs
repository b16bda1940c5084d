using InteractionLedger.Hosting;
using Npgsql;

namespace InteractionLedger.Tests.Hosting;

/// <summary>
/// Which database errors are answered as unavailable (503 with Retry-After: retry the same request later) and which
/// stay errors: only conditions that pass by themselves are worth a retry. The 503 itself is the outage drill's
/// (DatabaseOutageTests).
/// </summary>
public sealed class when_the_database_cannot_take_the_work_now
{
    [Theory]
    [InlineData("53300", true)] // too many connections
    [InlineData("53100", true)] // disk full
    [InlineData("53000", true)] // insufficient resources
    [InlineData("57P01", true)] // shutting down
    [InlineData("08006", true)] // connection failure
    [InlineData("40P01", true)] // rolled back to break a deadlock (a live view rebuild's switch, say)
    [InlineData("40001", true)] // rolled back on a serialization conflict
    [InlineData("53400", false)] // a configured limit exceeded: the same on every retry
    [InlineData("53200", false)] // out of (shared) memory: a setting to raise, as often as not
    [InlineData("23505", false)] // a unique key: a conflict, answered as such
    [InlineData("22P02", false)] // invalid input
    public void only_conditions_that_pass_are_answered_as_unavailable(string sqlState, bool unavailable)
    {
        var refused = new PostgresException("refused", "FATAL", "FATAL", sqlState);
        DatabaseUnavailableExceptionHandler.IsUnavailable(refused).ShouldBe(unavailable);
        DatabaseUnavailableExceptionHandler.IsUnavailable(new InvalidOperationException("wrapped", refused)).ShouldBe(unavailable);
    }
}
