using System.Diagnostics;
using VirCommand.Backends.Ssh.Remote;

namespace VirCommand.Backends.Ssh;

/// <summary>
/// The remote backend: runs each command on one host through the system's OpenSSH client, over one
/// multiplexed master connection (<see cref="SshConnection"/>), so that a run costs a session on an open
/// connection, not a handshake. The user's ssh configuration, keys, agent, known_hosts and ProxyJump apply;
/// BatchMode is on, so ssh never prompts (an unknown host key or a key that needs a passphrase fails).
/// </summary>
/// <remarks>
/// <para>
/// The same contract where the channel can honour it: the argument vector byte for byte (each argument
/// quoted by <see cref="Formatting.ShellQuote"/> for the remote shell), the environment (inheriting means
/// the remote login environment; an explicit one is exactly that), working directory, umask, stdin, stdout
/// and stderr as buffers, streams, files and lines, the capture limit, merged output, timeout, cancellation,
/// abort and signals reaching the remote command (or its whole process group), start failures with their
/// stage. Everything else is refused (<see cref="Features"/>) before anything connects.
/// </para>
/// <para>
/// Where it differs from a local backend: <see cref="IRunningCommand.Pid"/> is the pid on the host; the
/// command leads a new session there, or with <see cref="Command.NewProcessGroup"/> (and no
/// <see cref="Command.NewSession"/>) a new process group in the session sshd made for the run; the
/// parent whose environment, directory and PATH apply is the remote login shell; an explicit
/// environment starts the command through <c>env -i</c> with its resolved path as argv[0]. The wrapper
/// waits for the command through <c>perl</c> (Essential on Debian and Ubuntu, in most other
/// distributions' base): its raw wait status tells a death by signal from an exit. On a host without
/// perl, <see cref="Command.RawStatus"/> and <see cref="Command.NewProcessGroup"/> are refused at the
/// start (<see cref="CommandNotSupportedException"/>, nothing runs) and any other run's death by signal
/// N reads as exit code 128 + N, the shell's <c>$?</c>. A script whose <c>#!</c> interpreter is missing or
/// not executable fails at <see cref="StartStage.Exec"/> with ENOENT or EACCES, as exec would; a file in
/// no format the kernel knows is run by the remote <c>sh</c> as a script (as <c>execvp</c> does) rather
/// than failing with ENOEXEC. ssh's own failures are <see cref="SshConnectionException"/>, a start that
/// takes longer than <see cref="SshOptions.StartTimeout"/> too. The remote login shell must be a POSIX
/// shell, and the host must have <c>setsid</c> (util-linux, BusyBox) where it has no perl.
/// </para>
/// <para>Lifetime: disposing the runner stops the runs it owns, then closes the master connection.</para>
/// </remarks>
public sealed class SshCommandRunner : CommandRunnerBase
{
    private readonly SshConnection _connection;

    /// <summary>Creates the backend for one host with default runner options.</summary>
    /// <exception cref="ArgumentException">The SSH options are invalid; the message lists every problem.</exception>
    public SshCommandRunner(SshOptions ssh)
        : this(ssh, new CommandRunnerOptions())
    {
    }

    /// <summary>Creates the backend for one host. Nothing connects before the first run.</summary>
    /// <exception cref="ArgumentException">The SSH options are invalid; the message lists every problem.</exception>
    public SshCommandRunner(SshOptions ssh, CommandRunnerOptions options)
        : base(options)
    {
        ArgumentNullException.ThrowIfNull(ssh);
        ssh.ThrowIfInvalid();
        Ssh = ssh;
        _connection = new SshConnection(ssh);
    }

    /// <summary>
    /// What the channel honours: stdio pipes (and what the engine builds on them), merged output, umask, a
    /// session or a process group of its own, signals, the raw status; and, as sshd starts sessions, only
    /// fds 0–2 and default signal actions. The raw status and the process group need perl on the host
    /// (see the class remarks); where it is missing, a run that asks for either is refused at its start.
    /// </summary>
    public static CommandFeatures SupportedFeatures =>
        CommandFeatures.StdioPipes | CommandFeatures.MergedOutput | CommandFeatures.Umask | CommandFeatures.NewSession
        | CommandFeatures.NewProcessGroup | CommandFeatures.RawStatus
        | CommandFeatures.GracefulSignal | CommandFeatures.CloseOtherFds | CommandFeatures.DefaultSignals;

    /// <summary>The host and how it is reached.</summary>
    public SshOptions Ssh { get; }

    /// <inheritdoc/>
    public override string Name => "ssh";

    /// <inheritdoc/>
    public override CommandFeatures Features => SupportedFeatures;

    /// <inheritdoc/>
    protected override string? FullerBackend => "posix";

