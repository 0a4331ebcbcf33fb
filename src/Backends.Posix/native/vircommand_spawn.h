/*
 * vircommand_spawn.h - the native half of VirCommand's POSIX backend.
 *
 * Everything that must run between fork and exec lives here, in C, because
 * the child of a multi-threaded .NET process may only call async-signal-safe
 * functions: managed code cannot run there at all.  The managed side prepares
 * every byte (resolved path, explicit environment, pipes, /dev/null, the
 * supplementary groups) and this shim only makes system calls with them:
 * fds, limits, placement (affinity, nice value, core scheduling, cgroup),
 * umask, ids, capabilities, daemonize and pidfile, the caller's native hook,
 * the handshake, security labels, execve; or the same steps in the calling
 * process itself (vc_exec).
 *
 * Requirements: Linux >= 5.4 (pidfd_open 5.3, waitid(P_PIDFD) 5.4).
 * close_range (5.9) and CLOSE_RANGE_CLOEXEC (5.11) are used when present,
 * with a /proc/self/fd walk otherwise.  On a kernel without pidfds vc_spawn
 * fails with VC_STAGE_FORK/ENOSYS before starting anything.  Also correct
 * where clone() rejects CLONE_PIDFD (vfork + pidfd_open instead) and under
 * emulators that run vfork as a plain fork (qemu-user).  A cgroup needs
 * clone3 with CLONE_INTO_CGROUP (5.7), core scheduling CONFIG_SCHED_CORE
 * (5.14): without them only the requests that ask for them fail.
 *
 * Mirrored by src/Backends.Posix/Interop/NativeSpawn.cs: any change to a
 * struct here must be made there too, field for field.
 */
#ifndef VIRCOMMAND_SPAWN_H
#define VIRCOMMAND_SPAWN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Stage numbers shared with the C# enum VirCommand.StartStage: never renumber.
 * RESOLVE is the managed side's; every other stage is reported by the shim. */
enum vc_stage {
    VC_STAGE_NONE = 0, VC_STAGE_RESOLVE = 1, VC_STAGE_PIPE = 2, VC_STAGE_FORK = 3,
    VC_STAGE_SIGNALS = 4, VC_STAGE_SESSION = 5, VC_STAGE_PDEATHSIG = 6, VC_STAGE_STDIO = 7,
    VC_STAGE_PASS_FDS = 8, VC_STAGE_CLOSE_FDS = 9, VC_STAGE_RLIMIT = 10, VC_STAGE_UMASK = 11,
    VC_STAGE_DAEMONIZE = 12, VC_STAGE_PIDFILE = 13, VC_STAGE_HOOK = 14, VC_STAGE_GROUPS = 15,
    VC_STAGE_GID = 16, VC_STAGE_UID = 17, VC_STAGE_CAPS = 18, VC_STAGE_NO_NEW_PRIVS = 19,
    VC_STAGE_CHDIR = 20, VC_STAGE_HANDSHAKE = 21, VC_STAGE_EXEC = 22,
    VC_STAGE_AFFINITY = 23, VC_STAGE_PRIORITY = 24, VC_STAGE_CGROUP = 25, VC_STAGE_SCHED_CORE = 26,
    VC_STAGE_SELINUX_LABEL = 27, VC_STAGE_APPARMOR_PROFILE = 28, VC_STAGE_TERMINAL = 29
};

/* vc_spawn_request.flags */
enum vc_flag {
    VC_FLAG_NEW_SESSION = 1,       /* setsid(); implies a new process group */
    VC_FLAG_NEW_PROCESS_GROUP = 2, /* setpgid(0, 0); ignored with NEW_SESSION */
    VC_FLAG_DAEMONIZE = 4,         /* setsid, fork again, the intermediate exits; cwd should be "/" */
    VC_FLAG_SET_UID = 8,           /* setresuid(uid, uid, uid) */
    VC_FLAG_SET_GID = 16,          /* setresgid(gid, gid, gid) */
    VC_FLAG_CLEAR_CAPS = 32,       /* drop every capability not in caps_allowed, bounding set included */
    VC_FLAG_NO_NEW_PRIVS = 64,     /* prctl(PR_SET_NO_NEW_PRIVS) */
    VC_FLAG_HANDSHAKE = 128,       /* stop before exec until vc_handshake_release */
    VC_FLAG_SET_NICE = 256,        /* setpriority(PRIO_PROCESS, 0, nice) */
    VC_FLAG_TERMINAL = 512         /* terminal_fd becomes the controlling terminal; needs NEW_SESSION, not DAEMONIZE */
};

/* vc_rlimit.resource: the order of the C# enum VirCommand.ResourceLimitKind. */
enum vc_rlimit_kind { VC_RLIMIT_NOFILE = 0, VC_RLIMIT_NPROC = 1, VC_RLIMIT_MEMLOCK = 2, VC_RLIMIT_CORE = 3 };

