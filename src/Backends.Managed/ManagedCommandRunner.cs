using System.ComponentModel;
using System.Diagnostics;
using VirCommand.Backends;
using VirCommand.Backends.Managed.Spawning;

namespace VirCommand.Backends.Managed;

/// <summary>
/// The portable backend, on <see cref="Process"/>: for machines where the POSIX backend cannot run
/// (macOS, Windows, or a Linux host that cannot load its native library).
/// </summary>
/// <remarks>
/// <para>
/// It does what <see cref="Process"/> can do honestly — program and argument list (never one joined
/// string), environment, working directory, input buffer or stream, capture or streams of stdout and
/// stderr, the capture limit, timeouts, cancellation, abort, detach, the bounded drain — and refuses
/// everything else (<see cref="Features"/>) before anything is spawned, with a
/// <see cref="CommandNotSupportedException"/> that names the feature and the POSIX backend.
/// </para>
/// <para>
/// Where it differs from the POSIX backend, by what <see cref="Process"/> allows: a stdin or output the
/// command leaves unset is an empty or drained pipe rather than /dev/null; fds the parent opened
/// without close-on-exec may reach the child (<see cref="CommandFeatures.CloseOtherFds"/> is not
/// claimed; .NET opens its own close-on-exec); a death by signal N reads as exit code 128 + N
/// (<see cref="CommandFeatures.RawStatus"/> is not claimed); stopping sends the graceful signal on
/// Linux only and then kills the whole process tree, elsewhere it kills the tree at once.
/// </para>
/// </remarks>
public sealed class ManagedCommandRunner : CommandRunnerBase
{
    /// <summary>Creates the backend with default options.</summary>
    public ManagedCommandRunner()
        : this(new CommandRunnerOptions())
    {
    }

    /// <summary>Creates the backend.</summary>
    public ManagedCommandRunner(CommandRunnerOptions options)
        : base(options)
    {
    }

    /// <summary>The features <see cref="Process"/> can honour on this platform.</summary>
    public static CommandFeatures PlatformFeatures { get; } = FeaturesWhere(canSignal: Interop.LinuxSignal.IsSupported);

    /// <summary>Stdio pipes everywhere; a graceful signal where the backend can send one (Linux).</summary>
    internal static CommandFeatures FeaturesWhere(bool canSignal) =>
        CommandFeatures.StdioPipes | CommandFeatures.Pipelines | (canSignal ? CommandFeatures.GracefulSignal : CommandFeatures.None);

    /// <inheritdoc/>
    public override string Name => "managed";

    /// <inheritdoc/>
    public override CommandFeatures Features => PlatformFeatures;

    /// <inheritdoc/>
    protected override string? FullerBackend => "posix";

    /// <inheritdoc/>
    protected override IChildProcess Spawn(RunPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var commandLine = plan.CommandLine;
        var path = ProgramLookup.Resolve(plan.Program, commandLine);
        CheckWorkingDirectory(plan.WorkingDirectory, commandLine);
        var process = new Process { StartInfo = StartInfo(plan, path) };
        var startTime = DateTimeOffset.UtcNow;
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            process.Dispose();
            throw new CommandStartException(commandLine, StartStage.Exec, e.NativeErrorCode, e.Message);
        }
        return new ManagedChild(process, plan, startTime);
    }

    private static ProcessStartInfo StartInfo(RunPlan plan, string path)
    {
        var info = new ProcessStartInfo(ProgramResolver.FileNameFor(plan.Program, path))
        {
            UseShellExecute = false,
            CreateNoWindow = true,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = plan.WorkingDirectory ?? "",
        };
        foreach (var argument in plan.Arguments)
            info.ArgumentList.Add(argument.Value);
        info.Environment.Clear();
        foreach (var variable in plan.ResolveEnvironment())
            info.Environment[variable.Name] = variable.Value;
        return info;
    }

    /// <summary>
    /// The child changes directory after the fork, where .NET reports only an errno that could as well
    /// be the exec's: checking first names the right stage in the common case, with chdir's errno:
    /// ENOTDIR when some component of the path is a file, ENOENT when one is missing.
    /// </summary>
    private static void CheckWorkingDirectory(string? directory, string commandLine)
    {
        const int ENOENT = 2, ENOTDIR = 20;
        if (directory is null || Directory.Exists(directory))
            return;
        var underAFile = false;
        for (var path = Path.GetFullPath(directory); path is not null && !underAFile; path = Path.GetDirectoryName(path))
            underAFile = File.Exists(path);
        throw new CommandStartException(commandLine, StartStage.WorkingDirectory, underAFile ? ENOTDIR : ENOENT,
            $"'{directory}' is not a directory");
    }
}
