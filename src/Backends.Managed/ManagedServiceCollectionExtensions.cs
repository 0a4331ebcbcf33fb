using VirCommand;
using VirCommand.Backends.Managed;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the managed backend.</summary>
public static class ManagedServiceCollectionExtensions
{
    /// <summary>Makes the managed backend (<see cref="System.Diagnostics.Process"/>) the <see cref="ICommandRunner"/>, replacing any backend registered before.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Changes the runner defaults, or null.</param>
    public static IServiceCollection AddVirCommandManaged(this IServiceCollection services, Action<CommandRunnerOptions>? configure = null) =>
        services.AddVirCommandRunner((_, options) => new ManagedCommandRunner(options), configure);
}
