using System.Runtime.InteropServices;

namespace VirCommand.Backends.Posix.Interop;

/// <summary>madvise(2), for giving the pages of memory that is no longer needed back to the kernel, and for faulting in a capture's pages in bulk.</summary>
internal static unsafe partial class Madvise
{
    /// <summary>The range's pages are dropped; reading them again gives zeros (private anonymous memory).</summary>
    public const int MADV_DONTNEED = 4;

    /// <summary>The range may be backed by transparent huge pages (where THP is "madvise" or "always").</summary>
    public const int MADV_HUGEPAGE = 14;

    /// <summary>Faults the range in, writable, in one call (Linux 5.14; EINVAL before).</summary>
    public const int MADV_POPULATE_WRITE = 23;

    [LibraryImport("libc", EntryPoint = "madvise")]
    public static partial int Advise(void* address, nuint length, int advice);
}
