using System.Diagnostics;
using VirCommand.Backends.Managed.Interop;
using VirCommand.Backends.Managed.Io;

namespace VirCommand.Backends.Managed;

/// <summary>
/// A child started by the managed backend. .NET reaps it and reports its exit without a thread of
/// its own (on Unix its pipes hold none either: see <see cref="OutputPump"/>); signalling it is the
/// graceful signal on Linux, and otherwise (SIGKILL, or no signals on this platform) killing the
/// whole process tree.
/// </summary>
internal sealed class ManagedChild : IChildProcess
{
    private readonly Process _process;
    private readonly RunPlan _plan;
    private ChildStreams? _streams;

    public ManagedChild(Process process, RunPlan plan, DateTimeOffset startTime)
    {
        _process = process;
        _plan = plan;
        Pid = process.Id;
        StartTime = startTime;
        Exited = ExitStatusAsync(process);
    }

    public int Pid { get; }

    public DateTimeOffset StartTime { get; }

    public Stream? StandardInput => _streams?.Input;

    public Stream? StandardOutput => _streams?.Output;

    public Stream? StandardError => _streams?.Error;

    /// <summary>Completes with the exit code as a wait status: .NET gives no signal (see <see cref="ManagedCommandRunner.Features"/>).</summary>
    public Task<int> Exited { get; }

    /// <remarks>.NET may know of the exit (HasExited, which also reaps) a moment before <see cref="Exited"/> completes: ask it too.</remarks>
    public bool HasExited => Exited.IsCompleted || _process.HasExited;

    public Task OutputsDone => _streams?.OutputsDone ?? Task.CompletedTask;

    public ReadOnlyMemory<byte> CapturedOutput => _streams?.OutputCapture?.Captured ?? default;

    public ReadOnlyMemory<byte> CapturedError => _streams?.ErrorCapture?.Captured ?? default;

    public string? ErrorTail => _streams?.ErrorTail?.ToString();

    public bool ReachedHandshake => false;

    public void Start(StopSequence stops)
    {
        try
        {
            _streams = new ChildStreams(_process, _plan, stops.CaptureOverflowed);
        }
        catch
        {
            // Nobody would own this child: kill it here; .NET reaps it.
            KillTree();
            throw;
        }
    }

    /// <remarks>Called under the stop sequence's lock, which the kill after the grace period holds too: the Process is not disposed meanwhile.</remarks>
    public bool Signal(Signal signal, bool toProcessGroup)
    {
        if (HasExited)
            return false;
        if (signal == VirCommand.Signal.SIGKILL || !LinuxSignal.IsSupported)
            KillTree();
        else
            // Not reaped a moment ago: the pid is still the child's, unless .NET reaps it in between (IRunningCommand.SignalAsync documents the race).
            LinuxSignal.Send(Pid, signal);
        return true;
    }

    public void StopReading() => _streams?.StopReading();

    public Task ReleaseHandshakeAsync() => throw new NotSupportedException("The managed backend has no handshake.");

    public void AbandonHandshake()
    {
        // No handshake here (see ManagedCommandRunner.Features).
    }

    public void Close(bool detached)
    {
        _streams?.DisposeCallerStreams();
        if (!detached)
        {
            _process.Dispose();
            return;
        }
        // The Process object stays alive while the handle can still wait for or abort the child; once
        // it exited, the result holds all there is to know, and .NET's record of the child can go.
        _ = Exited.ContinueWith(static (_, process) => ((Process)process!).Dispose(), _process, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private static async Task<int> ExitStatusAsync(Process process)
    {
        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        return CommandResult.ExitStatus(process.ExitCode);
    }

    private void KillTree()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // Already exited, or gone between the check and the kill.
        }
        catch (AggregateException)
        {
            // The child was killed, but a descendant this process may not signal (a set-uid program run by
            // a non-root parent) was not: nothing more can be done, and this may run on a timer thread,
            // where an exception would end the whole process.
        }
    }
}
