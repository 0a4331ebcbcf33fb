using System.Runtime.InteropServices;

namespace VirCommand.Benchmarks.Scenarios;

/// <summary>
/// Resident memory the process carries on purpose (P6): native memory, every page written, so it is
/// in the page tables that a fork() copies. Native rather than managed: glibc maps a block this large
/// with mmap and unmaps it when freed, so switching sizes really gives the memory back, which a GC
/// heap need not do.
/// </summary>
internal static unsafe class Ballast
{
    private static void* _block;
    private static nuint _size;

    /// <summary>Makes the ballast exactly <paramref name="bytes"/> (untimed: a contender's set-up); a no-op when it is already.</summary>
    public static void Ensure(long bytes)
    {
        if (_size == (nuint)bytes)
            return;
        Release();
        _block = NativeMemory.Alloc((nuint)bytes);
        NativeMemory.Fill(_block, (nuint)bytes, 0x5A);
        _size = (nuint)bytes;
    }

    public static void Release()
    {
        if (_block is null)
            return;
        NativeMemory.Free(_block);
        _block = null;
        _size = 0;
    }
}
