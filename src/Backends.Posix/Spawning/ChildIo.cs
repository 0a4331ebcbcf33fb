using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using VirCommand.Backends.Posix.Interop;
using VirCommand.Backends.Posix.Io;

namespace VirCommand.Backends.Posix.Spawning;

/// <summary>
/// The fds of one spawn: what the child gets at 0, 1, 2 and above, and what the parent keeps —
/// streams for the caller, channels the event loop pumps. Every fd is opened close-on-exec; the
/// child's ends are closed in the parent right after the spawn.
/// </summary>
internal sealed class ChildIo : IDisposable
{
    private readonly List<SafeFileHandle> _childEnds = [];
    private readonly List<WriteChannel> _writers = [];
    private readonly List<ReadChannel> _readers = [];
    private readonly EventLoop _loop;
    private ReadChannel? _tailReader;
    private SafeFileHandle? _tailWriteEnd;

    /// <summary>
    /// One <c>/dev/null</c> for every spawn, opened on first use and kept: it has no state to share.
    /// Opened with open(2) rather than <see cref="File.OpenHandle"/>, which also takes a flock whose
    /// cost grows with every other flock on the <c>/dev/null</c> inode, system-wide.
    /// </summary>
    private static SafeFileHandle? s_devNull;
    private bool _pumping;

    private ChildIo(EventLoop loop) => _loop = loop;

    public int StdinFd { get; private set; }

    public int StdoutFd { get; private set; }

    public int StderrFd { get; private set; }

    /// <summary>Extra fds: parent number → child number (passed fds and send buffers' read ends).</summary>
    public List<(int Parent, int Child)> ExtraFds { get; } = [];

    public PipeStream? Input { get; private set; }

    public PipeStream? Output { get; private set; }

    public PipeStream? Error { get; private set; }

    public CaptureBuffer? OutputCapture { get; private set; }

    public CaptureBuffer? ErrorCapture { get; private set; }

    public TailBuffer? ErrorTail { get; private set; }

    /// <summary>The master side of the plan's pseudo-terminal, or null.</summary>
    public PosixTerminal? Terminal { get; private set; }

    /// <summary>The terminal's slave, which the child makes its controlling terminal; -1 without one.</summary>
    public int TerminalSlaveFd { get; private set; } = -1;

    /// <summary>
    /// True for a daemon: stdin and send buffers are fed on after the run returned (the intermediate
    /// process exited) until the daemon has read them or closed its end; nothing else stops them.
    /// </summary>
    public bool InputsOutliveRun { get; private init; }

    /// <summary>Called on the pumping thread (the event loop's, or a blocking run's) with <c>stdout</c> or <c>stderr</c> when a capture exceeds its limit.</summary>
    public Action<string>? Overflowed { get; set; }

    /// <summary>The channels that feed the child (stdin, send buffers).</summary>
    public IReadOnlyList<WriteChannel> Writers => _writers;

    /// <summary>The captures' channels, which the run drains after the child exited; not the stderr tail's.</summary>
    public IReadOnlyList<ReadChannel> Readers => _readers;

    /// <summary>The stderr tail's channel, or null.</summary>
    public ReadChannel? TailReader => _tailReader;

    /// <summary>Completes when every capture's channel reached end-of-file (the stderr tail's never does: see <see cref="ErrorTailPipe"/>).</summary>
    public Task OutputsDone => _readers.Count switch
    {
        0 => Task.CompletedTask,
        1 => _readers[0].Completion,
        _ => Task.WhenAll(_readers.ConvertAll(r => r.Completion)),
    };

    /// <summary>
    /// For a blocking run that can be cancelled: the eventfd that wakes its waiting thread. Made with
    /// the pipes, before the spawn, so that running out of fds fails the start with nothing spawned.
    /// </summary>
    public SafeFileHandle? Wake { get; private set; }

    /// <param name="plan">The run's plan.</param>
    /// <param name="loop">The loop that pumps the pipes.</param>
    /// <param name="wakeable">True to make <see cref="Wake"/>.</param>
    /// <exception cref="StartFailure">A pipe, <c>/dev/null</c> or the eventfd could not be opened; everything opened so far is closed.</exception>
    public static ChildIo Create(RunPlan plan, EventLoop loop, bool wakeable = false)
    {
        var io = new ChildIo(loop) { InputsOutliveRun = plan.IsDaemon };
        try
        {
            if (wakeable)
            {
                var fd = Syscalls.EventFd(0, Syscalls.EFD_CLOEXEC | Syscalls.EFD_NONBLOCK);
                if (fd < 0)
                    throw new StartFailure(StartStage.Pipe, Marshal.GetLastPInvokeError(), "cannot make the eventfd that wakes a cancelled run");
                io.Wake = new SafeFileHandle(fd, ownsHandle: true);
            }
            io.Connect(plan);
            return io;
        }
        catch
        {
            io.Dispose();
            throw;
        }
    }

