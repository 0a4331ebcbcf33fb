using System.Globalization;

namespace VirCommand.Tests.Posix;

/// <summary>SetUid/SetGid (virCommandSetUID/GID): groups computed in the parent; setgroups, setgid, setuid in the child.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CredentialTests
{
    private const uint Nobody = 65534;

    private static async Task<string> ReportAsync(Command command)
    {
        using (command)
            return (await Posix.Runner.RunAsync(command.SetOutputBuffer())).StandardOutput;
    }

    [RootFact]
    public async Task Uid_and_gid_nobody_nogroup_as_the_child_sees_them()
    {
        var report = await ReportAsync(Probe.Command().SetUid(Nobody).SetGid(Nobody));
        Assert.Equal("65534 65534 65534", Probe.Value(report, "uid"));
        Assert.Equal("65534 65534 65534", Probe.Value(report, "gid"));
        Assert.Equal("65534", Probe.Value(report, "groups")); // nobody's groups: nogroup only
        // Non-root after the change, and no capability asked: none left.
        Assert.StartsWith("inh=0000000000000000 prm=0000000000000000 eff=0000000000000000 ", Probe.Value(report, "caps"), StringComparison.Ordinal);
    }

    [RootFact]
    public async Task A_uid_alone_takes_the_users_primary_group_and_its_groups()
    {
        var report = await ReportAsync(Probe.Command().SetUid(Nobody));
        Assert.Equal("65534 65534 65534", Probe.Value(report, "uid"));
        Assert.Equal("65534 65534 65534", Probe.Value(report, "gid"));
        Assert.Equal("65534", Probe.Value(report, "groups"));
    }

    [UserWithSupplementaryGroupsFact]
    public async Task A_user_with_supplementary_groups_gets_them_all()
    {
        var user = UserWithSupplementaryGroups.Find()!;

        var report = await ReportAsync(Probe.Command().SetUid(user.Uid));

        Assert.Equal(string.Join(' ', user.Groups), Probe.Value(report, "groups"));
        Assert.Equal($"{user.Gid} {user.Gid} {user.Gid}", Probe.Value(report, "gid"));
    }

    [RootFact]
    public async Task A_uid_without_a_passwd_entry_keeps_the_gid_and_gets_no_supplementary_groups()
    {
        var report = await ReportAsync(Probe.Command().SetUid(54321));
        Assert.Equal("54321 54321 54321", Probe.Value(report, "uid"));
        Assert.Equal("0 0 0", Probe.Value(report, "gid"));
        Assert.Equal("", Probe.Value(report, "groups"));

        report = await ReportAsync(Probe.Command().SetUid(54321).SetGid(54322));
        Assert.Equal("54322 54322 54322", Probe.Value(report, "gid"));
        Assert.Equal("54322", Probe.Value(report, "groups"));
    }

    [RootFact]
    public async Task A_gid_alone_is_also_the_only_supplementary_group()
    {
        var report = await ReportAsync(Probe.Command().SetGid(100));
        Assert.Equal("0 0 0", Probe.Value(report, "uid"));
        Assert.Equal("100 100 100", Probe.Value(report, "gid"));
        Assert.Equal("100", Probe.Value(report, "groups"));
    }

    [RootFact]
    public async Task The_same_on_the_fork_path_and_the_parent_keeps_its_own_ids_on_every_thread()
    {
        // A handshake forces the fork path; the plain run above used the vfork path.
        using var command = Probe.Command().SetUid(Nobody).SetGid(Nobody).SetOutputBuffer().RequireHandshake();
        await using var running = await Posix.Runner.StartAsync(command);
        await running.WaitForHandshakeAsync();
        await running.NotifyHandshakeAsync();
        var report = (await running.WaitAsync()).StandardOutput;
        Assert.Equal("65534 65534 65534", Probe.Value(report, "uid"));
        Assert.Equal("65534", Probe.Value(report, "groups"));

        // Raw syscalls in the child: glibc's wrappers would have changed the ids of this process's threads.
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            string status;
            try
            {
                status = File.ReadAllText(Path.Combine(task, "status"));
            }
            catch (IOException)
            {
                continue; // a thread that just ended
            }
            Assert.Contains("\nUid:\t0\t0\t0\t0\n", status, StringComparison.Ordinal);
            Assert.Contains("\nGid:\t0\t0\t0\t0\n", status, StringComparison.Ordinal);
        }
    }

    [RootFact]
    public async Task The_parent_death_signal_survives_the_id_change()
    {
        // Changing the effective uid clears PR_SET_PDEATHSIG: the child sets it again afterwards.
        var report = await ReportAsync(Probe.Command().SetUid(Nobody).SetGid(Nobody).SetParentDeathSignal(Signal.SIGTERM));
        Assert.Equal("15", Probe.Value(report, "pdeathsig"));
    }
}

/// <summary>A passwd user that /etc/group lists as a member of other groups, if the machine has one.</summary>
internal sealed record UserWithSupplementaryGroups(string Name, uint Uid, uint Gid, IReadOnlyList<uint> Groups)
{
    public static UserWithSupplementaryGroups? Find()
    {
        var members = File.ReadAllLines("/etc/group")
            .Select(l => l.Split(':'))
            .Where(f => f.Length == 4 && f[3].Length > 0)
            .SelectMany(f => f[3].Split(',').Select(user => (User: user, Gid: uint.Parse(f[2], CultureInfo.InvariantCulture))))
            .ToList();
        var passwd = File.ReadAllLines("/etc/passwd").Select(l => l.Split(':')).Where(f => f.Length >= 4)
            .ToDictionary(f => f[0], f => (Uid: uint.Parse(f[2], CultureInfo.InvariantCulture), Gid: uint.Parse(f[3], CultureInfo.InvariantCulture)));
        var name = members.Select(m => m.User).FirstOrDefault(passwd.ContainsKey);
        if (name is null)
            return null;
        var (uid, gid) = passwd[name];
        return new(name, uid, gid, [.. members.Where(m => m.User == name).Select(m => m.Gid).Append(gid).Distinct().Order()]);
    }
}

/// <summary>A root test that needs a user with supplementary groups, and says so when the machine has none.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class UserWithSupplementaryGroupsFactAttribute : FactAttribute
{
    public UserWithSupplementaryGroupsFactAttribute()
    {
        Skip = new RootFactAttribute().Skip;
        if (Skip is null && UserWithSupplementaryGroups.Find() is null)
            Skip = "needs a user that /etc/group lists as a member of another group; this machine has none";
    }
}
