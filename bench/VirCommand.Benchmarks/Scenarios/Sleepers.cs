using System.Diagnostics;

namespace VirCommand.Benchmarks.Scenarios;

/// <summary>
/// The operations of P4, one per contender kind: start <c>sleep 1</c> N times without waiting, then wait for all.
/// Each returns how long the starts took (the rest of the run is the sleep and the waits).
/// </summary>
internal static class Sleepers
{
    private const string Program = "sleep";
    private const string Seconds = "1";

    /// <summary>A backend (POSIX, managed): N × <c>StartAsync</c>, then every <c>WaitAsync</c> at once, then disposal.</summary>
    public static async Task<TimeSpan> StartAllAsync(ICommandRunner runner, int children)
    {
        var start = Stopwatch.GetTimestamp();
        TimeSpan starting;
        var commands = new List<Command>(children);
        var running = new List<IRunningCommand>(children);
        try
        {
            for (var i = 0; i < children; i++)
            {
                var command = Command.New(Program).AddArg(Seconds);
                commands.Add(command);
                running.Add(await runner.StartAsync(command));
            }
            starting = Stopwatch.GetElapsedTime(start);
            await Task.WhenAll(running.Select(r => r.WaitAsync()));
        }
        finally
        {
            foreach (var r in running)
                await r.DisposeAsync();
            foreach (var c in commands)
                c.Dispose();
        }
        return starting;
    }

    /// <summary><see cref="Process.Start(ProcessStartInfo)"/> N times, then every <see cref="Process.WaitForExitAsync"/> at once.</summary>
    public static async Task<TimeSpan> ProcessStartAsync(int children)
    {
        var processes = new List<Process>(children);
        var begin = Stopwatch.GetTimestamp();
        try
        {
            for (var i = 0; i < children; i++)
            {
                var start = new ProcessStartInfo(Program) { UseShellExecute = false };
                start.ArgumentList.Add(Seconds);
                processes.Add(Process.Start(start) ?? throw new InvalidOperationException("Process.Start started nothing."));
            }
            var starting = Stopwatch.GetElapsedTime(begin);
            await Task.WhenAll(processes.Select(p => p.WaitForExitAsync()));
            return processes.FirstOrDefault(p => p.ExitCode != 0) is { } failed
                ? throw new InvalidOperationException($"{Program} exited with {failed.ExitCode}.")
                : starting;
        }
        finally
        {
            foreach (var p in processes)
                p.Dispose();
        }
    }
}
