using VirCommand.Backends;

namespace VirCommand.Backends.Fake;

/// <summary>
/// A real backend's child run for the fake (pass-through): it does all the real child does, and the
/// fake records it like its own: the signals it got, whether it was stopped, and how it ended.
/// </summary>
internal sealed class PassThroughChild(IChildProcess real, RunPlan plan, FakeInvocation invocation, TimeProvider time) : IChildProcess
{
    private StopSequence? _stops;

    public int Pid => real.Pid;

    public int? DaemonPid => real.DaemonPid;

    public DateTimeOffset StartTime => real.StartTime;

    public Stream? StandardInput => real.StandardInput;

    public Stream? StandardOutput => real.StandardOutput;

    public Stream? StandardError => real.StandardError;

    public PseudoTerminal? Terminal => real.Terminal;

    public Task<int> Exited => real.Exited;

    public bool HasExited => real.HasExited;

    public Task OutputsDone => real.OutputsDone;

    public ReadOnlyMemory<byte> CapturedOutput => real.CapturedOutput;

    public ReadOnlyMemory<byte> CapturedError => real.CapturedError;

    public string? ErrorTail => real.ErrorTail;

    public bool ReachedHandshake => real.ReachedHandshake;

    public void Start(StopSequence stops)
    {
        _stops = stops;
        real.Start(stops);
    }

    public bool Signal(Signal signal, bool toProcessGroup)
    {
        if (!real.Signal(signal, toProcessGroup))
            return false;
        invocation.Record(new FakeSignal(signal, toProcessGroup ? SignalTarget.ProcessGroup : SignalTarget.Process, time.GetUtcNow()));
        if (_stops?.IsStopping == true)
            invocation.WasStopped = true;
        return true;
    }

    /// <summary>The run is over and the captures final: the record gets its end.</summary>
    public void StopReading()
    {
        real.StopReading();
        if (real.Exited.IsCompletedSuccessfully)
            invocation.Result = plan.Result(Pid, real.Exited.Result, StartTime, time.GetUtcNow(), CapturedOutput, CapturedError);
    }

    public Task ReleaseHandshakeAsync() => real.ReleaseHandshakeAsync();

    public void AbandonHandshake() => real.AbandonHandshake();

    public void Close(bool detached) => real.Close(detached);
}
