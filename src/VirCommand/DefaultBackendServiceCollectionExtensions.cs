using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using VirCommand;
using VirCommand.Backends;
using VirCommand.Backends.Managed;
using VirCommand.Backends.Posix;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the best backend for the machine.</summary>
public static partial class DefaultBackendServiceCollectionExtensions
{
    /// <summary>
    /// Makes the POSIX backend the <see cref="ICommandRunner"/> on Linux when its native library loads
    /// and the kernel has pidfds (<see cref="PosixSupport"/>), and the managed backend otherwise, replacing any backend registered before. The choice is made
    /// now, registered as a <see cref="BackendChoice"/>, and logged (Information, category "VirCommand")
    /// with its reason when the runner is first created. Options are validated when the host starts.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Changes the runner defaults, or null.</param>
    public static IServiceCollection AddVirCommand(this IServiceCollection services, Action<CommandRunnerOptions>? configure = null) =>
        services.AddVirCommand(BackendChoice.ForThisMachine(), configure);

    internal static IServiceCollection AddVirCommand(this IServiceCollection services, BackendChoice choice, Action<CommandRunnerOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.RemoveAll<BackendChoice>();
        services.AddSingleton(choice);
        return services.AddVirCommandRunner<CommandRunnerBase>((sp, options) =>
        {
            if (sp.GetService<ILoggerFactory>()?.CreateLogger("VirCommand") is { } logger)
                LogChoice(logger, choice.Backend, choice.Reason);
            return choice.Backend == "posix" ? new PosixCommandRunner(options) : new ManagedCommandRunner(options);
        }, configure);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "VirCommand uses the {Backend} backend: {Reason}")]
    private static partial void LogChoice(ILogger logger, string backend, string reason);
}
