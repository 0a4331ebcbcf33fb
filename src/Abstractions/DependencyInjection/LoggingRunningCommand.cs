namespace VirCommand;

/// <summary>A started command whose outcome the <see cref="LoggingCommandRunner"/> logs when it is waited for.</summary>
internal sealed class LoggingRunningCommand(IRunningCommand inner, Func<CommandResult, CommandResult> logOutcome, Func<Exception, bool> logFailure)
    : IRunningCommand
{
    /// <summary>The handle this one logs for.</summary>
    internal IRunningCommand Inner => inner;

    public int Pid => inner.Pid;

    public int? DaemonPid => inner.DaemonPid;

    public string CommandLine => inner.CommandLine;

    public DateTimeOffset StartTime => inner.StartTime;

    public Stream? StandardInput => inner.StandardInput;

    public Stream? StandardOutput => inner.StandardOutput;

    public Stream? StandardError => inner.StandardError;

    public bool IsDetached => inner.IsDetached;

    public async Task<CommandResult> WaitAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return logOutcome(await inner.WaitAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (logFailure(e))
        {
            throw;
        }
    }

    public Task AbortAsync() => inner.AbortAsync();

    public Task<bool> SignalAsync(Signal signal, SignalTarget target = SignalTarget.Process) => inner.SignalAsync(signal, target);

    public void Detach() => inner.Detach();

    public Task WaitForHandshakeAsync(CancellationToken cancellationToken = default) => inner.WaitForHandshakeAsync(cancellationToken);

    public Task NotifyHandshakeAsync(CancellationToken cancellationToken = default) => inner.NotifyHandshakeAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
