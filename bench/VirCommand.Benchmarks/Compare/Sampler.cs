using System.Diagnostics;

namespace VirCommand.Benchmarks.Compare;

/// <summary>Times each operation of a batch on its own, in nanoseconds; and medians.</summary>
internal static class Sampler
{
    public static async Task<double[]> TimeEachAsync(int count, Func<Task> operation)
    {
        var ns = new double[count];
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await operation();
            ns[i] = TicksToNs(Stopwatch.GetTimestamp() - start);
        }
        return ns;
    }

    public static Task<double[]> TimeEach(int count, Action operation)
    {
        var ns = new double[count];
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            operation();
            ns[i] = TicksToNs(Stopwatch.GetTimestamp() - start);
        }
        return Task.FromResult(ns);
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        var n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2.0;
    }

    private static double TicksToNs(long ticks) => ticks * 1e9 / Stopwatch.Frequency;
}
