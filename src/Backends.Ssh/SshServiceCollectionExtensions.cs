using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VirCommand;
using VirCommand.Backends.Ssh;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers SSH backends, one per host.</summary>
public static class SshServiceCollectionExtensions
{
    /// <summary>
    /// Registers an <see cref="SshCommandRunner"/> for one host as a keyed service: resolve it with
    /// <c>[FromKeyedServices(key)] ICommandRunner</c> (or <see cref="SshCommandRunner"/>), or
    /// <c>GetRequiredKeyedService&lt;ICommandRunner&gt;(key)</c>. The host's <see cref="SshOptions"/> are
    /// named options under <paramref name="key"/>, validated when the host starts (ValidateOnStart) and in
    /// any case when the runner is first resolved. The runner's defaults are the container's
    /// <see cref="CommandRunnerOptions"/>; it logs with category <c>VirCommand</c>, and the container
    /// disposes it (stopping its runs, closing its master connection). Registering the same key again
    /// replaces the earlier options' values with the later ones where both set them.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="key">The host's key: a name the application chooses (often the host name).</param>
    /// <param name="configure">Sets the host's options (at least <see cref="SshOptions.Host"/>).</param>
    public static IServiceCollection AddVirCommandSsh(this IServiceCollection services, string key, Action<SshOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<CommandRunnerOptions>();
        services.AddOptions<SshOptions>(key).Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SshOptions>, SshOptionsValidator>());
        services.AddKeyedSingleton(key, (sp, _) =>
        {
            var ssh = sp.GetRequiredService<IOptionsMonitor<SshOptions>>().Get(key);
            var logger = sp.GetService<ILoggerFactory>()?.CreateLogger("VirCommand");
            return new SshCommandRunner(ssh, sp.GetRequiredService<IOptions<CommandRunnerOptions>>().Value) { Logger = logger ?? Logging.Abstractions.NullLogger.Instance };
        });
        services.AddKeyedSingleton<ICommandRunner>(key, (sp, k) => sp.GetRequiredKeyedService<SshCommandRunner>(k));
        return services;
    }
}
