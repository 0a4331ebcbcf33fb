using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;

namespace VirCommand.Tests.Posix;

/// <summary>Looks at the test process and other processes through /proc: open fds, children, states.</summary>
internal static class ProcessInspector
{
    /// <summary>How many fds this process has open now (the listing's own fd counts the same every time).</summary>
    public static int OpenFdCount() => Directory.GetFileSystemEntries("/proc/self/fd").Length;

    /// <summary>The open fd numbers of this process.</summary>
    public static SortedSet<int> OpenFds() =>
        [.. Directory.GetFileSystemEntries("/proc/self/fd").Select(p => int.Parse(System.IO.Path.GetFileName(p), CultureInfo.InvariantCulture))];

    /// <summary>A number well above every open fd: no fd is open there, and no open call will hand it out soon.</summary>
    public static int UnusedFdNumber() => OpenFds().Max + 100;

    /// <summary>
    /// The fd count once earlier garbage is gone: a baseline. Counting <em>after</em> the code under test
    /// must not collect, or finalizers would close the very handles a leak dropped.
    /// </summary>
    public static int BaselineFdCount()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Thread.Sleep(50);
        return OpenFdCount();
    }

    /// <summary>
    /// Runs <paramref name="action"/> with the GC held off (as far as the runtime allows), so that a
    /// SafeHandle a leak dropped is not quietly closed by its finalizer before the fds are counted.
    /// </summary>
    public static async Task WithoutGarbageCollection(Func<Task> action)
    {
        var held = false;
        foreach (var size in (long[])[240L << 20, 64L << 20, 16L << 20])
        {
            try
            {
                held = GC.TryStartNoGCRegion(size);
                break;
            }
            catch (ArgumentOutOfRangeException)
            {
                // more than this GC can promise: try less
            }
        }
        try
        {
            await action();
        }
        finally
        {
            if (held && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
                GC.EndNoGCRegion();
        }
    }

    /// <summary>What <paramref name="fd"/> of this process points to, or null if it is closed.</summary>
    public static string? FdTarget(int fd)
    {
        try
        {
            return new FileInfo($"/proc/self/fd/{fd}").LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The pids of this process's children, zombies included (every thread's list).</summary>
    public static HashSet<int> Children()
    {
        var children = new HashSet<int>();
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            string text;
            try
            {
                text = File.ReadAllText(System.IO.Path.Combine(task, "children"));
            }
            catch (IOException)
            {
                continue; // the thread exited meanwhile
            }
            foreach (var pid in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                children.Add(int.Parse(pid, CultureInfo.InvariantCulture));
        }
        return children;
    }

    /// <summary>The state letter of <paramref name="pid"/> (R, S, Z…), or null when there is no such process.</summary>
    public static char? State(int pid) => StatFields(pid) is { } fields ? fields[0][0] : null;

    /// <summary>True when <paramref name="pid"/> exists and is not a zombie: it still runs.</summary>
    public static bool IsRunning(int pid) => State(pid) is { } state && state != 'Z' && state != 'X';

    /// <summary>True when kill(pid, 0) succeeds: the pid names a process (a zombie included).</summary>
    public static bool Exists(int pid) => LibC.Kill(pid, 0) == 0;

    /// <summary>kill(pid, 0)'s errno: 0 when it exists, ESRCH when it is gone.</summary>
    public static int KillZeroErrno(int pid) => LibC.Kill(pid, 0) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>This process's session id.</summary>
    public static int SessionId => int.Parse(StatFields(Environment.ProcessId)![3], CultureInfo.InvariantCulture);

    /// <summary>This process's process group id.</summary>
    public static int ProcessGroupId => int.Parse(StatFields(Environment.ProcessId)![2], CultureInfo.InvariantCulture);

    /// <summary>This process's umask as four octal digits, from /proc/self/status.</summary>
    public static string Umask => File.ReadLines("/proc/self/status").First(l => l.StartsWith("Umask:", StringComparison.Ordinal))["Umask:".Length..].Trim();

    /// <summary>SIGKILLs <paramref name="pid"/> if it still runs: cleanup for processes a failed test may leave behind.</summary>
    public static void KillIfRunning(int pid)
    {
        if (pid > 0 && IsRunning(pid))
            _ = LibC.Kill(pid, (int)Signal.SIGKILL);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes; returns its last value.</summary>
    public static bool WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
                return condition();
            Thread.Sleep(10);
        }
        return true;
    }

    /// <summary>The fields of /proc/pid/stat after the command name: state, ppid, pgrp, session…; null when there is no such process.</summary>
    public static string[]? StatFields(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }
}
