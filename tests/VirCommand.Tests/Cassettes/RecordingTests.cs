using VirCommand.Backends.Fake.Cassettes;
using VirCommand.Backends;
using VirCommand.Tests.Posix;
using PosixRunners = VirCommand.Tests.Posix.Posix;

namespace VirCommand.Tests.Cassettes;

/// <summary>The recorder wraps a real runner: the caller sees what it would see, and the cassette holds the run.</summary>
public sealed class RecordingTests
{
    [LinuxFact]
    public async Task A_run_is_recorded_with_its_command_its_captures_and_its_end_and_returned_unchanged()
    {
        var recorder = new RecordingCommandRunner(PosixRunners.Runner);
        var command = Command.NewArgList("/bin/sh", "-c", "printf 'out\\n'; printf 'err\\n' >&2; exit 3")
            .AddEnvPair("LC_ALL", "C").SetWorkingDirectory("/tmp").SetInputBuffer("in").SetOutputBuffer().SetErrorBuffer().AllowNonZeroExit();

        var result = await recorder.RunAsync(command);

        Assert.Equal((3, "out\n", "err\n"), (result.ExitCode, result.StandardOutput, result.StandardError));
        var run = recorder.Cassette.Interactions.Single();
        Assert.Equal(["/bin/sh", "-c", "printf 'out\\n'; printf 'err\\n' >&2; exit 3"], run.Request.Argv);
        Assert.Equal(["LC_ALL=C"], run.Request.Environment);
        Assert.Equal("/tmp", run.Request.WorkingDirectory);
        Assert.Equal("in"u8.ToArray(), run.Request.Input!.Value.ToArray());
        Assert.Equal(new CassetteStdio("buffer", "buffer", "buffer"), run.Request.Stdio);
        Assert.Contains("allowNonZeroExit", run.Request.Options);
        Assert.Equal(3, run.Outcome.ExitCode);
        Assert.Equal(result.RunTime.TotalMilliseconds, run.Outcome.DurationMs);
        Assert.Equal(["out\n", "err\n"], run.Outcome.Output.Select(o => System.Text.Encoding.UTF8.GetString((o.Stdout ?? o.Stderr)!.Value.Span)));
    }

