using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using VirCommand.Backends.Ssh;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Ssh;

/// <summary>
/// A real OpenSSH server for the tests, one per test run: Debian's <c>sshd</c> on 127.0.0.1 at a free port,
/// with a host key, a user key, authorized_keys, sshd_config, an ssh client config and known_hosts all in a
/// temporary directory (no system file is read or written, beyond the privilege-separation directory
/// <c>/run/sshd</c> that Debian's sshd needs to exist). The current user logs in with the user key. It
/// stops when the test process exits.
/// </summary>
internal sealed class SshServer
{
    private static readonly Lazy<(SshServer? Server, string? Missing)> Shared = new(Start);
    private readonly Process _sshd;
    private readonly string _directory;

    private SshServer(Process sshd, string directory, int port, int slowLoginPort, int noPerlPort)
    {
        NoPerlPort = noPerlPort;
        _sshd = sshd;
        _directory = directory;
        Port = port;
        SlowLoginPort = slowLoginPort;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
    }

    /// <summary>Why the tests cannot have a server here (sshd or the client missing, sshd failing), or null when they can.</summary>
    public static string? Missing => Shared.Value.Missing;

    /// <summary>The running server; only when <see cref="Missing"/> is null.</summary>
    public static SshServer Instance => Shared.Value.Server ?? throw new InvalidOperationException(Missing);

    public int Port { get; }

    /// <summary>
    /// A second port of the same server where every session's login takes <see cref="SlowLogin"/> before it
    /// runs the command (a ForceCommand standing in for a login shell's startup files stuck on a lock), and
    /// writes the pid of its shell to <see cref="SlowLoginPids"/> first.
    /// </summary>
    public int SlowLoginPort { get; }

    /// <summary>
    /// A third port of the same server whose sessions run with a PATH of a few tools and no perl (a
    /// ForceCommand standing in for a host without perl, as a BusyBox system is).
    /// </summary>
    public int NoPerlPort { get; }

    /// <summary>Options for <see cref="NoPerlPort"/>, as <see cref="DirectOptions"/> names the server.</summary>
    public SshOptions NoPerlOptions()
    {
        var options = DirectOptions();
        options.Port = NoPerlPort;
        return options;
    }

    /// <summary>How long a login on <see cref="SlowLoginPort"/> takes before it runs the command.</summary>
    public static TimeSpan SlowLogin => TimeSpan.FromSeconds(20);

    /// <summary>The file each slow login appends its shell's pid to.</summary>
    public string SlowLoginPids => Path.Combine(_directory, "slow-login.pids");

    /// <summary>The client configuration (host alias <c>vircommand-test</c>, the key, known_hosts): as a user's own ~/.ssh/config.</summary>
    public string ConfigFile => Path.Combine(_directory, "ssh_config");

    /// <summary>The log sshd writes (-E).</summary>
    public string Log => Path.Combine(_directory, "sshd.log");

    /// <summary>Options that reach this server through the configuration file, as a user's configured host is reached.</summary>
    public SshOptions Options() => new() { Host = "vircommand-test", ConfigFile = ConfigFile, ControlPersist = TimeSpan.FromSeconds(20) };

    /// <summary>Options that name the server directly: address, port, key, and the known_hosts file as an extra option.</summary>
    public SshOptions DirectOptions() => new()
    {
        Host = "127.0.0.1",
        Port = Port,
        User = Environment.UserName,
        IdentityFile = Path.Combine(_directory, "user_key"),
        ConfigFile = "/dev/null",
        ExtraOptions = { "UserKnownHostsFile=" + Path.Combine(_directory, "known_hosts"), "IdentitiesOnly=yes" },
        ControlPersist = TimeSpan.FromSeconds(20),
    };

    /// <summary>Options for <see cref="SlowLoginPort"/>, as <see cref="DirectOptions"/> names the server.</summary>
    public SshOptions SlowLoginOptions()
    {
        var options = DirectOptions();
        options.Port = SlowLoginPort;
        return options;
    }

