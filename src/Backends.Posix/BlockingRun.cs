using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using VirCommand.Backends.Posix.Interop;
using VirCommand.Backends.Posix.Io;
using VirCommand.Backends.Posix.Spawning;

namespace VirCommand.Backends.Posix;

/// <summary>
/// A blocking run to completion that waits on the calling thread: <c>poll(2)</c> on the child's
/// pidfd and the run's own pipes, which it pumps itself, with the deadlines (timeout, kill grace,
/// drain) as poll timeouts. The child's exit wakes the caller directly, as <c>waitpid</c> would: no
/// event loop, no thread-pool thread, so a blocking run is not slower than its async twin, and many
/// blocking runs on pool threads cannot starve the pool of the threads that would complete them.
/// The rules are the run engine's: the same <see cref="StopSequence"/> stops the child and judges
/// its end; only the waiting is this loop's own.
/// </summary>
internal sealed unsafe class BlockingRun
{
    private const long Never = StopSequence.Never;

    private readonly PosixChild _child;
    private readonly ChildIo _io;
    private readonly ExitWatcher _watcher;
    private readonly RunSettings _settings;
    private readonly StopSequence _stops;
    private readonly SafeFileHandle? _wake;
    private readonly bool _signalsGroup;

    private BlockingRun(RunPlan plan, PosixChild child)
    {
        _child = child;
        _io = child.Io;
        _settings = plan.Settings;
        _signalsGroup = plan.SignalsProcessGroup;
        _stops = new StopSequence(plan, child, time: null);
        // A cancellation comes from another thread while this one sits in poll: the eventfd, made
        // before the spawn, wakes it, so that it keeps the kill deadline itself.
        _wake = _io.Wake;
        if (_wake is not null)
            _stops.Stopped = Wake;
        child.Start(_stops, loop: null);
        _watcher = child.Watcher;
        plan.Observer.Started(child.Pid, _stops);
    }

    /// <summary>
    /// Waits for the spawned child on the calling thread and judges its end; closes everything of the
    /// run. The child's <see cref="ChildIo.Wake"/> must be there: the token or the runner's shutdown may stop the run from another thread.
    /// </summary>
    public static CommandResult Run(RunPlan plan, PosixChild child, CancellationToken cancellationToken)
    {
        BlockingRun run;
        try
        {
            run = new BlockingRun(plan, child);
        }
        catch (Exception e)
        {
            plan.Observer.Failed(e);
            child.Close(detached: false);
            throw;
        }
        try
        {
            int status;
            DateTimeOffset exitTime;
            using (cancellationToken.CanBeCanceled
                ? cancellationToken.UnsafeRegister(static (state, token) => ((StopSequence)state!).Stop(StopReason.Canceled, token), run._stops)
                : default)
            {
                (status, exitTime) = run.Wait();
            }
            var result = plan.Result(child.Pid, status, child.StartTime, exitTime, child.CapturedOutput, child.CapturedError);
            plan.Observer.Ended(result);
            return run._stops.Judge(result, child.ErrorTail);
        }
        catch (Exception e)
        {
            // Judge's verdict comes after Ended, which ignores this second report; a failed wait is the first.
            plan.Observer.Failed(e);
            throw;
        }
        finally
        {
            // The wake-up eventfd with the pipes.
            child.Close(detached: false);
        }
    }