    [LinuxFact]
    public async Task Secrets_never_reach_the_file()
    {
        using var dir = new TempDir();
        var recorder = new RecordingCommandRunner(PosixRunners.Runner);
        await recorder.RunAsync(Command.NewArgList("/bin/sh", "-c", "exit 0", "sh").AddSecretArg("hunter2-arg").AddSecretArgPair("--password", "hunter2-pair")
            .AddEnvPair("VISIBLE", "shown").AddSecretEnvPair("TOKEN", "hunter2-env"));
        recorder.Save(dir.File("cassette.json"));

        var file = File.ReadAllText(dir.File("cassette.json"));
        Assert.DoesNotContain("hunter2", file, StringComparison.Ordinal);
        Assert.Contains("\"TOKEN=***\"", file, StringComparison.Ordinal);
        Assert.Contains("\"--password=***\"", file, StringComparison.Ordinal);
        Assert.Contains("\"VISIBLE=shown\"", file, StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task A_started_child_is_recorded_as_the_caller_read_it_with_times_signals_and_its_stdin()
    {
        var recorder = new RecordingCommandRunner(PosixRunners.Runner);
        var command = Command.NewArgList("/bin/sh", "-c", "trap 'echo late >&2; exit 0' HUP; read line; echo \"got $line\"; while :; do sleep 0.05; done")
            .SetInputPipe().SetOutputPipe().SetErrorPipe();

        await using var running = await recorder.StartAsync(command);
        await running.StandardInput!.WriteAsync("hello\n"u8.ToArray());
        await running.StandardInput.DisposeAsync();
        var lines = new List<string>();
        await foreach (var e in running.ListenAsync())
        {
            if (e is OutputLine line)
                lines.Add($"{line.Source}:{line.Text}");
            if (e is StandardOutputLine { Text: "got hello" })
                Assert.True(await running.SignalAsync(Signal.SIGHUP));
        }

        Assert.Contains("StandardOutput:got hello", lines);
        Assert.Contains("StandardError:late", lines);
        var run = recorder.Cassette.Interactions.Single();
        Assert.Equal("hello\n"u8.ToArray(), run.Request.Input!.Value.ToArray());
        Assert.Equal(new CassetteStdio("pipe", "pipe", "pipe"), run.Request.Stdio);
        Assert.Equal(Signal.SIGHUP, Assert.Single(run.Outcome.Signals).Signal);
        Assert.Equal(0, run.Outcome.ExitCode);
        var times = run.Outcome.Output.Select(o => o.AtMs).ToList();
        Assert.Equal(times.Order(), times);
        Assert.Equal(["got hello\n", "late\n"], run.Outcome.Output.Select(o => System.Text.Encoding.UTF8.GetString((o.Stdout ?? o.Stderr)!.Value.Span)));
        Assert.NotNull(run.Outcome.Output[1].Stderr);
        Assert.True(run.Outcome.Signals[0].AtMs <= run.Outcome.Output[1].AtMs, "the signal came before the line it made the child write");

        var replay = new ReplayingCommandRunner(recorder.Cassette);
        await using var replayed = await replay.StartAsync(command);
        await replayed.StandardInput!.WriteAsync("hello\n"u8.ToArray());
        await replayed.StandardInput.DisposeAsync();
        var again = await replayed.ListenAsync().OfType<OutputLine>().Select(l => $"{l.Source}:{l.Text}").ToListAsync();
        Assert.Equal(lines.Order(), again.Order());
        Assert.Equal("hello\n", replay.Invocations.Single().InputText);
    }

    [Fact]
    public async Task A_start_failure_is_recorded_with_its_stage_and_errno_and_a_refused_run_not_at_all()
    {
        var recorder = new RecordingCommandRunner(new Backends.Managed.ManagedCommandRunner());

        var failure = await Assert.ThrowsAsync<CommandStartException>(() => recorder.RunAsync(Command.New("no-such-program-vircommand")));
        await Assert.ThrowsAsync<CommandNotSupportedException>(() => recorder.RunAsync(Command.New("true").SetUmask(0x12)));

        var run = recorder.Cassette.Interactions.Single();
        Assert.Equal(new CassetteStartFailure(failure.Stage, failure.Errno), run.Outcome.StartFailure);
        Assert.Null(run.Outcome.ExitCode);
    }

    [LinuxFact]
    public async Task A_failure_keeps_its_stderr_tail_and_a_timeout_its_stop()
    {
        var recorder = new RecordingCommandRunner(PosixRunners.Runner);

        var exit = await Assert.ThrowsAsync<CommandExitException>(() => recorder.RunAsync(Command.NewArgList("/bin/sh", "-c", "echo broken >&2; exit 2")));
        await Assert.ThrowsAsync<CommandTimeoutException>(() => recorder.RunAsync(Command.NewArgList("sleep", "10").SetTimeout(TimeSpan.FromMilliseconds(50))));

        var (failed, timedOut) = (recorder.Cassette.Interactions[0].Outcome, recorder.Cassette.Interactions[1].Outcome);
        Assert.Equal(2, failed.ExitCode);
        Assert.Equal("broken\n", System.Text.Encoding.UTF8.GetString(Assert.Single(failed.Output).Stderr!.Value.Span));
        Assert.Equal("broken", exit.StandardErrorTail.Trim());
        Assert.Equal(StopReason.Timeout, timedOut.StoppedBy);
        Assert.Equal(Signal.SIGTERM, timedOut.Signal);
    }

    [LinuxFact]
    public async Task An_aborted_child_is_recorded_as_stopped_with_the_signal_it_died_of()
    {
        var recorder = new RecordingCommandRunner(PosixRunners.Runner);

        await using (var running = await recorder.StartAsync(Command.NewArgList("sleep", "10")))
            await running.AbortAsync();

        var outcome = recorder.Cassette.Interactions.Single().Outcome;
        Assert.Equal((StopReason.Canceled, Signal.SIGTERM), (outcome.StoppedBy, outcome.Signal));
    }
}
