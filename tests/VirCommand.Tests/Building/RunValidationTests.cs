namespace VirCommand.Tests.Building;

public sealed class RunValidationTests
{
    public static TheoryData<string, string> CallerServedSettings => new()
    {
        { "InputPipe", "stdin" },
        { "OutputPipe", "stdout" },
        { "ErrorPipe", "stderr" },
        { "MergedOutputPipe", "stdout" },
        { "Handshake", "handshake" },
    };

    [Theory]
    [MemberData(nameof(CallerServedSettings))]
    public void ValidateForRun_WhatTheCallerMustServe_IsRefusedForRunToCompletionButAllowedForStart(string setting, string named)
    {
        var command = Apply(new Command("prog"), setting);

        var ex = Assert.Throws<InvalidOperationException>(() => command.ValidateForRun(runToCompletion: true));

        Assert.Contains("StartAsync", ex.Message, StringComparison.Ordinal);
        Assert.Contains(named, ex.Message, StringComparison.OrdinalIgnoreCase);
        command.ValidateForRun(runToCompletion: false);
    }

    [Fact]
    public void ValidateForRun_AllPipesAndHandshake_AllowedForStart()
    {
        var command = new Command("prog").SetInputPipe().SetOutputPipe().SetErrorPipe().RequireHandshake();

        command.ValidateForRun(runToCompletion: false);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ValidateForRun_BuffersAndFds_AllowedBothWays(bool runToCompletion)
    {
        var command = new Command("prog").SetInputBuffer("in").SetOutputBuffer().SetErrorFd(2);
        command.SetSendBuffer(new byte[] { 1 });

        command.ValidateForRun(runToCompletion);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ValidateForRun_PlainCommand_IsAllowed(bool runToCompletion)
    {
        new Command("prog").ValidateForRun(runToCompletion);
    }

    private static Command Apply(Command command, string setting) => setting switch
    {
        "InputPipe" => command.SetInputPipe(),
        "OutputPipe" => command.SetOutputPipe(),
        "ErrorPipe" => command.SetErrorPipe(),
        "MergedOutputPipe" => command.SetMergedOutputPipe(),
        "Handshake" => command.RequireHandshake(),
        _ => throw new ArgumentOutOfRangeException(nameof(setting)),
    };
}
