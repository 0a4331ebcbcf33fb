namespace VirCommand;

public sealed partial class Command
{
    /// <summary>True when the child starts a core scheduling group of its own (<see cref="SetRunAlone"/>).</summary>
    public bool RunsAlone { get; private set; }

    /// <summary>The process whose core scheduling group the child joins (<see cref="SetRunAmong"/>), or null.</summary>
    public int? RunsAmong { get; private set; }

    /// <summary>
    /// Puts the child into a new core scheduling group of its own (<c>virCommandSetRunAlone</c>:
    /// <c>prctl(PR_SCHED_CORE, PR_SCHED_CORE_CREATE)</c> in the child, before its ids change), so that the
    /// SMT siblings of a core never run it alongside a task of another group. What it starts inherits the
    /// group. Replaces an earlier <see cref="SetRunAmong"/>. A kernel without <c>CONFIG_SCHED_CORE</c>
    /// fails the start at <see cref="StartStage.CoreScheduling"/> with EINVAL, a machine without SMT with ENODEV.
    /// </summary>
    public Command SetRunAlone() => Set(() =>
    {
        RunsAlone = true;
        RunsAmong = null;
    });

    /// <summary>
    /// Puts the child into the core scheduling group of process <paramref name="pid"/>
    /// (<c>virCommandSetRunAmong</c>: <c>prctl(PR_SCHED_CORE, PR_SCHED_CORE_SHARE_FROM, pid)</c> in the child,
    /// before its ids change, so with the parent's right to inspect <paramref name="pid"/>). Replaces an earlier
    /// <see cref="SetRunAlone"/>. The start fails at <see cref="StartStage.CoreScheduling"/> with the kernel's
    /// errno: ESRCH when no such process exists, EPERM without the right to inspect it, and as <see cref="SetRunAlone"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pid"/> is not positive (0 would name the child itself).</exception>
    public Command SetRunAmong(int pid)
    {
        if (pid <= 0)
            throw new ArgumentOutOfRangeException(nameof(pid), pid, "The pid must be positive: 0 would name the child itself, and a negative one no process.");
        return Set(() =>
        {
            RunsAmong = pid;
            RunsAlone = false;
        });
    }
}
