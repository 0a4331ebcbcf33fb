using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using VirCommand.Backends.Posix;

namespace VirCommand.Tests.Posix;

/// <summary>
/// The test assembly's entry point, unused by the test runner; a child test process for what could
/// kill or cripple the runner itself. Run as
/// <list type="bullet">
/// <item><c>dotnet VirCommand.Tests.dll pdeathsig SIGNAL PROBE REPORT</c> it becomes the intermediate
/// process of the parent-death tests: it starts <c>PROBE --sleep 60000</c> (report to REPORT) through
/// the POSIX backend, from a thread-pool thread, with parent-death signal SIGNAL (0: none), prints
/// <c>started</c> and waits to be killed; a fifth argument <c>handshake</c> starts it with a handshake,
/// released at once;</item>
/// <item><c>mutate ROUNDS</c>, <c>fdexhaust</c>, <c>host BACKEND PDEATHSIG PROBE</c>, <c>exec MODE PROBE DIR</c>: see <see cref="HelperModes"/>;</item>
/// <item><c>host-start posix|posix-then-fake</c> (from a copy of the test output without
/// libvircommand.so): registers that backend, validates as a host's start does, prints the
/// validation error if any and exits 3 on one.</item>
/// </list>
/// </summary>
public static class HelperProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 2 && args[0] == "mutate")
            return await HelperModes.MutateWhileRunningAsync(int.Parse(args[1], CultureInfo.InvariantCulture));
        if (args.Length == 1 && args[0] == "fdexhaust")
            return HelperModes.BlockingRunsOutOfFds();
        if (args.Length == 4 && args[0] == "host")
            return await HelperModes.RunHostAsync(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), args[3]);
        if (args.Length == 4 && args[0] == "exec")
            return HelperModes.Exec(args[1], args[2], args[3]);
        if (args.Length == 2 && args[0] == "host-start")
            return HostStart(args[1]);
        if (args.Length is not (4 or 5) || args[0] != "pdeathsig")
            return 0;
        var signal = int.Parse(args[1], CultureInfo.InvariantCulture);
        using var report = File.OpenHandle(args[3], FileMode.Create, FileAccess.Write);
        using var command = Command.NewArgList(args[2], "--sleep", "60000").SetOutputFd(report);
        if (signal != 0)
            command.SetParentDeathSignal((Signal)signal);
        var handshake = args.Length == 5 && args[4] == "handshake";
        if (handshake)
            command.RequireHandshake();
        var running = await Task.Run(() => new PosixCommandRunner().StartAsync(command));
        if (handshake)
        {
            await running.WaitForHandshakeAsync();
            await running.NotifyHandshakeAsync();
        }
        running.Detach();
        await Console.Out.WriteLineAsync("started");
        await Console.Out.FlushAsync();
        await Task.Delay(Timeout.Infinite);
        return 0;
    }

    private static int HostStart(string registration)
    {
        var services = new ServiceCollection().AddVirCommandPosix();
        if (registration == "posix-then-fake")
            services.AddVirCommandFake();
        using var provider = services.BuildServiceProvider();
        try
        {
            provider.GetRequiredService<IStartupValidator>().Validate(); // what IHost.StartAsync runs first
        }
        catch (OptionsValidationException e)
        {
            Console.WriteLine(e.Message);
            return 3;
        }
        Console.WriteLine("started");
        return 0;
    }
}
