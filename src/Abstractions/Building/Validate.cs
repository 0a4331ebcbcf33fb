namespace VirCommand;

/// <summary>The checks shared by the builder's calls; each names the argument and the rule.</summary>
internal static class Validate
{
    public static void NoNul(string value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (value.Contains('\0', StringComparison.Ordinal))
            throw new ArgumentException("The value contains a NUL character, which a C string cannot carry.", paramName);
    }

    public static void EnvironmentName(string name, string paramName)
    {
        NoNul(name, paramName);
        if (name.Length == 0)
            throw new ArgumentException("An environment variable name must not be empty.", paramName);
        if (name.Contains('=', StringComparison.Ordinal))
            throw new ArgumentException($"The environment variable name '{name}' contains '=', which would split it.", paramName);
    }

    public static void Positive(TimeSpan value, string paramName)
    {
        if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(paramName, value, "The duration must be positive or Timeout.InfiniteTimeSpan.");
    }

    public static void NotNegative(TimeSpan value, string paramName)
    {
        if (value < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(paramName, value, "The duration must not be negative.");
    }
}
