using System.Diagnostics;

namespace InteractionLedger.Tests.Support;

public static class Polling
{
    /// <summary>
    /// Reads until the condition holds: the state here is another process's (a cluster's assignments, a daemon's
    /// progress), which no in-process hook can announce. Fails with what it waited for after the timeout.
    /// </summary>
    public static async Task<T> WaitForAsync<T>(this Func<Task<T>> read, Func<T, bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (condition(value)) return value;
            deadline.Elapsed.ShouldBeLessThan(timeout ?? TimeSpan.FromSeconds(60), $"waited for: {what}");
            await Task.Delay(100);
        }
    }
}
