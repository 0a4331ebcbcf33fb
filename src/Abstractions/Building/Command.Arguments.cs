using System.Globalization;

namespace VirCommand;

public sealed partial class Command
{
    private List<CommandArgument> _arguments = [];

    /// <summary>The arguments after the program, as the child receives them.</summary>
    public IReadOnlyList<CommandArgument> Arguments => _arguments;

    /// <summary>The child's whole argv: the program as given, then the argument values.</summary>
    public IReadOnlyList<string> Argv => [Program, .. _arguments.Select(a => a.Value)];

    /// <summary>Adds one argument, passed as is: no shell, no splitting; an empty string is a real empty argument (<c>virCommandAddArg</c>).</summary>
    /// <exception cref="ArgumentException">The value contains NUL or a lone surrogate.</exception>
    public Command AddArg(string value)
    {
        Validate.ChildString(value, nameof(value));
        return Set(() => _arguments.Add(new CommandArgument(value)));
    }

    /// <summary>Adds an argument that every string form and log shows as <c>***</c> (beyond libvirt).</summary>
    public Command AddSecretArg(string value)
    {
        Validate.ChildString(value, nameof(value));
        return Set(() => _arguments.Add(new CommandArgument(value, IsSecret: true)));
    }

    /// <summary>Adds one argument formatted with the invariant culture, as printf would (<c>virCommandAddArgFormat</c>).</summary>
    /// <exception cref="FormatException">The format is invalid.</exception>
    /// <exception cref="ArgumentException">The format, or the text an argument formats to, contains NUL or a lone surrogate.</exception>
    public Command AddArgFormat(string format, params object?[] args)
    {
        Validate.ChildString(format, nameof(format));
        var value = string.Format(CultureInfo.InvariantCulture, format, args);
        // The format is clean, so whatever is wrong came from an argument's text.
        Validate.ChildString(value, nameof(args));
        return Set(() => _arguments.Add(new CommandArgument(value)));
    }

    /// <summary>Adds <c>name=value</c> as one argument (<c>virCommandAddArgPair</c>).</summary>
    /// <exception cref="ArgumentException">The name is empty, or either part contains NUL or a lone surrogate.</exception>
    public Command AddArgPair(string name, string value)
    {
        ValidatePair(name, value);
        return AddArg(name + "=" + value);
    }

    /// <summary>Adds <c>name=value</c> as one argument whose value string forms show as <c>***</c> (beyond libvirt).</summary>
    public Command AddSecretArgPair(string name, string value)
    {
        ValidatePair(name, value);
        return Set(() => _arguments.Add(new CommandArgument(name + "=" + value, IsSecret: true, VisiblePrefix: name + "=")));
    }

    /// <summary>Adds every argument of a set, which must not be empty (<c>virCommandAddArgSet</c>).</summary>
    /// <exception cref="ArgumentException">The set is empty, or an element is null or contains NUL or a lone surrogate.</exception>
    public Command AddArgSet(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var list = values.ToList();
        if (list.Count == 0)
            throw new ArgumentException("The argument set must not be empty.", nameof(values));
        return AddArgList([.. list]);
    }

    /// <summary>Adds each argument in order (<c>virCommandAddArgList</c>). Nothing is added if any is invalid.</summary>
    /// <exception cref="ArgumentException">An element is null or contains NUL or a lone surrogate.</exception>
    public Command AddArgList(params string[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return AddArguments(values, nameof(values), firstIndex: 0);
    }

    /// <summary>Adds every value, or none if one is invalid; errors name the caller's parameter and the element's index there.</summary>
    private Command AddArguments(string[] values, string paramName, int firstIndex)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] is null)
                throw new ArgumentException($"Element {i + firstIndex} is null.", paramName);
            Validate.ChildString(values[i], $"{paramName}[{i + firstIndex}]");
        }
        return Set(() => _arguments.AddRange(values.Select(v => new CommandArgument(v))));
    }

    private static void ValidatePair(string name, string value)
    {
        Validate.ChildString(name, nameof(name));
        Validate.ChildString(value, nameof(value));
        if (name.Length == 0)
            throw new ArgumentException("The name of an argument pair must not be empty.", nameof(name));
    }
}
