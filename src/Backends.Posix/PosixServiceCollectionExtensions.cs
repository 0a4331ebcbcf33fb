using Microsoft.Extensions.Options;
using VirCommand;
using VirCommand.Backends.Posix;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the POSIX backend.</summary>
public static class PosixServiceCollectionExtensions
{
    /// <summary>
    /// Makes the native POSIX backend the <see cref="ICommandRunner"/>, replacing any backend registered before.
    /// Where it cannot run (<see cref="PosixSupport.IsAvailable"/> is false) the host fails when it starts, with
    /// <see cref="PosixSupport.Reason"/> as an options validation error, instead of at the first run; use
    /// <c>AddVirCommand()</c> to fall back to the managed backend there. A backend registered later (the fake,
    /// in a test) lifts that check.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Changes the runner defaults, or null.</param>
    public static IServiceCollection AddVirCommandPosix(this IServiceCollection services, Action<CommandRunnerOptions>? configure = null)
    {
        services.AddVirCommandRunner((_, options) => new PosixCommandRunner(options), configure);
        var registration = services.Last(d => d.ServiceType == typeof(ICommandRunner));
        services.AddSingleton<IValidateOptions<CommandRunnerOptions>>(new AvailabilityValidator(services, registration));
        return services;
    }

    /// <summary>
    /// Fails the options, and so the host's start, while this registration is still the container's runner and
    /// the backend cannot run. It keeps the collection to tell: a later backend's registration removes ours.
    /// </summary>
    private sealed class AvailabilityValidator(IServiceCollection services, ServiceDescriptor registration) : IValidateOptions<CommandRunnerOptions>
    {
        public ValidateOptionsResult Validate(string? name, CommandRunnerOptions options) =>
            PosixSupport.IsAvailable || !services.Contains(registration)
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail($"AddVirCommandPosix: the POSIX backend cannot run here: {PosixSupport.Reason}. AddVirCommand() falls back to the managed backend.");
    }
}
