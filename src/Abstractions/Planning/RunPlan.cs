namespace VirCommand.Backends;

/// <summary>
/// Everything one run of a <see cref="Command"/> needs, fixed when the run passed the gate of
/// <see cref="CommandRunnerBase"/>: the validated command's settings copied out of the builder, the
/// run's settings resolved against the runner's defaults, the string form (secrets redacted), and
/// the ownership of the fds passed with <see cref="PassFdOptions.CloseParent"/>. A backend reads only
/// this: changing or disposing the command afterwards affects only later runs.
/// </summary>
/// <remarks>
/// Lifecycle: the gate claims the CloseParent fds for this plan; the run engine closes them right
/// after the backend's spawn was attempted, whatever its outcome, so a backend never closes them
/// itself and a plan whose spawn was never attempted (a refused run) leaves them to the command.
/// </remarks>
public sealed class RunPlan
{
    private readonly ParentFdOwnership _parentFds;

    internal RunPlan(Command command, string commandLine, RunSettings settings, Signal? defaultParentDeathSignal, bool backendConnectsFiles = false)
    {
        _parentFds = command.ParentFds;
        CommandLine = commandLine;
        Settings = settings;
        Program = command.Program;
        Arguments = Copy(command.Arguments);
        InheritsEnvironment = command.InheritsEnvironment;
        Environment = Copy(command.Environment);
        WorkingDirectory = command.IsDaemon ? "/" : command.WorkingDirectory;
        PseudoTerminal = command.PseudoTerminal;
        // What the run engine pumps itself, the backend connects as a plain pipe. A file cannot be the
        // child's stdout when the terminal is: the engine writes the terminal's output to it.
        PumpedInput = command.Input.IsPumped(backendConnectsFiles) ? command.Input : null;
        PumpedOutput = command.Output.IsPumped(backendConnectsFiles && PseudoTerminal?.Takes(TerminalStreams.Output) != true) ? command.Output : null;
        PumpedError = command.Error.IsPumped(backendConnectsFiles) && !command.MergesOutput ? command.Error : null;
        Input = PumpedInput is null ? command.Input : StdioTarget.Pipe;
        Output = PumpedOutput is null ? command.Output : StdioTarget.Pipe;
        Error = command.MergesOutput ? Output : PumpedError is null ? command.Error : StdioTarget.Pipe;
        MergesOutput = command.MergesOutput;
        UsesNonblockingFds = command.UsesNonblockingFds;
        PassedFds = Copy(command.PassedFds);
        SendBuffers = Copy(command.SendBuffers);
        Umask = command.Umask;
        CpuAffinity = command.CpuAffinity;
        Nice = command.Nice;
        RunsAlone = command.RunsAlone;
        RunsAmong = command.RunsAmong;
        Cgroup = command.Cgroup;
        SELinuxLabel = command.SELinuxLabel;
        AppArmorProfile = command.AppArmorProfile;
        IsDaemon = command.IsDaemon;
        PidFile = command.PidFile;
        ResourceLimits = command.ResourceLimits.Count == 0 ? NoLimits : new Dictionary<ResourceLimitKind, ulong>(command.ResourceLimits);
        // A controlling terminal needs a session of the child's own.
        StartsNewSession = command.StartsNewSession || PseudoTerminal is not null;
        StartsNewProcessGroup = command.StartsNewProcessGroup;
        PipelineGroup = command.PipelineGroup;
        // The runner's binding of its children to the parent's death; never for a daemon, which outlives the parent by design.
        ParentDeathSignal = command.ParentDeathSignal ?? (command.IsDaemon ? null : defaultParentDeathSignal);
        Uid = command.Uid;
        Gid = command.Gid;
        ClearsCapabilities = command.ClearsCapabilities;
        AllowedCapabilities = command.AllowedCapabilities.Count == 0 ? NoCapabilities : new HashSet<Capability>(command.AllowedCapabilities);
        SetsNoNewPrivileges = command.SetsNoNewPrivileges;
        Hook = command.Hook;
        RequiresHandshake = command.RequiresHandshake;
        AllowsNonZeroExit = command.AllowsNonZeroExit;
        ReturnsRawStatus = command.ReturnsRawStatus;
    }

    private static readonly IReadOnlyDictionary<ResourceLimitKind, ulong> NoLimits = new Dictionary<ResourceLimitKind, ulong>();

    private static readonly IReadOnlySet<Capability> NoCapabilities = new HashSet<Capability>();

    /// <summary>The command's string form, secrets redacted, for results, errors and logs.</summary>
    public string CommandLine { get; }

    /// <summary>The run's settings: the command's own, else the runner's defaults.</summary>
    public RunSettings Settings { get; }

