using System.Diagnostics;
using System.Globalization;

namespace InteractionLedger.Benchmark;

/// <summary>One run of one scenario: how many operations, how long, and each one's latency.</summary>
public sealed record Sample(string Scenario, int Clients, int Round, int Operations, double Seconds, double[] LatenciesMs)
{
    public double Throughput => Operations / Seconds;

    public double Percentile(double p)
    {
        var sorted = LatenciesMs.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1))];
    }

    public static async Task<Sample> MeasureAsync(string scenario, int clients, int round, int count, Func<int, Task> operation)
    {
        var latencies = new double[count];
        var next = -1;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var started = Stopwatch.GetTimestamp();
                await operation(i);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        })));
        var sample = new Sample(scenario, clients, round, count, watch.Elapsed.TotalSeconds, latencies);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  round {round} · {scenario,-34} {clients,2} clients: {sample.Throughput,8:F0}/s  p50 {sample.Percentile(0.5),6:F1}  p99 {sample.Percentile(0.99),6:F1} ms"));
        return sample;
    }
}

/// <summary>The rounds of one scenario at one concurrency, summarised by their median and range.</summary>
public sealed record ScenarioResult(string Scenario, int Clients, int Rounds, double MedianThroughput, double MinThroughput, double MaxThroughput,
    double MedianP50Ms, double MedianP95Ms, double MedianP99Ms)
{
    public static ScenarioResult From(IReadOnlyList<Sample> rounds) => new(rounds[0].Scenario, rounds[0].Clients, rounds.Count,
        Median(rounds.Select(r => r.Throughput)), rounds.Min(r => r.Throughput), rounds.Max(r => r.Throughput),
        Median(rounds.Select(r => r.Percentile(0.50))), Median(rounds.Select(r => r.Percentile(0.95))), Median(rounds.Select(r => r.Percentile(0.99))));

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}

/// <summary>A ledger figure over a baseline's, at one concurrency, with the target it is held to.</summary>
public sealed record Ratio(string Name, int Clients, double Value, double? Target)
{
    public bool? Met => Target is { } target ? Value >= target : null;
}
