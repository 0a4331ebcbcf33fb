using VirCommand.Backends.Posix.Interop;
using VirCommand.Backends.Posix.Io;
using VirCommand.Backends.Posix.Spawning;

namespace VirCommand.Backends.Posix;

/// <summary>
/// A child started by the POSIX backend: its pidfd, reaped by an <see cref="ExitWatcher"/> (on the
/// event loop, or on a blocking run's thread), its fds (<see cref="ChildIo"/>) and its handshake pipes.
/// </summary>
internal sealed class PosixChild : IChildProcess
{
    private readonly SpawnedChild _spawned;
    private readonly Lock _lock = new();
    private ExitWatcher? _watcher;
    private HandshakePipes? _handshake;

    public PosixChild(RunPlan plan, SpawnedChild spawned, ChildIo io)
    {
        _spawned = spawned;
        _handshake = spawned.Handshake;
        Io = io;
        CommandLine = plan.CommandLine;
        DaemonPid = plan.IsDaemon ? spawned.DaemonPid : null;
        StartTime = DateTimeOffset.UtcNow;
    }

    /// <summary>The child's fds, for a blocking run that pumps them itself.</summary>
    public ChildIo Io { get; }

    /// <summary>The child's pidfd, until a watcher owns it.</summary>
    public Microsoft.Win32.SafeHandles.SafeFileHandle PidFd => _spawned.PidFd;

    /// <summary>The reaper, once started.</summary>
    public ExitWatcher Watcher => _watcher ?? throw new InvalidOperationException("The child is not started.");

    public int Pid => _spawned.Pid;

    public int? DaemonPid { get; }

    public DateTimeOffset StartTime { get; }

    private string CommandLine { get; }

    public Stream? StandardInput => Io.Input;

    public Stream? StandardOutput => Io.Output;

    public Stream? StandardError => Io.Error;

    public PseudoTerminal? Terminal => Io.Terminal;

    public Task<int> Exited => Watcher.Exited;

    public bool HasExited => _watcher?.Exited.IsCompleted ?? false;

    public Task OutputsDone => Io.OutputsDone;

    public ReadOnlyMemory<byte> CapturedOutput => Io.OutputCapture?.Captured ?? default;

    public ReadOnlyMemory<byte> CapturedError => Io.ErrorCapture?.Captured ?? default;

    public string? ErrorTail => Io.ErrorTail?.ToString();

    public bool ReachedHandshake => _spawned.Handshake is not null;

    public void Start(StopSequence stops) => Start(stops, EventLoop.Shared);

    /// <summary>Starts watching and pumping on <paramref name="loop"/>, or, without one, for a caller that polls them itself.</summary>
    public void Start(StopSequence stops, EventLoop? loop)
    {
        try
        {
            // The stderr tail holds all the child wrote once it exited: the loop takes it right after
            // waking the run, while the run's continuation is on its way to a pool thread.
            _watcher = new ExitWatcher(loop, _spawned.PidFd, stops.BeforeReap,
                loop is not null && Io.TailReader is not null ? Io.FinishErrorTail : null);
        }
        catch
        {
            // Nobody watches this child: kill and reap it here, or it would run on unowned and end a zombie.
            ExitWatcher.KillAndReap(_spawned.PidFd);
            throw;
        }
        try
        {
            Io.Overflowed = stops.CaptureOverflowed;
            Io.StartPumping(onLoop: loop is not null);
        }
        catch
        {
            // The watcher reaps the child once the kill lands.
            _watcher.Signal((int)VirCommand.Signal.SIGKILL);
            throw;
        }
    }

    public bool Signal(Signal signal, bool toProcessGroup) => _watcher?.Signal((int)signal, toProcessGroup ? Pid : 0) ?? false;

    public void StopReading() => Io.StopPumping();

    public async Task ReleaseHandshakeAsync()
    {
        HandshakePipes pipes;
        lock (_lock)
        {
            pipes = _handshake ?? throw new ObjectDisposedException(nameof(IRunningCommand), "The running command was disposed: its child left the handshake without exec.");
            _handshake = null;
        }
        // The child execs within moments of the release: a blocking read on a pool thread is cheaper than a loop registration.
        if (await Task.Run(() => Release(pipes), CancellationToken.None).ConfigureAwait(false) is { } failure)
            throw failure;
    }

    private unsafe CommandStartException? Release(HandshakePipes pipes)
    {
        using (pipes)
        {
            NativeSpawn.SpawnResult result;
            return NativeSpawn.HandshakeRelease(pipes.Release, pipes.Report, &result) == 0
                ? null
                : new CommandStartException(CommandLine, (StartStage)result.Stage, result.Error);
        }
    }

    public void AbandonHandshake()
    {
        // A child still waiting at the handshake reads end-of-file and exits without exec.
        HandshakePipes? unreleased;
        lock (_lock)
        {
            unreleased = _handshake;
            _handshake = null;
        }
        unreleased?.Dispose();
    }

    /// <remarks>A detached child and its pidfd stay with the event loop, which reaps it whenever it exits.</remarks>
    public void Close(bool detached)
    {
        if (detached)
            Io.DisposeStreams();
        else
            Io.Dispose();
    }
}