typedef struct vc_rlimit {
    int32_t resource;              /* enum vc_rlimit_kind */
    int32_t reserved;              /* 0 */
    uint64_t value;                /* soft = hard = value; UINT64_MAX is RLIM_INFINITY */
} vc_rlimit;

typedef struct vc_fd_map {
    int32_t parent_fd;             /* any open fd of the parent */
    int32_t child_fd;              /* >= 3, unique within the request */
} vc_fd_map;

typedef struct vc_spawn_request {
    const char *path;              /* absolute path to exec (the parent resolved PATH already) */
    char *const *argv;             /* NULL-terminated; argv[0] as the caller gave it */
    char *const *envp;             /* NULL-terminated, always explicit (the parent resolved inheritance) */
    const char *cwd;               /* NULL: keep the parent's */
    int32_t stdin_fd, stdout_fd, stderr_fd; /* parent fds placed at 0, 1, 2; never -1 (the parent
                                               opens /dev/null itself); any may be equal (shared pipe) */
    const vc_fd_map *fds;          /* extra fds the child keeps; may be NULL when nfds == 0 */
    int32_t nfds;
    int32_t umask;                 /* -1: leave as is; 0..0777 applied (0 is real) */
    uint32_t flags;                /* enum vc_flag */
    int32_t parent_death_signal;   /* 0: none; else PR_SET_PDEATHSIG.  NOTE: Linux sends it when the
                                      *thread* that called vc_spawn exits, not the process: call
                                      vc_spawn from a thread that outlives the child (not a thread-pool
                                      thread that may retire).  If the parent is already gone when the
                                      child checks, the spawn fails with VC_STAGE_PDEATHSIG/ESRCH.
                                      Set again after a uid/gid change, which clears it. */
    /* --- Everything below needs nothing of the parent's but the values given. --- */
    const vc_rlimit *rlimits;      /* applied in order; may be NULL when nrlimits == 0 */
    int32_t nrlimits;
    uint32_t uid;                  /* with VC_FLAG_SET_UID */
    uint32_t gid;                  /* with VC_FLAG_SET_GID */
    int32_t ngroups;               /* -1: leave the supplementary groups alone; else setgroups(ngroups, groups) */
    const uint32_t *groups;        /* computed by the parent (vc_user_groups): never looked up in the child */
    uint64_t caps_allowed;         /* bit N: capability N kept (and raised ambient) across the id change */
    const char *pidfile;           /* VC_FLAG_DAEMONIZE only; NULL: none */
    int (*hook)(void *);           /* NULL: none; else called as the last step before ids, cwd and exec */
    void *hook_opaque;
    const uint64_t *cpu_mask;      /* NULL: keep the parent's affinity; else bit N of word N/64: CPU N allowed */
    int32_t cpu_mask_words;        /* words in cpu_mask (0 with NULL) */
    int32_t nice;                  /* with VC_FLAG_SET_NICE: -20..19 */
    const char *cgroup;            /* NULL: the parent's cgroup; else a cgroup v2 directory the child starts in
                                      (clone3 with CLONE_INTO_CGROUP, Linux >= 5.7); not with a hook */
    int32_t sched_core;            /* core scheduling: 0 none; -1 a new group of its own (PR_SCHED_CORE_CREATE);
                                      > 0 the group of that pid (PR_SCHED_CORE_SHARE_FROM) */
    const char *selinux_label;     /* NULL: none; else the SELinux context of the exec (attr/exec) */
    const char *apparmor_profile;  /* NULL: none; else the AppArmor profile of the exec ("exec <profile>") */
    int32_t terminal_fd;           /* with VC_FLAG_TERMINAL: a parent fd, a pseudo-terminal's slave (vc_pty_open), made the
                                      new session's controlling terminal; the parent also gives it as
                                      stdin_fd/stdout_fd/stderr_fd for the streams it takes */
    int32_t process_group;         /* 0: none; > 0: setpgid(0, process_group), joining that group (a
                                      pipeline's later stage); not with NEW_SESSION, NEW_PROCESS_GROUP
                                      or DAEMONIZE */
} vc_spawn_request;

