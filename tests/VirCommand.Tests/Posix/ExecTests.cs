using System.Globalization;
using VirCommand.Backends.Posix;

namespace VirCommand.Tests.Posix;

/// <summary>
/// Issue 16 item 1: <see cref="PosixCommandRunner.Exec"/> replaces the current process with the command,
/// every child step applied; a failure found before the first step throws and leaves the process working;
/// what needs a parent is refused before anything. The exec itself runs in a child test process
/// (<see cref="HelperModes.Exec"/>).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ExecTests
{
    [LinuxFact]
    public async Task Exec_replaces_the_process_with_the_program_and_applies_every_step()
    {
        using var dir = new TempDir();

        var (exit, output) = await HardeningTests.RunHelperAsync("exec", "ok", Probe.Path, dir.Path);

        Assert.True(exit == 0, $"the helper exited {exit}:\n{output}");
        var firstLine = output.IndexOf('\n', StringComparison.Ordinal);
        var pid = int.Parse(output["pid=".Length..firstLine], CultureInfo.InvariantCulture);
        var report = ProbeReport.Parse(output[(firstLine + 1)..]);
        Assert.Equal(pid, report.Pid); // the same process, now the probe
        Assert.Equal(["A=1"], report.Environment);
        Assert.Equal(dir.Path, report["cwd"]);
        Assert.Equal("0027", report.Umask);
        Assert.Equal("64 64", report["rlimit nofile"]);
        Assert.Equal([0, 1, 2, 7], report.Fds); // the runtime's own fds did not cross the exec
        Assert.Equal(dir.File("passed"), report.FdTargets[7]);
    }

    [LinuxFact]
    public async Task A_failure_found_before_any_step_throws_and_the_process_goes_on()
    {
        using var dir = new TempDir();

        var (exit, output) = await HardeningTests.RunHelperAsync("exec", "fail-early", Probe.Path, dir.Path);

        Assert.True(exit == 3, $"the helper exited {exit}:\n{output}");
        Assert.Contains("caught WorkingDirectory/2", output, StringComparison.Ordinal);
        Assert.Contains("still running: child ran", output, StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task A_failure_after_the_first_step_ends_the_process_with_127_and_names_the_stage()
    {
        using var dir = new TempDir();

        var (exit, output) = await HardeningTests.RunHelperAsync("exec", "fail-late", Probe.Path, dir.Path);

        Assert.True(exit == 127, $"the helper exited {exit}:\n{output}");
        Assert.Contains($"vircommand: exec failed at stage {(int)StartStage.CpuAffinity}, errno 22", output, StringComparison.Ordinal);
        Assert.DoesNotContain("caught", output, StringComparison.Ordinal);
    }

    [LinuxFact]
    public void What_needs_a_parent_is_refused_before_anything_is_done()
    {
        var runner = new PosixCommandRunner();
        using var dir = new TempDir();
        Command[] refused =
        [
            new Command("true").SetOutputBuffer(),
            new Command("true").SetInputBuffer("x"),
            new Command("true").SetErrorPipe(),
            new Command("true").SetOutputStream(Stream.Null),
            WithSendBuffer(),
            new Command("true").Daemonize(),
            new Command("true").RequireHandshake(),
            new Command("true").SetPreExecHook(PreExecHook.FromLibrary(Probe.HookLibrary, "vc_test_hook_return")),
            new Command("true").SetCgroup(dir.Path),
            new Command("true").SetTimeout(TimeSpan.FromSeconds(1)),
        ];
        foreach (var command in refused)
        {
            var error = Assert.Throws<InvalidOperationException>(() => runner.Exec(command));
            Assert.StartsWith(command.ToString(), error.Message, StringComparison.Ordinal);
            Assert.Contains("Exec replaces this process", error.Message, StringComparison.Ordinal);
            command.Dispose();
        }
        // Still this process: a run works.
        Assert.Equal(0, runner.Run(new Command("true")).ExitCode);
    }

    private static Command WithSendBuffer()
    {
        var command = new Command("true");
        command.SetSendBuffer("x"u8.ToArray());
        return command;
    }

    [LinuxFact]
    public void A_program_that_cannot_be_found_is_reported_at_Resolve_before_anything_changes()
    {
        using var dir = new TempDir();
        var runner = new PosixCommandRunner();

        var error = Assert.Throws<CommandStartException>(() => runner.Exec(new Command(dir.File("missing"))));

        Assert.Equal(StartStage.Resolve, error.Stage);
        Assert.Equal(2, error.Errno);
    }
}
