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
    /// <exception cref="InvalidOperationException">A parent value contains NUL or a lone surrogate (see <see cref="AddEnvPass"/>); nothing is added.</exception>
    public Command AddEnvPassCommon()
    {
        // The setters' lock is re-entrant: held across the calls, so that no run sees half of them;
        // the parent's values are all read and checked first, so that a bad one adds nothing.
        lock (_gate)
        {
            var values = CommonEnvironmentNames.Select(name => (name, value: ParentValue(name, out var problem) is var value && problem is null
                ? value
                : throw new InvalidOperationException($"AddEnvPassCommon: {problem}"))).ToList();
            AddEnvPair("LC_ALL", "C");
            foreach (var (name, value) in values)
                Pass(name, value);
        }
        return this;
    }

    /// <summary>
    /// Copies the parent's value of <paramref name="name"/>, read now, if it is set; adds nothing if it
    /// is unset, but the child stops inheriting the whole environment either way (<c>virCommandAddEnvPass</c>).
    /// A parent value the child could not get unchanged (one this process set with a NUL or a lone
    /// surrogate) is refused, as the same value given to <see cref="AddEnvPair"/> would be.
    /// </summary>
    /// <exception cref="ArgumentException">The name is empty or contains <c>=</c>, NUL or a lone surrogate, or the parent's value contains NUL or a lone surrogate.</exception>
    public Command AddEnvPass(string name)
    {
        Validate.EnvironmentName(name, nameof(name));
        var value = ParentValue(name, out var problem);
        if (problem is not null)
            throw new ArgumentException(problem, nameof(name));
        return Pass(name, value);
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
    /// The environment the child gets if it runs now: the parent's whole environment (sorted by
    /// name) while <see cref="InheritsEnvironment"/>, otherwise exactly <see cref="Environment"/>.
    /// </summary>
    public IReadOnlyList<EnvironmentVariable> ResolveEnvironment()
    {
        if (!InheritsEnvironment)
            return _environment;
        return System.Environment.GetEnvironmentVariables()
            .Cast<System.Collections.DictionaryEntry>()
            .Select(e => new EnvironmentVariable((string)e.Key, (string?)e.Value ?? ""))
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// For a run that inherits the environment: a variable this process set with a NUL or a lone
    /// surrogate cannot reach the child unchanged, so the run is refused rather than the value
    /// silently changed or dropped.
    /// </summary>
    private static void ThrowIfParentEnvironmentInvalid()
    {
        var e = System.Environment.GetEnvironmentVariables().GetEnumerator();
        while (e.MoveNext())
        {
            var name = (string)e.Key;
            if ((Validate.Problem(name) ?? Validate.Problem((string?)e.Value ?? "")) is { } problem)
                throw new InvalidOperationException(
                    $"The parent's environment variable '{name}', which the child would inherit, {problem}: set the child's environment explicitly instead (AddEnvPassCommon, AddEnvPass, AddEnvPair).");
        }
    }

    /// <summary>The parent's value of <paramref name="name"/> as it is now, or null; <paramref name="problem"/> says why the child could not get it unchanged.</summary>
    private static string? ParentValue(string name, out string? problem)
    {
        var value = System.Environment.GetEnvironmentVariable(name);
        problem = value is not null && Validate.Problem(value) is { } p
            ? $"The parent's value of '{name}' {p}: the child could not get it unchanged."
            : null;
        return value;
    }

    private Command Pass(string name, string? value) => Set(() =>
    {
        InheritsEnvironment = false;
        if (value is not null)
            Put(new EnvironmentVariable(name, value));
    });

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
