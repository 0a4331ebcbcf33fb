using VirCommand.Backends.Fake;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Conformance;

/// <summary>
/// A backend that spawns real processes (POSIX, managed; SSH to this machine): it is observed through /proc
/// and the file system.
/// </summary>
internal sealed class ProcessBackend(string name, Func<CommandRunnerOptions, ICommandRunner> create, bool remote = false) : ConformanceBackend
{
    public override bool IsRemote => remote;

    private const string TraceSuffix = ".ran";

    public override string Name => name;

    public override bool Spawns => true;

    public override ICommandRunner CreateRunner(CommandRunnerOptions? options = null)
    {
        var runner = create(options ?? new CommandRunnerOptions());
        Assert.Equal(name, runner.Name);
        return runner;
    }

    public override async Task AssertStoppedAndGoneAsync(ICommandRunner runner, int pid)
    {
        Assert.True(await Processes.WaitGoneAsync(pid, HangGuard.Limit), $"the child {pid} still runs ({ProcessInspector.State(pid)})");
        // Gone from our children too: reaped, not a zombie.
        Assert.True(ProcessInspector.WaitUntil(() => !ProcessInspector.Children().Contains(pid), HangGuard.Limit),
            $"the child {pid} was not reaped ({ProcessInspector.State(pid)})");
    }

    public override bool IsRunning(ICommandRunner runner, int pid) => ProcessInspector.IsRunning(pid);

    public override void KillIfRunning(int pid) => ProcessInspector.KillIfRunning(pid);

    public override string TracingProgram(TempDir dir)
    {
        ArgumentNullException.ThrowIfNull(dir);
        var path = dir.File("traced");
        File.WriteAllText(path, $"#!/bin/sh\ntouch \"$0{TraceSuffix}\"\n");
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("The tracing program is a shell script.");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    public override void AssertNeverRan(ICommandRunner runner, TempDir dir)
    {
        ArgumentNullException.ThrowIfNull(dir);
        // A child spawned by mistake would touch the trace within moments: give it that moment. One slower
        // than that (a loaded machine) still runs the script as our child: look for it too.
        Thread.Sleep(100);
        Assert.False(File.Exists(dir.File("traced" + TraceSuffix)), $"the {name} backend ran the program although it refused the command");
        Assert.DoesNotContain(ProcessInspector.Children(), pid => CommandLineOf(pid).Contains(dir.File("traced"), StringComparison.Ordinal));
    }

    public override async Task WaitUntilCatchesAsync(int pid, Signal signal)
    {
        var bit = 1UL << ((int)signal - 1);
        Assert.True(await Task.Run(() => ProcessInspector.WaitUntil(() => (CaughtSignals(pid) & bit) != 0, HangGuard.Limit)),
            $"the child {pid} never caught {signal}");
    }

    private static ulong CaughtSignals(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("SigCgt:", StringComparison.Ordinal));
            return ulong.Parse(line["SigCgt:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0; // gone meanwhile
        }
    }

    private static string CommandLineOf(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline");
        }
        catch (IOException)
        {
            return ""; // gone meanwhile
        }
    }

    public override void Script(ICommandRunner runner, string program, Func<FakeInvocation, FakeResponse> answer)
    {
        // The real program answers.
    }
}
