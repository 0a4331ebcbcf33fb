using System.Numerics;
using VirCommand.Backends.Posix.Interop;

namespace VirCommand.Backends.Posix.Io;

/// <summary>
/// A capture of one stream, up to a limit, in one array that the result hands out as it is: no copy at the end.
/// </summary>
/// <remarks>
/// <para>
/// Reads land in the array's free space. When the array is full (or not there yet), the next read lands in a
/// small scratch buffer instead, and only bytes that actually arrive make the array grow: a stream that ends
/// exactly when the array is full costs no array twice its size, and a short output gets an array of its own
/// size, not a minimum block.
/// </para>
/// <para>
/// Growth at least doubles, to a power of two (so the copies add up to less than the bytes captured, the
/// array is never more than twice them, and an output of a power-of-two size fits exactly whatever sizes its
/// reads happened to have), and allocates without zeroing: only the pages that are written become resident.
/// The previous array is garbage once copied, but nothing triggers a collection while a capture reads (reads
/// allocate nothing), so the GC could leave it resident to the end, and every smaller one before it: that
/// would double the peak. So the copy gives the old array's pages back to the kernel as it goes, a chunk at
/// a time, and resident memory stays at about the bytes captured.
/// </para>
/// <para>
/// Faulting in fresh pages is most of what a large capture costs (on this VM a 4 KiB fault costs more than
/// reading the 4 KiB from the pipe: 1 GiB into fresh memory ran at 0.3 GiB/s, the same bytes discarded at
/// 2–4 GiB/s). So an array of <see cref="ReleaseChunk"/> or more asks for transparent huge pages
/// (MADV_HUGEPAGE: one fault per 2 MiB where the system allows THP on request), and its pages are faulted in
/// a window ahead of the writes, a few MiB per call (MADV_POPULATE_WRITE, Linux 5.14), instead of one trap
/// per page: resident memory stays within the window of the bytes written.
/// </para>
/// <para>
/// Bytes past the limit are read and dropped (so the child never blocks on a full pipe while it is being
/// stopped) and reported once through the overflow callback. One array holds at most
/// <see cref="Array.MaxLength"/> bytes (about 2 GiB), so a larger limit acts as that.
/// </para>
/// </remarks>
internal sealed unsafe class CaptureBuffer(long limit, Action onOverflow) : IOutputSink
{
    /// <summary>Arrays at least this large give their pages back while they are copied; smaller ones are not worth the system calls.</summary>
    internal const int ReleaseChunk = 4 * 1024 * 1024;

    /// <summary>The most a capture faults in ahead of its writes in one call.</summary>
    private const int MaxPopulateWindow = 16 * 1024 * 1024;

    /// <summary>Huge pages' size where THP is on (x86-64, arm64 with 4 KiB pages): what the array's range is aligned to.</summary>
    private const int HugePage = 2 * 1024 * 1024;

    /// <summary>Set once MADV_POPULATE_WRITE fails (a kernel before 5.14): later captures let the writes fault.</summary>
    private static volatile bool s_noPopulate;

    /// <summary>The scratch read's size: as much as a default pipe holds.</summary>
    private const int ScratchSize = 64 * 1024;

    /// <summary>Shared by every capture read on a thread: a channel calls <see cref="GetSpan"/> and <see cref="Advance"/> on one thread, back to back.</summary>
    [ThreadStatic]
    private static byte[]? t_scratch;

    private readonly long _limit = Math.Min(limit, Array.MaxLength);
    private byte[] _buffer = [];
    private int _length;
    private int _populated;
    private bool _readIntoScratch;

    public bool Overflowed { get; private set; }

    public ReadOnlyMemory<byte> Captured => _buffer.AsMemory(0, _length);

    /// <summary>The array's size, for tests.</summary>
    public int Capacity => _buffer.Length;

    public Span<byte> GetSpan()
    {
        if (_length < _buffer.Length)
        {
            _readIntoScratch = false;
            if (_length >= _populated && _buffer.Length >= ReleaseChunk)
                _populated = Populate(_buffer, _length, Math.Clamp(_length / 4, HugePage, MaxPopulateWindow));
            return _buffer.AsSpan(_length);
        }
        _readIntoScratch = true;
        return t_scratch ??= new byte[ScratchSize];
    }