typedef struct vc_spawn_result {
    int32_t pid;                   /* -1 on failure */
    int32_t pidfd;                 /* close-on-exec pidfd of the child, never -1 on success; -1 on failure */
    int32_t stage;                 /* enum vc_stage on failure, VC_STAGE_NONE on success */
    int32_t error;                 /* errno on failure (VC_STAGE_HOOK: the hook's return value), 0 on success */
    int32_t daemon_pid;            /* VC_FLAG_DAEMONIZE: the daemon's pid as it reported it; else 0 */
    int32_t handshake_ready;       /* VC_FLAG_HANDSHAKE: 1 if the child waits for vc_handshake_release,
                                      0 if it ended before the handshake (pid/pidfd still valid: reap it) */
    int32_t report_fd;             /* VC_FLAG_HANDSHAKE: the child's report pipe (close-on-exec); else -1 */
    int32_t release_fd;            /* VC_FLAG_HANDSHAKE: the pipe that releases the child (close-on-exec); else -1 */
} vc_spawn_result;

/*
 * Starts req->path.  Returns 0 on success: res->pid and res->pidfd are set and
 * the caller owns the pidfd (close it after reaping).  Returns -1 on failure:
 * res->stage and res->error are set, the child (if one was started) is already
 * reaped and no fd is leaked.
 *
 * Plain requests use clone(CLONE_VM|CLONE_VFORK): the calling thread sleeps
 * until the child exec'd or failed; so does a daemon alone (its intermediate
 * is such a child, and the daemon a CLONE_VM | CLONE_VFORK child of it: no
 * page table is copied).  A hook or a handshake need a real fork here (glibc's
 * fork(), so that a hook may even call malloc), and so does a daemon with
 * either of them (a handshake alone has vc_parked_* below, without a fork): the call
 * then reads the child's reports until it exec'd or failed, or reached the
 * handshake (VC_FLAG_HANDSHAKE: res->report_fd and res->release_fd are then
 * the caller's, for vc_handshake_release).  A daemon: res->pid is the
 * intermediate process, which has exited (or is about to) when this returns;
 * the daemon has written and locked its pidfile and exec'd (or reached the
 * handshake), or its failure is reported as the start's.
 *
 * Invalid requests are rejected before anything is created, with EINVAL and
 * the stage the bad field belongs to: EXEC (path/argv/envp NULL), PASS_FDS
 * (nfds < 0, fds NULL, child_fd < 3 or duplicated), UMASK (> 0777),
 * SESSION (unknown flag), PDEATHSIG (not a signal number), RLIMIT (bad
 * kind, rlimits NULL), GROUPS (ngroups < -1, groups NULL), CAPS (a bit above
 * 63 is impossible; none), PIDFILE (a pidfile without DAEMONIZE), AFFINITY
 * (cpu_mask_words < 0, or cpu_mask NULL with words or set without), PRIORITY (nice
 * outside -20..19), CGROUP (an empty path, or a cgroup with a hook), SCHED_CORE (below -1),
 * SELINUX_LABEL and APPARMOR_PROFILE (empty), TERMINAL (VC_FLAG_TERMINAL without NEW_SESSION,
 * with DAEMONIZE, or terminal_fd < 0).
 *
 * A cgroup is opened in the parent (O_PATH): a missing or unreadable directory fails at CGROUP with
 * that errno, and so does clone3's refusal (ENOSYS before 5.3 or under a seccomp filter, E2BIG before
 * 5.7, EBADF for a directory that is not in a cgroup v2 hierarchy, EBUSY for a cgroup whose
 * controllers forbid processes), with no child started.  Core scheduling and the labels fail in the
 * child at their stages with the kernel's errno: EINVAL without CONFIG_SCHED_CORE or without the LSM,
 * ENODEV for core scheduling without SMT.
 *
 * Thread-safe.  Every fd of the parent should be close-on-exec (.NET's are):
 * this shim closes everything else in its own children, but a fork done by
 * other code at the same moment would inherit them.
 */
int vc_spawn(const vc_spawn_request *req, vc_spawn_result *res);

/*
 * Replaces the calling process with req->path (libvirt's virCommandExec): the
 * steps vc_spawn runs in its child (child_main, the same code) run in the
 * calling thread, then execve.  Returns only on failure, -1 with res->stage
 * and res->error, and then the process is as it was: everything that can be
 * known to fail is checked first without changing anything (check_request;
 * DAEMONIZE, HANDSHAKE, a hook or a cgroup, which need a parent or a new
 * child, refused with EINVAL at their stage; the fds to place (EBADF); a new
 * session for a process group leader, a new group for a session leader
 * (EPERM); core scheduling and the labels where the kernel lacks them; the
 * working directory; the program, X_OK).
 *
 * From the first step on the process is changed for good: ignored signals
 * back to default, session, stdio and passed fds moved over the process's own,
 * every other fd close-on-exec, limits, placement, umask, ids and
 * capabilities (of this thread, which execve hands to the program),
 * no_new_privs, working directory, labels.  The other threads run on, with
 * their signal handlers, until execve ends them.  A failure after that point
 * (setresuid refused, say) ends the process with status 127 after writing
 * "vircommand: exec failed at stage N, errno E" to fd 2.
 */
