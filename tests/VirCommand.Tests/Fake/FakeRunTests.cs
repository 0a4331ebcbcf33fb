using System.Text;
using VirCommand.Backends.Fake;
using VirCommand.Tests.Building;

namespace VirCommand.Tests.Fake;

public class FakeRunTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);
    private readonly FakeCommandRunner _fake = new();

    [Fact]
    public async Task Captures_stdout_and_stderr_as_bytes_and_text()
    {
        _fake.Register("tool").Returns(FakeResponse.Success("out\n", "err\n"));

        var result = await _fake.RunAsync(Command.New("tool").SetOutputBuffer().SetErrorBuffer());

        Assert.Equal("out\n", result.StandardOutput);
        Assert.Equal("err\n"u8.ToArray(), result.StandardErrorBytes.ToArray());
        Assert.Equal(0, result.ExitCode);
        Assert.True(result.Succeeded);
        Assert.True(result.ExitTime >= result.StartTime);
        Assert.Equal(_fake.Invocations[0].Pid, result.Pid);
    }

    [Fact]
    public async Task Output_that_was_not_captured_is_absent_and_reading_it_names_the_setter()
    {
        _fake.Register("tool").Returns(FakeResponse.Success("out", "err"));

        var result = await _fake.RunAsync(Command.New("tool"));

        var error = Assert.Throws<InvalidOperationException>(() => result.StandardOutput);
        Assert.Equal("tool: stdout was not captured. Call SetOutputBuffer() (or SetMergedOutputBuffer() for both streams in one) on the command before running it.", error.Message);
        Assert.Contains("SetErrorBuffer()", Assert.Throws<InvalidOperationException>(() => result.StandardError).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_merged_capture_holds_both_streams_in_one_buffer()
    {
        _fake.Register("tool").Returns(FakeResponse.Success("out|", "err|"));

        var result = await _fake.RunAsync(Command.New("tool").SetMergedOutputBuffer());

        Assert.Equal("out|err|", result.StandardOutput);
        Assert.Contains("SetMergedOutputBuffer()", Assert.Throws<InvalidOperationException>(() => result.StandardError).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Binary_output_with_nul_bytes_is_kept_exactly()
    {
        byte[] bytes = [0, 1, 2, 0, 255];
        _fake.Register("tool").Returns(FakeResponse.Success().WithOutput(bytes));

        var result = await _fake.RunAsync(Command.New("tool").SetOutputBuffer());

        Assert.Equal(bytes, result.StandardOutputBytes.ToArray());
    }

    [Fact]
    public async Task A_non_zero_exit_throws_with_status_and_the_tail_of_stderr_even_uncaptured()
    {
        _fake.Register("tool", "--bad").Returns(FakeResponse.Exit(3, standardError: "tool: unknown option --bad\n"));

        var error = await Assert.ThrowsAsync<CommandExitException>(() => _fake.RunAsync(Command.NewArgList("tool", "--bad")));

        Assert.Equal(3, error.ExitCode);
        Assert.Null(error.Signal);
        Assert.Equal("tool: unknown option --bad\n", error.StandardErrorTail);
        Assert.Equal("tool --bad: exit status 3; stderr: tool: unknown option --bad", error.Message);
        Assert.Equal("tool --bad", error.CommandLine);
    }

    [Fact]
    public async Task The_stderr_tail_is_bounded()
    {
        var fake = new FakeCommandRunner(new CommandRunnerOptions { StandardErrorTailBytes = 4 });
        fake.Register("tool").Returns(FakeResponse.Exit(1, standardError: "0123456789"));

        var error = await Assert.ThrowsAsync<CommandExitException>(() => fake.RunAsync(Command.New("tool")));

        Assert.Equal("6789", error.StandardErrorTail);
    }

    [Fact]
    public async Task AllowNonZeroExit_returns_the_exit_code()
    {
        _fake.Register("grep").Returns(FakeResponse.Exit(1));

        var result = await _fake.RunAsync(Command.New("grep").AllowNonZeroExit());

        Assert.Equal(1, result.ExitCode);
        Assert.False(result.Succeeded);
    }

    [Fact]
    public async Task Death_by_a_signal_is_an_error_even_when_non_zero_exits_are_allowed()
    {
        _fake.Register("tool").Returns(FakeResponse.Killed(Signal.SIGKILL));

        var error = await Assert.ThrowsAsync<CommandExitException>(() => _fake.RunAsync(Command.New("tool").AllowNonZeroExit()));

        Assert.Equal(Signal.SIGKILL, error.Signal);
        Assert.Null(error.ExitCode);
        Assert.Contains("killed by SIGKILL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RawStatus_tells_exit_codes_and_signals_apart()
    {
        _fake.Register("killed").Returns(FakeResponse.Killed(Signal.SIGSEGV));
        _fake.Register("exited").Returns(FakeResponse.Exit(9));

        var killed = await _fake.RunAsync(Command.New("killed").RawStatus());
        var exited = await _fake.RunAsync(Command.New("exited").RawStatus());

        Assert.Equal((Signal.SIGSEGV, (int?)null, 11), (killed.TerminatingSignal!.Value, killed.ExitCode, killed.RawStatus));
        Assert.Equal(((Signal?)null, (int?)9, 9 << 8), (exited.TerminatingSignal, exited.ExitCode, exited.RawStatus));
    }

    [Fact]
    public async Task A_start_failure_throws_with_stage_and_errno()
    {
        _fake.Register("missing").Returns(FakeResponse.NotFound());
        _fake.Register("denied").Returns(FakeResponse.StartFailure(StartStage.Exec, 13));

        var missing = await Assert.ThrowsAsync<CommandStartException>(() => _fake.RunAsync(Command.New("missing")));
        var denied = await Assert.ThrowsAsync<CommandStartException>(() => _fake.StartAsync(Command.New("denied")));

        Assert.Equal((StartStage.Resolve, 2), (missing.Stage, missing.Errno));
        Assert.Equal((StartStage.Exec, 13), (denied.Stage, denied.Errno));
        Assert.Contains("failed to start at stage Exec", denied.Message, StringComparison.Ordinal);
        Assert.Contains("errno 13", denied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_timeout_stops_the_child_with_the_graceful_signal()
    {
        _fake.Register("slow").Returns(FakeResponse.Success("late").WithDelay(Long));

        var error = await Assert.ThrowsAsync<CommandTimeoutException>(() =>
            _fake.RunAsync(Command.New("slow").SetTimeout(TimeSpan.FromMilliseconds(50)).SetGracefulSignal(Signal.SIGINT)));

        Assert.Equal(TimeSpan.FromMilliseconds(50), error.Timeout);
        Assert.Equal(Signal.SIGINT, error.Result!.TerminatingSignal);
        Assert.True(_fake.Invocations[0].WasStopped);
    }

    [Fact]
    public async Task The_default_timeout_comes_from_the_options()
    {
        var fake = new FakeCommandRunner(new CommandRunnerOptions { DefaultTimeout = TimeSpan.FromMilliseconds(50) });
        fake.Register("slow").Returns(FakeResponse.Success().WithDelay(Long));

        var error = await Assert.ThrowsAsync<CommandTimeoutException>(() => fake.RunAsync(Command.New("slow")));

        Assert.Equal(Signal.SIGTERM, error.Result!.TerminatingSignal);
    }

    [Fact]
    public async Task A_child_that_finishes_within_its_timeout_succeeds()
    {
        _fake.Register("quick").Returns(FakeResponse.Success("done").WithDelay(TimeSpan.FromMilliseconds(10)));

        var result = await _fake.RunAsync(Command.New("quick").SetOutputBuffer().SetTimeout(Long));

        Assert.Equal("done", result.StandardOutput);
    }

    [Fact]
    public async Task Cancellation_stops_the_child_and_throws_an_operation_cancelled_exception()
    {
        _fake.Register("slow").Returns(FakeResponse.Success().WithDelay(Long));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        var error = await Assert.ThrowsAsync<CommandCanceledException>(() => _fake.RunAsync(Command.New("slow"), cts.Token));

        Assert.IsAssignableFrom<OperationCanceledException>(error);
        Assert.Equal(cts.Token, error.CancellationToken);
        Assert.Equal(Signal.SIGTERM, error.Result!.TerminatingSignal);
    }

    [Fact]
    public async Task A_token_cancelled_before_the_start_spawns_nothing()
    {
        _fake.Register("tool");

        await Assert.ThrowsAsync<CommandCanceledException>(() => _fake.RunAsync(Command.New("tool"), new CancellationToken(canceled: true)));

        Assert.Empty(_fake.Invocations);
    }

    [Fact]
    public async Task Exceeding_the_capture_limit_stops_the_child_and_keeps_the_capture_up_to_the_limit()
    {
        _fake.Register("chatty").Returns(FakeResponse.Success(new string('x', 100)));

        var error = await Assert.ThrowsAsync<CommandCaptureLimitException>(() =>
            _fake.RunAsync(Command.New("chatty").SetOutputBuffer().SetCaptureLimit(10)));

        Assert.Equal(("stdout", 10L), (error.Stream, error.Limit));
        Assert.Equal(new string('x', 10), error.Result.StandardOutput);
        Assert.Equal(Signal.SIGTERM, error.Result.TerminatingSignal);
    }

    [Fact]
    public void Run_blocks_and_applies_the_same_rules()
    {
        _fake.Register("tool").Returns(FakeResponse.Exit(2));

        Assert.Throws<CommandExitException>(() => _fake.Run(Command.New("tool")));
        Assert.Equal(2, _fake.Run(Command.New("tool").AllowNonZeroExit()).ExitCode);
    }

    [Fact]
    public async Task A_run_to_completion_refuses_caller_pipes()
    {
        _fake.Register("tool");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _fake.RunAsync(Command.New("tool").SetOutputPipe()));

        Assert.Contains("StartAsync", error.Message, StringComparison.Ordinal);
        Assert.Empty(_fake.Invocations);
    }

    [Fact]
    public async Task Pipes_carry_input_to_the_child_and_output_back()
    {
        _fake.Register("cat").Responds(i => FakeResponse.Success(i.InputText.ToUpperInvariant(), "read " + i.Input.Length));
        var command = Command.New("cat").SetInputPipe().SetOutputPipe().SetErrorPipe();

        await using var running = await _fake.StartAsync(command);
        await running.StandardInput!.WriteAsync("hello"u8.ToArray());
        await running.StandardInput.DisposeAsync();
        var output = await new StreamReader(running.StandardOutput!).ReadToEndAsync();
        var error = await new StreamReader(running.StandardError!).ReadToEndAsync();
        var result = await running.WaitAsync();

        Assert.Equal(("HELLO", "read 5"), (output, error));
        Assert.Equal("hello", _fake.Invocations[0].InputText);
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task Input_and_captures_work_with_an_asynchronous_start()
    {
        _fake.Register("rev").Responds(i => FakeResponse.Success(new string(i.InputText.Reverse().ToArray())));

        await using var running = await _fake.StartAsync(Command.New("rev").SetInputBuffer("abc").SetOutputBuffer());
        var result = await running.WaitAsync();

        Assert.Equal("cba", result.StandardOutput);
    }

    [Fact]
    public async Task Output_to_a_caller_fd_is_written_there()
    {
        using var file = new TempFile();
        _fake.Register("tool").Returns(FakeResponse.Success("to the file\n"));

        await _fake.RunAsync(Command.New("tool").SetOutputFd(file.Handle));

        Assert.Equal("to the file\n", await File.ReadAllTextAsync(file.Path));
    }

    [Fact]
    public async Task WaitAsync_gives_every_caller_the_same_outcome()
    {
        _fake.Register("tool").Returns(FakeResponse.Exit(4));

        await using var running = await _fake.StartAsync(Command.New("tool"));
        var first = await Assert.ThrowsAsync<CommandExitException>(() => running.WaitAsync());
        var second = await Assert.ThrowsAsync<CommandExitException>(() => running.WaitAsync());

        Assert.Equal(4, first.ExitCode);
        Assert.Equal(4, second.ExitCode);
    }

    [Fact]
    public async Task Abort_stops_a_running_child_and_a_later_wait_says_it_was_aborted()
    {
        _fake.Register("server").Returns(FakeResponse.Success().WithDelay(Long));

        await using var running = await _fake.StartAsync(Command.New("server"));
        await running.AbortAsync();
        var error = await Assert.ThrowsAsync<CommandCanceledException>(() => running.WaitAsync());

        Assert.Contains("aborted", error.Message, StringComparison.Ordinal);
        Assert.Equal(Signal.SIGTERM, error.Result!.TerminatingSignal);
    }

    [Fact]
    public async Task Abort_after_exit_changes_nothing()
    {
        _fake.Register("tool");

        await using var running = await _fake.StartAsync(Command.New("tool"));
        var result = await running.WaitAsync();
        await running.AbortAsync();

        Assert.Equal(0, (await running.WaitAsync()).ExitCode);
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task Disposing_an_owned_handle_aborts_the_child()
    {
        _fake.Register("server").Returns(FakeResponse.Success().WithDelay(Long));

        var running = await _fake.StartAsync(Command.New("server"));
        await running.DisposeAsync();

        Assert.True(_fake.Invocations[0].WasStopped);
        Assert.Equal(Signal.SIGTERM, _fake.Invocations[0].Result!.TerminatingSignal);
    }

    [Fact]
    public async Task A_detached_child_survives_disposal_and_can_be_waited_for_later()
    {
        _fake.Register("server").Returns(FakeResponse.Success().WithDelay(TimeSpan.FromMilliseconds(50)));

        var running = await _fake.StartAsync(Command.New("server"));
        running.Detach();
        await running.DisposeAsync();
        var result = await running.WaitAsync();

        Assert.True(running.IsDetached);
        Assert.False(_fake.Invocations[0].WasStopped);
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task The_handshake_holds_the_child_until_released()
    {
        _fake.Register("qemu").Returns(FakeResponse.Success("ran"));
        var command = Command.New("qemu").RequireHandshake().SetOutputBuffer();

        await using var running = await _fake.StartAsync(command);
        await Assert.ThrowsAsync<InvalidOperationException>(() => running.NotifyHandshakeAsync());
        await running.WaitForHandshakeAsync();
        var waiting = running.WaitAsync();
        await Task.Delay(20);
        Assert.False(waiting.IsCompleted);

        await running.NotifyHandshakeAsync();
        Assert.Equal("ran", (await waiting).StandardOutput);
        await Assert.ThrowsAsync<InvalidOperationException>(() => running.NotifyHandshakeAsync());
    }

    [Fact]
    public async Task A_handshake_without_RequireHandshake_is_refused()
    {
        _fake.Register("tool");

        await using var running = await _fake.StartAsync(Command.New("tool"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => running.WaitForHandshakeAsync());
        await Assert.ThrowsAsync<InvalidOperationException>(() => running.NotifyHandshakeAsync());
    }

    [Fact]
    public async Task A_failing_exec_after_the_handshake_is_reported_by_the_release()
    {
        _fake.Register("tool").Returns(FakeResponse.Success());
        _fake.Register("tool", "x").Returns(FakeResponse.StartFailure(StartStage.Exec, 8));
        var command = Command.NewArgList("tool", "x").RequireHandshake().SetInputPipe();

        await using var running = await _fake.StartAsync(command);
        await running.StandardInput!.DisposeAsync();
        await running.WaitForHandshakeAsync();

        var error = await Assert.ThrowsAsync<CommandStartException>(() => running.NotifyHandshakeAsync());
        Assert.Equal(StartStage.Exec, error.Stage);
        await Assert.ThrowsAsync<CommandStartException>(() => running.WaitAsync());
    }

    [Fact]
    public async Task Secrets_are_redacted_in_results_and_errors()
    {
        _fake.RegisterProgram("mysql").Returns(FakeResponse.Exit(1));

        var error = await Assert.ThrowsAsync<CommandExitException>(() =>
            _fake.RunAsync(Command.New("mysql").AddSecretArgPair("--password", "hunter2").AddSecretEnvPair("TOKEN", "t0k3n")));

        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("t0k3n", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", _fake.Transcript[0], StringComparison.Ordinal);
        Assert.DoesNotContain("t0k3n", _fake.Transcript[0], StringComparison.Ordinal);
        Assert.Equal("TOKEN='***' mysql '--password=***'", _fake.Transcript[0]);
        Assert.Equal(["mysql", "--password=hunter2"], _fake.Invocations[0].Argv);
        Assert.Equal("t0k3n", _fake.Invocations[0].GetEnvironmentVariable("TOKEN"));
    }

    [Fact]
    public async Task A_stdin_pipe_left_open_keeps_the_child_reading_until_its_timeout()
    {
        _fake.Register("cat");

        await using var running = await _fake.StartAsync(Command.New("cat").SetInputPipe().SetTimeout(TimeSpan.FromMilliseconds(50)));
        await running.StandardInput!.WriteAsync(Encoding.UTF8.GetBytes("partial"));

        await Assert.ThrowsAsync<CommandTimeoutException>(() => running.WaitAsync());
    }
}
