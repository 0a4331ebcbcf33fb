using System.Runtime.CompilerServices;
using VirCommand;
using VirCommand.Backends.Fake;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the fake backend.</summary>
public static class FakeServiceCollectionExtensions
{
    /// <summary>How each fake registration reads its features, so that a fake replacing a fake reads them without resolving itself.</summary>
    private static readonly ConditionalWeakTable<ServiceDescriptor, Func<IServiceProvider, CommandFeatures>> FakeFeatures = [];

    /// <summary>
    /// Makes a <see cref="FakeCommandRunner"/> the <see cref="ICommandRunner"/>, replacing any backend
    /// registered before, so a test can swap it into an application's own registrations. Resolve
    /// <see cref="FakeCommandRunner"/> from the provider to script it and to read what it recorded.
    /// </summary>
    /// <remarks>
    /// The fake takes the <see cref="ICommandRunner.Features"/> of the runner it replaces (created once
    /// from its registration to read them), so a command the application's real backend would refuse
    /// is refused in the test too; with no runner registered before, every feature (the POSIX
    /// backend's set). <paramref name="features"/> picks them explicitly.
    /// </remarks>
    /// <param name="services">The service collection.</param>
    /// <param name="script">Registers the expected commands, or null.</param>
    /// <param name="configure">Changes the runner defaults, or null.</param>
    /// <param name="features">The features of the backend the fake stands in for, or null for those of the runner it replaces.</param>
    public static IServiceCollection AddVirCommandFake(this IServiceCollection services,
        Action<FakeCommandRunner>? script = null, Action<CommandRunnerOptions>? configure = null, CommandFeatures? features = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var replaced = services.LastOrDefault(d => d.ServiceType == typeof(ICommandRunner) && !d.IsKeyedService);
        Func<IServiceProvider, CommandFeatures> featuresOf = features is { } chosen ? _ => chosen
            : replaced is null ? _ => CommandFeatures.All
            : FakeFeatures.TryGetValue(replaced, out var ofReplacedFake) ? ofReplacedFake
            : sp => Create(sp, replaced).Features;
        services.AddVirCommandRunner((sp, options) =>
        {
            var fake = new FakeCommandRunner(options, sp.GetService<TimeProvider>(), featuresOf(sp));
            script?.Invoke(fake);
            return fake;
        }, configure);
        FakeFeatures.Add(services.Last(d => d.ServiceType == typeof(ICommandRunner) && !d.IsKeyedService), featuresOf);
        return services;
    }

    private static ICommandRunner Create(IServiceProvider services, ServiceDescriptor registration) =>
        (ICommandRunner)(registration.ImplementationInstance
            ?? registration.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, registration.ImplementationType!));
}
