namespace VirCommand.Tests.Examples;

/// <summary>
/// A realistic service of the kind users write: it drives <c>git</c> through an injected
/// <see cref="ICommandRunner"/>, parses the output, and turns failures into its own errors.
/// </summary>
public sealed class GitRepository(ICommandRunner runner, string path)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public async Task<string> CurrentBranchAsync(CancellationToken cancellationToken = default)
    {
        var result = await runner.RunAsync(Git("rev-parse", "--abbrev-ref", "HEAD"), cancellationToken);
        return result.StandardOutput.Trim();
    }

    public async Task<IReadOnlyList<FileChange>> StatusAsync(CancellationToken cancellationToken = default)
    {
        var result = await runner.RunAsync(Git("status", "--porcelain=v1", "-z"), cancellationToken);
        return result.StandardOutput
            .Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(entry => new FileChange(entry[..2].Trim(), entry[3..]))
            .ToList();
    }

    public async Task CommitAsync(string message, CancellationToken cancellationToken = default)
    {
        var command = Git("commit", "--file=-").SetInputBuffer(message);
        try
        {
            await runner.RunAsync(command, cancellationToken);
        }
        catch (CommandExitException e) when (e.ExitCode == 1)
        {
            throw new GitException($"git commit failed: {e.StandardErrorTail.Trim()}", e);
        }
        catch (CommandTimeoutException e)
        {
            throw new GitException("git commit timed out", e);
        }
    }

    private Command Git(params string[] args) =>
        Command.NewArgList("git", ["-C", path, .. args])
            .AddEnvPassCommon()
            .SetOutputBuffer()
            .SetErrorBuffer()
            .SetTimeout(Timeout);
}

public sealed record FileChange(string Status, string Path);

public sealed class GitException(string message, Exception inner) : Exception(message, inner);
