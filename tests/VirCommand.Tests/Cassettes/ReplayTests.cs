using System.Text;
using Microsoft.Extensions.Time.Testing;
using VirCommand.Backends;
using VirCommand.Backends.Fake.Cassettes;

namespace VirCommand.Tests.Cassettes;

/// <summary>The replaying fake serves recorded runs: matched by rules, in the recorded order and times, with a diff for what it lacks.</summary>
public sealed class ReplayTests
{
    private static CassetteInteraction Run(string[] argv, CassetteOutcome outcome, string[]? environment = null, string? input = null) => new()
    {
        Request = new CassetteRequest
        {
            Argv = argv,
            Environment = environment,
            Stdio = new CassetteStdio("null", "buffer", "buffer"),
            Input = input is null ? null : (ReadOnlyMemory<byte>?)Encoding.UTF8.GetBytes(input),
        },
        Outcome = outcome,
    };

    private static CassetteOutcome Exit(int code, string stdout = "", string stderr = "", double durationMs = 5) => new()
    {
        ExitCode = code,
        DurationMs = durationMs,
        Output = [new CassetteOutput(durationMs, Stdout: Encoding.UTF8.GetBytes(stdout)), new CassetteOutput(durationMs, Stderr: Encoding.UTF8.GetBytes(stderr))],
    };

    [Fact]
    public async Task Recorded_runs_answer_their_commands_a_repeated_command_its_answers_in_turn()
    {
        var replay = new ReplayingCommandRunner(new Cassette([
            Run(["git", "status"], Exit(0, "clean\n")),
            Run(["git", "log"], Exit(0, "abc\n")),
            Run(["git", "status"], Exit(0, "dirty\n")),
        ]));

        Assert.Equal("abc\n", (await replay.RunAsync(Command.NewArgList("git", "log").SetOutputBuffer())).StandardOutput);
        Assert.Equal("clean\n", (await replay.RunAsync(Command.NewArgList("git", "status").SetOutputBuffer())).StandardOutput);
        Assert.Equal("dirty\n", (await replay.RunAsync(Command.NewArgList("git", "status").SetOutputBuffer())).StandardOutput);
        replay.VerifyAllPlayed();
        Assert.Equal(["git log", "git status", "git status"], replay.Invocations.Select(i => i.CommandLine));
    }

    [Fact]
    public async Task A_command_the_cassette_lacks_fails_with_the_closest_recorded_run_difference_by_difference()
    {
        var replay = new ReplayingCommandRunner(new Cassette([
            Run(["git", "-C", "/repo", "log", "--oneline"], Exit(0), ["LC_ALL=C", "HOME=/root"]),
            Run(["ls"], Exit(0)),
        ]));

        var error = await Assert.ThrowsAsync<CassetteMismatchException>(() =>
            replay.RunAsync(Command.NewArgList("git", "-C", "/repo", "log", "-n1").AddEnvPair("LC_ALL", "C").AddEnvPair("HOME", "/home/me")));

        Assert.Equal(
            """
            The cassette has no recorded run for: LC_ALL=C HOME=/home/me git -C /repo log -n1
            Closest unused (recorded run #1 of 2): git -C /repo log --oneline
              argv[4]: recorded "--oneline", ran "-n1"
              environment HOME: recorded "/root", ran "/home/me"
            """.ReplaceLineEndings(), error.Message);
        Assert.Empty(replay.Invocations);
        Assert.Equal(2, replay.Unplayed.Count);
    }

