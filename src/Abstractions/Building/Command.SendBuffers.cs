namespace VirCommand;

public sealed partial class Command
{
    private List<SendBuffer> _sendBuffers = [];

    /// <summary>The extra data pipes, each read by the child at its <see cref="SendBuffer.ChildFd"/>.</summary>
    public IReadOnlyList<SendBuffer> SendBuffers => _sendBuffers;

    /// <summary>
    /// Adds a pipe the library fills with <paramref name="data"/> and then closes, pumped together with
    /// stdin; the child reads it at the returned fd number, the lowest one from 3 up that no passed fd or
    /// other send buffer takes (<c>virCommandSetSendBuffer</c>). Give the number to the child, for
    /// example as <c>--readfd N</c>.
    /// </summary>
    /// <returns>The fd number the child reads the data from.</returns>
    public int SetSendBuffer(ReadOnlyMemory<byte> data) => AddSendBuffer(data, childFd: null);

    /// <summary>Adds a send buffer that the child reads at <paramref name="childFd"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The child fd is below 3.</exception>
    /// <exception cref="InvalidOperationException">The child fd is already taken.</exception>
    public int SetSendBuffer(ReadOnlyMemory<byte> data, int childFd)
    {
        if (childFd < 3)
            throw new ArgumentOutOfRangeException(nameof(childFd), childFd, "The child fd must be 3 or above: 0, 1 and 2 are the standard streams.");
        return AddSendBuffer(data, childFd);
    }

    /// <summary>Picks (when <paramref name="childFd"/> is null) and checks the child fd under the setters' lock, so two threads never get the same one.</summary>
    private int AddSendBuffer(ReadOnlyMemory<byte> data, int? childFd)
    {
        var copy = data.ToArray();
        var chosen = 0;
        Set(() =>
        {
            chosen = childFd ?? 3;
            if (childFd is null)
            {
                while (ChildFdTaken(chosen))
                    chosen++;
            }
            else if (ChildFdTaken(chosen))
                throw new InvalidOperationException($"Child fd {chosen} is already taken by a passed fd or another send buffer.");
            _sendBuffers.Add(new SendBuffer(chosen, copy));
        });
        return chosen;
    }

    private bool ChildFdTaken(int childFd) => _passedFds.Any(p => p.ChildFd == childFd) || _sendBuffers.Any(b => b.ChildFd == childFd);
}
