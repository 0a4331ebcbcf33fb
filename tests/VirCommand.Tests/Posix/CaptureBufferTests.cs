using VirCommand.Backends.Posix.Io;

namespace VirCommand.Tests.Posix;

/// <summary>
/// The capture's growth, driven directly as a read channel drives it (GetSpan, read, Advance): what arrives is
/// kept in order, a full array grows only for bytes that really arrive, arrays are powers of two no larger than
/// the limit or the largest array, and the limit keeps exactly its bytes.
/// </summary>
public sealed class CaptureBufferTests
{
    [Fact]
    public void Bytes_arriving_in_uneven_reads_are_kept_in_order_across_every_growth()
    {
        // Past CaptureBuffer.ReleaseChunk, so that growths copy chunk by chunk and give the old pages back.
        var data = Pattern((3 * CaptureBuffer.ReleaseChunk) + 12345);
        var capture = new CaptureBuffer(long.MaxValue, () => Assert.Fail("no overflow expected"));

        Feed(capture, data, i => 1 + (i * 7919 % 70_000));

        Assert.True(capture.Captured.Span.SequenceEqual(data));
        Assert.False(capture.Overflowed);
    }

    [Fact]
    public void A_capture_that_ends_when_its_array_is_full_does_not_grow_it()
    {
        // A small first read, as when the reader wakes before the pipe filled; then full 64 KiB reads.
        var data = Pattern(256 * 1024);
        var capture = new CaptureBuffer(long.MaxValue, () => { });

        Feed(capture, data, i => i == 0 ? 4096 : 65536);
        EndOfFile(capture);

        Assert.Equal(data.Length, capture.Captured.Length);
        Assert.Equal(data.Length, capture.Capacity);
    }

    [Fact]
    public void A_short_output_gets_an_array_of_about_its_own_size()
    {
        var capture = new CaptureBuffer(64L * 1024 * 1024, () => { });

        Feed(capture, Pattern(100), _ => 65536);
        EndOfFile(capture);

        Assert.Equal(100, capture.Captured.Length);
        Assert.Equal(128, capture.Capacity);
    }

    [Fact]
    public void The_limit_keeps_exactly_its_bytes_and_reports_the_overflow_once()
    {
        var data = Pattern(3000);
        var overflows = 0;
        var capture = new CaptureBuffer(1000, () => overflows++);

        Feed(capture, data, _ => 700);

        Assert.True(capture.Captured.Span.SequenceEqual(data.AsSpan(0, 1000)));
        Assert.Equal(1000, capture.Capacity);
        Assert.True(capture.Overflowed);
        Assert.Equal(1, overflows);
    }

    [Theory]
    [InlineData(0, 8 << 20)]
    [InlineData(4097, 3 << 20)]
    [InlineData(5 << 20, 16 << 20)]
    public void Faulting_pages_in_ahead_changes_no_byte_and_stops_at_the_array_end(int offset, int count)
    {
        // Bytes already there, on pages around the range's unaligned edges, must read the same afterwards.
        var array = Pattern(6 << 20);

        var populated = CaptureBuffer.Populate(array, offset, count);

        Assert.Equal(Math.Min(offset + count, array.Length), populated);
        Assert.True(array.AsSpan().SequenceEqual(Pattern(array.Length)));
    }

    [Theory]
    [InlineData(0, 100, 1000, 128)]
    [InlineData(128, 65_636, long.MaxValue, 131_072)]
    [InlineData(131_072, 131_073, long.MaxValue, 262_144)]
    [InlineData(512, 600, 700, 700)]
    public void Arrays_grow_to_powers_of_two_within_the_limit(int current, int needed, long limit, int expected) =>
        Assert.Equal(expected, CaptureBuffer.NextCapacity(current, needed, Math.Min(limit, Array.MaxLength)));

    [Fact]
    public void A_capture_past_1_GiB_grows_to_the_largest_array_instead_of_failing()
    {
        // Doubling 1 GiB would ask for 2 GiB, more than one array can hold (Array.MaxLength).
        const int gibibyte = 1 << 30;

        Assert.Equal(Array.MaxLength, CaptureBuffer.NextCapacity(gibibyte, gibibyte + 65536, Math.Min(4L * gibibyte, Array.MaxLength)));
        Assert.Equal(Array.MaxLength, CaptureBuffer.NextCapacity(1_500_000_000, 1_500_065_536, Array.MaxLength));
    }

    [Fact]
    public void Moving_a_large_array_copies_every_byte_whatever_its_alignment()
    {
        foreach (var length in new[] { CaptureBuffer.ReleaseChunk, CaptureBuffer.ReleaseChunk + 1, (2 * CaptureBuffer.ReleaseChunk) + 4095 })
        {
            var from = Pattern(length);
            var expected = from.ToArray();
            var to = new byte[length + 10];

            CaptureBuffer.MoveAndRelease(from, length, to);

            Assert.True(to.AsSpan(0, length).SequenceEqual(expected));
        }
    }

    [Fact]
    public unsafe void Moving_gives_back_only_whole_pages_inside_the_old_array()
    {
        var length = (2 * CaptureBuffer.ReleaseChunk) + 12345;
        var from = Pattern(length);
        var expected = from.ToArray();
        var to = new byte[length];
        var page = Environment.SystemPageSize;

        CaptureBuffer.MoveAndRelease(from, length, to);

        fixed (byte* start = from)
        {
            // The first partial page (it holds the array's header too) and the last one (shared with whatever
            // follows the array) keep their bytes; every whole page in between reads as zeros (released).
            var head = (int)((((nint)start + page - 1) & ~((nint)page - 1)) - (nint)start);
            var tail = (int)((((nint)start + length) & ~((nint)page - 1)) - (nint)start);
            Assert.True(from.AsSpan(0, head).SequenceEqual(expected.AsSpan(0, head)));
            Assert.True(from.AsSpan(tail).SequenceEqual(expected.AsSpan(tail)));
            Assert.DoesNotContain(from.AsSpan(head, tail - head).ToArray(), b => b != 0);
        }
        Assert.True(to.AsSpan().SequenceEqual(expected));
    }

    /// <summary>Reads <paramref name="data"/> into the capture as a read channel does, read <c>i</c> asking at most <paramref name="readSize"/>(i) bytes.</summary>
    private static void Feed(CaptureBuffer capture, byte[] data, Func<int, int> readSize)
    {
        for (int offset = 0, i = 0; offset < data.Length; i++)
        {
            var span = capture.GetSpan();
            var n = Math.Min(Math.Min(span.Length, readSize(i)), data.Length - offset);
            data.AsSpan(offset, n).CopyTo(span);
            capture.Advance(n);
            offset += n;
        }
    }

    /// <summary>The read that finds end-of-file: a span asked for, nothing put in it.</summary>
    private static void EndOfFile(CaptureBuffer capture)
    {
        _ = capture.GetSpan();
        capture.Advance(0);
    }

    private static byte[] Pattern(int length)
    {
        var data = new byte[length];
        for (var i = 0; i < length; i++)
            data[i] = (byte)((i * 31) + (i >> 13));
        return data;
    }
}