    private static (SshServer?, string?) Start()
    {
        const string Sshd = "/usr/sbin/sshd";
        if (!OperatingSystem.IsLinux())
            return (null, "needs Linux with OpenSSH");
        if (!File.Exists(Sshd))
            return (null, $"needs the OpenSSH server ({Sshd}; apt-get install openssh-server)");
        if (Which("ssh") is null || Which("ssh-keygen") is null)
            return (null, "needs the OpenSSH client (ssh, ssh-keygen; apt-get install openssh-client)");
        var directory = Directory.CreateTempSubdirectory("vircommand-sshd-").FullName;
        try
        {
            // Debian's sshd refuses to start without its privilege-separation directory.
            Directory.CreateDirectory("/run/sshd");
            Keygen(Path.Combine(directory, "host_key"));
            Keygen(Path.Combine(directory, "user_key"));
            File.Copy(Path.Combine(directory, "user_key.pub"), Path.Combine(directory, "authorized_keys"));
            var port = FreePort();
            var slowLoginPort = FreePort();
            while (slowLoginPort == port)
                slowLoginPort = FreePort();
            var noPerlPort = FreePort();
            while (noPerlPort == port || noPerlPort == slowLoginPort)
                noPerlPort = FreePort();
            var noPerlBin = Directory.CreateDirectory(Path.Combine(directory, "no-perl-bin")).FullName;
            foreach (var tool in (string[])["sh", "setsid", "env", "dd", "kill", "sleep", "true", "cat"])
            {
                if (Which(tool) is { } path)
                    File.CreateSymbolicLink(Path.Combine(noPerlBin, tool), path);
            }
            File.WriteAllText(Path.Combine(directory, "no-perl-login"), $"""
                PATH={noPerlBin}; export PATH
                exec /bin/sh -c "$SSH_ORIGINAL_COMMAND"

                """);
            // The original command runs through sh as the login shell would run it (it is one shell line).
            File.WriteAllText(Path.Combine(directory, "slow-login"), $"""
                echo $$ >>{directory}/slow-login.pids
                sleep {(int)SlowLogin.TotalSeconds}
                exec /bin/sh -c "$SSH_ORIGINAL_COMMAND"

                """);
            var hostKey = string.Join(' ', File.ReadAllText(Path.Combine(directory, "host_key.pub")).Split(' ')[..2]);
            File.WriteAllText(Path.Combine(directory, "known_hosts"), $"[127.0.0.1]:{port} {hostKey}\n[127.0.0.1]:{slowLoginPort} {hostKey}\n[127.0.0.1]:{noPerlPort} {hostKey}\n");
            File.WriteAllText(Path.Combine(directory, "sshd_config"), $"""
                ListenAddress 127.0.0.1:{port}
                ListenAddress 127.0.0.1:{slowLoginPort}
                ListenAddress 127.0.0.1:{noPerlPort}
                HostKey {directory}/host_key
                AuthorizedKeysFile {directory}/authorized_keys
                PidFile none
                UsePAM no
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                PermitRootLogin prohibit-password
                # The temporary directory is under the world-writable /tmp, which StrictModes would refuse.
                StrictModes no
                # The conformance suite runs many sessions at once over one master connection.
                MaxSessions 200
                MaxStartups 100
                UseDNS no
                LogLevel ERROR

                Match LocalPort {slowLoginPort}
                  ForceCommand /bin/sh {directory}/slow-login
                Match LocalPort {noPerlPort}
                  ForceCommand /bin/sh {directory}/no-perl-login

                """);
            File.WriteAllText(Path.Combine(directory, "ssh_config"), $"""
                Host vircommand-test
                  HostName 127.0.0.1
                  Port {port}
                  User {Environment.UserName}
                  IdentityFile {directory}/user_key
                  IdentitiesOnly yes
                  UserKnownHostsFile {directory}/known_hosts
                  GlobalKnownHostsFile /dev/null

                """);
            var sshd = Process.Start(new ProcessStartInfo(Sshd, ["-D", "-f", Path.Combine(directory, "sshd_config"), "-E", Path.Combine(directory, "sshd.log")])
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var server = new SshServer(sshd, directory, port, slowLoginPort, noPerlPort);
            if (!server.WaitListening())
            {
                server.Stop();
                return (null, $"sshd did not start: {File.ReadAllText(Path.Combine(directory, "sshd.log"))}");
            }
            return (server, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return (null, $"cannot set up sshd: {e.Message}");
        }
    }

    private bool WaitListening()
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < HangGuard.Limit && !_sshd.HasExited)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                return true;
            }
            catch (SocketException)
            {
                Thread.Sleep(20);
            }
        }
        return false;
    }

    private void Stop()
    {
        try
        {
            if (!_sshd.HasExited)
                _sshd.Kill();
            _sshd.WaitForExit();
        }
        catch (InvalidOperationException)
        {
        }
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static void Keygen(string path)
    {
        using var keygen = Process.Start(new ProcessStartInfo("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "vircommand-test", "-f", path])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        keygen.WaitForExit();
        if (keygen.ExitCode != 0)
            throw new InvalidOperationException($"ssh-keygen failed: {keygen.StandardError.ReadToEnd()}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}

/// <summary>A test that needs the test sshd (<see cref="SshServer"/>); it says why when it skips.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SshFactAttribute : FactAttribute
{
    public SshFactAttribute() => Skip = SshServer.Missing;
}

/// <summary>A theory that needs the test sshd (<see cref="SshServer"/>); it says why when it skips.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SshTheoryAttribute : TheoryAttribute
{
    public SshTheoryAttribute() => Skip = SshServer.Missing;
}
