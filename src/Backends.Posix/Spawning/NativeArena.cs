using System.Runtime.InteropServices;
using System.Text;

namespace VirCommand.Backends.Posix.Spawning;

/// <summary>
/// Native memory for every string and array of one spawn request, freed at once: a bump allocator
/// over chunks, so that the request is written in a single pass over the command and the environment
/// (no sizing pass first), and a typical request costs one malloc and one free (its first chunk).
/// </summary>
internal sealed unsafe class NativeArena : IDisposable
{
    /// <summary>Room for a few KiB of environment and arguments, the usual request.</summary>
    private const int ChunkSize = 16 * 1024;

    /// <summary>The chunk being filled; its first word links the previous chunk, for <see cref="Dispose"/>.</summary>
    private byte* _chunk;
    private nuint _used;
    private nuint _size;

    public byte* String(string value)
    {
        // UTF-8 takes at most 3 bytes per UTF-16 char (a surrogate pair: 4 for 2), so this is enough;
        // what the encoding did not use goes back at once.
        var max = checked(value.Length * 3);
        var p = Take((nuint)max + 1, 1);
        var length = Encoding.UTF8.GetBytes(value, new Span<byte>(p, max));
        p[length] = 0;
        _used -= (nuint)(max - length);
        return p;
    }

    /// <summary>Writes <c>name=value</c> as a NUL-terminated UTF-8 string, with no managed string in between.</summary>
    public byte* Pair(string name, string value)
    {
        var max = checked((name.Length + value.Length) * 3);
        var p = Take((nuint)max + 2, 1);
        var nameLength = Encoding.UTF8.GetBytes(name, new Span<byte>(p, max));
        p[nameLength] = (byte)'=';
        var valueLength = Encoding.UTF8.GetBytes(value, new Span<byte>(p + nameLength + 1, max - nameLength));
        p[nameLength + valueLength + 1] = 0;
        _used -= (nuint)(max - nameLength - valueLength);
        return p;
    }

    /// <summary>The NULL-terminated argv: the program as given, then the argument values (no managed list in between).</summary>
    public byte** Argv(string program, IReadOnlyList<CommandArgument> arguments)
    {
        var array = (byte**)Take((nuint)((arguments.Count + 2) * sizeof(nint)), (nuint)sizeof(nint));
        array[0] = String(program);
        for (var i = 0; i < arguments.Count; i++)
            array[i + 1] = String(arguments[i].Value);
        array[arguments.Count + 1] = null;
        return array;
    }

    public T* Items<T>(int count) where T : unmanaged => (T*)Take((nuint)(count * sizeof(T)), (nuint)sizeof(nint));

    /// <summary>A new arena that owns every chunk of this one, which is left empty: the pointers stay valid until the new one is disposed.</summary>
    public NativeArena Detach()
    {
        var owner = new NativeArena { _chunk = _chunk, _used = _used, _size = _size };
        _chunk = null;
        _used = _size = 0;
        return owner;
    }

    public void Dispose()
    {
        while (_chunk != null)
        {
            var previous = *(byte**)_chunk;
            NativeMemory.Free(_chunk);
            _chunk = previous;
        }
    }

    private byte* Take(nuint bytes, nuint alignment)
    {
        var start = (_used + alignment - 1) & ~(alignment - 1);
        if (_chunk == null || start + bytes > _size)
        {
            // A new chunk; the old ones stay (pointers into them are already in the request).
            var size = Math.Max(ChunkSize, bytes + alignment + (nuint)sizeof(nint));
            var chunk = (byte*)NativeMemory.Alloc(size);
            *(byte**)chunk = _chunk;
            _chunk = chunk;
            _size = size;
            start = ((nuint)sizeof(nint) + alignment - 1) & ~(alignment - 1);
        }
        _used = start + bytes;
        return _chunk + start;
    }
}
