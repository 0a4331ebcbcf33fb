namespace VirCommand;

public sealed partial class Command
{
    /// <summary>The variables <see cref="AddEnvPassCommon"/> passes, after setting <c>LC_ALL=C</c>, in this order.</summary>
    public static IReadOnlyList<string> CommonEnvironmentNames { get; } =
    [
        "LD_PRELOAD", "LD_LIBRARY_PATH", "DYLD_INSERT_LIBRARIES", "DYLD_FORCE_FLAT_NAMESPACE",
        "PATH", "HOME", "USER", "LOGNAME", "TMPDIR",
    ];

    private List<EnvironmentVariable> _environment = [];

    /// <summary>
    /// True until the first environment call: the child then inherits the parent's whole
    /// environment as it is when the command runs. After any environment call the child gets exactly
    /// <see cref="Environment"/>.
    /// </summary>
    public bool InheritsEnvironment { get; private set; } = true;

    /// <summary>The explicit environment, one entry per name, in first-set order.</summary>
    public IReadOnlyList<EnvironmentVariable> Environment => _environment;

    /// <summary>Sets <c>LC_ALL=C</c>, then passes the parent's values of <see cref="CommonEnvironmentNames"/> that are set (<c>virCommandAddEnvPassCommon</c>).</summary>
    /// <remarks>One change for a concurrent run: it sees all of these variables or none.</remarks>
    public Command AddEnvPassCommon()
    {
        // The setters' lock is re-entrant: held across the calls, so that no run sees half of them.
        lock (_gate)
        {
            AddEnvPair("LC_ALL", "C");
            foreach (var name in CommonEnvironmentNames)
                AddEnvPass(name);
        }
        return this;
    }

    /// <summary>
    /// Copies the parent's value of <paramref name="name"/>, read now, if it is set; adds nothing if it
    /// is unset, but the child stops inheriting the whole environment either way (<c>virCommandAddEnvPass</c>).
    /// The parent's values are always valid: .NET decodes the process environment with U+FFFD for
    /// bytes that are not UTF-8, and stores U+FFFD for a lone surrogate given to
    /// <see cref="System.Environment.SetEnvironmentVariable(string, string)"/>, so what is passed is
    /// exactly what the parent reads.
    /// </summary>
    /// <exception cref="ArgumentException">The name is empty or contains <c>=</c>, NUL or a lone surrogate.</exception>
    public Command AddEnvPass(string name)
    {
        Validate.EnvironmentName(name, nameof(name));
        var value = System.Environment.GetEnvironmentVariable(name);
        return Set(() =>
        {
            InheritsEnvironment = false;
            if (value is not null)
                Put(new EnvironmentVariable(name, value));
        });
    }

    /// <summary>Sets <paramref name="name"/> to <paramref name="value"/>; a later value for the same name replaces the earlier one in place (<c>virCommandAddEnvPair</c>).</summary>
    /// <exception cref="ArgumentException">The name is empty or contains <c>=</c>, NUL or a lone surrogate, or the value contains NUL or a lone surrogate.</exception>
    public Command AddEnvPair(string name, string value) => AddEnv(name, value, secret: false);

    /// <summary>Like <see cref="AddEnvPair"/>, but string forms and logs show the value as <c>***</c> (beyond libvirt).</summary>
    public Command AddSecretEnvPair(string name, string value) => AddEnv(name, value, secret: true);

    /// <summary>Sets a variable from a <c>NAME=value</c> string, split at the first <c>=</c> (<c>virCommandAddEnvString</c>).</summary>
    /// <exception cref="ArgumentException">There is no <c>=</c>, the name is empty, or the string contains NUL or a lone surrogate.</exception>
    public Command AddEnvString(string nameAndValue)
    {
        Validate.ChildString(nameAndValue, nameof(nameAndValue));
        var eq = nameAndValue.IndexOf('=', StringComparison.Ordinal);
        if (eq < 0)
            throw new ArgumentException($"The environment string '{nameAndValue}' has no '=': it must be NAME=value.", nameof(nameAndValue));
        if (eq == 0)
            throw new ArgumentException($"The environment string '{nameAndValue}' has an empty name.", nameof(nameAndValue));
        return AddEnvPair(nameAndValue[..eq], nameAndValue[(eq + 1)..]);
    }

