using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VirCommand;
using VirCommand.Backends;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The registration every backend's own <c>AddVirCommand…</c> call builds on.</summary>
public static class VirCommandServiceCollectionExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TRunner"/> as the <see cref="ICommandRunner"/>, with validated
    /// <see cref="CommandRunnerOptions"/>. A later call replaces the runner an earlier call registered,
    /// so a test can swap in the fake. A <see cref="CommandRunnerBase"/> gets a logger of category
    /// <c>VirCommand</c> from the container's logging. With a generic host, the runner is made when the
    /// host starts and shut down (<see cref="CommandRunnerBase.ShutdownAsync"/>: the children it still
    /// owns are stopped) once the hosted services have stopped, within the host's shutdown timeout;
    /// the container disposes it in any case.
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
        services.AddSingleton(sp =>
        {
            var runner = factory(sp, sp.GetRequiredService<IOptions<CommandRunnerOptions>>().Value);
            if (runner is CommandRunnerBase engine && sp.GetService<ILoggerFactory>() is { } logging)
                engine.UseLogger(logging.CreateLogger(RunLog.Category));
            return runner;
        });
        services.AddSingleton<ICommandRunner>(sp => sp.GetRequiredService<TRunner>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RunnerLifetime>());
        return services;
    }
}
