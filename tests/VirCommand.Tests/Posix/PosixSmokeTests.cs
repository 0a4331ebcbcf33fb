using VirCommand.Backends.Posix;

namespace VirCommand.Tests.Posix;

/// <summary>Ordinary programs (echo, cat, sh) through the backend; start failures and timeouts: <see cref="StartFailureTests"/>, <see cref="LifecycleTests"/>.</summary>
public sealed class PosixSmokeTests
{
    private readonly PosixCommandRunner _runner = new();

    [Fact]
    public async Task Echo_captures_output()
    {
        var result = await _runner.RunAsync(Command.NewArgList("echo", "hello", "world").SetOutputBuffer()).OrHang();
        Assert.Equal("hello world\n", result.StandardOutput);
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task Cat_echoes_input()
    {
        var result = await _runner.RunAsync(Command.New("cat").SetInputBuffer("abc").SetOutputBuffer()).OrHang();
        Assert.Equal("abc", result.StandardOutput);
    }

    [Fact]
    public async Task Exit_code_and_stderr_tail()
    {
        var error = await Assert.ThrowsAsync<CommandExitException>(() => _runner.RunAsync(Command.NewArgList("sh", "-c", "echo oops >&2; exit 3")).OrHang());
        Assert.Equal(3, error.ExitCode);
        Assert.Equal("oops\n", error.StandardErrorTail);
    }
}
