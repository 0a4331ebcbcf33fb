namespace VirCommand.Backends;

/// <summary>The settings one run uses: the command's own, else the runner's defaults. Backends resolve them once, when the run starts.</summary>
/// <remarks>
/// A duration longer than a .NET timer can wait (about 49.7 days) outlasts every run: it is resolved
/// as none (<see cref="Timeout"/>) or as <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> (the
/// others), so that no backend throws at it after the spawn or in a timer callback.
/// </remarks>
/// <param name="Timeout">The time limit from the start, or null for none.</param>
/// <param name="GracefulSignal">The first signal on timeout, cancellation and abort.</param>
/// <param name="KillGracePeriod">The wait between the graceful signal and SIGKILL.</param>
/// <param name="DrainTimeout">How long output is read after the child exited.</param>
/// <param name="CaptureLimit">The most bytes captured per stream.</param>
/// <param name="StandardErrorTailBytes">How much stderr is kept for messages when it is not captured.</param>
/// <param name="KeepsErrorTail">
/// True when the backend reads stderr into a bounded tail for the failure message: a run to
/// completion whose stderr nobody asked for (SPEC §3.6); never for a daemon, a started command or a stderr on the pseudo-terminal.
/// </param>
public readonly record struct RunSettings(
    TimeSpan? Timeout, Signal GracefulSignal, TimeSpan KillGracePeriod, TimeSpan DrainTimeout, long CaptureLimit, int StandardErrorTailBytes,
    bool KeepsErrorTail)
{
    /// <summary>Resolves the settings of <paramref name="command"/> against <paramref name="options"/> for one kind of run.</summary>
    internal static RunSettings For(Command command, CommandRunnerOptions options, bool runToCompletion)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(options);
        var timeout = command.Timeout ?? options.DefaultTimeout;
        return new RunSettings(
            timeout is { } t && t != System.Threading.Timeout.InfiniteTimeSpan && t <= LongestTimerSpan ? t : null,
            command.GracefulSignal ?? options.GracefulSignal,
            TimerSpan(command.KillGracePeriod ?? options.KillGracePeriod),
            TimerSpan(command.DrainTimeout ?? options.DrainTimeout),
            command.CaptureLimit ?? options.CaptureLimit,
            options.StandardErrorTailBytes,
            runToCompletion && command.Error.Kind == StdioKind.Null && !command.IsDaemon && command.PseudoTerminal?.Takes(TerminalStreams.Error) != true);
    }

    private static readonly TimeSpan LongestTimerSpan = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private static TimeSpan TimerSpan(TimeSpan span) => span > LongestTimerSpan ? System.Threading.Timeout.InfiniteTimeSpan : span;
}
