using System.Globalization;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Conformance;

/// <summary>
/// What a child inherits from this process unless told otherwise (ids, groups, capabilities, limits,
/// umask, session), read from /proc: the values <see cref="FakeProbe"/> reports for settings a
/// command leaves alone, as the real probe would see them.
/// </summary>
internal static class ParentProcess
{
    public static string Umask => ProcessInspector.Umask;

    public static int SessionId => ProcessInspector.SessionId;

    public static int ProcessGroupId => ProcessInspector.ProcessGroupId;

    /// <summary>The <c>Uid:</c> or <c>Gid:</c> line of /proc/self/status as the probe prints it: real, effective, saved.</summary>
    public static string Ids(string key) => string.Join(' ', Status(key).Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Take(3));

    /// <summary>The supplementary groups, sorted numerically.</summary>
    public static string Groups => string.Join(' ', Status("Groups").Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)
        .Select(g => uint.Parse(g, CultureInfo.InvariantCulture)).Order());

    /// <summary>A capability set (<c>CapBnd</c>…) as 16 hex digits.</summary>
    public static string Capabilities(string key) => Status(key).Trim();

    /// <summary>The soft and hard limit of a /proc/self/limits line (e.g. <c>Max open files</c>) as the probe prints them.</summary>
    public static string Limit(string name)
    {
        var line = File.ReadLines("/proc/self/limits").First(l => l.StartsWith(name, StringComparison.Ordinal));
        var fields = line[name.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return $"{fields[0]} {fields[1]}";
    }

    /// <summary>The CPUs this process may run on, as the kernel lists them.</summary>
    public static string CpusAllowed => Status("Cpus_allowed_list").Trim();

    /// <summary>This process's nice value, field 19 of /proc/self/stat.</summary>
    public static int Nice
    {
        get
        {
            var stat = File.ReadAllText("/proc/self/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16], CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The core scheduling cookie, as the probe prints it.</summary>
    public static string SchedCore => KernelIsolation.SchedCoreCookie();

    /// <summary>The cgroup v2 path (the "0::" line of /proc/self/cgroup), empty without one.</summary>
    public static string Cgroup =>
        File.ReadLines("/proc/self/cgroup").FirstOrDefault(l => l.StartsWith("0::", StringComparison.Ordinal))?[3..] ?? "";

    /// <summary>The security label (attr/current up to NUL or newline), or "unsupported" where no LSM answers.</summary>
    public static string Label
    {
        get
        {
            try
            {
                return File.ReadAllText("/proc/self/attr/current").Split('\0', '\n')[0];
            }
            catch (IOException)
            {
                return "unsupported";
            }
        }
    }

    private static string Status(string key) =>
        File.ReadLines("/proc/self/status").First(l => l.StartsWith(key + ":", StringComparison.Ordinal))[(key.Length + 1)..];
}