    /// <summary>
    /// Sets a variable from a <c>NAME=value</c> string formatted with the invariant culture, as printf
    /// would, split at the first <c>=</c> (<c>virCommandAddEnvFormat</c>).
    /// </summary>
    /// <exception cref="FormatException">The format is invalid.</exception>
    /// <exception cref="ArgumentException">The format, or the text an argument formats to, contains NUL or a lone surrogate, or the result has no <c>=</c> or an empty name.</exception>
    public Command AddEnvFormat(string format, params object?[] args)
    {
        Validate.ChildString(format, nameof(format));
        var nameAndValue = string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args);
        // The format is clean, so whatever is wrong came from an argument's text.
        Validate.ChildString(nameAndValue, nameof(args));
        return AddEnvString(nameAndValue);
    }

    /// <summary>
    /// Points the child's XDG base directories inside <paramref name="baseDirectory"/>, as libvirt does
    /// (<c>virCommandAddEnvXDG</c>): <c>XDG_DATA_HOME=base/.local/share</c>,
    /// <c>XDG_CACHE_HOME=base/.cache</c>, <c>XDG_CONFIG_HOME=base/.config</c>, in that order, all or none
    /// for a concurrent run. The directories are not created.
    /// </summary>
    /// <exception cref="ArgumentException">The directory is empty or relative (the XDG specification has programs ignore a relative path), or contains NUL or a lone surrogate.</exception>
    public Command AddEnvXDG(string baseDirectory)
    {
        Validate.ChildString(baseDirectory, nameof(baseDirectory));
        if (!Path.IsPathFullyQualified(baseDirectory))
        {
            throw new ArgumentException(
                $"The XDG base directory '{baseDirectory}' must be an absolute path: programs ignore a relative XDG directory.", nameof(baseDirectory));
        }
        var trimmed = baseDirectory.TrimEnd('/');
        lock (_gate)
        {
            AddEnvPair("XDG_DATA_HOME", trimmed + "/.local/share");
            AddEnvPair("XDG_CACHE_HOME", trimmed + "/.cache");
            AddEnvPair("XDG_CONFIG_HOME", trimmed + "/.config");
        }
        return this;
    }

    /// <summary>
    /// The environment the child gets if it runs now: the parent's whole environment (sorted by
    /// name) while <see cref="InheritsEnvironment"/>, otherwise exactly <see cref="Environment"/>.
    /// </summary>
    public IReadOnlyList<EnvironmentVariable> ResolveEnvironment() => InheritsEnvironment ? ParentEnvironment() : _environment;

    /// <summary>The parent's whole environment as it is now, sorted by name: what a child that inherits it gets.</summary>
    internal static List<EnvironmentVariable> ParentEnvironment() =>
        System.Environment.GetEnvironmentVariables()
            .Cast<System.Collections.DictionaryEntry>()
            .Select(e => new EnvironmentVariable((string)e.Key, (string?)e.Value ?? ""))
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .ToList();

    private Command AddEnv(string name, string value, bool secret)
    {
        Validate.EnvironmentName(name, nameof(name));
        Validate.ChildString(value, nameof(value));
        return Set(() =>
        {
            InheritsEnvironment = false;
            Put(new EnvironmentVariable(name, value, secret));
        });
    }

    private void Put(EnvironmentVariable variable)
    {
        var index = _environment.FindIndex(e => e.Name == variable.Name);
        if (index >= 0)
            _environment[index] = variable;
        else
            _environment.Add(variable);
    }
}
