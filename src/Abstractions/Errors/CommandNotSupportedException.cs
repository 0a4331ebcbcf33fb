namespace VirCommand;

/// <summary>A backend was asked for a setting it cannot honour; nothing was spawned.</summary>
public sealed class CommandNotSupportedException : CommandException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="commandLine">The command's string form, secrets redacted.</param>
    /// <param name="feature">The first unsupported feature.</param>
    /// <param name="backend">The backend that refused.</param>
    /// <param name="alternative">Which backend does support it, or null.</param>
    public CommandNotSupportedException(string commandLine, CommandFeatures feature, string backend, string? alternative)
        : this(commandLine, feature, backend, alternative, null)
    {
    }

    /// <summary>Creates the exception for a backend that supports the feature only where it runs has what it takes.</summary>
    /// <param name="commandLine">The command's string form, secrets redacted.</param>
    /// <param name="feature">The first unsupported feature.</param>
    /// <param name="backend">The backend that refused.</param>
    /// <param name="alternative">Which backend does support it, or null.</param>
    /// <param name="reason">Why it cannot here (what the host lacks), or null.</param>
    public CommandNotSupportedException(string commandLine, CommandFeatures feature, string backend, string? alternative, string? reason)
        : base(commandLine, $"the {backend} backend does not support {feature}" + (reason is null ? "" : $" here: {reason}") + (alternative is null ? "" : $"; the {alternative} backend does"))
    {
        Feature = feature;
        Backend = backend;
        Alternative = alternative;
    }

    /// <summary>The unsupported feature.</summary>
    public CommandFeatures Feature { get; }

    /// <summary>The backend that refused.</summary>
    public string Backend { get; }

    /// <summary>A backend that supports the feature, or null.</summary>
    public string? Alternative { get; }

    /// <summary>Throws for the first of the command's required features that <paramref name="runner"/> lacks.</summary>
    public static void ThrowIfUnsupported(Command command, ICommandRunner runner, string? alternative = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(runner);
        // A backend with every feature needs no look at the command (computing its features allocates).
        if (runner.Features == CommandFeatures.All)
            return;
        var missing = command.RequiredFeatures & ~runner.Features;
        if (missing == CommandFeatures.None)
            return;
        var first = (CommandFeatures)((long)missing & -(long)missing);
        throw new CommandNotSupportedException(command.ToString(), first, runner.Name, alternative);
    }
}
