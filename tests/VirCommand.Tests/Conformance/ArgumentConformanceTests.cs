using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Conformance;

/// <summary>SPEC §3.1 on every backend: argv reaches the child exactly as given, argv[0] included; no shell, no splitting.</summary>
public sealed class ArgumentConformanceTests
{
    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task Every_argument_reaches_the_child_exactly_as_given(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        // None of these is a probe option, so the probe only reports them.
        string[] args = ["", "two words", "  padded  ", "ünïcødé ☃ 𝄞", "'single' \"double\" $HOME `id` * ? ; | &", "tab\there", "line\nbreak", "-", "--"];

        var result = await runner.RunAsync(Probe.Command(args).SetOutputBuffer()).OrHang();

        Assert.Equal([Probe.Path, .. args], ProbeReport.Parse(result.StandardOutput).Argv);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_command_without_arguments_gives_the_child_argv_0_only(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();

        var result = await runner.RunAsync(Command.New(Probe.Path).SetOutputBuffer()).OrHang();

        Assert.Equal([Probe.Path], ProbeReport.Parse(result.StandardOutput).Argv);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task The_argument_builders_reach_the_child_as_the_command_lists_them(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        var command = Command.New(Probe.Path).AddArg("a").AddArgFormat("{0}-{1}", 7, 1.25).AddArgPair("--name", "value with space")
            .AddArgSet(["x", "y"]).AddArgList("z").SetOutputBuffer();

        var result = await runner.RunAsync(command).OrHang();

        Assert.Equal([Probe.Path, "a", "7-1.25", "--name=value with space", "x", "y", "z"], ProbeReport.Parse(result.StandardOutput).Argv);
    }
}
