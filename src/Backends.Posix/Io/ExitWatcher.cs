using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using VirCommand.Backends.Posix.Interop;

namespace VirCommand.Backends.Posix.Io;

/// <summary>
/// Reaps one child through its pidfd, which becomes readable when the child exits: no thread waits
/// for it (the event loop watches it, or a blocking run polls <see cref="PollFd"/> itself), and since
/// a pidfd names exactly one process, no other process's status is ever taken (never
/// <c>waitpid(-1)</c>). Runs a callback while the child is still a zombie, when its pid and process
/// group cannot have been reused.
/// </summary>
internal sealed class ExitWatcher : IReadinessHandler
{
    private readonly EventLoop? _loop;
    private readonly SafeFileHandle _pidfd;
    private readonly Action _beforeReap;
    private readonly Action? _afterReap;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();
    private ulong _token;

    /// <param name="loop">The loop that watches the pidfd, or null when the caller polls <see cref="PollFd"/> and calls <see cref="OnReady"/>.</param>
    /// <param name="pidfd">The child's pidfd; the watcher owns it and closes it once the child is reaped.</param>
    /// <param name="beforeReap">Runs just before the reap, on the thread that reaps.</param>
    /// <param name="afterReap">Runs on the thread that reaped, after <see cref="Exited"/> completed: cleanup that the waiter need not wait for.</param>
    public ExitWatcher(EventLoop? loop, SafeFileHandle pidfd, Action beforeReap, Action? afterReap = null)
    {
        _loop = loop;
        _pidfd = pidfd;
        _beforeReap = beforeReap;
        _afterReap = afterReap;
        if (loop is not null)
        {
            lock (_lock)
                _token = loop.Register(pidfd, Epoll.In, this);
        }
    }

    /// <summary>The pidfd to poll when no loop watches it; valid until the child is reaped.</summary>
    public int PollFd => (int)_pidfd.DangerousGetHandle();

    /// <summary>Kills and reaps a child nobody watches (its watcher could not be registered), then closes its pidfd.</summary>
    public static unsafe void KillAndReap(SafeFileHandle pidfd)
    {
        NativeSpawn.Signal(pidfd, (int)VirCommand.Signal.SIGKILL);
        var poll = new Syscalls.PollFd { Fd = (int)pidfd.DangerousGetHandle(), Events = Syscalls.POLLIN };
        while (Syscalls.Poll(&poll, 1, -1) < 0 && Marshal.GetLastPInvokeError() == Syscalls.EINTR)
        {
        }
        NativeSpawn.TryReap(pidfd, out _);
        pidfd.Dispose();
    }

    /// <summary>The raw wait status, once the child is reaped.</summary>
    public Task<int> Exited => _exited.Task;

    public void OnReady(uint events)
    {
        lock (_lock)
        {
            if (_exited.Task.IsCompleted)
                return;
            _beforeReap();
            var reaped = NativeSpawn.TryReap(_pidfd, out var status);
            if (reaped == 0)
                return;
            var errno = Marshal.GetLastPInvokeError();
            // The waiter first (its continuation runs elsewhere): closing the pidfd is not its business.
            if (reaped > 0)
                _exited.TrySetResult(status);
            else
                _exited.TrySetException(new IOException($"Reaping the child failed: {Marshal.GetPInvokeErrorMessage(errno)}"));
            if (_token != 0)
                _loop!.Unregister(_pidfd, _token);
            _token = 0;
            _pidfd.Dispose();
        }
        _afterReap?.Invoke();
    }

    /// <summary>
    /// Sends <paramref name="signal"/> to the child, or to its whole process group, unless it is already
    /// reaped: until then its pid, and so its group id, cannot name anyone else.
    /// </summary>
    /// <returns>False when the child was already reaped: nothing was sent.</returns>
    public bool Signal(int signal, int processGroup = 0)
    {
        lock (_lock)
        {
            if (_exited.Task.IsCompleted)
                return false;
            // The only failure left is ESRCH for a group whose other members are gone and whose leader is a zombie: nothing to signal.
            _ = processGroup > 0 ? Syscalls.Kill(-processGroup, signal) : NativeSpawn.Signal(_pidfd, signal);
            return true;
        }
    }
}