    [Fact]
    public async Task In_order_a_run_out_of_turn_fails_naming_the_one_expected_next()
    {
        var replay = new ReplayingCommandRunner(new Cassette([Run(["make"], Exit(0)), Run(["make", "install"], Exit(0))]),
            new CassetteMatching { InOrder = true });

        var error = await Assert.ThrowsAsync<CassetteMismatchException>(() => replay.RunAsync(Command.NewArgList("make", "install")));

        Assert.Contains("Expected next (recorded run #1 of 2): make", error.Message, StringComparison.Ordinal);
        Assert.Contains("argv[1]: recorded nothing, ran \"install\"", error.Message, StringComparison.Ordinal);
        await replay.RunAsync(Command.New("make"));
        await replay.RunAsync(Command.NewArgList("make", "install"));
        Assert.Contains("all 2 recorded runs were already replayed",
            (await Assert.ThrowsAsync<CassetteMismatchException>(() => replay.RunAsync(Command.New("make")))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ignored_variables_and_argument_patterns_let_changing_values_match()
    {
        var cassette = new Cassette([Run(["git", "-C", "/tmp/rec-123", "status"], Exit(0, "ok\n"), ["LC_ALL=C", "SSH_AUTH_SOCK=/run/a"], "message")]);
        var strict = new ReplayingCommandRunner(cassette);
        var loose = new ReplayingCommandRunner(cassette, new CassetteMatching().IgnoringEnvironment("SSH_AUTH_SOCK").WithArgumentPattern("git", "-C", "/tmp/*", "status"));
        Command Live(string input = "message") => Command.NewArgList("git", "-C", "/tmp/run-456", "status").AddEnvPair("LC_ALL", "C").AddEnvPair("SSH_AUTH_SOCK", "/run/b")
            .SetInputBuffer(input).SetOutputBuffer();

        var error = await Assert.ThrowsAsync<CassetteMismatchException>(() => strict.RunAsync(Live()));
        Assert.Contains("argv[2]", error.Message, StringComparison.Ordinal);
        Assert.Contains("environment SSH_AUTH_SOCK", error.Message, StringComparison.Ordinal);
        Assert.Equal("ok\n", (await loose.RunAsync(Live())).StandardOutput);
        Assert.Contains("stdin: recorded 7 bytes \"message\", ran 5 bytes \"other\"", (await Assert.ThrowsAsync<CassetteMismatchException>(
            () => new ReplayingCommandRunner(cassette, loose.Matching).RunAsync(Live("other")))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exit_statuses_signals_and_start_failures_come_back_as_recorded_through_the_exit_rules()
    {
        var replay = new ReplayingCommandRunner(new Cassette([
            Run(["false"], Exit(1, stderr: "nope\n")),
            Run(["crash"], new CassetteOutcome { Signal = Signal.SIGSEGV, CoreDumped = true }),
            Run(["missing"], new CassetteOutcome { StartFailure = new CassetteStartFailure(StartStage.Resolve, 2) }),
        ]));

        var exit = await Assert.ThrowsAsync<CommandExitException>(() => replay.RunAsync(Command.New("false")));
        var crash = (await replay.RunAsync(Command.New("crash").RawStatus())).TerminatingSignal;
        var start = await Assert.ThrowsAsync<CommandStartException>(() => replay.StartAsync(Command.New("missing")));

        Assert.Equal((1, "nope"), (exit.ExitCode, exit.StandardErrorTail.Trim()));
        Assert.Equal(Signal.SIGSEGV, crash);
        Assert.Equal((StartStage.Resolve, 2), (start.Stage, start.Errno));
    }

    [Fact]
    public async Task Recorded_timing_is_kept_on_the_runners_clock_so_virtual_time_drives_it()
    {
        var clock = new FakeTimeProvider();
        var replay = new ReplayingCommandRunner(new Cassette([new CassetteInteraction
        {
            Request = new CassetteRequest { Argv = ["tail", "-f", "log"], Stdio = new CassetteStdio("null", "pipe", "pipe") },
            Outcome = new CassetteOutcome
            {
                ExitCode = 0,
                DurationMs = 3000,
                Output = [new CassetteOutput(100, Stdout: "first\n"u8.ToArray()), new CassetteOutput(1000, Stderr: "warn\n"u8.ToArray()), new CassetteOutput(2000, Stdout: "second\n"u8.ToArray())],
            },
        }]), timing: CassetteTiming.Recorded, timeProvider: clock);

        await using var running = await replay.StartAsync(Command.NewArgList("tail", "-f", "log").SetOutputPipe().SetErrorPipe());
        var events = running.ListenAsync().GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync()); // started
        var next = events.MoveNextAsync().AsTask();
        await Task.Delay(50);
        Assert.False(next.IsCompleted);

        clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True(await next);
        Assert.Equal(new StandardOutputLine("first"), events.Current);
        clock.Advance(TimeSpan.FromMilliseconds(900));
        Assert.True(await events.MoveNextAsync());
        Assert.Equal(new StandardErrorLine("warn"), events.Current);
        clock.Advance(TimeSpan.FromMilliseconds(1000));
        Assert.True(await events.MoveNextAsync());
        Assert.Equal(new StandardOutputLine("second"), events.Current);
        var exited = events.MoveNextAsync().AsTask();
        await Task.Delay(50);
        Assert.False(exited.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1000));
        Assert.True(await exited);
        Assert.Equal(TimeSpan.FromSeconds(3), Assert.IsType<CommandExited>(events.Current).Result.RunTime);
        await events.DisposeAsync();
    }

    [Fact]
    public async Task A_recorded_timeout_times_out_again_at_once_and_a_stopped_child_runs_until_stopped()
    {
        var timedOut = new CassetteOutcome { Signal = Signal.SIGTERM, StoppedBy = StopReason.Timeout, DurationMs = 10_000, Output = [new CassetteOutput(5, Stdout: "partial\n"u8.ToArray())] };
        var canceled = new CassetteOutcome { ExitCode = 143, StoppedBy = StopReason.Canceled, DurationMs = 50 };
        var replay = new ReplayingCommandRunner(new Cassette([Run(["slow"], timedOut), Run(["server"], canceled)]));

        var timeout = await Assert.ThrowsAsync<CommandTimeoutException>(() => replay.RunAsync(Command.New("slow").SetTimeout(TimeSpan.FromHours(1)).SetOutputBuffer()));
        Assert.Equal("partial\n", timeout.Result!.StandardOutput);
        Assert.Equal(Signal.SIGTERM, timeout.Result.TerminatingSignal);

        await using var server = await replay.StartAsync(Command.New("server"));
        var waiting = server.WaitAsync();
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        await server.AbortAsync();
        var stopped = await Assert.ThrowsAsync<CommandCanceledException>(() => waiting);
        Assert.Equal(143, stopped.Result!.ExitCode); // it handled SIGTERM as it did when recorded
    }
}
