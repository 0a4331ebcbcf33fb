namespace VirCommand.Backends.Ssh;

/// <summary>
/// ssh itself failed, not the remote command: the connection was refused or lost, the host key did not
/// match, authentication failed (ssh's exit status 255). Whether the remote command ran, and how it ended,
/// is unknown when the connection was lost during a run.
/// </summary>
public sealed class SshConnectionException : CommandException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="commandLine">The command's string form, secrets redacted.</param>
    /// <param name="destination">The host as the options name it.</param>
    /// <param name="detail">What ssh said, or what went wrong.</param>
    public SshConnectionException(string commandLine, string destination, string detail)
        : base(commandLine, $"ssh to {destination} failed: {detail}")
    {
        Destination = destination;
    }

    /// <summary>The host as the options name it (<see cref="SshOptions.Destination"/>).</summary>
    public string Destination { get; }
}
