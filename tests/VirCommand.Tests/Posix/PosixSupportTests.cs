using VirCommand.Backends.Posix;

namespace VirCommand.Tests.Posix;

/// <summary>PosixSupport, through its public API: what AddVirCommand decides by.</summary>
public sealed class PosixSupportTests
{
    [LinuxFact]
    public void On_this_Linux_machine_the_backend_is_available_and_says_why()
    {
        Assert.True(PosixSupport.IsAvailable, PosixSupport.Reason);
        Assert.StartsWith("Linux ", PosixSupport.Reason, StringComparison.Ordinal);
        Assert.Contains("with pidfds", PosixSupport.Reason, StringComparison.Ordinal);
        Assert.Contains("libvircommand.so loaded", PosixSupport.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_answer_matches_the_choice_AddVirCommand_makes()
    {
        var choice = BackendChoice.ForThisMachine();

        Assert.Equal(PosixSupport.IsAvailable ? "posix" : "managed", choice.Backend);
        Assert.Contains(PosixSupport.Reason, choice.Reason, StringComparison.Ordinal);
    }
}
