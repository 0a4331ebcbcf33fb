namespace VirCommand;

/// <summary>Linux signal numbers, typed so that a signal is never confused with an exit code.</summary>
#pragma warning disable CA1712 // the SIG prefix is the name every reader knows
public enum Signal
{
    /// <summary>Hangup.</summary>
    SIGHUP = 1,
    /// <summary>Interrupt from the keyboard.</summary>
    SIGINT = 2,
    /// <summary>Quit from the keyboard.</summary>
    SIGQUIT = 3,
    /// <summary>Illegal instruction.</summary>
    SIGILL = 4,
    /// <summary>Trace/breakpoint trap.</summary>
    SIGTRAP = 5,
    /// <summary>Abort.</summary>
    SIGABRT = 6,
    /// <summary>Bus error.</summary>
    SIGBUS = 7,
    /// <summary>Floating-point exception.</summary>
    SIGFPE = 8,
    /// <summary>Kill; cannot be caught.</summary>
    SIGKILL = 9,
    /// <summary>User-defined signal 1.</summary>
    SIGUSR1 = 10,
    /// <summary>Invalid memory reference.</summary>
    SIGSEGV = 11,
    /// <summary>User-defined signal 2.</summary>
    SIGUSR2 = 12,
    /// <summary>Write to a pipe with no reader.</summary>
    SIGPIPE = 13,
    /// <summary>Timer.</summary>
    SIGALRM = 14,
    /// <summary>Termination request.</summary>
    SIGTERM = 15,
    /// <summary>Child stopped or terminated.</summary>
    SIGCHLD = 17,
    /// <summary>Continue if stopped.</summary>
    SIGCONT = 18,
    /// <summary>Stop; cannot be caught.</summary>
    SIGSTOP = 19,
    /// <summary>Stop from the terminal.</summary>
    SIGTSTP = 20,
    /// <summary>CPU time limit exceeded.</summary>
    SIGXCPU = 24,
    /// <summary>File size limit exceeded.</summary>
    SIGXFSZ = 25,
    /// <summary>Window size change.</summary>
    SIGWINCH = 28,
    /// <summary>Bad system call.</summary>
    SIGSYS = 31,
}
#pragma warning restore CA1712
