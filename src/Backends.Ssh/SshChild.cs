using System.Collections.Concurrent;
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
/// The status: the wrapper reports the shell's <c>$?</c>, which is 128 + N both for a death by signal N
/// and for an exit with that code. It is read as the death by signal N when this run sent signal N to the
/// command (a stop, or <see cref="IRunningCommand.SignalAsync"/>), as an exit code otherwise. ssh's stderr
/// ending without the report is a lost connection (<see cref="SshConnectionException"/>), or the end of a
/// command this run killed.
/// </remarks>
internal sealed class SshChild : IChildProcess
{
    private readonly Process _ssh;
    private readonly ReportReader _reports;
    private readonly RunPlan _plan;
    private readonly SshConnection _connection;
    private readonly string _destination;
    private readonly ConcurrentDictionary<Signal, bool> _sent = new();
    private ChildStreams? _streams;

    public SshChild(Process ssh, ReportReader reports, int pid, RunPlan plan, SshConnection connection, string destination, DateTimeOffset startTime)
    {
        _ssh = ssh;
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
            _streams = new ChildStreams(_ssh.StandardInput.BaseStream, _ssh.StandardOutput.BaseStream, _reports.Output, _plan, stops.CaptureOverflowed);
        }
        catch
        {
            Signal(VirCommand.Signal.SIGKILL, toProcessGroup: true);
            throw;
        }
    }

    /// <remarks>Sent over the master without waiting for it: the engine calls this under its stop lock. A SIGKILL that cannot reach the host closes the local client too, so that the run ends.</remarks>
    public bool Signal(Signal signal, bool toProcessGroup)
    {
        if (HasExited)
            return false;
        _sent[signal] = true;
        _connection.Fire(RemoteScript.Kill(Pid, signal, toProcessGroup), status =>
        {
            if (status != 0 && signal == VirCommand.Signal.SIGKILL)
                CloseClient();
        });
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

    private async Task<int> ExitStatusAsync()
    {
        if (await _reports.Ended.ConfigureAwait(false) is { } status)
            return status > 128 && _sent.ContainsKey((Signal)(status - 128)) ? status - 128 : (status & 0xff) << 8;
        await _ssh.WaitForExitAsync().ConfigureAwait(false);
        if (_sent.ContainsKey(VirCommand.Signal.SIGKILL))
            return (int)VirCommand.Signal.SIGKILL;
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