    /// <summary>Closes the parent's copies of the child's ends; call once the spawn returned.</summary>
    public void CloseChildEnds()
    {
        foreach (var end in _childEnds)
            end.Dispose();
        _childEnds.Clear();
    }

    /// <summary>Hands the library's own pipe ends to the event loop, or (<paramref name="onLoop"/> false) readies them for a blocking run that pumps them itself.</summary>
    public void StartPumping(bool onLoop = true)
    {
        _pumping = true;
        foreach (var writer in _writers)
            writer.Start(onLoop);
        foreach (var reader in _readers)
            reader.Start(onLoop);
        _tailReader?.Start(onLoop);
    }

    /// <summary>Stops pumping: takes what is already in each output pipe and closes it (a grandchild may hold it open) and every input channel, unless <see cref="InputsOutliveRun"/>.</summary>
    public void StopPumping() => StopPumping(closeInputs: !InputsOutliveRun);

    /// <summary>Takes what is in the stderr tail's pipe and closes it (see <see cref="ErrorTailPipe"/>); safe from any thread, more than once.</summary>
    public void FinishErrorTail()
    {
        _tailReader?.FinishAndClose();
        _tailWriteEnd?.Dispose();
    }

    /// <summary>Closes the streams handed to the caller, and the terminal (it hangs up).</summary>
    public void DisposeStreams()
    {
        Input?.Dispose();
        Output?.Dispose();
        Error?.Dispose();
        Terminal?.Dispose();
    }

    /// <summary>Closes everything: the child's ends, the channels and the caller's streams.</summary>
    public void Dispose()
    {
        Wake?.Dispose();
        CloseChildEnds();
        // Inputs that never started pumping (the spawn failed) have no daemon to outlive the run for.
        StopPumping(closeInputs: !InputsOutliveRun || !_pumping);
        DisposeStreams();
    }

    private void StopPumping(bool closeInputs)
    {
        if (closeInputs)
        {
            foreach (var writer in _writers)
                writer.Close();
        }
        foreach (var reader in _readers)
            reader.FinishAndClose();
        FinishErrorTail();
    }

    private void Connect(RunPlan plan)
    {
        var settings = plan.Settings;
        var terminal = plan.PseudoTerminal;
        if (terminal is not null)
            OpenTerminal(plan, terminal);
        // Plain branches, no lambdas: a closure over the arguments would be allocated on every spawn.
        SafeFileHandle parent;
        // A stdin or stderr on the terminal has no other source or target (the builder sees to it).
        switch (plan.Input.Kind)
        {
            case StdioKind.Fd:
                StdinFd = plan.Input.Fd;
                break;
            case StdioKind.Pipe:
                StdinFd = Pipe(parentReads: false, out parent);
                Input = new PipeStream(_loop, parent, readable: false);
                break;
            case StdioKind.Buffer:
                StdinFd = Pipe(parentReads: false, out parent);
                _writers.Add(new WriteChannel(_loop, parent, plan.Input.Input));
                break;
            case StdioKind.File:
                StdinFd = OpenFile(plan.Input, "stdin");
                break;
            default:
                StdinFd = terminal?.Takes(TerminalStreams.Input) == true ? TerminalSlaveFd : DevNull();
                break;
        }
        StdoutFd = terminal?.Takes(TerminalStreams.Output) == true && !plan.TerminalOutputHasTarget
            ? TerminalSlaveFd
            : OutputFd(plan.Output, stdout: true, settings);
        if (terminal?.Takes(TerminalStreams.Error) == true)
            StderrFd = TerminalSlaveFd;
        else if (plan.MergesOutput)
            StderrFd = StdoutFd;
        else if (settings.KeepsErrorTail)
            StderrFd = ErrorTailPipe(settings.StandardErrorTailBytes);
        else
            StderrFd = OutputFd(plan.Error, stdout: false, settings);

        foreach (var passed in plan.PassedFds)
            ExtraFds.Add((passed.ParentFd, passed.ChildFd));
        foreach (var buffer in plan.SendBuffers)
        {
            var readEnd = Pipe(parentReads: false, out parent);
            _writers.Add(new WriteChannel(_loop, parent, buffer.Data));
            ExtraFds.Add((readEnd, buffer.ChildFd));
        }
    }

    private int OutputFd(StdioTarget target, bool stdout, RunSettings settings)
    {
        SafeFileHandle parent;
        int fd;
        switch (target.Kind)
        {
            case StdioKind.Fd:
                return target.Fd;
            case StdioKind.File:
                return OpenFile(target, stdout ? "stdout" : "stderr");
            case StdioKind.Pipe:
                fd = OutputEnd(stdout, out parent);
                var stream = new PipeStream(_loop, parent, readable: true);
                if (stdout)
                    Output = stream;
                else
                    Error = stream;
                return fd;
            case StdioKind.Buffer:
                fd = OutputEnd(stdout, out parent);
                var capture = new CaptureBuffer(settings.CaptureLimit, stdout ? OnStdoutOverflow : OnStderrOverflow);
                if (stdout)
                    OutputCapture = capture;
                else
                    ErrorCapture = capture;
                _readers.Add(new ReadChannel(_loop, parent, capture));
                return fd;
            default:
                return DevNull();
        }
    }

