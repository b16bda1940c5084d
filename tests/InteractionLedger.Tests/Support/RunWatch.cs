using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Text;
using Xunit.v3;

[assembly: InteractionLedger.Tests.Support.Watched]

namespace InteractionLedger.Tests.Support;

/// <summary>
/// Keeps a stuck run from going silent. It knows what is running (every test, every host starting or stopping, every
/// service process) and since when. When one step has run far longer than any step of the suite does, or the whole
/// run far longer than the suite takes, it ends the run. It first writes on standard error what was running, the
/// slowest steps that finished, and the thread pool's state. dotnet test shows a stopped test host's output, so CI
/// says what hung instead of running out of time with nothing said.
/// </summary>
public static class RunWatch
{
    /// <summary>No single step of the suite takes a minute here; eight is a hang, not a slow machine.</summary>
    public static readonly TimeSpan StepLimit = TimeSpan.FromMinutes(8);

    /// <summary>The suite takes about 3 minutes on 2 cores; CI allows 90 for everything, installation and build included.</summary>
    public static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(45);

    private static readonly ConcurrentDictionary<long, Step> Running = new();
    private static readonly ConcurrentQueue<(string Name, TimeSpan Took)> Finished = new();
    private static readonly Stopwatch Run = Stopwatch.StartNew();
    private static long _next;
    private static int _started;

    private static readonly ConcurrentDictionary<long, Action> Cleanups = new();

    private sealed record Step(string Name, Stopwatch Watch, Func<string>? Details);

    /// <summary>Starts watching (once per run), on a thread of its own: a starved thread pool must not silence it.</summary>
    public static void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 1) return;
        new Thread(Watch) { IsBackground = true, Name = "run-watch" }.Start();
    }

    /// <summary>A step from now until the result is disposed; <paramref name="details"/> is asked only for the report.</summary>
    public static IDisposable Begin(string name, Func<string>? details = null)
    {
        var id = Interlocked.Increment(ref _next);
        Running[id] = new Step(name, Stopwatch.StartNew(), details);
        return new Ending(id);
    }

    /// <summary>
    /// What must not outlive a stopped run (a PostgreSQL cluster, a service process), done before it stops, until the
    /// result is disposed: a run that stops leaves nothing running behind it.
    /// </summary>
    public static IDisposable CleanUpIfStopped(Action cleanup)
    {
        var id = Interlocked.Increment(ref _next);
        Cleanups[id] = cleanup;
        return new Ending(id);
    }

    /// <summary>
    /// Does what is still registered, latest first: at the end of a run, what a failed test left running (a service
    /// process it never stopped would outlive the test host).
    /// </summary>
    public static void CleanUpLeftovers()
    {
        foreach (var id in Cleanups.Keys.OrderByDescending(id => id))
        {
            if (!Cleanups.TryRemove(id, out var cleanup)) continue;
            try { cleanup(); }
            catch (Exception e) { Console.Error.WriteLine($"[run-watch] A clean-up failed: {e.GetType().Name}: {e.Message}"); }
        }
    }

    private sealed class Ending(long id) : IDisposable
    {
        public void Dispose()
        {
            Cleanups.TryRemove(id, out _);
            if (Running.TryRemove(id, out var step)) Finished.Enqueue((step.Name, step.Watch.Elapsed));
        }
    }

    private static void Watch()
    {
        while (true)
        {
            Thread.Sleep(TimeSpan.FromSeconds(15));
            var stuck = Running.Values.Where(s => s.Watch.Elapsed > StepLimit).ToList();
            if (stuck.Count == 0 && Run.Elapsed < RunLimit) continue;
            var reason = stuck.Count > 0
                ? $"{stuck.Count} step(s) running for more than {StepLimit.TotalMinutes:0.#} minutes"
                : $"the run has taken more than {RunLimit.TotalMinutes:0.#} minutes";
            Console.Error.WriteLine(Report(reason));
            Console.Error.Flush();
            CleanUpLeftovers();
            Environment.FailFast($"[run-watch] The test run was stopped: {reason} (the report above says what was running).");
        }
    }

    private static string Report(string reason)
    {
        var report = new StringBuilder($"\n[run-watch] Stopping the test run: {reason}, after {Run.Elapsed.TotalMinutes:F1} minutes.\n");
        report.Append("[run-watch] Still running:\n");
        foreach (var step in Running.Values.OrderByDescending(s => s.Watch.Elapsed))
        {
            report.Append($"  {step.Watch.Elapsed.TotalSeconds,8:F1} s  {step.Name}\n");
            if (step.Details is null) continue;
            string details;
            try { details = step.Details(); }
            catch (Exception e) { details = $"(details unavailable: {e.GetType().Name})"; }
            foreach (var line in details.Split('\n').TakeLast(30)) report.Append($"             | {line}\n");
        }
        var finished = Finished.ToList();
        report.Append($"[run-watch] {finished.Count} steps finished; the slowest:\n");
        foreach (var (name, took) in finished.OrderByDescending(f => f.Took).Take(15))
            report.Append($"  {took.TotalSeconds,8:F1} s  {name}\n");
        ThreadPool.GetAvailableThreads(out var workers, out _);
        ThreadPool.GetMaxThreads(out var maxWorkers, out _);
        report.Append($"[run-watch] Thread pool: {ThreadPool.ThreadCount} threads ({maxWorkers - workers} busy), " +
                      $"{ThreadPool.PendingWorkItemCount} items queued, {ThreadPool.CompletedWorkItemCount} completed.\n");
        return report.ToString();
    }
}

/// <summary>Every test of the assembly is a step of <see cref="RunWatch"/>.</summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class WatchedAttribute : BeforeAfterTestAttribute
{
    private static readonly ConcurrentDictionary<string, IDisposable> Running = new();

    public override void Before(MethodInfo methodUnderTest, IXunitTest test)
    {
        RunWatch.Start();
        Running[test.UniqueID] = RunWatch.Begin($"test {test.TestDisplayName}");
    }

    public override void After(MethodInfo methodUnderTest, IXunitTest test)
    {
        if (Running.TryRemove(test.UniqueID, out var step)) step.Dispose();
    }
}
