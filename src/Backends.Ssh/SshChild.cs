using System.Diagnostics;
using System.Globalization;
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
/// command this run killed with SIGKILL. A SIGKILL that cannot be delivered (its kill session fails, or
/// does not end within <see cref="SshOptions.StartTimeout"/>) gives the run up: its client is stopped, which
/// through the proxy closes the channel and the local pipes, and the run ends with
/// <see cref="SshConnectionException"/> saying so.
/// </remarks>
internal sealed class SshChild : IChildProcess
{
    private readonly Process _ssh;
    private readonly ReportReader _reports;
    private readonly string _nonce;
    private readonly RunPlan _plan;
    private readonly SshConnection _connection;
    private readonly string _destination;
    private readonly TimeSpan _killDeadline;
    private readonly Lock _signalOrder = new();
    private Task _lastSignal = Task.CompletedTask;
    private volatile bool _killed;
    private bool _reported;
    private string? _undelivered;
    private ChildStreams? _streams;

    public SshChild(Process ssh, ReportReader reports, string nonce, int pid, RunPlan plan, SshConnection connection, string destination, DateTimeOffset startTime,
        TimeSpan killDeadline)
    {
        _killDeadline = killDeadline;
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
    /// one before it (SIGHUP then SIGTERM must not arrive as SIGTERM then SIGHUP). A kill session gets the
    /// start timeout (its remote login shell runs the startup files as a run's does), then its client is
    /// stopped. A SIGKILL that does not reach the host gives the run up (<see cref="GiveUp"/>): at once when
    /// its session failed in ssh or the login or did not end in time; when <c>kill</c> itself failed (exit 1:
    /// most likely the command had just ended, and its end report is on its way), once the start timeout
    /// has passed without that report. Nothing is sent once the wrapper reported
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
                _connection.Fire(kill, _killDeadline, status =>
                {
                    if (status != 0 && signal == VirCommand.Signal.SIGKILL)
                    {
                        var why = status is { } code
                            ? string.Create(CultureInfo.InvariantCulture, $"its kill session failed (ssh exited with {code})")
                            : $"its kill session did not end within the start timeout ({_killDeadline}, SshOptions.StartTimeout) and was stopped, so the kill may still reach the host later";
                        if (status == 1)
                            _ = GiveUpUnlessEndedAsync(why);
                        else
                            GiveUp(why);
                    }
                    sent.SetResult();
                });
                return sent.Task;
            }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
        }
        return true;
    }

    private async Task GiveUpUnlessEndedAsync(string why)
    {
        try
        {
            await _reports.Ended.WaitAsync(_killDeadline).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            GiveUp(why);
        }
    }

    /// <summary>
    /// Stops waiting for a command this run could not kill: its client goes, and with it (a proxy client
    /// holds the run's stdio, the master does not) the channel and the local pipes, so the reads end now and
    /// the run ends with <see cref="SshConnectionException"/>. The command may still run on the host.
    /// </summary>
    private void GiveUp(string why)
    {
        lock (_signalOrder)
        {
            if (_reported)
                return;
            _undelivered ??= why;
        }
        CloseClient();
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
        string? undelivered;
        lock (_signalOrder)
            undelivered = _undelivered;
        if (undelivered is not null)
        {
            throw new SshConnectionException(_plan.CommandLine, _destination,
                $"the SIGKILL for the remote command {Pid} could not be delivered: {undelivered}. The run was given up (its ssh client stopped, its channel closed); the command may still run on the host. {_reports.Tail}".Trim());
        }
        // The channel ended without the end report after this run delivered a SIGKILL: the kill is all there is to tell.
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
