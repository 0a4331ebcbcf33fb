using VirCommand.Backends.Posix;

namespace VirCommand.Tests.Posix;

public class PosixSmokeTests
{
    private readonly PosixCommandRunner _runner = new();

    [Fact]
    public async Task Echo_captures_output()
    {
        var result = await _runner.RunAsync(Command.NewArgList("echo", "hello", "world").SetOutputBuffer());
        Assert.Equal("hello world\n", result.StandardOutput);
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task Cat_echoes_input()
    {
        var result = await _runner.RunAsync(Command.New("cat").SetInputBuffer("abc").SetOutputBuffer());
        Assert.Equal("abc", result.StandardOutput);
    }

    [Fact]
    public async Task Exit_code_and_stderr_tail()
    {
        var error = await Assert.ThrowsAsync<CommandExitException>(() => _runner.RunAsync(Command.NewArgList("sh", "-c", "echo oops >&2; exit 3")));
        Assert.Equal(3, error.ExitCode);
        Assert.Equal("oops\n", error.StandardErrorTail);
    }

    [Fact]
    public async Task Not_found()
    {
        var error = await Assert.ThrowsAsync<CommandStartException>(() => _runner.RunAsync(Command.New("no-such-program-vircommand")));
        Assert.Equal(StartStage.Resolve, error.Stage);
    }

    [Fact]
    public async Task Bad_cwd()
    {
        var error = await Assert.ThrowsAsync<CommandStartException>(() => _runner.RunAsync(Command.New("true").SetWorkingDirectory("/nonexistent-dir")));
        Assert.Equal(StartStage.WorkingDirectory, error.Stage);
        Assert.Equal(2, error.Errno);
    }

    [Fact]
    public async Task Timeout_kills()
    {
        var error = await Assert.ThrowsAsync<CommandTimeoutException>(() => _runner.RunAsync(Command.NewArgList("sleep", "10").SetTimeout(TimeSpan.FromMilliseconds(100))));
        Assert.Equal(Signal.SIGTERM, error.Result!.TerminatingSignal);
    }
}
