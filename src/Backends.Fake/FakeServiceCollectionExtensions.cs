using VirCommand;
using VirCommand.Backends.Fake;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the fake backend.</summary>
public static class FakeServiceCollectionExtensions
{
    /// <summary>
    /// Makes a <see cref="FakeCommandRunner"/> the <see cref="ICommandRunner"/>, replacing any backend
    /// registered before, so a test can swap it into an application's own registrations. Resolve
    /// <see cref="FakeCommandRunner"/> from the provider to script it and to read what it recorded.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="script">Registers the expected commands, or null.</param>
    /// <param name="configure">Changes the runner defaults, or null.</param>
    public static IServiceCollection AddVirCommandFake(this IServiceCollection services,
        Action<FakeCommandRunner>? script = null, Action<CommandRunnerOptions>? configure = null) =>
        services.AddVirCommandRunner((sp, options) =>
        {
            var fake = new FakeCommandRunner(options, sp.GetService<TimeProvider>());
            script?.Invoke(fake);
            return fake;
        }, configure);
}