    /// <inheritdoc cref="Command.Program"/>
    public string Program { get; }

    /// <inheritdoc cref="Command.Arguments"/>
    public IReadOnlyList<CommandArgument> Arguments { get; }

    /// <inheritdoc cref="Command.Argv"/>
    public IReadOnlyList<string> Argv => [Program, .. Arguments.Select(a => a.Value)];

    /// <summary>True when the child inherits the parent's environment as it is when the child is spawned; otherwise it gets exactly <see cref="Environment"/>.</summary>
    public bool InheritsEnvironment { get; }

    /// <summary>The explicit environment, one entry per name, in first-set order; empty while <see cref="InheritsEnvironment"/>.</summary>
    public IReadOnlyList<EnvironmentVariable> Environment { get; }

    /// <summary>
    /// The environment the child gets if it is spawned now: the parent's whole environment (sorted by
    /// name) while <see cref="InheritsEnvironment"/>, otherwise exactly <see cref="Environment"/>.
    /// </summary>
    public IReadOnlyList<EnvironmentVariable> ResolveEnvironment() => InheritsEnvironment ? Command.ParentEnvironment() : Environment;

    /// <summary>The directory the child runs in: <c>/</c> for a daemon, else the command's, or null for the parent's.</summary>
    public string? WorkingDirectory { get; }

    /// <summary>
    /// What the backend connects to stdin: the command's <see cref="Command.Input"/>, except that a source
    /// the run engine pumps (a stream, or a file on a backend that does not connect files) is a
    /// <see cref="StdioKind.Pipe"/> whose parent end the engine feeds, not the caller.
    /// </summary>
    public StdioTarget Input { get; }

    /// <summary>What the backend connects to stdout: the command's <see cref="Command.Output"/>, or a <see cref="StdioKind.Pipe"/> the run engine reads (a stream, a tee, or a file on a backend that does not connect files).</summary>
    public StdioTarget Output { get; }

    /// <summary>What the backend connects to stderr, as <see cref="Output"/> does for stdout.</summary>
    public StdioTarget Error { get; }

    /// <summary>The command's stdin source that the run engine pumps through <see cref="Input"/>'s pipe, or null.</summary>
    public StdioTarget? PumpedInput { get; }

    /// <summary>The command's stdout target that the run engine pumps from <see cref="Output"/>'s pipe, or null.</summary>
    public StdioTarget? PumpedOutput { get; }

    /// <summary>The command's stderr target that the run engine pumps from <see cref="Error"/>'s pipe, or null.</summary>
    public StdioTarget? PumpedError { get; }

    /// <inheritdoc cref="Command.MergesOutput"/>
    public bool MergesOutput { get; }

    /// <inheritdoc cref="Command.UsesNonblockingFds"/>
    public bool UsesNonblockingFds { get; }

    /// <summary>The fds the child keeps besides 0, 1 and 2, with their flags as the command passed them.</summary>
    public IReadOnlyList<PassedFd> PassedFds { get; }

    /// <inheritdoc cref="Command.SendBuffers"/>
    public IReadOnlyList<SendBuffer> SendBuffers { get; }

    /// <inheritdoc cref="Command.Umask"/>
    public int? Umask { get; }

    /// <inheritdoc cref="Command.CpuAffinity"/>
    public IReadOnlyList<int> CpuAffinity { get; }

    /// <inheritdoc cref="Command.Nice"/>
    public int? Nice { get; }

    /// <inheritdoc cref="Command.RunsAlone"/>
    public bool RunsAlone { get; }

    /// <inheritdoc cref="Command.RunsAmong"/>
    public int? RunsAmong { get; }

    /// <inheritdoc cref="Command.Cgroup"/>
    public string? Cgroup { get; }

    /// <inheritdoc cref="Command.SELinuxLabel"/>
    public string? SELinuxLabel { get; }

    /// <inheritdoc cref="Command.AppArmorProfile"/>
    public string? AppArmorProfile { get; }

    /// <inheritdoc cref="Command.IsDaemon"/>
    public bool IsDaemon { get; }

    /// <inheritdoc cref="Command.PidFile"/>
    public string? PidFile { get; }

    /// <inheritdoc cref="Command.ResourceLimits"/>
    public IReadOnlyDictionary<ResourceLimitKind, ulong> ResourceLimits { get; }

    /// <summary>True when the child calls <c>setsid</c>: <see cref="Command.NewSession"/>, or a <see cref="PseudoTerminal"/>, which must be its session's controlling terminal.</summary>
    public bool StartsNewSession { get; }

    /// <summary>
    /// The child's pseudo-terminal, or null. A backend connects the streams it takes to the slave side,
    /// whatever <see cref="Input"/>, <see cref="Output"/> and <see cref="Error"/> say (the builder left
    /// stdin's and stderr's unset), and reads the master's output as stdout's source for <see cref="Output"/>.
    /// </summary>
    public TerminalSettings? PseudoTerminal { get; }

