namespace VirCommand.Tests.Running;

/// <summary>Issue 13 item 5: a result built by hand (a test double) follows the same capture rules as the engine's.</summary>
public sealed class CommandResultTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch;

    [Fact]
    public void A_result_without_captures_refuses_to_be_read_and_names_the_setters()
    {
        var result = new CommandResult("tool", 1, 0, Now, Now);

        Assert.False(result.HasStandardOutput);
        Assert.Contains("SetOutputBuffer()", Assert.Throws<InvalidOperationException>(() => result.StandardOutput).Message, StringComparison.Ordinal);
        Assert.Contains("SetErrorBuffer()", Assert.Throws<InvalidOperationException>(() => result.StandardErrorBytes).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_capture_is_there_and_empty()
    {
        var result = new CommandResult("tool", 1, 0, Now, Now, ReadOnlyMemory<byte>.Empty, "err"u8.ToArray());

        Assert.Equal("", result.StandardOutput);
        Assert.Equal("err", result.StandardError);
    }

    [Fact]
    public void A_merged_capture_is_stdout_alone()
    {
        var merged = new CommandResult("tool", 1, 0, Now, Now, "both"u8.ToArray(), mergedOutput: true);

        Assert.Equal("both", merged.StandardOutput);
        Assert.Contains("read StandardOutput", Assert.Throws<InvalidOperationException>(() => merged.StandardError).Message, StringComparison.Ordinal);
        Assert.Equal("mergedOutput", Assert.Throws<ArgumentException>(() =>
            new CommandResult("tool", 1, 0, Now, Now, "out"u8.ToArray(), "err"u8.ToArray(), mergedOutput: true)).ParamName);
        Assert.Equal("mergedOutput", Assert.Throws<ArgumentException>(() => new CommandResult("tool", 1, 0, Now, Now, mergedOutput: true)).ParamName);
    }
}