    /// <summary>
    /// Runs <paramref name="command"/> on every host, at most <paramref name="maxParallel"/> at a time, and
    /// returns one outcome per host in the order given: its result, or the typed failure it failed with (an exit status, a start failure, <see cref="SshConnectionException"/>…). One host's
    /// failure never stops the others. Cancelling <paramref name="cancellationToken"/> stops the runs under
    /// way (by the stop sequence, on their hosts) and starts no more: those hosts' outcomes are
    /// <see cref="CommandCanceledException"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxParallel"/> is less than 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="hosts"/> is empty or holds null.</exception>
    public static async Task<IReadOnlyList<SshHostResult>> RunOnHostsAsync(Command command, IEnumerable<SshCommandRunner> hosts, int maxParallel,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(hosts);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxParallel, 1);
        var runners = hosts.ToArray();
        if (runners.Length == 0)
            throw new ArgumentException("Give at least one host.", nameof(hosts));
        if (runners.Any(r => r is null))
            throw new ArgumentException("A host is null.", nameof(hosts));
        using var slots = new SemaphoreSlim(maxParallel);
        return await Task.WhenAll(runners.Select(RunOneAsync)).ConfigureAwait(false);

        async Task<SshHostResult> RunOneAsync(SshCommandRunner runner)
        {
            var destination = runner.Ssh.Destination;
            var slot = false;
            try
            {
                // Cancelled while waiting for a slot: the run below refuses at once, as any run with a cancelled token.
                await slots.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                slot = !cancellationToken.IsCancellationRequested;
                return new SshHostResult(destination, await runner.RunAsync(command, cancellationToken).ConfigureAwait(false), null);
            }
            catch (Exception e) when (e is CommandException or CommandCanceledException)
            {
                return new SshHostResult(destination, null, e);
            }
            finally
            {
                if (slot)
                    slots.Release();
            }
        }
    }

    /// <inheritdoc/>
    protected override IChildProcess Spawn(RunPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var commandLine = plan.CommandLine;
        var timeout = Ssh.StartTimeout;
        var elapsed = Stopwatch.StartNew();
        _connection.EnsureMaster(commandLine, timeout);
        var nonce = RemoteScript.NewNonce();
        var startTime = DateTimeOffset.UtcNow;
        var ssh = _connection.Start(RemoteScript.For(plan, nonce), commandLine);
        var reports = new ReportReader(ssh.StandardError.BaseStream, nonce);
        RemoteStart start;
        try
        {
            // The wrapper reports before the command writes anything: this waits one round trip, plus the
            // remote login shell's startup files, which may hang (a prompt, a lock): hence the deadline.
            var left = timeout == Timeout.InfiniteTimeSpan ? timeout : TimeSpan.FromTicks(Math.Max(0, (timeout - elapsed.Elapsed).Ticks));
            if (!reports.Started.Wait(left))
            {
                // The client goes, so the channel closes: a login shell that goes on later dies of SIGPIPE at
                // the wrapper's start report, its first write, before the command's exec.
                ssh.Kill();
                ssh.WaitForExit();
                throw new SshConnectionException(commandLine, Ssh.Destination,
                    $"the remote side did not start the command within the start timeout ({timeout}, SshOptions.StartTimeout): stuck in the session's start, " +
                    $"the remote login shell and its startup files before the wrapper's start report. {reports.Tail}".Trim());
            }
            start = reports.Started.GetAwaiter().GetResult();
        }
        catch
        {
            ssh.Kill();
            ssh.Dispose();
            throw;
        }
        if (start.Pid != 0)
            return new SshChild(ssh, reports, nonce, start.Pid, plan, _connection, Ssh.Destination, startTime);

        // Nothing runs: the wrapper stopped before the command, or ssh or the remote shell failed before the wrapper.
        ssh.StandardInput.Close();
        ssh.WaitForExit();
        var status = ssh.ExitCode;
        ssh.Dispose();
        if (start.Unsupported != CommandFeatures.None)
            throw new CommandNotSupportedException(commandLine, start.Unsupported, Name, FullerBackend, $"on {Ssh.Destination}, {start.Detail}");
        if (start.Reported)
            throw new CommandStartException(commandLine, start.FailedStage, start.Errno, start.Detail is null ? $"on {Ssh.Destination}" : $"on {Ssh.Destination}: {start.Detail}");
        if (status == 255)
            throw new SshConnectionException(commandLine, Ssh.Destination, reports.Tail.Length > 0 ? reports.Tail : "ssh exited with 255");
        throw new CommandStartException(commandLine, StartStage.Exec, 0,
            $"the remote shell on {Ssh.Destination} did not run the command (ssh exited with {status}): {reports.Tail}");
    }

    /// <summary>Stops the runs this runner owns, then closes the master connection and removes its directory.</summary>
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
            _connection.Dispose();
    }

    /// <inheritdoc/>
    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore().ConfigureAwait(false);
        _connection.Dispose();
    }
}
