using System.Diagnostics;

namespace VirCommand.Benchmarks.Scenarios;

/// <summary>The operations of P4, one per contender kind: start <c>sleep 1</c> N times without waiting, then wait for all.</summary>
internal static class Sleepers
{
    private const string Program = "sleep";
    private const string Seconds = "1";

    /// <summary>A backend (POSIX, managed): N × <c>StartAsync</c>, then every <c>WaitAsync</c> at once, then disposal.</summary>
    public static async Task StartAllAsync(ICommandRunner runner, int children)
    {
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
            await Task.WhenAll(running.Select(r => r.WaitAsync()));
        }
        finally
        {
            foreach (var r in running)
                await r.DisposeAsync();
            foreach (var c in commands)
                c.Dispose();
        }
    }

    /// <summary><see cref="Process.Start(ProcessStartInfo)"/> N times, then every <see cref="Process.WaitForExitAsync"/> at once.</summary>
    public static async Task ProcessStartAsync(int children)
    {
        var processes = new List<Process>(children);
        try
        {
            for (var i = 0; i < children; i++)
            {
                var start = new ProcessStartInfo(Program) { UseShellExecute = false };
                start.ArgumentList.Add(Seconds);
                processes.Add(Process.Start(start) ?? throw new InvalidOperationException("Process.Start started nothing."));
            }
            await Task.WhenAll(processes.Select(p => p.WaitForExitAsync()));
            if (processes.FirstOrDefault(p => p.ExitCode != 0) is { } failed)
                throw new InvalidOperationException($"{Program} exited with {failed.ExitCode}.");
        }
        finally
        {
            foreach (var p in processes)
                p.Dispose();
        }
    }
}
