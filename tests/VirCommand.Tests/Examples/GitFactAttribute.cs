namespace VirCommand.Tests.Examples;

/// <summary>Runs where git is installed, and says so where it is not.</summary>
public sealed class GitFactAttribute : FactAttribute
{
    public GitFactAttribute()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        if (!path.Split(':').Any(dir => File.Exists(Path.Combine(dir, "git"))))
            Skip = "needs git on PATH";
    }
}
