using VirCommand.Backends.Fake;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Fake;

/// <summary>A test's own Responds callback that fails ends the run with that failure: it never hangs the run or its disposal.</summary>
public sealed class FakeCallbackFailureTests
{
    [Fact]
    public async Task A_callback_that_throws_after_a_stdin_pipe_ends_the_run_with_its_exception()
    {
        var fake = new FakeCommandRunner();
        fake.RegisterProgram("prog").Responds(i =>
        {
            _ = i.InputText; // reads the input: answers after stdin ends
            throw new ArithmeticException("the test's own assertion");
        });
        using var command = new Command("prog").SetInputPipe();
        var running = await fake.StartAsync(command);
        await running.StandardInput!.DisposeAsync();

        var e = await Assert.ThrowsAsync<ArithmeticException>(() => running.WaitAsync().OrHang());

        Assert.Equal("the test's own assertion", e.Message);
        await running.DisposeAsync().AsTask().OrHang();
    }

    [Fact]
    public async Task A_callback_that_throws_without_reading_the_input_fails_the_start()
    {
        var fake = new FakeCommandRunner();
        fake.RegisterProgram("prog").Responds(_ => throw new ArithmeticException("the test's own assertion"));

        await Assert.ThrowsAsync<ArithmeticException>(() => fake.StartAsync(new Command("prog").SetInputPipe()).OrHang());
    }

    [Fact]
    public async Task Disposing_a_run_whose_callback_failed_does_not_throw()
    {
        var fake = new FakeCommandRunner();
        fake.RegisterProgram("prog").Responds(i => i.InputText == "never" ? FakeResponse.Success() : null!);
        using var command = new Command("prog").SetInputPipe();
        var running = await fake.StartAsync(command);
        await running.StandardInput!.DisposeAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => running.WaitAsync().OrHang());

        await running.DisposeAsync().AsTask().OrHang();
    }
}
