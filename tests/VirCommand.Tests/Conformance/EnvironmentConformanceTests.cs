using VirCommand.Tests.Building;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Conformance;

/// <summary>SPEC §3.2 on every backend: the whole parent environment by default, exactly the explicit list after any environment call.</summary>
[Collection("Serial")] // changes the parent's environment
public sealed class EnvironmentConformanceTests
{
    private const string Name = "VIRCOMMAND_CONFORMANCE_VARIABLE";

    [Theory]
    [MemberData(nameof(ConformanceBackend.LocalNames), MemberType = typeof(ConformanceBackend))]
    public async Task Without_an_environment_call_the_child_inherits_the_parents_whole_environment(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        using var scope = new EnvironmentScope().Set(Name, "inherited ünïcødé value");

        var report = await RunProbe(runner, Probe.Command());

        Assert.Contains(Name + "=inherited ünïcødé value", report.Environment);
        Assert.Equal(Utf8Order.Sorted(System.Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Select(e => $"{e.Key}={e.Value}")), report.Environment);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task The_first_environment_call_stops_inheritance(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        using var scope = new EnvironmentScope().Set(Name, "not passed");

        var report = await RunProbe(runner, Probe.Command().AddEnvPair("ONLY", "this"));

        Assert.Equal(["ONLY=this"], report.Environment);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task A_later_value_for_a_name_replaces_the_earlier_one(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();

        var report = await RunProbe(runner, Probe.Command().AddEnvPair("B", "1").AddEnvString("A=x=y").AddEnvPair("EMPTY", "")
            .AddEnvString("B=2"));

        Assert.Equal(["A=x=y", "B=2", "EMPTY="], report.Environment);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task AddEnvPass_copies_a_set_variable_and_skips_an_unset_one(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
        using var scope = new EnvironmentScope().Set(Name, "passed").Set(Name + "_UNSET", null);

        var report = await RunProbe(runner, Probe.Command().AddEnvPass(Name).AddEnvPass(Name + "_UNSET"));

        Assert.Equal([Name + "=passed"], report.Environment);
    }

    [Theory]
    [MemberData(nameof(ConformanceBackend.Names), MemberType = typeof(ConformanceBackend))]
    public async Task AddEnvPassCommon_gives_LC_ALL_C_and_the_common_variables_the_parent_has(string backend)
    {
        var runner = ConformanceBackend.Get(backend).CreateRunner();
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
            .Set("TMPDIR", null)
            .Set("PATH", "/test/bin:" + System.Environment.GetEnvironmentVariable("PATH"));

        var report = await RunProbe(runner, Probe.Command().AddEnvPassCommon());

        Assert.Equal(Utf8Order.Sorted(["LC_ALL=C", "LD_LIBRARY_PATH=/test/lib", "DYLD_FORCE_FLAT_NAMESPACE=1", "HOME=/test/home", "LOGNAME=tester",
            "PATH=" + System.Environment.GetEnvironmentVariable("PATH")]), report.Environment);
    }

    private static async Task<ProbeReport> RunProbe(ICommandRunner runner, Command command) =>
        ProbeReport.Parse((await runner.RunAsync(command.SetOutputBuffer()).OrHang()).StandardOutput);
}
