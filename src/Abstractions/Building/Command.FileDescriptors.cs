using System.Runtime.InteropServices;

namespace VirCommand;

public sealed partial class Command
{
    private List<PassedFd> _passedFds = [];
    private ParentFdOwnership _parentFds = new();

    /// <summary>The fds the child keeps, besides 0, 1 and 2. Every other fd is closed in the child.</summary>
    public IReadOnlyList<PassedFd> PassedFds => _passedFds;

    /// <summary>What the child's stdin reads: <c>/dev/null</c> unless set.</summary>
    public StdioTarget Input { get; private set; } = StdioTarget.Null;

    /// <summary>Where the child's stdout goes: <c>/dev/null</c> unless set.</summary>
    public StdioTarget Output { get; private set; } = StdioTarget.Null;

    /// <summary>Where the child's stderr goes: <c>/dev/null</c> unless set; the same as <see cref="Output"/> when <see cref="MergesOutput"/>.</summary>
    public StdioTarget Error { get; private set; } = StdioTarget.Null;

    /// <summary>True when stdout and stderr share one pipe or capture, so they interleave in the child's write order.</summary>
    public bool MergesOutput { get; private set; }

    /// <summary>True when the parent ends of library-made pipes are non-blocking.</summary>
    public bool UsesNonblockingFds { get; private set; }

    /// <summary>
    /// Keeps <paramref name="fd"/> open in the child at the same number (<c>virCommandPassFD</c>).
    /// With <see cref="PassFdOptions.CloseParent"/> the command owns the fd: it is closed once the child
    /// has started, or when the command is disposed unstarted.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The fd is negative, or 0, 1 or 2 (use the stdin, stdout and stderr setters).</exception>
    /// <exception cref="InvalidOperationException">The fd or its child number is already used.</exception>
    public Command PassFd(int fd, PassFdOptions flags = PassFdOptions.None) => PassFd(fd, fd, flags);

    /// <summary>Keeps <paramref name="parentFd"/> open in the child as <paramref name="childFd"/> (beyond libvirt).</summary>
    /// <inheritdoc cref="PassFd(int, PassFdOptions)"/>
    public Command PassFd(int parentFd, int childFd, PassFdOptions flags = PassFdOptions.None) => AddPassedFd(parentFd, childFd, flags, owner: null);

    /// <summary>Keeps the handle's fd open in the child at the same number; with <see cref="PassFdOptions.CloseParent"/> the handle is disposed once the child has started.</summary>
    /// <inheritdoc cref="PassFd(int, PassFdOptions)"/>
    public Command PassFd(SafeHandle handle, PassFdOptions flags = PassFdOptions.None)
    {
        var fd = FdOf(handle, nameof(handle));
        return AddPassedFd(fd, fd, flags, handle);
    }

    /// <summary>Keeps the handle's fd open in the child as <paramref name="childFd"/>.</summary>
    /// <inheritdoc cref="PassFd(int, PassFdOptions)"/>
    public Command PassFd(SafeHandle handle, int childFd, PassFdOptions flags = PassFdOptions.None) =>
        AddPassedFd(FdOf(handle, nameof(handle)), childFd, flags, handle);

    /// <summary>Feeds the child's stdin from the caller's <paramref name="fd"/>, which the library never closes (<c>virCommandSetInputFD</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The fd is negative.</exception>
    /// <exception cref="InvalidOperationException">Stdin is already set.</exception>
    public Command SetInputFd(int fd) => SetInput(CallerFd(fd, nameof(fd)));

    /// <summary>Feeds the child's stdin from the handle's fd; the caller keeps the handle open while the child starts.</summary>
    public Command SetInputFd(SafeHandle handle) => SetInputFd(FdOf(handle, nameof(handle)));

    /// <summary>Connects stdin to a pipe whose write end the running command hands back as <see cref="IRunningCommand.StandardInput"/>.</summary>
    public Command SetInputPipe() => SetInput(StdioTarget.Pipe);

    /// <summary>Feeds <paramref name="data"/> (NUL bytes allowed) to stdin; every run feeds it again (<c>virCommandSetInputBuffer</c>).</summary>
    public Command SetInputBuffer(ReadOnlyMemory<byte> data) => SetInput(new StdioTarget(StdioKind.Buffer, Input: data.ToArray()));

