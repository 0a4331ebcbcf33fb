using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using VirCommand;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The registration every backend's own <c>AddVirCommand…</c> call builds on.</summary>
public static class VirCommandServiceCollectionExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TRunner"/> as the <see cref="ICommandRunner"/>, behind a
    /// <see cref="LoggingCommandRunner"/>, with validated <see cref="CommandRunnerOptions"/>. A later call
    /// replaces the runner an earlier call registered, so a test can swap in the fake.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="factory">Creates the backend from the container and the resolved options.</param>
    /// <param name="configure">Changes the defaults, or null.</param>
    public static IServiceCollection AddVirCommandRunner<TRunner>(this IServiceCollection services,
        Func<IServiceProvider, CommandRunnerOptions, TRunner> factory, Action<CommandRunnerOptions>? configure = null)
        where TRunner : class, ICommandRunner
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(factory);
        var options = services.AddOptions<CommandRunnerOptions>();
        if (configure is not null)
            options.Configure(configure);
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CommandRunnerOptions>, CommandRunnerOptionsValidator>());

        services.RemoveAll<ICommandRunner>();
        services.RemoveAll<TRunner>();
        services.AddSingleton(sp => factory(sp, sp.GetRequiredService<IOptions<CommandRunnerOptions>>().Value));
        services.AddSingleton<ICommandRunner>(sp => new LoggingCommandRunner(
            sp.GetRequiredService<TRunner>(),
            sp.GetService<ILogger<LoggingCommandRunner>>() ?? NullLogger<LoggingCommandRunner>.Instance,
            sp.GetRequiredService<IOptions<CommandRunnerOptions>>().Value));
        return services;
    }
}
