using System.Diagnostics;

namespace VirCommand.Benchmarks.Scenarios;

/// <summary>The single spawn + wait operations the spawn scenarios time, one per contender kind.</summary>
internal static class Spawners
{
    /// <summary>A backend (POSIX, managed), asynchronously, with default settings.</summary>
    public static async Task RunAsync(ICommandRunner runner, string program)
    {
        using var command = Command.New(program);
        await runner.RunAsync(command);
    }

    /// <summary>A backend, blocking the calling thread.</summary>
    public static void Run(ICommandRunner runner, string program)
    {
        using var command = Command.New(program);
        runner.Run(command);
    }

    /// <summary><see cref="Process.Start(ProcessStartInfo)"/> without a shell or redirection, then <see cref="Process.WaitForExit()"/>.</summary>
    public static void ProcessStart(string program)
    {
        using var process = Process.Start(new ProcessStartInfo(program) { UseShellExecute = false })
            ?? throw new InvalidOperationException($"Process.Start({program}) started nothing.");
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} exited with {process.ExitCode}.");
    }
}
