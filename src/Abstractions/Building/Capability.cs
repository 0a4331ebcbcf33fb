namespace VirCommand;

/// <summary>Linux capabilities by their kernel numbers (<c>linux/capability.h</c>), for <see cref="Command.AllowCap"/>.</summary>
#pragma warning disable CA1707, CA1712 // CAP_ names as the kernel spells them
public enum Capability
{
    /// <summary>Change file ownership.</summary>
    CAP_CHOWN = 0,
    /// <summary>Bypass file read, write and execute permission checks.</summary>
    CAP_DAC_OVERRIDE = 1,
    /// <summary>Bypass file read and directory search permission checks.</summary>
    CAP_DAC_READ_SEARCH = 2,
    /// <summary>Bypass checks that the file owner matches.</summary>
    CAP_FOWNER = 3,
    /// <summary>Keep set-user-id and set-group-id bits on modification.</summary>
    CAP_FSETID = 4,
    /// <summary>Bypass permission checks for sending signals.</summary>
    CAP_KILL = 5,
    /// <summary>Manipulate group ids.</summary>
    CAP_SETGID = 6,
    /// <summary>Manipulate user ids.</summary>
    CAP_SETUID = 7,
    /// <summary>Transfer and remove capabilities.</summary>
    CAP_SETPCAP = 8,
    /// <summary>Set immutable and append-only file attributes.</summary>
    CAP_LINUX_IMMUTABLE = 9,
    /// <summary>Bind to ports below 1024.</summary>
    CAP_NET_BIND_SERVICE = 10,
    /// <summary>Broadcast and listen to multicast.</summary>
    CAP_NET_BROADCAST = 11,
    /// <summary>Network administration.</summary>
    CAP_NET_ADMIN = 12,
    /// <summary>Use raw and packet sockets.</summary>
    CAP_NET_RAW = 13,
    /// <summary>Lock memory.</summary>
    CAP_IPC_LOCK = 14,
    /// <summary>Bypass System V IPC ownership checks.</summary>
    CAP_IPC_OWNER = 15,
    /// <summary>Load and unload kernel modules.</summary>
    CAP_SYS_MODULE = 16,
    /// <summary>Raw I/O.</summary>
    CAP_SYS_RAWIO = 17,
    /// <summary>Use chroot.</summary>
    CAP_SYS_CHROOT = 18,
    /// <summary>Trace any process.</summary>
    CAP_SYS_PTRACE = 19,
    /// <summary>Configure process accounting.</summary>
    CAP_SYS_PACCT = 20,
    /// <summary>System administration.</summary>
    CAP_SYS_ADMIN = 21,
    /// <summary>Reboot.</summary>
    CAP_SYS_BOOT = 22,
    /// <summary>Raise priorities and set other processes' priorities.</summary>
    CAP_SYS_NICE = 23,
    /// <summary>Override resource limits.</summary>
    CAP_SYS_RESOURCE = 24,
    /// <summary>Set the system clock.</summary>
    CAP_SYS_TIME = 25,
    /// <summary>Configure tty devices.</summary>
    CAP_SYS_TTY_CONFIG = 26,
    /// <summary>Create special files.</summary>
    CAP_MKNOD = 27,
    /// <summary>Take file leases.</summary>
    CAP_LEASE = 28,
    /// <summary>Write the audit log.</summary>
    CAP_AUDIT_WRITE = 29,
    /// <summary>Configure auditing.</summary>
    CAP_AUDIT_CONTROL = 30,
    /// <summary>Set file capabilities.</summary>
    CAP_SETFCAP = 31,
    /// <summary>Override mandatory access control.</summary>
    CAP_MAC_OVERRIDE = 32,
    /// <summary>Administer mandatory access control.</summary>
    CAP_MAC_ADMIN = 33,
    /// <summary>Configure the kernel syslog.</summary>
    CAP_SYSLOG = 34,
    /// <summary>Trigger wake alarms.</summary>
    CAP_WAKE_ALARM = 35,
    /// <summary>Block system suspend.</summary>
    CAP_BLOCK_SUSPEND = 36,
    /// <summary>Read the audit log.</summary>
    CAP_AUDIT_READ = 37,
    /// <summary>Performance monitoring.</summary>
    CAP_PERFMON = 38,
    /// <summary>BPF operations.</summary>
    CAP_BPF = 39,
    /// <summary>Checkpoint and restore.</summary>
    CAP_CHECKPOINT_RESTORE = 40,
}
#pragma warning restore CA1707, CA1712
