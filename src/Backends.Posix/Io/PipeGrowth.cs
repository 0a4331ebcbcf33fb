using System.Runtime.InteropServices;
using VirCommand.Backends.Posix.Interop;

namespace VirCommand.Backends.Posix.Io;

/// <summary>
/// Grows a pipe that the parent reads to <see cref="Size"/> once it has carried <see cref="Threshold"/> bytes.
/// </summary>
/// <remarks>
/// A default pipe holds 64 KiB: a child that writes faster than that is read 64 KiB per wake-up, and each
/// wake-up costs the event loop (and a caller's stream a thread hop). A 1 MiB pipe lets one read take up to
/// 1 MiB: measured (bench P3), a 1 GiB stream goes about 1.5× faster and a capture about 2×. Only pipes that
/// prove busy are grown, because the kernel charges every pipe's full size against its user's quota
/// (<c>/proc/sys/fs/pipe-user-pages-soft</c>, 64 MiB by default; root is exempt) whether it is used or not:
/// the short outputs of most commands never get there. 1 MiB is the most an unprivileged process may ask
/// (<c>/proc/sys/fs/pipe-max-size</c>). When the kernel refuses (over the quota), the pipe just keeps its size.
/// </remarks>
internal struct PipeGrowth
{
    public const int Threshold = 1024 * 1024;
    public const int Size = 1024 * 1024;
    private const int F_SETPIPE_SZ = 1031;
    private long _carried;

    /// <summary>Counts <paramref name="bytes"/> just read from <paramref name="pipe"/>, and grows it once they add up to the threshold.</summary>
    public void Carried(SafeHandle pipe, nint bytes)
    {
        if (_carried >= Threshold)
            return;
        _carried += bytes;
        if (_carried >= Threshold)
            _ = Syscalls.Fcntl(pipe, F_SETPIPE_SZ, Size);
    }
}
