using System.Runtime.InteropServices;
using VirCommand.Backends.Posix.Interop;

namespace VirCommand.Backends.Posix.Spawning;

/// <summary>
/// The ids a child switches to, computed in the parent before the spawn: a forked child must never
/// look up users or groups (NSS may load libraries, take locks, talk to the network).
/// </summary>
/// <param name="Uid">The uid, or null to keep the parent's.</param>
/// <param name="Gid">The gid, or null to keep the parent's.</param>
/// <param name="Groups">The supplementary groups, or null to keep the parent's.</param>
internal sealed record ChildCredentials(uint? Uid, uint? Gid, uint[]? Groups)
{
    private const uint NoGid = uint.MaxValue;

    /// <summary>
    /// With <see cref="Command.SetUid"/>: the groups of that user's passwd entry (its primary group
    /// included, as <c>getgrouplist</c> gives them) plus the gid asked, and as gid the one asked, else the
    /// user's primary group. A uid without a passwd entry gets only the gid asked as its group (none if
    /// none was asked: the parent's are never inherited) and keeps the parent's gid unless one was asked.
    /// With only <see cref="Command.SetGid"/>: that gid, and it as the only supplementary group (libvirt).
    /// </summary>
    /// <exception cref="StartFailure">The user database could not be read.</exception>
    public static unsafe ChildCredentials? For(RunPlan plan)
    {
        if (plan.Uid is not { } uid)
            return plan.Gid is { } gid ? new ChildCredentials(null, gid, [gid]) : null;

        var room = 64;
        while (true)
        {
            var groups = new uint[room];
            var count = room;
            int found;
            uint primary;
            fixed (uint* p = groups)
                found = NativeSpawn.UserGroups(uid, plan.Gid ?? NoGid, out primary, p, ref count);
            if (found < 0)
                throw new StartFailure(StartStage.Groups, Marshal.GetLastPInvokeError(), $"looking up the groups of uid {uid} in the user database failed");
            if (found == 0)
                return new ChildCredentials(uid, plan.Gid, plan.Gid is { } only ? [only] : []);
            if (count > room)
            {
                room = count;
                continue;
            }
            return new ChildCredentials(uid, plan.Gid ?? primary, groups[..count]);
        }
    }
}
