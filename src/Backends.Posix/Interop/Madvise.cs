using System.Runtime.InteropServices;

namespace VirCommand.Backends.Posix.Interop;

/// <summary>madvise(2), for giving the pages of memory that is no longer needed back to the kernel.</summary>
internal static unsafe partial class Madvise
{
    /// <summary>The range's pages are dropped; reading them again gives zeros (private anonymous memory).</summary>
    public const int MADV_DONTNEED = 4;

    [LibraryImport("libc", EntryPoint = "madvise")]
    public static partial int Advise(void* address, nuint length, int advice);
}
