using VirCommand.Backends.Posix;
using VirCommand.Tests.Building;

namespace VirCommand.Tests.Posix;

/// <summary>SPEC §3.2 seen from the child: inherit everything by default, exactly the explicit list after any call.</summary>
[Collection("Serial")] // changes the parent's environment
public sealed class EnvironmentTests
{
    private const string Name = "VIRCOMMAND_POSIX_TEST_VARIABLE";
    private readonly PosixCommandRunner _runner = new();

    [Fact]
    public async Task Without_an_environment_call_the_child_gets_the_parents_whole_environment()
    {
        using var scope = new EnvironmentScope().Set(Name, "inherited value");

        var report = await RunProbe(Probe.Command());

        Assert.Contains(Name + "=inherited value", report.Environment);
        Assert.Equal(ParentEnvironment(), report.Environment);
    }

    [Fact]
    public async Task Inheritance_takes_the_parents_environment_as_it_is_when_the_command_runs()
    {
        using var scope = new EnvironmentScope().Set(Name, "before");
        var command = Probe.Command();
        scope.Set(Name, "after");

        var report = await RunProbe(command);

        Assert.Contains(Name + "=after", report.Environment);
        Assert.DoesNotContain(Name + "=before", report.Environment);
    }

    [Fact]
    public async Task A_variable_unset_in_the_parent_is_not_inherited()
    {
        using var scope = new EnvironmentScope().Set(Name, null);

        var report = await RunProbe(Probe.Command());

        Assert.DoesNotContain(report.Environment, e => e.StartsWith(Name + "=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddEnvPassCommon_gives_exactly_LC_ALL_and_the_common_variables_the_parent_has()
    {
        using var scope = new EnvironmentScope()
            .Set(Name, "not common")
            .Set("LC_ALL", "en_US.UTF-8")
            .Set("LD_PRELOAD", null)
            .Set("LD_LIBRARY_PATH", "/test/lib")
            .Set("DYLD_INSERT_LIBRARIES", null)
            .Set("DYLD_FORCE_FLAT_NAMESPACE", "1")
            .Set("HOME", "/test/home")
            .Set("USER", null)
            .Set("LOGNAME", "tester")
            .Set("TMPDIR", null);
        var path = System.Environment.GetEnvironmentVariable("PATH");

        var report = await RunProbe(Probe.Command().AddEnvPassCommon());

        List<string> expected = ["LC_ALL=C", "LD_LIBRARY_PATH=/test/lib", "DYLD_FORCE_FLAT_NAMESPACE=1", "HOME=/test/home", "LOGNAME=tester"];
        if (path is not null)
            expected.Add("PATH=" + path);
        Assert.Equal(Sorted(expected), report.Environment);
    }

    [Fact]
    public async Task AddEnvPass_of_an_unset_variable_gives_an_empty_environment()
    {
        using var scope = new EnvironmentScope().Set(Name, null);

        var report = await RunProbe(Probe.Command().AddEnvPass(Name));

        Assert.Empty(report.Environment);
    }

    [Fact]
    public async Task AddEnvPass_of_a_set_variable_gives_exactly_that_variable()
    {
        using var scope = new EnvironmentScope().Set(Name, "passed");

        var report = await RunProbe(Probe.Command().AddEnvPass(Name));

        Assert.Equal([Name + "=passed"], report.Environment);
    }

    [Fact]
    public async Task A_later_value_replaces_the_earlier_one_and_the_child_gets_exactly_the_explicit_list()
    {
        var command = Probe.Command()
            .AddEnvPair("A", "1")
            .AddEnvString("B=two=2")
            .AddEnvPair("EMPTY", "")
            .AddEnvString("A=3")
            .AddEnvPair("SPACES", "a b  c");

        var report = await RunProbe(command);

        Assert.Equal(["A=3", "B=two=2", "EMPTY=", "SPACES=a b  c"], report.Environment);
    }

    [Fact]
    public async Task A_value_with_a_newline_and_non_ascii_text_arrives_exactly()
    {
        var report = await RunProbe(Probe.Command().AddEnvPair("MULTI", "line one\nline two ünïcødé"));

        Assert.Equal(["MULTI=line one\nline two ünïcødé"], report.Environment);
    }

    [Fact]
    public async Task A_secret_value_reaches_the_child_unredacted()
    {
        var report = await RunProbe(Probe.Command().AddSecretEnvPair("TOKEN", "hunter2"));

        Assert.Equal(["TOKEN=hunter2"], report.Environment);
    }

    private async Task<ProbeReport> RunProbe(Command command) =>
        ProbeReport.Parse((await _runner.RunAsync(command.SetOutputBuffer()).OrHang()).StandardOutput);

    private static List<string> ParentEnvironment() => Sorted(
        System.Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>().Select(e => $"{e.Key}={e.Value}"));

    /// <summary>Sorted as the probe sorts: bytewise, which for UTF-8 is ordinal by code point.</summary>
    private static List<string> Sorted(IEnumerable<string> entries) => [.. entries.OrderBy(e => Probe.Utf8(e), ByteOrder.Instance)];

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
