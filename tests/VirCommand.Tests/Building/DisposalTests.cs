namespace VirCommand.Tests.Building;

public sealed class DisposalTests
{
    private static readonly Dictionary<string, Action<Command>> Calls = new(StringComparer.Ordinal)
    {
        ["AddArg"] = c => c.AddArg("x"),
        ["AddSecretArg"] = c => c.AddSecretArg("x"),
        ["AddArgFormat"] = c => c.AddArgFormat("{0}", 1),
        ["AddArgPair"] = c => c.AddArgPair("a", "b"),
        ["AddSecretArgPair"] = c => c.AddSecretArgPair("a", "b"),
        ["AddArgSet"] = c => c.AddArgSet(["x"]),
        ["AddArgList"] = c => c.AddArgList("x"),
        ["AddEnvPair"] = c => c.AddEnvPair("A", "1"),
        ["AddSecretEnvPair"] = c => c.AddSecretEnvPair("A", "1"),
        ["AddEnvString"] = c => c.AddEnvString("A=1"),
        ["AddEnvPass"] = c => c.AddEnvPass("PATH"),
        ["AddEnvPassCommon"] = c => c.AddEnvPassCommon(),
        ["PassFd"] = c => c.PassFd(100),
        ["PassFdRemapped"] = c => c.PassFd(100, 3),
        ["SetInputFd"] = c => c.SetInputFd(5),
        ["SetInputPipe"] = c => c.SetInputPipe(),
        ["SetInputBuffer"] = c => c.SetInputBuffer("x"),
        ["SetOutputFd"] = c => c.SetOutputFd(5),
        ["SetOutputPipe"] = c => c.SetOutputPipe(),
        ["SetOutputBuffer"] = c => c.SetOutputBuffer(),
        ["SetErrorFd"] = c => c.SetErrorFd(5),
        ["SetErrorPipe"] = c => c.SetErrorPipe(),
        ["SetErrorBuffer"] = c => c.SetErrorBuffer(),
        ["SetMergedOutputPipe"] = c => c.SetMergedOutputPipe(),
        ["SetMergedOutputBuffer"] = c => c.SetMergedOutputBuffer(),
        ["NonblockingFds"] = c => c.NonblockingFds(),
        ["SetSendBuffer"] = c => c.SetSendBuffer(new byte[] { 1 }),
        ["SetSendBufferAt"] = c => c.SetSendBuffer(new byte[] { 1 }, 9),
        ["SetWorkingDirectory"] = c => c.SetWorkingDirectory("/tmp"),
        ["SetUmask"] = c => c.SetUmask(0),
        ["Daemonize"] = c => c.Daemonize(),
        ["SetPidFile"] = c => c.SetPidFile("/run/x.pid"),
        ["SetResourceLimit"] = c => c.SetResourceLimit(ResourceLimitKind.CoreSize, 0),
        ["SetMaxFiles"] = c => c.SetMaxFiles(1),
        ["NewSession"] = c => c.NewSession(),
        ["NewProcessGroup"] = c => c.NewProcessGroup(),
        ["SetParentDeathSignal"] = c => c.SetParentDeathSignal(Signal.SIGTERM),
        ["SetUid"] = c => c.SetUid(1),
        ["SetGid"] = c => c.SetGid(1),
        ["ClearCaps"] = c => c.ClearCaps(),
        ["AllowCap"] = c => c.AllowCap(Capability.CAP_CHOWN),
        ["SetNoNewPrivileges"] = c => c.SetNoNewPrivileges(),
        ["SetPreExecHook"] = c => c.SetPreExecHook(PreExecHook.FromFunctionPointer(0x1000)),
        ["RequireHandshake"] = c => c.RequireHandshake(),
        ["AllowNonZeroExit"] = c => c.AllowNonZeroExit(),
        ["RawStatus"] = c => c.RawStatus(),
        ["SetTimeout"] = c => c.SetTimeout(TimeSpan.FromSeconds(1)),
        ["SetGracefulSignal"] = c => c.SetGracefulSignal(Signal.SIGINT),
        ["SetKillGracePeriod"] = c => c.SetKillGracePeriod(TimeSpan.Zero),
        ["SetDrainTimeout"] = c => c.SetDrainTimeout(TimeSpan.Zero),
        ["SetCaptureLimit"] = c => c.SetCaptureLimit(1),
        ["ValidateForRunToCompletion"] = c => c.ValidateForRun(runToCompletion: true),
        ["ValidateForStart"] = c => c.ValidateForRun(runToCompletion: false),
        ["Clone"] = c => c.Clone(),
    };

    public static TheoryData<string> CallNames => [.. Calls.Keys];

    [Theory]
    [MemberData(nameof(CallNames))]
    public void DisposedCommand_Call_ThrowsObjectDisposed(string call)
    {
        var command = new Command("prog");
        command.Dispose();

        Assert.Throws<ObjectDisposedException>(() => Calls[call](command));
    }

    [Theory]
    [MemberData(nameof(CallNames))]
    public void LiveCommand_Call_Succeeds(string call)
    {
        using var command = new Command("prog");

        Calls[call](command);
    }
}