    public void Advance(int count)
    {
        if (!_readIntoScratch)
        {
            _length += count;
            return;
        }
        _readIntoScratch = false;
        var kept = (int)Math.Min(count, _limit - _length);
        if (kept > 0)
        {
            var bigger = GC.AllocateUninitializedArray<byte>(NextCapacity(_buffer.Length, _length + kept, _limit));
            if (bigger.Length >= ReleaseChunk)
                AskForHugePages(bigger);
            MoveAndRelease(_buffer, _length, bigger);
            _populated = _length;
            t_scratch.AsSpan(0, kept).CopyTo(bigger.AsSpan(_length));
            _buffer = bigger;
            _length += kept;
        }
        if (kept < count && !Overflowed)
        {
            Overflowed = true;
            onOverflow();
        }
    }

    /// <summary>
    /// Copies the first <paramref name="length"/> bytes of <paramref name="from"/> to <paramref name="to"/>,
    /// chunk by chunk, and after each chunk drops the whole pages of <paramref name="from"/> copied so far
    /// (MADV_DONTNEED). Only this capture ever references <paramref name="from"/>, and it forgets it right
    /// after; the pages hold nothing but its elements (the object header before them, and whatever follows
    /// the array, stay untouched), so the GC finds a dead array whose bytes read as zeros. A failed madvise
    /// only costs memory.
    /// </summary>
    internal static void MoveAndRelease(byte[] from, int length, byte[] to)
    {
        if (length < ReleaseChunk)
        {
            from.AsSpan(0, length).CopyTo(to);
            return;
        }
        var page = (nuint)Environment.SystemPageSize;
        fixed (byte* start = from)
        {
            var released = ((nuint)start + page - 1) & ~(page - 1);
            for (var done = 0; done < length;)
            {
                var n = Math.Min(ReleaseChunk, length - done);
                _ = Populate(to, done, n);
                from.AsSpan(done, n).CopyTo(to.AsSpan(done));
                done += n;
                var copied = ((nuint)start + (nuint)done) & ~(page - 1);
                if (copied > released)
                {
                    _ = Madvise.Advise((void*)released, copied - released, Madvise.MADV_DONTNEED);
                    released = copied;
                }
            }
        }
    }

    /// <summary>
    /// Marks the whole 2 MiB blocks inside <paramref name="array"/> as fit for transparent huge pages. The
    /// array's memory is the GC heap's, but only the array lives in those blocks. A failure (THP off, an
    /// unaligned range) only leaves the small pages.
    /// </summary>
    private static void AskForHugePages(byte[] array)
    {
        fixed (byte* p = array)
        {
            var start = ((nuint)p + HugePage - 1) & ~(nuint)(HugePage - 1);
            var end = ((nuint)p + (nuint)array.Length) & ~(nuint)(HugePage - 1);
            if (end > start)
                _ = Madvise.Advise((void*)start, end - start, Madvise.MADV_HUGEPAGE);
        }
    }

    /// <summary>
    /// Faults in the pages of <paramref name="array"/> from <paramref name="offset"/> for <paramref name="count"/>
    /// bytes (the page under <paramref name="offset"/> included, the partial page at the end left to its write,
    /// since past the array's end the page may not be the heap's to touch). Writes nothing: pages already there
    /// stay as they are. Returns how far the pages are in.
    /// </summary>
    internal static int Populate(byte[] array, int offset, int count)
    {
        var to = (int)Math.Min((long)offset + count, array.Length);
        if (s_noPopulate || to <= offset)
            return to;
        var page = (nuint)Environment.SystemPageSize;
        fixed (byte* p = array)
        {
            var start = ((nuint)p + (nuint)offset) & ~(page - 1);
            var end = ((nuint)p + (nuint)to) & ~(page - 1);
            if (end > start && Madvise.Advise((void*)start, end - start, Madvise.MADV_POPULATE_WRITE) != 0)
                s_noPopulate = true;
        }
        return to;
    }

    /// <summary>The size of the next array: a power of two, at least double the current one and <paramref name="needed"/>, at most <paramref name="limit"/>.</summary>
    /// <param name="current">The current array's size.</param>
    /// <param name="needed">The bytes it must hold (what it holds plus what just arrived); at most <paramref name="limit"/>.</param>
    /// <param name="limit">The capture limit, already at most <see cref="Array.MaxLength"/>.</param>
    internal static int NextCapacity(int current, int needed, long limit) =>
        (int)Math.Min((long)BitOperations.RoundUpToPowerOf2((ulong)Math.Max(current * 2L, needed)), limit);
}