    /// <summary>Pumps the pipes until the child is reaped and its outputs are drained; returns its raw status and exit time.</summary>
    private (int Status, DateTimeOffset ExitTime) Wait()
    {
        var timeoutAt = StopSequence.Deadline(Stopwatch.GetTimestamp(), _settings.Timeout ?? Timeout.InfiniteTimeSpan);
        var drainAt = Never;
        var exitTime = default(DateTimeOffset);
        var channels = _io.Writers.Count + _io.Readers.Count + (_io.TailReader is null ? 0 : 1);
        var fds = stackalloc Syscalls.PollFd[channels + 2];
        var polled = new PipeChannel?[channels];
        try
        {
            while (true)
            {
                var exited = _watcher.Exited.IsCompleted;
                var now = Stopwatch.GetTimestamp();
                if (exited && (now >= drainAt || !AnyOpen(_io.Readers)))
                    break;
                if (!exited && now >= timeoutAt)
                {
                    timeoutAt = Never;
                    _stops.Stop(StopReason.Timeout, default);
                }
                var killAt = _stops.KillAt;
                if (!exited && now >= killAt)
                {
                    _stops.Kill();
                    killAt = Never;
                }

                var count = 0;
                if (!exited)
                    fds[count++] = new Syscalls.PollFd { Fd = _watcher.PollFd, Events = Syscalls.POLLIN };
                if (_wake is not null)
                    fds[count++] = new Syscalls.PollFd { Fd = (int)_wake.DangerousGetHandle(), Events = Syscalls.POLLIN };
                var first = count;
                count = Add(_io.Writers, fds, count, polled, first);
                count = Add(_io.Readers, fds, count, polled, first);
                if (_io.TailReader is { IsClosed: false } tail)
                {
                    polled[count - first] = tail;
                    fds[count++] = new Syscalls.PollFd { Fd = tail.PollFd, Events = Syscalls.POLLIN };
                }

                var ready = Syscalls.Poll(fds, (nuint)count, TimeoutMs(now, exited ? drainAt : Math.Min(timeoutAt, killAt)));
                if (ready < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Syscalls.EINTR)
                        continue;
                    throw new IOException($"poll failed: {Marshal.GetPInvokeErrorMessage(errno)}");
                }
                if (ready == 0)
                    continue;
                for (var i = first; i < count; i++)
                {
                    if (fds[i].Revents != 0)
                        polled[i - first]!.OnReady(0);
                }
                if (_wake is not null && fds[exited ? 0 : 1].Revents != 0)
                {
                    ulong drained;
                    Syscalls.Read(_wake, (byte*)&drained, sizeof(ulong));
                }
                if (!exited && fds[0].Revents != 0)
                {
                    _watcher.OnReady(0);
                    if (_watcher.Exited.IsCompleted)
                    {
                        exitTime = DateTimeOffset.UtcNow;
                        drainAt = StopSequence.Deadline(Stopwatch.GetTimestamp(), _settings.DrainTimeout);
                    }
                }
            }
        }
        finally
        {
            if (!_watcher.Exited.IsCompleted)
                KillAndReap();
            _child.StopReading();
            _stops.Finish();
        }
        // Faulted only if waitid itself failed; the exception says so.
        return (_watcher.Exited.GetAwaiter().GetResult(), exitTime);
    }

    private static bool AnyOpen(IReadOnlyList<ReadChannel> readers)
    {
        for (var i = 0; i < readers.Count; i++)
        {
            if (!readers[i].IsClosed)
                return true;
        }
        return false;
    }

    private static int Add<T>(IReadOnlyList<T> channels, Syscalls.PollFd* fds, int count, PipeChannel?[] polled, int first)
        where T : PipeChannel
    {
        for (var i = 0; i < channels.Count; i++)
        {
            var channel = channels[i];
            if (channel.IsClosed)
                continue;
            polled[count - first] = channel;
            fds[count++] = new Syscalls.PollFd
            {
                Fd = channel.PollFd,
                Events = channel.Events == Epoll.Out ? Syscalls.POLLOUT : Syscalls.POLLIN,
            };
        }
        return count;
    }

    /// <summary>Something failed while waiting: the child must not outlive the run unreaped.</summary>
    private void KillAndReap()
    {
        _child.Signal(Signal.SIGKILL, _signalsGroup);
        var poll = new Syscalls.PollFd { Fd = _watcher.PollFd, Events = Syscalls.POLLIN };
        while (!_watcher.Exited.IsCompleted)
        {
            if (Syscalls.Poll(&poll, 1, -1) >= 0 || Marshal.GetLastPInvokeError() == Syscalls.EINTR)
                _watcher.OnReady(0);
            else
                break;
        }
    }

    private void Wake()
    {
        var one = 1UL;
        Syscalls.Write(_wake!, (byte*)&one, sizeof(ulong));
    }

    /// <summary>The poll timeout until <paramref name="deadline"/>, rounded up so that the deadline has passed on wake-up.</summary>
    private static int TimeoutMs(long now, long deadline)
    {
        if (deadline == Never)
            return -1;
        var ms = Math.Ceiling((deadline - now) * 1000.0 / Stopwatch.Frequency);
        return ms <= 0 ? 0 : (int)Math.Min(ms, int.MaxValue);
    }
}
