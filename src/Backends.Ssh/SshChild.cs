using System.Diagnostics;
using VirCommand.Backends.Managed.Io;
using VirCommand.Backends.Ssh.Remote;

namespace VirCommand.Backends.Ssh;

/// <summary>
/// A remote command, seen through its local ssh client: its pid is the remote one (it leads its own
/// session there); signals go to it over the master (<c>kill</c> on the host); it has exited when the
/// wrapper reported its status, which may be before ssh itself exits (a remote grandchild can keep the
/// channel open; the run's drain time then applies, and the client is closed when the run stops reading).
/// </summary>
/// <remarks>
/// The status is the raw wait status perl's <c>waitpid</c> gave the wrapper, or on a host without perl the
/// remote shell's <c>$?</c>, an exit code (128 + N for a death by signal N). ssh's stderr
/// ending without the report is a lost connection (<see cref="SshConnectionException"/>), or the end of a
/// command this run killed with SIGKILL.
/// </remarks>
internal sealed class SshChild : IChildProcess
{
    private readonly Process _ssh;
    private readonly ReportReader _reports;
    private readonly string _nonce;
    private readonly RunPlan _plan;
    private readonly SshConnection _connection;
    private readonly string _destination;
    private readonly Lock _signalOrder = new();
    private Task _lastSignal = Task.CompletedTask;
    private volatile bool _killed;
    private bool _reported;
    private ChildStreams? _streams;

    public SshChild(Process ssh, ReportReader reports, string nonce, int pid, RunPlan plan, SshConnection connection, string destination, DateTimeOffset startTime)
    {
        _ssh = ssh;
        _nonce = nonce;
        _reports = reports;
        _plan = plan;
        _connection = connection;
        _destination = destination;
        Pid = pid;
        StartTime = startTime;
        Exited = ExitStatusAsync();
    }

    public int Pid { get; }

    public DateTimeOffset StartTime { get; }

    public Stream? StandardInput => _streams?.Input;

    public Stream? StandardOutput => _streams?.Output;

    public Stream? StandardError => _streams?.Error;

    public Task<int> Exited { get; }

    public bool HasExited => Exited.IsCompleted;

    public Task OutputsDone => _streams?.OutputsDone ?? Task.CompletedTask;

    public ReadOnlyMemory<byte> CapturedOutput => _streams?.OutputCapture?.Captured ?? default;

    public ReadOnlyMemory<byte> CapturedError => _streams?.ErrorCapture?.Captured ?? default;

    public string? ErrorTail => _streams?.ErrorTail?.ToString();

    public bool ReachedHandshake => false;

    public void Start(StopSequence stops)
    {
        try
        {
            _streams = new ChildStreams(_ssh.StandardInput.BaseStream, new CommandOutput(_ssh.StandardOutput.BaseStream, _nonce), _reports.Output, _plan, stops.CaptureOverflowed);
        }
        catch
        {
            Signal(VirCommand.Signal.SIGKILL, toProcessGroup: true);
            throw;
        }
    }

    /// <remarks>
    /// Sent over the master without waiting for it: the engine calls this under its stop lock. Each kill is a
    /// session of its own, and two started at once may reach the host in either order, so each waits for the
    /// one before it (SIGHUP then SIGTERM must not arrive as SIGTERM then SIGHUP). A SIGKILL that cannot reach
    /// the host closes the local client too, so that the run ends. Nothing is sent once the wrapper reported
    /// the end, not even a kill that was waiting its turn (the pid may be another's by then); the exit waits
    /// for those already under way.
    /// </remarks>
    public bool Signal(Signal signal, bool toProcessGroup)
    {
        var kill = RemoteScript.Kill(Pid, signal, toProcessGroup);
        lock (_signalOrder)
        {
            // Under the lock, so that the exit, which waits for the last kill, cannot miss one sent meanwhile.
            if (_reported)
                return false;
            _killed |= signal == VirCommand.Signal.SIGKILL;
            _lastSignal = _lastSignal.ContinueWith(_ =>
            {
                // Its turn came after the end report: the command is gone and its pid may be another's.
                lock (_signalOrder)
                {
                    if (_reported)
                        return Task.CompletedTask;
                }
                var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _connection.Fire(kill, status =>
                {
                    if (status != 0 && signal == VirCommand.Signal.SIGKILL)
                        CloseClient();
                    sent.SetResult();
                });
                return sent.Task;
            }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
        }
        return true;
    }

    public void StopReading()
    {
        _streams?.StopReading();
        // A remote grandchild may hold the channel open past the drain time: the client goes now.
        CloseClient();
    }

    public Task ReleaseHandshakeAsync() => throw new NotSupportedException("The SSH backend has no handshake.");

    public void AbandonHandshake()
    {
        // No handshake here (see SshCommandRunner.Features).
    }

    public void Close(bool detached)
    {
        _streams?.DisposeCallerStreams();
        if (!detached)
        {
            CloseClient();
            _ssh.Dispose();
            return;
        }
        _ = Exited.ContinueWith(static (_, ssh) => ((Process)ssh!).Dispose(), _ssh, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <remarks>
    /// The exit waits for the kill sessions under way too: each is an ssh client of this run, with two pipes
    /// and a process to reap, and it may outlive the command by seconds (its remote login shell runs the
    /// user's startup files first, slowly on a loaded host: a pyenv rehash waits for its lock). A run that
    /// ended without them would leave them behind, open and unreaped, after it returned. Kills still
    /// waiting their turn are not sent (<see cref="Signal"/>), so this is the one in flight at most.
    /// </remarks>
    private async Task<int> ExitStatusAsync()
    {
        try
        {
            return await StatusAsync().ConfigureAwait(false);
        }
        finally
        {
            Task lastSignal;
            lock (_signalOrder)
            {
                _reported = true;
                lastSignal = _lastSignal;
            }
            await lastSignal.ConfigureAwait(false);
        }
    }

    private async Task<int> StatusAsync()
    {
        if (await _reports.Ended.ConfigureAwait(false) is { } status)
            return status;
        await _ssh.WaitForExitAsync().ConfigureAwait(false);
        // The client was closed after this run's SIGKILL could not be sent (or the channel went with it): the kill is all there is to tell.
        if (_killed)
            return CommandResult.SignalStatus(VirCommand.Signal.SIGKILL);
        throw new SshConnectionException(_plan.CommandLine, _destination,
            $"the connection was lost while the remote command {Pid} ran (ssh exited with {_ssh.ExitCode}); how it ended is unknown. {_reports.Tail}".Trim());
    }

    private void CloseClient()
    {
        try
        {
            if (!_ssh.HasExited)
                _ssh.Kill();
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Exited meanwhile, or already disposed.
        }
    }
}
