namespace VirCommand;

/// <summary>The checks shared by the builder's calls; each names the argument and the rule.</summary>
internal static class Validate
{
    /// <summary>
    /// A string that reaches the child as a C string in UTF-8 (program, argument, environment, path):
    /// a NUL would cut it short and a lone surrogate has no UTF-8 form (the encoder would put U+FFFD
    /// in its place), so either would silently change what the child gets.
    /// </summary>
    public static void ChildString(string value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (Problem(value) is { } problem)
            throw new ArgumentException($"The value {problem}.", paramName);
    }

    /// <summary>What keeps <paramref name="value"/> from reaching the child unchanged, or null.</summary>
    private static string? Problem(string value)
    {
        if (value.Contains('\0', StringComparison.Ordinal))
            return "contains a NUL character, which a C string cannot carry";
        // Surrogates are rare: one vectorized scan, and the pairing check only when there is one.
        for (var i = value.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF'); i >= 0 && i < value.Length; i++)
        {
            var c = value[i];
            if (!char.IsSurrogate(c))
                continue;
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
                continue;
            }
            return $"contains a lone surrogate (U+{(int)c:X4} at index {i}), invalid UTF-16 that UTF-8 cannot carry";
        }
        return null;
    }

    public static void EnvironmentName(string name, string paramName)
    {
        ChildString(name, paramName);
        if (name.Length == 0)
            throw new ArgumentException("An environment variable name must not be empty.", paramName);
        if (name.Contains('=', StringComparison.Ordinal))
            throw new ArgumentException($"The environment variable name '{name}' contains '=', which would split it.", paramName);
    }

    /// <summary>A uid or gid: <c>(uid_t)-1</c> tells setresuid and setresgid to leave the id unchanged, so the child would keep the parent's.</summary>
    public static void Id(uint id, string paramName)
    {
        if (id == uint.MaxValue)
            throw new ArgumentOutOfRangeException(paramName, id,
                "4294967295 is (uid_t)-1, which the kernel reads as \"leave the id unchanged\": the child would keep the parent's id.");
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
