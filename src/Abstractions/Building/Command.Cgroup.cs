namespace VirCommand;

public sealed partial class Command
{
    /// <summary>The cgroup v2 directory the child starts in (<see cref="SetCgroup"/>), or null for the parent's cgroup.</summary>
    public string? Cgroup { get; private set; }

    /// <summary>
    /// Starts the child inside the cgroup v2 directory <paramref name="path"/> (for example
    /// <c>/sys/fs/cgroup/machine.slice/vm1</c>): the kernel creates it there (<c>clone3</c> with
    /// <c>CLONE_INTO_CGROUP</c>, Linux 5.7), so no instruction of it runs elsewhere and no handshake is needed
    /// to move it, which is what libvirt's drivers use the handshake for. Replaces an earlier path. The parent
    /// opens the directory when the run starts; everything the kernel refuses fails the start at
    /// <see cref="StartStage.Cgroup"/> with its errno, before any child exists: ENOENT or ENOTDIR for the path,
    /// EBADF for a directory outside a cgroup v2 hierarchy, EBUSY for a cgroup whose enabled controllers keep
    /// processes out, E2BIG before Linux 5.7 and ENOSYS before 5.3 (or under a seccomp filter that hides clone3).
    /// </summary>
    /// <remarks>
    /// The POSIX backend cannot combine it with <see cref="SetPreExecHook"/>: a hook may call malloc, so its
    /// child comes from glibc's <c>fork()</c>, which cannot place it; such a start fails at
    /// <see cref="StartStage.Cgroup"/> with EINVAL, spawning nothing.
    /// </remarks>
    /// <exception cref="ArgumentException">The path is not fully qualified, or contains NUL or a lone surrogate.</exception>
    public Command SetCgroup(string path)
    {
        Validate.ChildString(path, nameof(path));
        if (!Path.IsPathFullyQualified(path))
            throw new ArgumentException($"The cgroup must be given by its absolute directory path, not '{path}'.", nameof(path));
        return Set(() => Cgroup = path);
    }
}
