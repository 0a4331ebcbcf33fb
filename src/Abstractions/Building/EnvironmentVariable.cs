namespace VirCommand;

/// <summary>One environment entry of the child.</summary>
/// <param name="Name">The name: never empty, never contains <c>=</c> or NUL.</param>
/// <param name="Value">The value the child receives.</param>
/// <param name="IsSecret">When true, string forms and logs show <c>NAME=***</c>.</param>
public sealed record EnvironmentVariable(string Name, string Value, bool IsSecret = false)
{
    /// <summary>The value as string forms show it.</summary>
    public string DisplayValue => IsSecret ? CommandArgument.Redacted : Value;

    /// <summary>The <c>NAME=value</c> string the child receives.</summary>
    public string ToEnvironString() => Name + "=" + Value;

    /// <inheritdoc/>
    public override string ToString() => Name + "=" + DisplayValue;
}
