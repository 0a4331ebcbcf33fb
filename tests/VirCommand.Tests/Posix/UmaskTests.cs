using VirCommand.Backends.Posix;

namespace VirCommand.Tests.Posix;

/// <summary>SPEC §3.3: the umask is applied in the child, and 0 is a real value.</summary>
public sealed class UmaskTests
{
    private readonly PosixCommandRunner _runner = new();

    [Theory]
    [InlineData(0x17, "0027")] // 027 octal
    [InlineData(0x1FF, "0777")]
    [InlineData(0x3F, "0077")]
    public async Task The_child_gets_the_umask_set(int mask, string reported)
    {
        var report = await RunProbe(Probe.Command().SetUmask(mask));

        Assert.Equal(reported, report.Umask);
    }

    [Fact]
    public async Task A_zero_umask_is_honoured_not_ignored()
    {
        // Meaningful only when the parent's umask is not 0 already: it is 0022 almost everywhere.
        Assert.NotEqual("0000", ProcessInspector.Umask);

        var report = await RunProbe(Probe.Command().SetUmask(0));

        Assert.Equal("0000", report.Umask);
    }

    [Fact]
    public async Task By_default_the_child_keeps_the_parents_umask_and_the_parents_stays_unchanged()
    {
        var parent = ProcessInspector.Umask;

        var report = await RunProbe(Probe.Command());
        await RunProbe(Probe.Command().SetUmask(0x3F));

        Assert.Equal(parent, report.Umask);
        Assert.Equal(parent, ProcessInspector.Umask);
    }

    private async Task<ProbeReport> RunProbe(Command command) =>
        ProbeReport.Parse((await _runner.RunAsync(command.SetOutputBuffer()).OrHang()).StandardOutput);
}
