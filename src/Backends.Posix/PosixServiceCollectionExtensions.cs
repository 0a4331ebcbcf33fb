using VirCommand;
using VirCommand.Backends.Posix;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the POSIX backend.</summary>
public static class PosixServiceCollectionExtensions
{
    /// <summary>Makes the native POSIX backend the <see cref="ICommandRunner"/>, replacing any backend registered before.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Changes the runner defaults, or null.</param>
    public static IServiceCollection AddVirCommandPosix(this IServiceCollection services, Action<CommandRunnerOptions>? configure = null) =>
        services.AddVirCommandRunner((_, options) => new PosixCommandRunner(options), configure);
}
