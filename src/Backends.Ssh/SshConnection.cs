using System.Diagnostics;
using System.Globalization;

namespace VirCommand.Backends.Ssh;

/// <summary>
/// The one multiplexed connection to a host: a ControlMaster started on first use, whose socket lives in
/// a private directory (0700, made for this runner), and the ssh arguments every run shares. Runs use the
/// master as clients only (<c>ControlMaster=no</c>): a master started by a run would keep that run's stderr
/// open for as long as it persists. A master that went away (ControlPersist over, or killed) is started
/// again by the next run.
/// </summary>
/// <remarks>
/// Lifecycle: made with the runner; <see cref="EnsureMaster"/> before each run; <see cref="Dispose"/> asks
/// the master to exit and removes the directory. A master left behind by a process that died exits by
/// itself once <see cref="SshOptions.ControlPersist"/> has passed without a run.
/// </remarks>
internal sealed class SshConnection : IDisposable
{
    /// <summary>sun_path's size on Linux, less ssh's temporary suffix while it binds the socket (".XXXXXXXXXXXXXXXX") and the NUL.</summary>
    private const int LongestControlPath = 108 - 18;

    private readonly SshOptions _options;
    private readonly DirectoryInfo _directory;
    private readonly Lock _lock = new();

    public SshConnection(SshOptions options)
    {
        _options = options;
        _directory = PrivateDirectory();
        ControlPath = Path.Combine(_directory.FullName, "m");
    }

    /// <summary>The master's socket.</summary>
    public string ControlPath { get; }

    /// <summary>The arguments of a run's ssh (a client of the master), or of the master itself, up to and including the destination.</summary>
    public IReadOnlyList<string> Arguments(bool master = false) =>
    [
        "-T", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-o", "ControlPath=" + ControlPath,
        .. master
            ? (string[])["-M", "-N", "-f", "-n", "-o", string.Create(CultureInfo.InvariantCulture, $"ControlPersist={(int)_options.ControlPersist.TotalSeconds}s"), "-E", MasterLog]
            : ["-o", "ControlMaster=no"],
        .. Destination(),
    ];

    private string MasterLog => Path.Combine(_directory.FullName, "master.log");

    /// <summary>The options that say where and how to connect, then the host.</summary>
    private List<string> Destination()
    {
        List<string> args = ["-o", string.Create(CultureInfo.InvariantCulture, $"ConnectTimeout={(int)_options.ConnectTimeout.TotalSeconds}")];
        if (_options.ConfigFile is { } config)
            args.AddRange(["-F", config]);
        if (_options.IdentityFile is { } identity)
            args.AddRange(["-i", identity]);
        if (_options.Port is { } port)
            args.AddRange(["-p", port.ToString(CultureInfo.InvariantCulture)]);
        if (_options.User is { } user)
            args.AddRange(["-l", user]);
        foreach (var option in _options.ExtraOptions)
            args.AddRange(["-o", option]);
        args.Add(_options.Host);
        return args;
    }

    /// <summary>An ssh client with <paramref name="arguments"/>, its three streams redirected so that it never writes on this process's own.</summary>
    private ProcessStartInfo Client(IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(_options.SshProgram)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        return info;
    }

    /// <summary>A started ssh with <paramref name="remoteCommand"/>, its three streams redirected.</summary>
    /// <exception cref="SshConnectionException">The ssh client cannot be started.</exception>
    public Process Start(string remoteCommand, string commandLine) => StartOrThrow(Client([.. Arguments(), remoteCommand]), commandLine);

    /// <summary>
    /// Makes sure a master is up, starting one if its socket is missing: ssh authenticates, then goes to the
    /// background (<c>-f</c>) with the socket in place. Serialized, so that concurrent first runs start one.
    /// </summary>
    /// <exception cref="SshConnectionException">ssh could not connect (its own message is in the exception), or not within <paramref name="timeout"/>.</exception>
    public void EnsureMaster(string commandLine, TimeSpan timeout)
    {
        lock (_lock)
        {
            if (File.Exists(ControlPath))
                return;
            var log = MasterLog;
            File.Delete(log);
            // The background master keeps the redirected streams as long as it lives; nobody reads them: it logs to its file.
            using var ssh = StartOrThrow(Client(Arguments(master: true)), commandLine);
            ssh.StandardInput.Close();
            if (!ssh.WaitForExit(timeout))
            {
                // Not yet authenticated (it goes to the background only then): stopping it leaves no master behind.
                ssh.Kill();
                ssh.WaitForExit();
                throw new SshConnectionException(commandLine, _options.Destination,
                    $"the master connection did not come up within the start timeout ({timeout}, SshOptions.StartTimeout): stuck connecting or authenticating");
            }
            if (ssh.ExitCode == 0 && File.Exists(ControlPath))
                return;
            var said = File.Exists(log) ? File.ReadAllText(log).Trim() : "";
            throw new SshConnectionException(commandLine, _options.Destination,
                said.Length > 0 ? said : $"the master connection did not come up (ssh exited with {ssh.ExitCode})");
        }
    }

    /// <summary>Runs a short remote command over the master without waiting for it; <paramref name="ended"/> gets ssh's exit status.</summary>
    public void Fire(string remoteCommand, Action<int>? ended = null)
    {
        Process ssh;
        try
        {
            ssh = Process.Start(Client([.. Arguments(), remoteCommand]))!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            ended?.Invoke(255);
            return;
        }
        ssh.StandardInput.Close();
        _ = ssh.WaitForExitAsync().ContinueWith(_ =>
        {
            var status = ssh.ExitCode;
            ssh.Dispose();
            ended?.Invoke(status);
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Starts the ssh client, turning a client that cannot be started into the connection's failure.</summary>
    private Process StartOrThrow(ProcessStartInfo info, string commandLine)
    {
        try
        {
            return Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new SshConnectionException(commandLine, _options.Destination, $"cannot run the ssh client '{_options.SshProgram}': {e.Message}");
        }
    }

    /// <summary>Asks the master to exit (if it runs) and removes the private directory.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (File.Exists(ControlPath))
            {
                try
                {
                    using var exit = Process.Start(Client(["-o", "ControlPath=" + ControlPath, "-O", "exit", .. Destination()]))!;
                    exit.WaitForExit();
                }
                catch (System.ComponentModel.Win32Exception)
                {
                    // No client to ask: the master exits after ControlPersist.
                }
            }
            try
            {
                _directory.Delete(recursive: true);
            }
            catch (IOException)
            {
                // Something of ssh's still in it: the temporary directory is cleaned with the rest.
            }
        }
    }

    /// <summary>A directory only this user can enter, short enough for a socket path in it.</summary>
    private static DirectoryInfo PrivateDirectory()
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("The SSH backend needs OpenSSH's connection multiplexing (ControlMaster), which Windows' OpenSSH lacks.");
        // CreateTempSubdirectory makes it 0700. A long TMPDIR would leave no room for the socket's name: /tmp then.
        var directory = Directory.CreateTempSubdirectory("vcssh-");
        if (directory.FullName.Length + 2 <= LongestControlPath)
            return directory;
        directory.Delete();
        return Directory.CreateDirectory(Path.Combine("/tmp", "vcssh-" + Path.GetRandomFileName()), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
