namespace VirCommand;

public sealed partial class Command
{
    private HashSet<Capability> _allowedCaps = [];

    /// <summary>The user id the child switches to, or null.</summary>
    public uint? Uid { get; private set; }

    /// <summary>The group id the child switches to, or null.</summary>
    public uint? Gid { get; private set; }

    /// <summary>True when the child drops every capability not in <see cref="AllowedCapabilities"/>.</summary>
    public bool ClearsCapabilities { get; private set; }

    /// <summary>The capabilities kept (and made ambient) across the uid change.</summary>
    public IReadOnlySet<Capability> AllowedCapabilities => _allowedCaps;

    /// <summary>True when the child sets the no_new_privs flag.</summary>
    public bool SetsNoNewPrivileges { get; private set; }

    /// <summary>
    /// Runs the child as <paramref name="uid"/> (<c>virCommandSetUID</c>). The supplementary groups of
    /// that user are looked up in the parent before fork; the child calls setgroups, setgid, setuid in
    /// that order.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="uid"/> is <see cref="uint.MaxValue"/>, <c>(uid_t)-1</c>, which the kernel reads as "leave unchanged".</exception>
    public Command SetUid(uint uid)
    {
        Validate.Id(uid, nameof(uid));
        return Set(() => Uid = uid);
    }

    /// <summary>Runs the child with group id <paramref name="gid"/> (<c>virCommandSetGID</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="gid"/> is <see cref="uint.MaxValue"/>, <c>(gid_t)-1</c>, which the kernel reads as "leave unchanged".</exception>
    public Command SetGid(uint gid)
    {
        Validate.Id(gid, nameof(gid));
        return Set(() => Gid = gid);
    }

    /// <summary>Drops every capability of the child, bounding set included, except those allowed (<c>virCommandClearCaps</c>).</summary>
    public Command ClearCaps() => Set(() => ClearsCapabilities = true);

    /// <summary>
    /// Keeps <paramref name="capability"/> across the uid change, as an ambient capability so that a
    /// non-root child really holds it (<c>virCommandAllowCap</c>). As in libvirt, the other capabilities
    /// are dropped only if <see cref="ClearCaps"/> is called too.
    /// </summary>
    public Command AllowCap(Capability capability)
    {
        if (!Enum.IsDefined(capability))
            throw new ArgumentOutOfRangeException(nameof(capability), capability, "Unknown capability.");
        return Set(() => _allowedCaps.Add(capability));
    }

    /// <summary>Sets the no_new_privs flag so that exec can never grant privileges (beyond libvirt).</summary>
    public Command SetNoNewPrivileges() => Set(() => SetsNoNewPrivileges = true);
}
