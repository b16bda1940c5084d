using System.Collections.Concurrent;
using System.Diagnostics;

namespace InteractionLedger.Benchmark;

/// <summary>
/// Writes and reads arriving at fixed rates, whatever the service's pace (open loop). A request's latency runs from
/// when it was due, not from when a free client got round to sending it, so queueing behind a slow service counts.
/// </summary>
public static class DesignPeak
{
    /// <summary>
    /// Requests in flight at most: a contact center's systems would not queue more either. An arrival finding them all
    /// busy is counted as not served instead of piling up until every request times out.
    /// </summary>
    private const int MaxInFlight = 64;

    public static async Task<Dictionary<string, double>> RunAsync(int seconds, int writesPerSecond, int readsPerSecond,
        Func<int, Task> write, Func<int, Task> read, Func<long> residentBytes, Func<Task<HeapAfterFullCollection?>> heap)
    {
        var writes = new ConcurrentBag<double>();
        var reads = new ConcurrentBag<double>();
        var timeline = new ConcurrentBag<(double DueSeconds, double Milliseconds)>();
        var failures = 0;
        var shed = 0;
        using var slots = new SemaphoreSlim(MaxInFlight);
        var memory = new List<double>();
        var started = Stopwatch.StartNew();
        using var sampling = new PeriodicTimer(TimeSpan.FromSeconds(10));
        HeapAfterFullCollection? heapAfterWarmUp = null;
        var sampler = Task.Run(async () =>
        {
            do
            {
                memory.Add(residentBytes() / 1024.0 / 1024.0);
                if (heapAfterWarmUp is null && started.Elapsed.TotalSeconds >= seconds / 3.0) heapAfterWarmUp = await heap();
            }
            while (await sampling.WaitForNextTickAsync() && started.Elapsed.TotalSeconds < seconds);
        });

        async Task Fire(Func<int, Task> operation, int i, TimeSpan due, ConcurrentBag<double> latencies)
        {
            try
            {
                await operation(i);
                var latency = (started.Elapsed - due).TotalMilliseconds;
                latencies.Add(latency);
                timeline.Add((due.TotalSeconds, latency));
            }
            catch (Exception)
            {
                Interlocked.Increment(ref failures);
            }
            finally
            {
                slots.Release();
            }
        }

        async Task Drive(Func<int, Task> operation, int perSecond, ConcurrentBag<double> latencies)
        {
            var inFlight = new List<Task>();
            for (var i = 0; i < seconds * perSecond; i++)
            {
                var due = TimeSpan.FromSeconds((double)i / perSecond);
                if (due > started.Elapsed) await Task.Delay(due - started.Elapsed);
                if (!slots.Wait(0))
                {
                    Interlocked.Increment(ref shed);
                    continue;
                }
                inFlight.Add(Fire(operation, 1_000_000 + i, due, latencies));
            }
            await Task.WhenAll(inFlight);
        }

        Console.WriteLine($"Design peak: {writesPerSecond} writes/s and {readsPerSecond} reads/s for {seconds} s");
        await Task.WhenAll(Drive(write, writesPerSecond, writes), Drive(read, readsPerSecond, reads));
        await sampler;
        var heapAtEnd = await heap();

        static double Megabytes(long? bytes) => bytes is { } b ? b / 1024.0 / 1024.0 : double.NaN;

        static double P(IEnumerable<double> values, double p)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
        }
        // Where the slow requests are: spread evenly (a service near its capacity) or gathered in a few windows (stalls).
        var windows = timeline.GroupBy(t => (int)(t.DueSeconds / 30)).OrderBy(g => g.Key)
            .Select(g => (Start: g.Key * 30, P99: P(g.Select(x => x.Milliseconds), 0.99))).ToList();
        Console.WriteLine("p99 per 30 s window: " + string.Join(", ", windows.Select(w => $"{w.Start}s {w.P99:F0}ms")));
        var steady = memory.Skip(memory.Count / 3).ToList(); // after warm-up
        var figures = new Dictionary<string, double>
        {
            ["design peak: seconds"] = seconds,
            ["design peak: writes served/s"] = writes.Count / started.Elapsed.TotalSeconds,
            ["design peak: reads served/s"] = reads.Count / started.Elapsed.TotalSeconds,
            ["design peak: failed requests"] = failures,
            ["design peak: arrivals not served (64 requests already in flight)"] = shed,
            ["design peak: write p50 ms"] = P(writes, 0.50),
            ["design peak: write p99 ms (target < 25)"] = P(writes, 0.99),
            ["design peak: read p50 ms"] = P(reads, 0.50),
            ["design peak: read p99 ms (target < 25)"] = P(reads, 0.99),
            ["design peak: 30-second windows with p99 under 25 ms"] = windows.Count(w => w.P99 < 25),
            ["design peak: 30-second windows"] = windows.Count,
            ["design peak: resident memory at start, MB"] = memory.First(),
            ["design peak: resident memory at end, MB"] = memory.Last(),
            ["design peak: resident memory growth over the last two thirds, MB"] = steady.Count > 1 ? steady.Last() - steady.First() : 0,
            ["design peak: managed heap after a full collection at one third, MB"] = Megabytes(heapAfterWarmUp?.TotalBytes),
            ["design peak: managed heap after a full collection at the end, MB"] = Megabytes(heapAtEnd?.TotalBytes),
            ["design peak: managed heap growth over the last two thirds, MB (must be flat)"] =
                Megabytes(heapAtEnd?.TotalBytes) - Megabytes(heapAfterWarmUp?.TotalBytes),
        };
        // A rate of zero (writes only, or reads only) has no latencies to report.
        foreach (var name in figures.Where(f => double.IsNaN(f.Value)).Select(f => f.Key).ToList()) figures.Remove(name);
        foreach (var (name, value) in figures) Console.WriteLine($"{name}: {value:F1}");
        return figures;
    }
}
