using System.Text;
using VirCommand.Backends.Fake;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Fake;

/// <summary>Issue 14 item 2 on the fake: the terminal is recorded, and a conversation is scripted as stdin and stdout are.</summary>
public sealed class FakeTerminalTests
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(5);
    private readonly FakeCommandRunner _fake = new();

    [Fact]
    public async Task What_is_typed_is_the_input_and_the_response_is_the_screen_stdout_then_stderr()
    {
        _fake.Register("repl").Responds(i => FakeResponse.Success($"you typed {i.InputText}", "warning\n"));

        await using var running = await _fake.StartAsync(Command.New("repl").SetPseudoTerminal(100, 30));
        var terminal = running.Terminal!;
        await terminal.Stream.WriteAsync("2+2\n"u8.ToArray()).OrHang();
        await terminal.SendEndOfFileAsync().OrHang();
        using var reader = new StreamReader(terminal.Stream, Encoding.UTF8);
        Assert.Equal("you typed 2+2\nwarning\n", await reader.ReadToEndAsync().OrHang());
        await running.WaitAsync().OrHang();

        var invocation = Assert.Single(_fake.Invocations);
        Assert.Equal(new TerminalSize(100, 30), invocation.TerminalSize);
        Assert.Equal(TerminalStreams.All, invocation.Plan.PseudoTerminal!.Streams);
        Assert.Equal("2+2\n", invocation.InputText);
    }

    [Fact]
    public async Task Resize_is_recorded_with_its_SIGWINCH_and_interrupt_is_a_SIGINT_the_script_reacts_to()
    {
        _fake.Register("top").Returns(FakeResponse.Success().WithDelay(Long).OnSignal(Signal.SIGINT, FakeResponse.Exit(130, "bye\n")));

        await using var running = await _fake.StartAsync(Command.New("top").SetPseudoTerminal(80, 24, TerminalStreams.Output).SetOutputPipe().AllowNonZeroExit());
        var terminal = running.Terminal!;
        await terminal.ResizeAsync(120, 40).OrHang();
        var invocation = Assert.Single(_fake.Invocations);
        Assert.Equal(new TerminalSize(120, 40), invocation.TerminalSize);

        await terminal.InterruptAsync().OrHang();
        Assert.Equal("bye\n", await new StreamReader(running.StandardOutput!).ReadToEndAsync().OrHang());
        Assert.Equal(130, (await running.WaitAsync().OrHang()).ExitCode);
        Assert.False(terminal.Stream.CanRead);
        Assert.Equal([(Signal.SIGWINCH, SignalTarget.ProcessGroup), (Signal.SIGINT, SignalTarget.ProcessGroup)], invocation.Signals.Select(s => (s.Signal, s.Target)));
    }

    [Fact]
    public async Task The_fake_takes_the_features_of_the_backend_it_stands_in_for()
    {
        var managedLike = new FakeCommandRunner(CommandFeatures.StdioPipes) { AllowUnregistered = true };
        var error = await Assert.ThrowsAsync<CommandNotSupportedException>(() => managedLike.StartAsync(Command.New("sh").SetPseudoTerminal(80, 24)));
        Assert.Equal(CommandFeatures.PseudoTerminal, error.Feature);
    }
}
