namespace VirCommand.Backends.Ssh;

/// <summary>One host's outcome of <see cref="SshCommandRunner.RunOnHostsAsync"/>: its result, or the typed failure of its run.</summary>
/// <param name="Destination">The host as its options name it (<see cref="SshOptions.Destination"/>).</param>
/// <param name="Result">The run's result when it succeeded, else null.</param>
/// <param name="Error">The run's failure, else null: a <see cref="CommandException"/>, or a <see cref="CommandCanceledException"/>.</param>
public sealed record SshHostResult(string Destination, CommandResult? Result, Exception? Error)
{
    /// <summary>True when the run succeeded (<see cref="Result"/> is set).</summary>
    public bool Succeeded => Error is null;
}
