using VirCommand.Backends.Ssh;
using VirCommand.Tests.Posix;

namespace VirCommand.Tests.Ssh;

/// <summary>The SSH backend against a real sshd (<see cref="SshServer"/>): what only a remote run has to prove.</summary>
public sealed class SshRunTests : IAsyncLifetime
{
    private SshCommandRunner _runner = null!;

    public Task InitializeAsync()
    {
        if (SshServer.Missing is null)
            _runner = new SshCommandRunner(SshServer.Instance.Options());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_runner is not null)
            await _runner.DisposeAsync();
    }

    [SshFact]
    public async Task Hostile_arguments_reach_the_remote_program_byte_for_byte()
    {
        string[] args = ["", " ", "two words", "'single'", "\"double\"", "$(touch /tmp/vircommand-ssh-pwned)", "`id`", "$HOME", "a\nb", "-", "--", "-n", "--help",
            "*", "; exit 3", "a\\b", "ünïcødé ☃ 𝄞", "\t", "'\\''", "!", "%s"];

        var result = await _runner.RunAsync(Probe.Command(args).SetOutputBuffer()).OrHang();

        Assert.Equal([Probe.Path, .. args], ProbeReport.Parse(result.StandardOutput).Argv);
        Assert.False(File.Exists("/tmp/vircommand-ssh-pwned"));
    }

    [SshFact]
    public async Task An_explicit_environment_is_exactly_the_listed_variables()
    {
        var result = await _runner.RunAsync(Probe.Command().AddEnvPair("A", "x y").AddEnvPair("B", "line\nbreak").AddEnvPair("EMPTY", "").SetOutputBuffer()).OrHang();

        var env = ProbeReport.Parse(result.StandardOutput).Environment;
        Assert.Equal(["A=x y", "B=line\nbreak", "EMPTY="], env.Order(StringComparer.Ordinal));
    }
}
