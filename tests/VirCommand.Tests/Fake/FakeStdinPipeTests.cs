using VirCommand.Backends.Fake;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Fake;

/// <summary>Issue 20 item 3: with a stdin pipe, the fake answers at the start unless its callback reads the input.</summary>
public sealed class FakeStdinPipeTests
{
    private readonly FakeCommandRunner _fake = new();

    [Fact]
    public async Task A_scripted_start_failure_is_thrown_by_StartAsync_with_a_stdin_pipe_too()
    {
        _fake.Register("missing").Returns(FakeResponse.NotFound());

        var error = await Assert.ThrowsAsync<CommandStartException>(() => _fake.StartAsync(Command.New("missing").SetInputPipe()).OrHang());

        Assert.Equal(StartStage.Resolve, error.Stage);
        Assert.Single(_fake.Invocations);
    }

    [Fact]
    public async Task A_callback_that_does_not_read_the_input_answers_at_the_start()
    {
        _fake.RegisterProgram("tool").Responds(i => i.Arguments.Contains("--broken") ? FakeResponse.StartFailure(StartStage.Exec, 8) : FakeResponse.Success());

        var error = await Assert.ThrowsAsync<CommandStartException>(() => _fake.StartAsync(Command.New("tool").AddArg("--broken").SetInputPipe()).OrHang());

        Assert.Equal(StartStage.Exec, error.Stage);
    }

    [Fact]
    public async Task A_callback_that_reads_the_input_answers_once_the_caller_closed_stdin()
    {
        _fake.RegisterProgram("cat").Responds(i => FakeResponse.Success(i.InputText.ToUpperInvariant()));

        await using var running = await _fake.StartAsync(Command.New("cat").SetInputPipe().SetOutputBuffer()).OrHang();
        await running.StandardInput!.WriteAsync("hello"u8.ToArray());
        await running.StandardInput.DisposeAsync();

        Assert.Equal("HELLO", (await running.WaitAsync().OrHang()).StandardOutput);
        Assert.Equal("hello", _fake.Invocations[0].InputText);
    }

    [Fact]
    public async Task A_callback_waiting_for_the_input_is_let_go_when_the_child_is_stopped()
    {
        var answered = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _fake.RegisterProgram("cat").Responds(i =>
        {
            answered.SetResult(i.InputText);
            return FakeResponse.Success();
        });

        await using var running = await _fake.StartAsync(Command.New("cat").SetInputPipe()).OrHang();
        await running.AbortAsync().OrHang();

        Assert.Equal("", await answered.Task.OrHang());
        await Assert.ThrowsAsync<CommandCanceledException>(() => running.WaitAsync().OrHang());
    }
}
