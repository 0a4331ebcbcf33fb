using System.Runtime.InteropServices;

namespace VirCommand;

/// <summary>
/// A native function <c>int hook(void *opaque)</c> that the child calls after fork as the last step
/// before changing ids and directory and calling exec. A non-zero return fails the start with
/// <see cref="StartStage.Hook"/>.
/// </summary>
/// <remarks>
/// A forked child of a .NET process cannot run managed code: the runtime's other threads did not
/// follow it into the child and any lock they held stays held forever. That is why this type holds
/// only a native symbol and never a delegate. The function must itself call only
/// async-signal-safe functions.
/// </remarks>
public readonly record struct PreExecHook
{
    private PreExecHook(nint function, nint opaque, string description)
    {
        Function = function;
        Opaque = opaque;
        Description = description;
    }

    /// <summary>The address of the native function.</summary>
    public nint Function { get; }

    /// <summary>The pointer passed to the function; the caller keeps what it points to alive while the command runs.</summary>
    public nint Opaque { get; }

    /// <summary>Where the function came from, for messages.</summary>
    public string Description { get; }

    /// <summary>Loads <paramref name="library"/> and takes the exported function <paramref name="symbol"/>.</summary>
    /// <exception cref="ArgumentException">The library cannot be loaded or does not export the symbol.</exception>
    public static PreExecHook FromLibrary(string library, string symbol, nint opaque = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(library);
        ArgumentException.ThrowIfNullOrEmpty(symbol);
        if (!NativeLibrary.TryLoad(library, out var handle))
            throw new ArgumentException($"The pre-exec hook library '{library}' cannot be loaded.", nameof(library));
        if (!NativeLibrary.TryGetExport(handle, symbol, out var function))
            throw new ArgumentException($"The library '{library}' does not export the pre-exec hook '{symbol}'.", nameof(symbol));
        return new PreExecHook(function, opaque, $"{symbol} in {library}");
    }

    /// <summary>Takes a native function address the caller obtained itself; it must point into native code.</summary>
    /// <exception cref="ArgumentException"><paramref name="function"/> is zero.</exception>
    public static PreExecHook FromFunctionPointer(nint function, nint opaque = 0)
    {
        if (function == 0)
            throw new ArgumentException("The pre-exec hook function pointer must not be null.", nameof(function));
        return new PreExecHook(function, opaque, $"native function 0x{function:x}");
    }
}