    /// <summary>
    /// The child's end and the parent's end of an output: a new pipe, or for a stdout on the pseudo-terminal the
    /// slave and a copy of the master, whose output is stdout's source.
    /// </summary>
    private int OutputEnd(bool stdout, out SafeFileHandle parent)
    {
        if (stdout && Terminal is { } terminal && terminal.Streams.HasFlag(TerminalStreams.Output))
        {
            parent = terminal.Duplicate();
            return TerminalSlaveFd;
        }
        return Pipe(parentReads: true, out parent);
    }

    /// <summary>Opens the plan's pseudo-terminal; its slave is a child end, closed in the parent after the spawn so that the master's reads end with the child's last copy.</summary>
    private void OpenTerminal(RunPlan plan, TerminalSettings settings)
    {
        Terminal = PosixTerminal.Open(_loop, settings, plan.TerminalOutputHasTarget, out var slave);
        _childEnds.Add(slave);
        TerminalSlaveFd = (int)slave.DangerousGetHandle();
    }

    private void OnStdoutOverflow() => Overflowed?.Invoke("stdout");

    private void OnStderrOverflow() => Overflowed?.Invoke("stderr");

    /// <summary>
    /// The stderr tail's pipe. The parent keeps a copy of the write end until the run ends, so the
    /// pipe never reaches end-of-file: the child's exit wakes the run once, through its pidfd, instead
    /// of twice (the pipe's EOF comes first, when the exiting child closes its fds, then the pidfd).
    /// The run then takes what is in the pipe without waiting (<see cref="StopPumping()"/>): the child's
    /// own writes are all there by then; a grandchild's later ones are not waited for, as they are not
    /// the child's failure.
    /// </summary>
    private int ErrorTailPipe(int size)
    {
        var (parent, child) = Io.Pipe.Create(parentReads: true);
        _tailReader = new ReadChannel(_loop, parent, ErrorTail = new TailBuffer(size));
        _tailWriteEnd = child;
        return (int)child.DangerousGetHandle();
    }

    /// <summary>Makes a pipe whose child end is closed after the spawn; returns the child's fd number and the parent's end.</summary>
    private int Pipe(bool parentReads, out SafeFileHandle parent)
    {
        (parent, var child) = Io.Pipe.Create(parentReads);
        _childEnds.Add(child);
        return (int)child.DangerousGetHandle();
    }

    /// <summary>
    /// Opens a file the child reads or writes itself, close-on-exec from birth, as a child end: the child
    /// gets it at 0, 1 or 2 and the parent's copy goes right after the spawn. Opened here rather than in
    /// the child: a failure is then the start's with nothing spawned, on the fork and vfork paths alike,
    /// and the path is resolved from the parent's working directory before any chdir or id change (as a
    /// shell's redirection is). Output files: <c>O_APPEND</c> or <c>O_TRUNC</c>, created with the target's
    /// mode less the umask. A directory given as stdin fails with EISDIR rather than reach the child.
    /// </summary>
    private int OpenFile(StdioTarget target, string stream)
    {
        var path = target.Path!;
        var flags = Syscalls.O_CLOEXEC | Syscalls.O_NOCTTY | (stream == "stdin"
            ? Syscalls.O_RDONLY
            : Syscalls.O_WRONLY | Syscalls.O_CREAT | (target.Append ? Syscalls.O_APPEND : Syscalls.O_TRUNC));
        var fd = Syscalls.Open(path, flags, (uint)target.CreateMode);
        var errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        if (fd >= 0)
        {
            _childEnds.Add(new SafeFileHandle(fd, ownsHandle: true));
            if (stream == "stdin" && Directory.Exists(path))
                errno = Syscalls.EISDIR;
        }
        if (errno != 0)
            throw new StartFailure(StartStage.Stdio, errno, $"cannot open '{path}' for {stream}");
        return fd;
    }

    private static int DevNull()
    {
        if (s_devNull is { } open)
            return (int)open.DangerousGetHandle();
        var fd = Syscalls.Open("/dev/null", Syscalls.O_RDWR | Syscalls.O_CLOEXEC);
        if (fd < 0)
            throw new StartFailure(StartStage.Pipe, Marshal.GetLastPInvokeError(), "cannot open /dev/null");
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (Interlocked.CompareExchange(ref s_devNull, handle, null) is { } raced)
        {
            handle.Dispose();
            return (int)raced.DangerousGetHandle();
        }
        return fd;
    }
}
