using System.Diagnostics;
using VirCommand.Backends;
using VirCommand.Backends.Managed.Interop;
using VirCommand.Backends.Managed.Io;

namespace VirCommand.Backends.Managed;

/// <summary>
/// A child started by the managed backend. .NET reaps it and reports its exit without a thread of
/// its own (on Unix its pipes hold none either: see <see cref="Io.OutputPump"/>); this handle stops it on timeout,
/// cancellation, abort, the capture limit or disposal (the graceful signal on Linux, then the whole
/// process tree killed after the grace period), and turns its end into a result or an exception by
/// the same rules as every backend.
/// </summary>
internal sealed class ManagedRunningCommand : IRunningCommand
{
    private readonly Process _process;
    private readonly ChildStreams _streams;
    private readonly RunSettings _settings;
    private readonly bool _allowsNonZeroExit;
    private readonly Lock _lock = new();
    private readonly Task _exited;
    private readonly Task<CommandResult> _completion;
    private readonly ITimer? _timeout;
    private ITimer? _kill;
    private readonly StopRecord _stop = new();

    public ManagedRunningCommand(Process process, RunPlan plan, DateTimeOffset startTime)
    {
        var settings = plan.Settings;
        _process = process;
        _settings = settings;
        _allowsNonZeroExit = plan.AllowsNonZeroExit;
        CommandLine = plan.CommandLine;
        Pid = process.Id;
        StartTime = startTime;
        try
        {
            _exited = process.WaitForExitAsync(CancellationToken.None);
            _streams = new ChildStreams(process, plan, OnOverflow);
            if (settings.Timeout is { } timeout)
                _timeout = TimeProvider.System.CreateTimer(_ => Stop(StopReason.Timeout, default), null, timeout, Timeout.InfiniteTimeSpan);
        }
        catch
        {
            // Nobody would own this child: kill it here; .NET reaps it.
            KillTree();
            process.Dispose();
            throw;
        }
        _completion = CompleteAsync();
    }

    public int Pid { get; }

    public string CommandLine { get; }

    public DateTimeOffset StartTime { get; }

    public Stream? StandardInput => _streams.Input;

    public Stream? StandardOutput => _streams.Output;

    public Stream? StandardError => _streams.Error;

    public bool IsDetached { get; private set; }

    public async Task<CommandResult> WaitAsync(CancellationToken cancellationToken = default)
    {
        if (!_completion.IsCompleted && cancellationToken.CanBeCanceled)
        {
            using (cancellationToken.UnsafeRegister(_ => Stop(StopReason.Canceled, cancellationToken), null))
                await ((Task)_completion).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        var result = await _completion.ConfigureAwait(false);
        // No RawStatus here (see ManagedCommandRunner.Features): .NET gives only an exit code.
        return _stop.Judge(result, _settings, _allowsNonZeroExit, returnsRawStatus: false, _streams.ErrorTail?.ToString());
    }

    public async Task AbortAsync()
    {
        Stop(StopReason.Aborted, default);
        await ((Task)_completion).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Detach() => IsDetached = true;

    public Task WaitForHandshakeAsync(CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("This command did not call RequireHandshake: there is no handshake to wait for.");

    public Task NotifyHandshakeAsync(CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("This command did not call RequireHandshake: there is no handshake to release.");

    public async ValueTask DisposeAsync()
    {
        if (IsDetached)
        {
            // The Process object stays alive with this handle, which can still wait for or abort the child;
            // once it exited, the result holds all there is to know, and .NET's record of the child can go.
            _streams.DisposeCallerStreams();
            _ = _completion.ContinueWith(static (_, process) => ((Process)process!).Dispose(), _process, CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return;
        }
        await AbortAsync().ConfigureAwait(false);
        _streams.DisposeCallerStreams();
        _process.Dispose();
    }

    private async Task<CommandResult> CompleteAsync()
    {
        DateTimeOffset exitTime;
        try
        {
            await _exited.ConfigureAwait(false);
            exitTime = DateTimeOffset.UtcNow;

            // A grandchild may still hold an output pipe: read on for the drain time, then let go.
            var outputs = _streams.OutputsDone;
            if (!outputs.IsCompleted)
                await outputs.WaitAsync(_settings.DrainTimeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        finally
        {
            _timeout?.Dispose();
            lock (_lock)
                _kill?.Dispose();
            _streams.StopReading();
        }

        return new CommandResult(CommandLine, Pid, CommandResult.ExitStatus(_process.ExitCode), StartTime, exitTime,
            _streams.OutputCapture?.Captured ?? default, _streams.ErrorCapture?.Captured ?? default);
    }

    private void OnOverflow(string stream)
    {
        lock (_lock)
            _stop.NoteOverflow(stream);
        Stop(StopReason.CaptureLimit, default);
    }

    private void Stop(StopReason reason, CancellationToken cancelledBy)
    {
        lock (_lock)
        {
            // .NET may know of the exit (HasExited, which also reaps) a moment before WaitForExitAsync completes: ask it too.
            if (!_stop.TryStop(reason, exited: _exited.IsCompleted || _process.HasExited, cancelledBy))
                return;
            if (_settings.GracefulSignal == Signal.SIGKILL || !LinuxSignal.IsSupported)
            {
                KillTree();
                return;
            }
            // Not reaped a moment ago (HasExited above): the pid is still the child's, unless it is reaped in between.
            LinuxSignal.Send(Pid, _settings.GracefulSignal);
            _kill = TimeProvider.System.CreateTimer(_ => KillUnlessExited(), null, _settings.KillGracePeriod, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>
    /// The end of the grace period. Disposing the timer does not wait for a callback already running, so
    /// the kill holds the lock that the completion takes before the Process can be disposed.
    /// </summary>
    private void KillUnlessExited()
    {
        lock (_lock)
        {
            if (!_exited.IsCompleted)
                KillTree();
        }
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
