using System.Runtime.InteropServices;
using System.Text;

namespace VirCommand.Backends.Posix.Spawning;

/// <summary>
/// One native allocation holding every string and array of a spawn request, so that preparing a
/// spawn costs one malloc and one free however many arguments and variables it has.
/// </summary>
internal sealed unsafe class NativeArena : IDisposable
{
    private byte* _base;
    private nuint _used;
    private readonly nuint _size;

    public NativeArena(nuint size)
    {
        _size = size;
        _base = (byte*)NativeMemory.Alloc(size);
    }

    /// <summary>The bytes needed for <paramref name="value"/> as a NUL-terminated UTF-8 string.</summary>
    public static nuint SizeOf(string value) => (nuint)Encoding.UTF8.GetByteCount(value) + 1;

    /// <summary>The bytes needed for <c>name=value</c> as a NUL-terminated UTF-8 string.</summary>
    public static nuint SizeOfPair(string name, string value) =>
        (nuint)(Encoding.UTF8.GetByteCount(name) + Encoding.UTF8.GetByteCount(value)) + 2;

    /// <summary>The bytes needed for a NULL-terminated array of <paramref name="count"/> pointers.</summary>
    public static nuint SizeOfArray(int count) => (nuint)((count + 1) * sizeof(nint)) + (nuint)sizeof(nint);

    public byte* String(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        var p = Take((nuint)length + 1, 1);
        Encoding.UTF8.GetBytes(value, new Span<byte>(p, length));
        p[length] = 0;
        return p;
    }

    /// <summary>Writes <c>name=value</c> as a NUL-terminated UTF-8 string, with no managed string in between.</summary>
    public byte* Pair(string name, string value)
    {
        var nameLength = Encoding.UTF8.GetByteCount(name);
        var valueLength = Encoding.UTF8.GetByteCount(value);
        var p = Take((nuint)(nameLength + valueLength + 2), 1);
        Encoding.UTF8.GetBytes(name, new Span<byte>(p, nameLength));
        p[nameLength] = (byte)'=';
        Encoding.UTF8.GetBytes(value, new Span<byte>(p + nameLength + 1, valueLength));
        p[nameLength + valueLength + 1] = 0;
        return p;
    }

    public byte** Array(IReadOnlyList<string> values)
    {
        var array = (byte**)Take((nuint)((values.Count + 1) * sizeof(nint)), (nuint)sizeof(nint));
        for (var i = 0; i < values.Count; i++)
            array[i] = String(values[i]);
        array[values.Count] = null;
        return array;
    }

    public T* Items<T>(int count) where T : unmanaged => (T*)Take((nuint)(count * sizeof(T)), (nuint)sizeof(nint));

    public void Dispose()
    {
        NativeMemory.Free(_base);
        _base = null;
    }

    private byte* Take(nuint bytes, nuint alignment)
    {
        var start = (_used + alignment - 1) & ~(alignment - 1);
        if (start + bytes > _size)
            throw new InvalidOperationException("The spawn request outgrew its arena: the size estimate is wrong.");
        _used = start + bytes;
        return _base + start;
    }
}
