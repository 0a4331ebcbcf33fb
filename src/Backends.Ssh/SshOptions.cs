namespace VirCommand.Backends.Ssh;

/// <summary>
/// Where and how <see cref="SshCommandRunner"/> reaches its host through the system's <c>ssh</c>. Whatever
/// is left unset comes from the user's own ssh configuration (<c>~/.ssh/config</c>, the agent, known_hosts,
/// ProxyJump…), exactly as a plain <c>ssh host</c> would use it.
/// </summary>
/// <remarks>
/// Validated when the runner is made (or, through dependency injection, when the host starts):
/// <see cref="Validate"/> lists every problem.
/// </remarks>
public sealed class SshOptions
{
    /// <summary>
    /// The ssh options this backend sets itself, for the multiplexed connection and so that ssh never
    /// prompts: <see cref="ExtraOptions"/> may not set them.
    /// </summary>
    public static IReadOnlySet<string> ReservedOptions { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "BatchMode", "ControlMaster", "ControlPath", "ControlPersist", "RequestTTY", "RemoteCommand", "SessionType", "StdinNull", "ForkAfterAuthentication",
    };

    /// <summary>The host name or address, or a <c>Host</c> alias of the ssh configuration. Required.</summary>
    public string Host { get; set; } = "";

    /// <summary>The remote user (<c>-l</c>), or null for the configuration's or the local user name.</summary>
    public string? User { get; set; }

    /// <summary>The port (<c>-p</c>), or null for the configuration's or 22.</summary>
    public int? Port { get; set; }

    /// <summary>A private key file (<c>-i</c>), or null for the configuration's and the agent's keys.</summary>
    public string? IdentityFile { get; set; }

    /// <summary>An ssh configuration file (<c>-F</c>) instead of <c>~/.ssh/config</c>, or null.</summary>
    public string? ConfigFile { get; set; }

    /// <summary>More <c>-o Key=Value</c> options, in order (not those in <see cref="ReservedOptions"/>).</summary>
    public IList<string> ExtraOptions { get; } = [];

    /// <summary>
    /// How long the master connection stays up after its last run (ssh's ControlPersist). The next run
    /// after that opens a new one. Default: one minute.
    /// </summary>
    public TimeSpan ControlPersist { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long ssh waits for the connection (its ConnectTimeout); default 15 seconds.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a start may take, from asking for it to the remote wrapper's report that the command runs
    /// (or why it does not): the master connection when one must be opened, then the session and the remote
    /// login shell, whose startup files run first. A start that takes longer fails with
    /// <see cref="SshConnectionException"/> naming the stage it was stuck at, and its ssh client is stopped
    /// (the command never starts on the host: its start report would be its first write, to a closed channel).
    /// <see cref="Timeout.InfiniteTimeSpan"/> waits as long as it takes. Default: one minute, ample for a
    /// slow login shell on a loaded host and still an end to a hung one (a startup file waiting for input
    /// or a lock).
    /// </summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The ssh client: a bare name looked up on PATH, or a path. Default <c>ssh</c>.</summary>
    public string SshProgram { get; set; } = "ssh";

    /// <summary>The destination as logs and results name it: <c>user@host:port</c> with the parts that are set.</summary>
    public string Destination => $"{(User is null ? "" : User + "@")}{Host}{(Port is null ? "" : ":" + Port)}";

    /// <summary>Every problem of these options, each naming the option; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        CheckWord(Host, nameof(Host), errors, required: true);
        CheckWord(User, nameof(User), errors, required: false);
        if (User?.Contains('@', StringComparison.Ordinal) == true)
            errors.Add($"{nameof(User)} '{User}' must not contain '@': give the host in {nameof(Host)}.");
        if (Port is { } port && port is < 1 or > 65535)
            errors.Add($"{nameof(Port)} must be between 1 and 65535; it is {port}.");
        CheckFile(IdentityFile, nameof(IdentityFile), errors);
        CheckFile(ConfigFile, nameof(ConfigFile), errors);
        foreach (var option in ExtraOptions)
        {
            var key = option?.Split('=', 2)[0].Trim() ?? "";
            if (option is null || key.Length == 0 || !option.Contains('=', StringComparison.Ordinal) || option.Any(char.IsControl))
                errors.Add($"{nameof(ExtraOptions)} entry '{option}' is not of the form Key=Value on one line.");
            else if (ReservedOptions.Contains(key))
                errors.Add($"{nameof(ExtraOptions)} entry '{option}' sets {key}, which the SSH backend sets itself.");
        }
        if (ControlPersist <= TimeSpan.Zero || ControlPersist.TotalSeconds > int.MaxValue || ControlPersist.Ticks % TimeSpan.TicksPerSecond != 0)
            errors.Add($"{nameof(ControlPersist)} must be a positive whole number of seconds; it is {ControlPersist}.");
        if (ConnectTimeout <= TimeSpan.Zero || ConnectTimeout.TotalSeconds > int.MaxValue || ConnectTimeout.Ticks % TimeSpan.TicksPerSecond != 0)
            errors.Add($"{nameof(ConnectTimeout)} must be a positive whole number of seconds; it is {ConnectTimeout}.");
        if (StartTimeout != Timeout.InfiniteTimeSpan && (StartTimeout <= TimeSpan.Zero || StartTimeout.TotalMilliseconds > int.MaxValue))
            errors.Add($"{nameof(StartTimeout)} must be positive and at most {TimeSpan.FromMilliseconds(int.MaxValue)}, or Timeout.InfiniteTimeSpan; it is {StartTimeout}.");
        if (string.IsNullOrEmpty(SshProgram) || SshProgram.Any(char.IsControl))
            errors.Add($"{nameof(SshProgram)} must name the ssh client; it is '{SshProgram}'.");
        return errors;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem, unless the options are valid.</summary>
    internal void ThrowIfInvalid()
    {
        if (Validate() is { Count: > 0 } errors)
            throw new ArgumentException($"Invalid SSH options: {string.Join(" ", errors)}", "options");
    }

    /// <summary>A host or user goes to ssh as one argument: a leading '-' would read as an option, white space or a control character is never a name.</summary>
    private static void CheckWord(string? value, string name, List<string> errors, bool required)
    {
        if (string.IsNullOrEmpty(value))
        {
            if (required)
                errors.Add($"{name} is required.");
            else if (value is not null)
                errors.Add($"{name} must not be empty (null means the default).");
            return;
        }
        else if (value.StartsWith('-'))
            errors.Add($"{name} '{value}' must not start with '-', which ssh would read as an option.");
        else if (value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            errors.Add($"{name} '{value}' must not contain white space or control characters.");
    }

    private static void CheckFile(string? path, string name, List<string> errors)
    {
        if (path is not null && !File.Exists(path))
            errors.Add($"{name} '{path}' is not an existing file.");
    }
}
