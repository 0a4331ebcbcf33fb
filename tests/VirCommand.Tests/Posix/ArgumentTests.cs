using VirCommand.Backends.Posix;

namespace VirCommand.Tests.Posix;

/// <summary>SPEC §3.1 seen from the child: argv[0] as given, every argument raw.</summary>
public sealed class ArgumentTests
{
    private readonly PosixCommandRunner _runner = new();

    [Fact]
    public async Task The_child_gets_argv_exactly_with_argv0_as_given()
    {
        string[] args = ["", "two  spaces", "'quoted' \"double\" $HOME `x` ; |", "line1\nline2", "ünïcødé ✓", "*"];

        var result = await _runner.RunAsync(Probe.Command(args).SetOutputBuffer()).OrHang();

        Assert.Equal([Probe.Path, .. args], ProbeReport.Parse(result.StandardOutput).Argv);
    }

    [Fact]
    public async Task Arguments_and_variables_far_larger_than_a_usual_request_arrive_exactly()
    {
        // Many KiB of multi-byte text: the native request outgrows its first chunk several times.
        var args = Enumerable.Range(0, 40).Select(i => $"{i}:" + string.Concat(Enumerable.Repeat("ünïcødé ✓ 𝄞 ", 150))).ToArray();
        var command = Probe.Command(args).SetOutputBuffer();
        for (var i = 0; i < 20; i++)
            command.AddEnvPair($"BIG_{i}", string.Concat(Enumerable.Repeat("välüé ✓ 𝄞", 300)));

        var report = ProbeReport.Parse((await _runner.RunAsync(command).OrHang()).StandardOutput);

        Assert.Equal([Probe.Path, .. args], report.Argv);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"BIG_{i}=" + string.Concat(Enumerable.Repeat("välüé ✓ 𝄞", 300))).Order(StringComparer.Ordinal),
            report.Environment.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_relative_program_path_is_argv0_as_given()
    {
        var relative = Probe.RelativePath;

        var result = await _runner.RunAsync(Command.New(relative).SetOutputBuffer()).OrHang();

        Assert.Equal([relative], ProbeReport.Parse(result.StandardOutput).Argv);
    }

    [Fact]
    public async Task A_bare_name_is_found_on_the_parents_PATH_and_is_argv0_as_given()
    {
        var result = await _runner.RunAsync(Command.NewArgList("sh", "-c", "printf '%s' \"$0\"").SetOutputBuffer()).OrHang();

        Assert.Equal("sh", result.StandardOutput);
    }
}