int vc_exec(const vc_spawn_request *req, vc_spawn_result *res);

/*
 * Non-blocking reap through the pidfd: waitid(P_PIDFD, pidfd, WEXITED|WNOHANG).
 * Returns 1 and the raw wait status (encoded as waitpid does: exit code << 8,
 * or the signal number | 0x80 if it dumped core) once the child has exited,
 * 0 while it runs, -1 with errno on error (ECHILD: already reaped, e.g. by
 * SIGCHLD set to SIG_IGN or by someone's waitpid(-1)).  The pidfd becomes
 * readable (POLLIN) when the child exits, so callers can poll/epoll it.
 * The caller still closes the pidfd afterwards.
 */
int vc_try_reap(int pidfd, int32_t *raw_status);

/*
 * Releases a child that waits at the handshake: writes one byte to release_fd,
 * then reads report_fd until the child exec'd (returns 0) or reported a
 * failure (returns -1, res->stage and res->error set; the child exits with
 * 127, reap it as usual).  Blocks for as long as the child takes to exec.
 * Closes neither fd.
 */
int vc_handshake_release(int release_fd, int report_fd, vc_spawn_result *res);

/*
 * A handshake start without a fork (see "The parked handshake" in
 * vircommand_spawn.c): for a request with VC_FLAG_HANDSHAKE, without a hook
 * and without VC_FLAG_DAEMONIZE (anything else: EINVAL at VC_STAGE_HANDSHAKE).
 * Three calls, which together do what vc_spawn does for such a request:
 *
 * vc_parked_prepare, on the caller's thread: validates the request as
 * vc_spawn does, copies the request struct (not what it points to), makes
 * the pipes and the child's stack.  0 with *parked set, or -1 with
 * res->stage and res->error and nothing created.
 *
 * vc_parked_run, on a thread of its own that the caller provides (the
 * "parked" thread): clone(CLONE_VM | CLONE_VFORK), which returns only once the
 * child has exec'd or exited, possibly long after the caller was released.
 * The strings and arrays the request points to must stay valid until
 * vc_parked_run returns.  With a parent-death signal, that thread must not
 * exit while the child lives (Linux sends the signal when the creating
 * thread exits).
 *
 * vc_parked_wait, on the caller's thread, after handing *parked to the run:
 * waits for the child to reach the handshake, fail, or die, and returns as
 * vc_spawn would (res->report_fd and res->release_fd for
 * vc_handshake_release when res->handshake_ready).
 *
 * Every successful prepare must be followed by exactly one run and one
 * wait: the last of the two frees *parked.
 */
typedef struct vc_parked vc_parked;
int vc_parked_prepare(const vc_spawn_request *req, vc_spawn_result *res, vc_parked **parked);
void vc_parked_run(vc_parked *parked);
int vc_parked_wait(vc_parked *parked, vc_spawn_result *res);

/*
 * The supplementary groups of uid, computed in the parent (getpwuid_r and
 * getgrouplist): the groups of the user's passwd entry, its primary group
 * included, plus extra_gid unless it is (uint32_t)-1.  Returns 1 with
 * *primary_gid set when the user exists, 0 when it does not (then *ngroups is
 * 0 and nothing else is set), -1 with errno on error.  *ngroups: in, the room
 * in groups[]; out, the count, which may exceed the room: call again with more.
 */
int vc_user_groups(uint32_t uid, uint32_t extra_gid, uint32_t *primary_gid, uint32_t *groups, int32_t *ngroups);

/*
 * A new pseudo-terminal of columns x rows: the master (/dev/ptmx, close-on-exec,
 * non-blocking, no controlling-terminal side effect) unlocked and sized, and
 * its slave opened through the master (TIOCGPTPEER: no path lookup that could
 * race a devpts remount), close-on-exec and blocking.  Returns 0 with both
 * set, or -1 with errno and nothing left open.
 */
int vc_pty_open(uint16_t columns, uint16_t rows, int32_t *master, int32_t *slave);

/* TIOCSWINSZ on the master: the kernel sends SIGWINCH to the terminal's
 * foreground process group.  0, or -1 with errno. */
int vc_pty_resize(int master, uint16_t columns, uint16_t rows);

/* The terminal's current VEOF and VINTR characters (the child may change
 * them), read through the master.  0, or -1 with errno. */
int vc_pty_control_chars(int master, uint8_t *eof, uint8_t *intr);

/* pidfd_send_signal(pidfd, sig, NULL, 0): 0, or -1 with errno (ESRCH once the
 * child has been reaped; a pidfd never names a recycled pid). */
int vc_signal(int pidfd, int sig);

#ifdef __cplusplus
}
#endif

#endif /* VIRCOMMAND_SPAWN_H */
