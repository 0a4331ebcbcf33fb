using System.Runtime.InteropServices;

namespace VirCommand;

/// <summary>
/// Who closes the fds a command passed with <see cref="PassFdOptions.CloseParent"/>: claimed by the
/// first run that gets past the checks (they go to one child only), released once, by the run engine
/// right after that run's spawn was attempted, or by <see cref="Command.Dispose"/> if no run claimed them.
/// A clone gets its own ownership (of no fd) but shares the record of closed numbers, so that neither
/// can pass a number the other's run already closed.
/// </summary>
internal sealed class ParentFdOwnership
{
    private readonly Dictionary<int, SafeHandle> _owners = [];
    private readonly HashSet<int> _closed;
    private int _claimed;
    private int _released;

    public ParentFdOwnership()
        : this([])
    {
    }

    private ParentFdOwnership(HashSet<int> closed) => _closed = closed;

    /// <summary>An ownership of no fd, for a clone, that shares this one's record of closed numbers.</summary>
    public ParentFdOwnership ForClone() => new(_closed);

    /// <summary>The handle whose disposal closes <paramref name="fd"/>: the command owns it from now on.</summary>
    public void AddOwner(int fd, SafeHandle owner) => _owners[fd] = owner;

    /// <summary>True when <paramref name="fd"/> was passed with CloseParent and already closed, here or by a clone's sibling.</summary>
    public bool IsClosed(int fd)
    {
        lock (_closed)
            return _closed.Contains(fd);
    }

    /// <summary>Takes the right to the CloseParent fds among <paramref name="passedFds"/> for one run.</summary>
    /// <exception cref="InvalidOperationException">Another run took it already.</exception>
    public void Claim(IReadOnlyList<PassedFd> passedFds)
    {
        if (ClosesParent(passedFds) && Interlocked.Exchange(ref _claimed, 1) != 0)
            throw new InvalidOperationException(
                "This command passes fds with CloseParent, which go to the first child that starts: it cannot run again.");
    }

    /// <summary>Closes the CloseParent fds among <paramref name="passedFds"/>, once; later calls do nothing.</summary>
    public void Release(IReadOnlyList<PassedFd> passedFds)
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
            return;
        foreach (var passed in passedFds)
        {
            if (!passed.ClosesParent)
                continue;
            // A handle the caller already disposed has given its number back: closing the bare
            // number then would close whatever reuses it.
            if (_owners.TryGetValue(passed.ParentFd, out var owner))
                owner.Dispose();
            else
                CloseFd(passed.ParentFd);
            lock (_closed)
                _closed.Add(passed.ParentFd);
        }
        _owners.Clear();
    }

    private static bool ClosesParent(IReadOnlyList<PassedFd> passedFds)
    {
        foreach (var passed in passedFds)
        {
            if (passed.ClosesParent)
                return true;
        }
        return false;
    }

    private static void CloseFd(int fd)
    {
        using var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
    }
}
