using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace VirCommand.Backends.Fake.Interop;

/// <summary>
/// Writes a fake child's output to a caller's fd as a real child does: with <c>write(2)</c>, at the
/// file's shared offset (or its end under O_APPEND), so stdout and stderr on one file, and several
/// runs into one open file, follow each other instead of overwriting each other at a position of
/// their own (as a <see cref="FileStream"/> over the handle would, with <c>pwrite</c>).
/// </summary>
internal static partial class CallerFd
{
    private const int EINTR = 4;
    private const int EPIPE = 32;

    /// <summary>Writes all of <paramref name="bytes"/> to <paramref name="fd"/>.</summary>
    /// <returns>False when the fd is a pipe whose reader is gone (EPIPE): a real child would die of SIGPIPE there.</returns>
    /// <exception cref="IOException">The write failed otherwise.</exception>
    public static bool Write(int fd, ReadOnlySpan<byte> bytes)
    {
        if (OperatingSystem.IsWindows())
        {
            // The fd is a handle there, and a handle has no shared offset to keep.
            using var stream = new FileStream(new SafeFileHandle(fd, ownsHandle: false), FileAccess.Write, bufferSize: 0);
            stream.Write(bytes);
            return true;
        }
        while (!bytes.IsEmpty)
        {
            var written = UnixWrite(fd, bytes, bytes.Length);
            if (written >= 0)
            {
                bytes = bytes[(int)written..];
                continue;
            }
            var errno = Marshal.GetLastPInvokeError();
            if (errno == EPIPE)
                return false;
            if (errno != EINTR)
                throw new IOException($"Writing the fake child's output to fd {fd} failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        return true;
    }

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint UnixWrite(int fd, ReadOnlySpan<byte> buffer, nint count);
}