    /// <summary>Feeds <paramref name="text"/> to stdin as UTF-8.</summary>
    /// <exception cref="ArgumentNullException">The text is null.</exception>
    public Command SetInputBuffer(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return SetInputBuffer(System.Text.Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Sends stdout to the caller's <paramref name="fd"/>, which the library never closes (<c>virCommandSetOutputFD</c>).</summary>
    public Command SetOutputFd(int fd) => SetOutput(CallerFd(fd, nameof(fd)), merged: false);

    /// <summary>Sends stdout to the handle's fd.</summary>
    public Command SetOutputFd(SafeHandle handle) => SetOutputFd(FdOf(handle, nameof(handle)));

    /// <summary>Connects stdout to a pipe handed back as <see cref="IRunningCommand.StandardOutput"/> (<c>virCommandSetOutputFD</c> with -1).</summary>
    public Command SetOutputPipe() => SetOutput(StdioTarget.Pipe, merged: false);

    /// <summary>Captures stdout into <see cref="CommandResult.StandardOutput"/> (<c>virCommandSetOutputBuffer</c>).</summary>
    public Command SetOutputBuffer() => SetOutput(StdioTarget.Capture, merged: false);

    /// <summary>Sends stderr to the caller's <paramref name="fd"/> (<c>virCommandSetErrorFD</c>); the same fd as stdout makes one shared fd.</summary>
    public Command SetErrorFd(int fd) => SetError(CallerFd(fd, nameof(fd)));

    /// <summary>Sends stderr to the handle's fd.</summary>
    public Command SetErrorFd(SafeHandle handle) => SetErrorFd(FdOf(handle, nameof(handle)));

    /// <summary>Connects stderr to its own pipe, handed back as <see cref="IRunningCommand.StandardError"/>.</summary>
    public Command SetErrorPipe() => SetError(StdioTarget.Pipe);

    /// <summary>Captures stderr into <see cref="CommandResult.StandardError"/> (<c>virCommandSetErrorBuffer</c>).</summary>
    public Command SetErrorBuffer() => SetError(StdioTarget.Capture);

    /// <summary>Connects stdout and stderr to one pipe, handed back as <see cref="IRunningCommand.StandardOutput"/>, interleaved in the child's write order.</summary>
    public Command SetMergedOutputPipe() => SetOutput(StdioTarget.Pipe, merged: true);

    /// <summary>
    /// Captures stdout and stderr into one buffer, <see cref="CommandResult.StandardOutput"/>, interleaved
    /// in the child's write order (<c>virCommandSetOutputBuffer</c> and <c>virCommandSetErrorBuffer</c> with one pointer).
    /// </summary>
    public Command SetMergedOutputBuffer() => SetOutput(StdioTarget.Capture, merged: true);

    /// <summary>Makes the parent ends of library-made pipes non-blocking (<c>virCommandNonblockingFDs</c>).</summary>
    public Command NonblockingFds() => Set(() => UsesNonblockingFds = true);

    /// <summary>
    /// Closes the fds passed with <see cref="PassFdOptions.CloseParent"/>, once: the run engine calls
    /// this right after the spawn of the run that claimed them was attempted; <see cref="Dispose"/>
    /// for a command that never started. Later runs of the command are refused, since the fds they
    /// would pass are gone.
    /// </summary>
    internal void ReleaseParentFds() => _parentFds.Release(_passedFds);

    /// <summary>The ownership of the CloseParent fds, which a run plan takes over from the gate on.</summary>
    internal ParentFdOwnership ParentFds => _parentFds;

    private IEnumerable<StdioTarget> StdioTargets() => [Input, Output, Error];

    private Command AddPassedFd(int parentFd, int childFd, PassFdOptions flags, SafeHandle? owner)
    {
        if (parentFd < 0)
            throw new ArgumentOutOfRangeException(nameof(parentFd), parentFd, "A file descriptor must not be negative.");
        if (parentFd < 3)
            throw new ArgumentOutOfRangeException(nameof(parentFd), parentFd,
                "fds 0, 1 and 2 are the standard streams: use SetInputFd, SetOutputFd or SetErrorFd.");
        if (childFd < 0)
            throw new ArgumentOutOfRangeException(nameof(childFd), childFd, "A file descriptor must not be negative.");
        if (childFd < 3)
            throw new ArgumentOutOfRangeException(nameof(childFd), childFd, "The child fd must be 3 or above: 0, 1 and 2 are the standard streams.");
        if ((flags & ~PassFdOptions.CloseParent) != 0)
            throw new ArgumentOutOfRangeException(nameof(flags), flags, "Unknown PassFd flags.");
        return Set(() =>
        {
            if (_passedFds.Any(p => p.ParentFd == parentFd))
                throw new InvalidOperationException($"fd {parentFd} is already passed to the child.");
            if (_passedFds.Any(p => p.ChildFd == childFd))
                throw new InvalidOperationException($"Child fd {childFd} is already taken by another passed fd.");
            if (_sendBuffers.Any(b => b.ChildFd == childFd))
                throw new InvalidOperationException(
                    $"Child fd {childFd} is already taken by a send buffer: pass fds before adding send buffers, or give the send buffer another child fd.");
            _passedFds.Add(new PassedFd(parentFd, childFd, flags));
            if (owner is not null && (flags & PassFdOptions.CloseParent) != 0)
                _parentFds.AddOwner(parentFd, owner);
        });
    }

    private static StdioTarget CallerFd(int fd, string paramName)
    {
        if (fd < 0)
            throw new ArgumentOutOfRangeException(paramName, fd, "A file descriptor must not be negative.");
        return new StdioTarget(StdioKind.Fd, fd);
    }

    private Command SetInput(StdioTarget target) => Set(() =>
    {
        if (Input.Kind != StdioKind.Null)
            throw new InvalidOperationException($"Stdin is already set ({Describe(Input)}); a stream can be set once.");
        ThrowIfOnTerminal(TerminalStreams.Input, "Stdin");
        if (IsDaemon && target.Kind == StdioKind.Stream)
            throw new InvalidOperationException("A daemon's stdin cannot be fed from a stream or source: it outlives the run that would pump it. Use an input buffer or file.");
        Input = target;
    });

    private Command SetOutput(StdioTarget target, bool merged) => Set(() =>
    {
        if (Output.Kind != StdioKind.Null)
            throw new InvalidOperationException($"Stdout is already set ({Describe(Output)}); a stream can be set once.");
        if (merged && Error.Kind != StdioKind.Null)
            throw new InvalidOperationException($"Stderr is already set ({Describe(Error)}): it cannot also be merged into stdout.");
        ThrowIfCallerFdOnTerminal(target);
        if (merged)
        {
            ThrowIfOnTerminal(TerminalStreams.Output, "Stdout");
            ThrowIfOnTerminal(TerminalStreams.Error, "Stderr");
        }
        ThrowIfDaemonCapture(target);
        Output = target;
        if (merged)
        {
            Error = target;
            MergesOutput = true;
        }
    });

    private Command SetError(StdioTarget target) => Set(() =>
    {
        if (Error.Kind != StdioKind.Null)
            throw new InvalidOperationException(MergesOutput
                ? "Stderr is already merged into stdout; a stream can be set once."
                : $"Stderr is already set ({Describe(Error)}); a stream can be set once.");
        ThrowIfOnTerminal(TerminalStreams.Error, "Stderr");
        ThrowIfDaemonCapture(target);
        Error = target;
    });

    private void ThrowIfDaemonCapture(StdioTarget target)
    {
        if (IsDaemon && ServedByTheRun(target))
            throw new InvalidOperationException($"A daemon's output cannot be captured or pumped ({Describe(target)}): the command is daemonized and outlives its run.");
    }

    /// <summary>True for an output only a running parent can serve: a capture, a stream, a tee. A daemon outlives its run, so it cannot have one.</summary>
    private static bool ServedByTheRun(StdioTarget target) => target.Kind is StdioKind.Buffer or StdioKind.Stream || target.Captures;

    private static string Describe(StdioTarget target) => target.Kind switch
    {
        StdioKind.Fd => $"caller fd {target.Fd}",
        StdioKind.Pipe => "a pipe",
        StdioKind.Buffer => "a buffer",
        StdioKind.File => $"the file '{target.Path}'" + (target.Captures ? ", captured too" : ""),
        StdioKind.Stream => "a stream" + (target.Captures ? ", captured too" : ""),
        _ => "/dev/null",
    };
}
