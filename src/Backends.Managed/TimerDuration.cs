namespace VirCommand.Backends.Managed;

/// <summary>
/// A .NET timer or <see cref="Task.WaitAsync(TimeSpan)"/> takes at most about 49.7 days and throws
/// beyond, while a command may set any duration up to <see cref="TimeSpan.MaxValue"/>. A longer one
/// outlasts every run, so it is waited for as forever rather than thrown at after the spawn.
/// </summary>
internal static class TimerDuration
{
    private static readonly TimeSpan Longest = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <summary><paramref name="duration"/>, or <see cref="Timeout.InfiniteTimeSpan"/> when a timer cannot take it.</summary>
    public static TimeSpan Clamp(TimeSpan duration) => duration > Longest ? Timeout.InfiniteTimeSpan : duration;
}
