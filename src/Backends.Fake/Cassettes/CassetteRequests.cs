using System.Globalization;

namespace VirCommand.Backends.Fake.Cassettes;

/// <summary>
/// The one place a command becomes a <see cref="CassetteRequest"/>: the recorder describes the
/// command it is given, the replayer the plan of the run it answers, by the same rules, so that what
/// was recorded and what runs compare field by field. Secrets go through the command's own redaction.
/// </summary>
internal static class CassetteRequests
{
    /// <summary>The command as the recorder's runner got it, with its non-default settings.</summary>
    public static CassetteRequest Of(Command command) => Describe(
        command.Program, command.Arguments, command.InheritsEnvironment, command.Environment, command.WorkingDirectory,
        command.Input, command.Output, command.Error, command.MergesOutput, Options(command));

    /// <summary>The run a replaying runner answers, by its plan (the settings are not compared, so not described).</summary>
    public static CassetteRequest Of(RunPlan plan) => Describe(
        plan.Program, plan.Arguments, plan.InheritsEnvironment, plan.Environment, plan.IsDaemon ? null : plan.WorkingDirectory,
        plan.PumpedInput ?? plan.Input, plan.PumpedOutput ?? plan.Output, plan.PumpedError ?? plan.Error, plan.MergesOutput, []);

    private static CassetteRequest Describe(string program, IReadOnlyList<CommandArgument> arguments, bool inheritsEnvironment,
        IReadOnlyList<EnvironmentVariable> environment, string? workingDirectory, StdioTarget input, StdioTarget output, StdioTarget error,
        bool merged, IReadOnlyList<string> options) => new()
        {
            Argv = [program, .. arguments.Select(a => a.Display)],
            Environment = inheritsEnvironment ? null : [.. environment.Select(e => e.ToString())],
            WorkingDirectory = workingDirectory,
            Stdio = new CassetteStdio(Describe(input), Describe(output), merged ? "merged" : Describe(error)),
            Input = input.Kind == StdioKind.Buffer ? input.Input.ToArray() : (ReadOnlyMemory<byte>?)null,
            Options = options,
        };

    private static string Describe(StdioTarget target)
    {
        var kind = target.Kind switch
        {
            StdioKind.Fd => $"fd:{target.Fd}",
            StdioKind.File => $"file:{target.Path}{(target.Append ? " (append)" : "")}",
            _ => target.Kind.ToString().ToLowerInvariant(),
        };
        return target.Captures ? kind + "+capture" : kind;
    }

    private static List<string> Options(Command command)
    {
        var options = new List<string>();
        void Add(bool set, string name)
        {
            if (set)
                options.Add(name);
        }
        void AddValue<T>(T? value, string name) where T : struct
        {
            if (value is { } v)
                options.Add(FormattableString.Invariant($"{name}={v}"));
        }
        AddValue(command.Timeout, "timeout");
        Add(command.AllowsNonZeroExit, "allowNonZeroExit");
        Add(command.ReturnsRawStatus, "rawStatus");
        AddValue(command.GracefulSignal, "gracefulSignal");
        AddValue(command.CaptureLimit, "captureLimit");
        if (command.Umask is { } umask)
            options.Add("umask=" + Convert.ToString(umask, 8).PadLeft(4, '0'));
        Add(command.IsDaemon, "daemonize");
        if (command.PidFile is { } pidFile)
            options.Add("pidFile=" + pidFile);
        Add(command.StartsNewSession, "newSession");
        Add(command.StartsNewProcessGroup, "newProcessGroup");
        AddValue(command.ParentDeathSignal, "parentDeathSignal");
        AddValue(command.Uid, "uid");
        AddValue(command.Gid, "gid");
        Add(command.ClearsCapabilities, "clearCaps");
        options.AddRange(command.AllowedCapabilities.Order().Select(c => $"allowCap={c}"));
        Add(command.SetsNoNewPrivileges, "noNewPrivileges");
        Add(command.RequiresHandshake, "handshake");
        Add(command.UsesNonblockingFds, "nonblockingFds");
        AddValue(command.Nice, "nice");
        if (command.CpuAffinity.Count > 0)
            options.Add("cpuAffinity=" + string.Join(',', command.CpuAffinity.Select(c => c.ToString(CultureInfo.InvariantCulture))));
        options.AddRange(command.ResourceLimits.OrderBy(l => l.Key).Select(l => FormattableString.Invariant($"rlimit.{l.Key}={l.Value}")));
        options.AddRange(command.PassedFds.Select(f => FormattableString.Invariant($"passFd={f.ParentFd}->{f.ChildFd}")));
        options.AddRange(command.SendBuffers.Select(b => FormattableString.Invariant($"sendBuffer=fd {b.ChildFd}, {b.Data.Length} bytes")));
        return options;
    }
}
