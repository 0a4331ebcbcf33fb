using System.Text;

namespace VirCommand;

public sealed partial class Command
{
    /// <summary>The longest label, in UTF-8 bytes, that <see cref="SetSELinuxLabel"/> and <see cref="SetAppArmorProfile"/> accept: one write to the kernel's attribute file, "exec " included, fits in its smallest page.</summary>
    public const int MaxSecurityLabelBytes = 4090;

    /// <summary>The SELinux context the program is exec'd into (<see cref="SetSELinuxLabel"/>), or null.</summary>
    public string? SELinuxLabel { get; private set; }

    /// <summary>The AppArmor profile the program is exec'd under (<see cref="SetAppArmorProfile"/>), or null.</summary>
    public string? AppArmorProfile { get; private set; }

    /// <summary>
    /// Runs the program in the SELinux context <paramref name="label"/> (<c>virCommandSetSELinuxLabel</c>): the
    /// child writes it to <c>/proc/thread-self/attr/exec</c> as its last step before exec, as libselinux's
    /// <c>setexeccon</c> would, with no library needed. Replaces an earlier label. A kernel without SELinux, or one
    /// that refuses the context, fails the start at <see cref="StartStage.SELinuxLabel"/> with its errno (EINVAL).
    /// </summary>
    /// <exception cref="ArgumentException">The label is empty, longer than <see cref="MaxSecurityLabelBytes"/> bytes, or contains NUL or a lone surrogate.</exception>
    public Command SetSELinuxLabel(string label)
    {
        SecurityLabel(label, nameof(label));
        return Set(() => SELinuxLabel = label);
    }

    /// <summary>
    /// Runs the program under the AppArmor profile <paramref name="profile"/> (<c>virCommandSetAppArmorProfile</c>):
    /// the child writes <c>exec</c> and the profile to <c>/proc/thread-self/attr/apparmor/exec</c> (Linux 5.8),
    /// or <c>attr/exec</c> on older kernels, as its last step before exec, as libapparmor's
    /// <c>aa_change_onexec</c> would. Replaces an earlier profile. A kernel without AppArmor, or one that refuses
    /// the profile, fails the start at <see cref="StartStage.AppArmorProfile"/> with its errno.
    /// </summary>
    /// <exception cref="ArgumentException">The profile is empty, longer than <see cref="MaxSecurityLabelBytes"/> bytes, or contains NUL or a lone surrogate.</exception>
    public Command SetAppArmorProfile(string profile)
    {
        SecurityLabel(profile, nameof(profile));
        return Set(() => AppArmorProfile = profile);
    }

    private static void SecurityLabel(string label, string paramName)
    {
        Validate.ChildString(label, paramName);
        if (label.Length == 0)
            throw new ArgumentException("The label must not be empty.", paramName);
        if (Encoding.UTF8.GetByteCount(label) > MaxSecurityLabelBytes)
            throw new ArgumentException($"The label is longer than {MaxSecurityLabelBytes} bytes in UTF-8, more than the kernel takes in one write.", paramName);
    }
}