    /// <summary>
    /// True when stdout is on the <see cref="PseudoTerminal"/> with a target of its own (<see cref="Output"/>), which
    /// then reads the terminal's output; otherwise the caller reads it from <see cref="VirCommand.PseudoTerminal.Stream"/>.
    /// </summary>
    public bool TerminalOutputHasTarget => PseudoTerminal?.Takes(TerminalStreams.Output) == true && Output.Kind != StdioKind.Null;

    /// <inheritdoc cref="Command.StartsNewProcessGroup"/>
    public bool StartsNewProcessGroup { get; }

    /// <summary>
    /// For a stage of a pipeline whose stages a backend joins by kernel pipes
    /// (<see cref="CommandRunnerBase.OpenStagePipe"/>): 0 when the child leads the pipeline's new process
    /// group, the group's id when it joins it; null for a run on its own. The stage's own stops do not
    /// signal that group (<see cref="SignalsProcessGroup"/> stays false): the pipeline's stops do.
    /// </summary>
    public int? PipelineGroup { get; }

    /// <summary>
    /// True when the stop sequence signals the child's whole process group: the child leads one (a new
    /// session or group), and it is not a daemon, whose group is the intermediate's pid and would reach the daemon.
    /// </summary>
    public bool SignalsProcessGroup => (StartsNewSession || StartsNewProcessGroup) && !IsDaemon;

    /// <summary>
    /// The signal the child gets when the parent dies: the command's (<see cref="Command.SetParentDeathSignal"/>),
    /// else the runner's <see cref="CommandRunnerOptions.ParentDeathSignal"/> unless the command is a daemon; null for none.
    /// </summary>
    public Signal? ParentDeathSignal { get; }

    /// <inheritdoc cref="Command.Uid"/>
    public uint? Uid { get; }

    /// <inheritdoc cref="Command.Gid"/>
    public uint? Gid { get; }

    /// <inheritdoc cref="Command.ClearsCapabilities"/>
    public bool ClearsCapabilities { get; }

    /// <inheritdoc cref="Command.AllowedCapabilities"/>
    public IReadOnlySet<Capability> AllowedCapabilities { get; }

    /// <inheritdoc cref="Command.SetsNoNewPrivileges"/>
    public bool SetsNoNewPrivileges { get; }

    /// <inheritdoc cref="Command.Hook"/>
    public PreExecHook? Hook { get; }

    /// <inheritdoc cref="Command.RequiresHandshake"/>
    public bool RequiresHandshake { get; }

    /// <inheritdoc cref="Command.AllowsNonZeroExit"/>
    public bool AllowsNonZeroExit { get; }

    /// <inheritdoc cref="Command.ReturnsRawStatus"/>
    public bool ReturnsRawStatus { get; }

    /// <summary>
    /// The result of this plan's run, holding the captures it asked for: one it asked for is there even
    /// when empty; one it did not is absent, and reading it throws, naming the setter to call.
    /// </summary>
    public CommandResult Result(int pid, int rawStatus, DateTimeOffset startTime, DateTimeOffset exitTime,
        ReadOnlyMemory<byte> capturedOutput, ReadOnlyMemory<byte> capturedError)
    {
        // Typed nulls: a bare null would become an empty ReadOnlyMemory through its conversion from byte[].
        ReadOnlyMemory<byte>? none = null;
        // A tee (a file or stream that also captures) captures as a buffer does.
        var capturesOutput = Output.Kind == StdioKind.Buffer || PumpedOutput?.Captures == true;
        var capturesError = Error.Kind == StdioKind.Buffer || PumpedError?.Captures == true;
        return new CommandResult(CommandLine, pid, rawStatus, startTime, exitTime,
            capturesOutput ? capturedOutput : none,
            capturesError && !MergesOutput ? capturedError : none,
            mergedOutput: capturesOutput && MergesOutput);
    }

    /// <summary>What the runner sees of this run: its telemetry and the ownership of its child.</summary>
    internal RunObserver Observer { get; private set; } = null!;

    /// <inheritdoc/>
    public override string ToString() => CommandLine;

    /// <summary>Starts observing the run, once the plan passed the gate.</summary>
    internal void Observe(RunObserver observer) => Observer = observer;

    /// <summary>Closes the CloseParent fds this plan claimed, once; the engine calls it right after the spawn was attempted.</summary>
    internal void ReleaseParentFds() => _parentFds.Release(PassedFds);

    private static T[] Copy<T>(IReadOnlyList<T> list) => list.Count == 0 ? [] : [.. list];
}
