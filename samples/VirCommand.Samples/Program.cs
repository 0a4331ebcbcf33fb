// The examples of libvirt's "Spawning processes / commands" page, in C#, run for real.
using Microsoft.Extensions.DependencyInjection;
using VirCommand;
using VirCommand.Backends.Fake;

// 1. Defining a command and adding arguments: the dnsmasq example, shown without running it.
using var dnsmasq = Command.New("/usr/sbin/dnsmasq")
    .AddArg("--strict-order")
    .AddArgPair("--conf-file", "/etc/dnsmasq.conf")
    .AddArgFormat("--dhcp-lease-max={0}", 253)
    .AddArgSet(["--except-interface", "lo"])
    .AddArgList("--domain", "localdomain")
    .AddEnvPair("LC_ALL", "C")
    .AddEnvPair("TERM", "xterm");
Section("virCommandToString");
Console.WriteLine(dnsmasq.ToString());
Section("virCommandToStringFull, with line breaks");
Console.WriteLine(dnsmasq.ToString(lineBreaks: true));
Section("virCommandWriteArgLog");
dnsmasq.WriteArgLog(Console.Out);

using var services = new ServiceCollection().AddVirCommand().BuildServiceProvider();
var runner = services.GetRequiredService<ICommandRunner>();
Section("the backend AddVirCommand chose");
var choice = services.GetRequiredService<BackendChoice>();
Console.WriteLine($"{choice.Backend}: {choice.Reason}");

// 2. Output captured.
Section("output captured: uname -sr");
using var uname = Command.NewArgList("uname", "-sr").SetOutputBuffer();
var result = await runner.RunAsync(uname);
Console.WriteLine($"{uname} -> {result.StandardOutput.TrimEnd()} ({result.DescribeStatus()}, pid {result.Pid}, {result.RunTime.TotalMilliseconds:0.0} ms)");

// 3. The hook-runner example: a minimal environment, arguments, a document fed on stdin.
Section("hook runner: minimal environment, input on stdin");
using var hook = Command.New("/bin/sh")
    .AddArgList("-c", "read -r doc; echo \"hook $1 $2 got: $doc\"; echo \"env: $(env | cut -d= -f1 | sort | tr '\\n' ' ')\"", "hook", "guest1", "start")
    .AddEnvPassCommon()
    .SetInputBuffer("<domain type='kvm'><name>guest1</name></domain>\n")
    .SetOutputBuffer();
Console.Write((await runner.RunAsync(hook)).StandardOutput);

// 4. An fd passed to the child: it writes through fd 5; everything else it had is closed.
Section("fd passed to the child");
var log = Path.Combine(Path.GetTempPath(), $"vircommand-sample-{Environment.ProcessId}.log");
using (var file = File.OpenHandle(log, FileMode.Create, FileAccess.Write))
{
    using var writer = Command.NewArgList("/bin/sh", "-c", "echo \"written through fd 5; open fds: $(ls /proc/self/fd | tr '\\n' ' ')\" >&5")
        .PassFd(file, childFd: 5);
    try
    {
        await runner.RunAsync(writer);
    }
    catch (CommandNotSupportedException e)
    {
        // Where the managed backend was chosen: refused before anything ran.
        Console.WriteLine($"{e.GetType().Name}: {e.Message}");
    }
}
Console.WriteLine($"{log}: {File.ReadAllText(log).TrimEnd()}");
File.Delete(log);

// 4b. The managed backend (System.Diagnostics.Process) says clearly what it cannot do.
Section("the managed backend refuses what it cannot honour");
using var managed = new ServiceCollection().AddVirCommandManaged().BuildServiceProvider();
using var withUmask = Command.NewArgList("/bin/sh", "-c", "umask").SetUmask(Convert.ToInt32("077", 8)).SetOutputBuffer();
try
{
    await managed.GetRequiredService<ICommandRunner>().RunAsync(withUmask);
}
catch (CommandNotSupportedException e)
{
    Console.WriteLine($"{e.GetType().Name}: {e.Message}");
}

// 5. A failure, as the caller sees it.
Section("a failing command");
try
{
    await runner.RunAsync(Command.NewArgList("/bin/sh", "-c", "echo 'no such guest' >&2; exit 3"));
}
catch (CommandExitException e)
{
    Console.WriteLine($"{e.GetType().Name}: {e.Message}");
}

// 6. The same hook runner in a unit test: the fake backend records it and runs nothing (virCommandSetDryRun).
Section("dry run through the fake backend");
var fake = new FakeCommandRunner();
fake.RegisterProgram("/bin/sh").Returns(FakeResponse.Success("hook ran\n"));
await fake.RunAsync(hook);
Console.WriteLine($"transcript: {fake.Transcript.Single()}");
Console.WriteLine($"stdin fed:  {fake.Invocations.Single().InputText.TrimEnd()}");

static void Section(string title) => Console.WriteLine($"{Environment.NewLine}== {title}");
