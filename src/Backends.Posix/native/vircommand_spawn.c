/*
 * vircommand_spawn.c - fork/exec for VirCommand's POSIX backend; API in
 * vircommand_spawn.h.  Modelled on dotnet/runtime's pal_process.c and glibc's
 * posix_spawn.
 *
 * Parent: validate the request, plan the fd moves, create the close-on-exec
 * report pipe (unless no longer needed: see below) and take a child stack,
 * block every signal, then
 * clone(CLONE_VM | CLONE_VFORK | CLONE_PIDFD).  The kernel hands back the
 * pidfd atomically with the child, so no pid-reuse race is possible.  With
 * CLONE_VFORK the calling thread sleeps until the child has exec'd or exited.
 *
 * Child: runs on its own stack but in the parent's memory (CLONE_VM), with a
 * copy of the parent's fd table.  It may therefore only make async-signal-safe
 * calls (no malloc, no stdio, no locks: another parent thread may hold them
 * forever from the child's point of view), writes only its slots of the plan,
 * and leaves by execve or _exit(127) after reporting {stage, errno}.
 *
 * The report travels two ways.  Through the shared memory: when clone returns
 * the child has either exec'd or exited, so the record in child_args is final
 * and the parent needs no further wait (waiting for EOF on the pipe instead
 * costs a second wake-up, ~40 us per spawn here, and with many open fds lasts
 * until execve has closed every fd below the pipe: ~1 ms at 10,000 fds).
 * And through the close-on-exec pipe, read to EOF, for platforms that emulate
 * vfork with a plain fork (qemu-user, valgrind), where the child's stores land
 * in its own copy of memory; the child's first store tells the two apart.
 * Once a vfork-path child has been seen storing into the shared record, the
 * process is known to run where vfork really shares memory, and later vfork
 * spawns skip the pipe (pipe2, lifting its end, three closes: ~10 us here).
 *
 * The fork path.  A pre-exec hook needs a child with its own memory: it may
 * call anything (malloc included) without touching the parent's heap.  A
 * fork's cost grows with the parent's page tables (bench P6: 3-8 ms at
 * 100 MiB, 55-60 ms at 4 GiB, copy_page_range at the fork and its teardown at
 * the child's exec), so a daemon alone no longer takes it: its intermediate
 * is a vfork-path child and the daemon a vfork-style clone of that
 * (vfork_daemon); nor does a handshake alone (the parked handshake, below).
 * A hook, and a daemon with a hook or a handshake, still fork.  Those requests use glibc's fork(), which
 * takes the malloc and stdio locks around the fork so that the child finds
 * them free, and pidfd_open() right after it: the child is our unreaped child,
 * so its pid cannot have been recycled in between (the same argument as the
 * vfork fallback below).  The child then runs the same child_main; its reports
 * (daemon pid, handshake reached, failure) come only through the pipe, which
 * the parent reads until the child exec'd (EOF), failed, or reached the
 * handshake.
 *
 * The parked handshake (vc_parked_prepare, vc_parked_run, vc_parked_wait).
 * A handshake child waits before exec while its caller runs on, so a
 * CLONE_VM | CLONE_VFORK child of the calling thread would block the caller,
 * and a child sharing our memory next to the running thread whose TLS it
 * borrows would race it for errno.  So the clone is made by a thread of its
 * own, which the managed side provides and which does nothing but sleep in
 * the kernel's vfork wait until the child has exec'd or exited: the child
 * then owns that thread's TLS (errno) alone, as a vfork-path child owns its
 * caller's, and runs on its own stack as ever.  Everything it reads lives
 * until the clone returns: the request struct, the fd plan and the pipes in
 * one struct vc_parked (freed by the last of the run and the wait), the
 * request's strings and arrays in the caller's arena, which the managed side
 * frees after the run.  The caller's thread meanwhile reads the report pipe
 * (the only channel here, the run being asleep): the child's pid (step 0,
 * the first report), then READY, a failure or EOF; the pidfd is the one
 * CLONE_PIDFD stored before the child ran.  Once the pid came, the caller
 * closes our copies of the child's pipe ends (the child has its own fd
 * table by then), so that the release's EPIPE and the report's EOF mean
 * what they mean on the fork path; the run closes them instead if the clone
 * failed or the child died before reporting (parked_close_ends: the first
 * one does it).  The child closes the other fds at step 6 (close_fds), as
 * the fork path does: it may wait for long and must not hold the parent's
 * pipes meanwhile.  Costs a page-table copy no more: ~1.7 ms whatever the
 * parent's size.  The thread that made the clone is the child's parent for
 * the parent-death signal, so those threads never exit (the managed
 * ParkedThreads: created when none is idle, at most 64, each busy while its
 * child waits at the handshake; past that, the fork path).  Where vfork is
 * emulated by a plain fork, the clone returns at once and the child runs on
 * in its own copy of memory: the same reports come through the pipe.  A
 * cgroup takes clone3 with the same flags (spawn_into_cgroup).  A daemon with
 * a handshake stays on the fork path: its intermediate must exit before the
 * release (callers wait for it), which a vfork chain cannot do.
 * Known limit (found in review, not fixed): while a parked child waits, its
 * thread sleeps in the kernel's vfork wait, which only a fatal signal
 * interrupts, with every signal blocked.  glibc's set*id wrappers (setuid,
 * setegid, setgroups...) signal every thread of the process (SIGSETXID) and
 * wait until each has run the handler, so such a call from any thread of
 * this process blocks until every parked child has exec'd or exited; a
 * caller that makes one before releasing its child deadlocks.  The fork
 * path did not have this; unblocking the signal would not help (the vfork
 * wait ignores it).
 *
 * A cgroup (SetCgroup) takes clone3 instead, with CLONE_INTO_CGROUP and the
 * same flags as either path (spawn_into_cgroup): the child is born in it.
 *
 * vc_exec runs the same child_main in the calling thread, to replace the
 * process itself (see the header).
 *
 * Credentials, capabilities and rlimits also run on the vfork path, so they
 * use raw system calls: glibc's setuid/setgid/setgroups wrappers would
 * broadcast the change to every thread of what they believe is their process
 * (the parent's threads, in a CLONE_VM child).  No libcap: capget/capset and
 * prctl are enough.
 *
 * Build with -Wl,-z,now (Native.targets does): the child then never runs the
 * dynamic linker's lazy PLT resolver, which is neither async-signal-safe nor
 * frugal with stack.
 *
 * Portability.  One source for glibc and musl, x86-64 and arm64.  The glibc
 * builds must load on glibc 2.28 (RHEL 8, Debian 10), so every libc function
 * used here exists at GLIBC_2.28 or older, and where glibc's wrapper is newer
 * (or changed its symbol version later: getdents64 2.30, stat/fstat 2.33,
 * pthread_sigmask 2.32, _Fork 2.34, pidfd_* 2.36) we make the raw system call,
 * which is async-signal-safe by nature; the test suite checks the built files
 * with readelf -V.  No kernel (linux/) headers, which musl toolchains lack:
 * the few kernel ABI values and structs needed are spelled out below.
 */
#include "vircommand_spawn.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/* Older glibc/kernel headers lack these; the values are kernel ABI (the
 * syscall numbers are the unified ones, identical on every architecture
 * but alpha). */
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#define VC_CLONE_INTO_CGROUP 0x200000000ULL

/* Kernel ABI from linux/sched.h: clone3's arguments up to CLONE_ARGS_SIZE_VER2
 * (the cgroup field, Linux 5.7).  An older kernel refuses the larger struct
 * with E2BIG, as its unknown tail is not all zero. */
struct vc_clone_args {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

/* Kernel ABI from linux/prctl.h (core scheduling, Linux 5.14). */
#define VC_PR_SCHED_CORE 62
#define VC_PR_SCHED_CORE_CREATE 1
#define VC_PR_SCHED_CORE_SHARE_FROM 3
#define VC_PR_SCHED_CORE_SCOPE_THREAD 0
#define VC_PR_SCHED_CORE_SCOPE_THREAD_GROUP 1

/* What a /proc attr file takes in one write (proc_pid_attr_write cuts at a
 * page, 4 KiB at least): the label plus "exec " for AppArmor, and room for
 * the terminating NUL in the child's buffer. */
#define VC_ATTR_MAX 4095
#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41) /* Linux 4.13; older headers lack it */
#endif
/* P_PIDFD is an enumerator (not a macro) in glibc >= 2.36 and absent before. */
#define VC_P_PIDFD ((idtype_t)3)

/* Kernel ABI from linux/capability.h (capget/capset, version 3: two words). */
#define VC_CAP_VERSION_3 0x20080522
struct vc_cap_header {
    uint32_t version;
    int pid;
};
struct vc_cap_data {
    uint32_t effective, permitted, inheritable;
};

/* The kernel's signal set, as rt_sigprocmask and rt_sigaction take it: 64
 * signals on every architecture we build for.  libc's sigset_t is larger, and
 * libc's calls hide its own internal signals (glibc 32 and 33, musl 32 to 34)
 * from the caller: sigfillset leaves them out and sigaction refuses them. */
typedef uint64_t vc_sigset;

/* Kernel ABI from linux/dirent.h, for the raw getdents64. */
struct vc_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

/* Measured: the child uses ~0.5 KiB of stack, 4.5 KiB on the /proc walk
 * (its 4 KiB getdents buffer), ~5 KiB with the labels' buffer.  Generous,
 * since untouched pages cost nothing; a vfork daemon takes the lower half
 * (vfork_daemon), the intermediate keeps the upper. */
#define CHILD_STACK_SIZE (64 * 1024)

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

#define ALL_FLAGS (VC_FLAG_NEW_SESSION | VC_FLAG_NEW_PROCESS_GROUP | VC_FLAG_DAEMONIZE | VC_FLAG_SET_UID | \
                   VC_FLAG_SET_GID | VC_FLAG_CLEAR_CAPS | VC_FLAG_NO_NEW_PRIVS | VC_FLAG_HANDSHAKE | \
                   VC_FLAG_SET_NICE | VC_FLAG_TERMINAL)
/* Requests that vc_spawn starts with a child of its own memory (see the top).
 * A daemon alone does not: it takes nested vfork-style clones (vfork_daemon);
 * a handshake alone has the parked path (vc_parked_*) besides, which the
 * managed side takes whenever it has a parked thread to give. */
#define FORK_FLAGS VC_FLAG_HANDSHAKE

/* What the child tells the parent through the pipe, one record per write (12
 * bytes: atomic, being below PIPE_BUF, even with the intermediate and the
 * daemon both writing). */
enum report_type {
    REPORT_FAILURE = 1,  /* stage, value = errno (the hook's return value for VC_STAGE_HOOK) */
    REPORT_DAEMON = 2,   /* value = the daemon's pid, right after the second fork */
    REPORT_READY = 3,    /* the child waits at the handshake */
    REPORT_PID = 4       /* value = the child's pid: a parked handshake's first report (vc_parked_wait) */
};

struct report {
    int32_t type;
    int32_t stage;
    int32_t value;
};

/* Everything the child reads, prepared by the parent.  The child writes only
 * src[] (lifted fds, never read back), `shared`, `rec` and `pidfile_fd`. */
struct child_args {
    const vc_spawn_request *req;
    int *src;            /* [nmap] parent fds: stdin, stdout, stderr, then req->fds */
    const int *dst;      /* [nmap] 0, 1, 2, then the child_fds */
    int nmap;
    const int *keep;     /* [nkeep] ascending: 0, 1, 2, child_fds, then err_fd and release_fd */
    int nkeep;
    int max_target;      /* highest dst */
    int err_fd;          /* write end of the report pipe, always > max_target; -1 without one */
    int release_fd;      /* read end of the handshake pipe, > max_target; -1 without a handshake */
    int forked;          /* 1 on the fork path: the child has its own memory and fd table */
    int close_fds;       /* 1: step 6 closes the other fds instead of marking them (fork path and
                            daemon): setup runs in the child before exec and must not hold them */
    char *stack_mid;     /* vfork daemon: the top of the daemon's stack, the lower half of the
                            intermediate's (see step 9) */
    int replacing;       /* 1 under vc_exec: the steps run in the calling process itself */
    int parked;          /* 1 for a parked handshake (vc_parked_run): step 0 reports the pid */
    pid_t parent_pid;
    vc_sigset old_mask;  /* the calling thread's mask before we blocked all */
    /* Written by the child, read by the parent once clone has returned: the
     * kernel's vfork completion orders the accesses, and &args escaping into
     * clone() keeps the compiler from caching them. */
    int shared;          /* the child's first store: 1 if memory really is shared */
    struct report rec;
    int pidfile_fd;      /* the daemon's locked pidfile, -1 until then */
    int32_t daemon_pid;  /* vfork daemon: the daemon's pid, stored by the intermediate */
};

/* ---------------------------------------------------------------- child -- */

/* write(2) is async-signal-safe.  A pipe write of <= PIPE_BUF bytes is
 * atomic; if it fails anyway (the parent is gone), there is nobody to tell.
 * Without a pipe (a vfork path known to share memory) the shared record is
 * the only report, and it is enough there. */
static void child_report(const struct child_args *a, int type, int stage, int value)
{
    struct report r = { type, stage, value };
    ssize_t n;
    if (a->err_fd < 0)
        return;
    n = write(a->err_fd, &r, sizeof r);
    (void)n;
}

/* vc_exec's failure after its first step: the process is no longer one its
 * runtime can go on in (see vc_exec in the header), so it ends as a failed
 * child would, with 127, after one line on fd 2 (by now the command's stderr)
 * that names the stage and errno.  write and _exit: async-signal-safe. */
static __attribute__((noreturn)) void exec_fail(int stage, int err)
{
    char line[64] = "vircommand: exec failed at stage ", *p = line + 33;
    int values[2] = { stage, err };
    for (int v = 0; v < 2; v++) {
        char digits[12], *d = digits + sizeof digits;
        unsigned int n = (unsigned int)values[v];
        do
            *--d = (char)('0' + n % 10);
        while ((n /= 10) > 0);
        while (d < digits + sizeof digits)
            *p++ = *d++;
        for (const char *t = v == 0 ? ", errno " : "\n"; *t; t++)
            *p++ = *t;
    }
    ssize_t n = write(2, line, (size_t)(p - line));
    (void)n;
    _exit(127);
}

static __attribute__((noreturn)) void child_fail(struct child_args *a, int stage, int err)
{
    /* A daemon that failed after taking its pidfile must not leave it behind
     * naming a pid that never ran the program: we still hold the lock, so the
     * path still names our file.  Before the report, so that the parent's
     * start failure never finds the file still there.  unlink is
     * async-signal-safe. */
    if (a->pidfile_fd >= 0)
        (void)unlink(a->req->pidfile);
    if (a->replacing)
        exec_fail(stage, err);
    a->rec.type = REPORT_FAILURE;
    a->rec.stage = stage;
    a->rec.value = err;
    /* The pipe carries it on the fork path and where vfork is emulated by a
     * plain fork (see the top); the shared record on the real vfork path. */
    child_report(a, REPORT_FAILURE, stage, err);
    _exit(127);
}

static int is_kept(const struct child_args *a, int fd)
{
    int lo = 0, hi = a->nkeep - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (a->keep[mid] == fd)
            return 1;
        if (a->keep[mid] < fd)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return 0;
}

/* Fallback for kernels without close_range (< 5.9) or CLOSE_RANGE_CLOEXEC
 * (< 5.11): the same result, fd by fd.  opendir would malloc, so list
 * /proc/self/fd with a raw getdents64 into a stack buffer.  The vfork path
 * marks (see close_others); the fork path really closes, as close_range does
 * there, since a hook or a daemon's setup runs before exec and must not hold
 * the parent's fds.  Closing reshapes the fd table under the directory
 * iterator, so after a buffer that closed something we rewind and list again
 * (as glibc's closefrom fallback does): a pass that closes nothing ends it.
 * open, getdents64, fcntl, close and lseek: plain system calls. */
static int walk_close_others(const struct child_args *a)
{
    char buf[4096] __attribute__((aligned(8)));
    int dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC), err = 0;
    if (dfd < 0)
        return -1;
    for (;;) {
        int closed = 0;
        ssize_t n = syscall(SYS_getdents64, dfd, buf, sizeof buf);
        if (n <= 0) {
            err = n == 0 ? 0 : errno;
            break;
        }
        for (ssize_t off = 0; off < n;) {
            const struct vc_dirent64 *d = (const struct vc_dirent64 *)(buf + off);
            int fd = 0;
            off += d->d_reclen;
            if (d->d_name[0] < '0' || d->d_name[0] > '9')
                continue; /* "." and ".." */
            for (const char *p = d->d_name; *p; p++)
                fd = fd * 10 + (*p - '0');
            if (fd == dfd || is_kept(a, fd))
                continue;
            if (a->close_fds) {
                (void)close(fd); /* EBADF at worst: it is gone either way */
                closed = 1;
            } else if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
                err = errno;
                break;
            }
        }
        if (err != 0)
            break;
        if (closed && lseek(dfd, 0, SEEK_SET) != 0) {
            err = errno;
            break;
        }
    }
    close(dfd);
    errno = err;
    return err == 0 ? 0 : -1;
}

/* Every fd outside keep[] becomes close-on-exec (vfork path) or is closed
 * (fork path).  Marking on the vfork path: the result at exec is identical,
 * but execve drops marked fds in do_close_on_exec(), after it has already
 * woken the vfork-suspended parent, so the parent does not wait for thousands
 * of fput()s; and if a later step fails, _exit drops them anyway.  Closing on
 * the fork path: nobody waits for us there, and a hook or a daemon must not
 * see (or pass on to what it forks) the parent's fds.  close_range is a plain
 * system call, async-signal-safe. */
static int close_others(const struct child_args *a)
{
    unsigned int lo = 0, how = a->close_fds ? 0 : CLOSE_RANGE_CLOEXEC;
    for (int i = 0; i < a->nkeep; i++) {
        unsigned int k = (unsigned int)a->keep[i];
        if (k > lo && syscall(SYS_close_range, lo, k - 1, how) != 0)
            goto fallback;
        lo = k + 1;
    }
    if (syscall(SYS_close_range, lo, ~0U, how) == 0)
        return 0;
fallback:
    /* ENOSYS: no close_range (< 5.9); EINVAL: no CLOSE_RANGE_CLOEXEC (< 5.11). */
    return errno == ENOSYS || errno == EINVAL ? walk_close_others(a) : -1;
}

/* PR_SET_PDEATHSIG, then the race check: a parent that died before prctl has
 * already reparented us (getppid changed), one that dies after triggers the
 * signal.  prctl and getppid are plain system calls. */
static void set_parent_death_signal(struct child_args *a)
{
    if (prctl(PR_SET_PDEATHSIG, (unsigned long)a->req->parent_death_signal, 0, 0, 0) != 0)
        child_fail(a, VC_STAGE_PDEATHSIG, errno);
    if (getppid() != a->parent_pid)
        child_fail(a, VC_STAGE_PDEATHSIG, ESRCH);
}

/* fstatat as a raw system call: glibc's stat family is versioned 2.33.  On
 * x86-64 and arm64 the kernel's struct stat is libc's (glibc and musl). */
static int vc_stat(int dirfd, const char *path, struct stat *st, int flags)
{
    return (int)syscall(SYS_newfstatat, dirfd, path, st, flags);
}

/* The daemon's pidfile, as libvirt's virPidFileAcquirePath: open without
 * O_TRUNC (a running daemon's file must survive our attempt), take a write
 * lock on the whole file without waiting, and make sure the file we locked is
 * still the one at the path (its previous owner may have removed it between
 * our open and our lock); only then truncate and write the pid, no newline.
 * The fd is not close-on-exec: it stays open in the daemon, and with it the
 * lock, for the daemon's whole life.  0644 whatever the umask.  open, fcntl,
 * fchmod, ftruncate, write, close and the raw newfstatat (vc_stat): all
 * async-signal-safe. */
static int acquire_pidfile(struct child_args *a, pid_t pid)
{
    const char *path = a->req->pidfile;
    char digits[16], *p = digits + sizeof digits;
    for (int attempt = 0; attempt < 100; attempt++) {
        struct flock lock = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
        struct stat opened, now;
        int fd = open(path, O_WRONLY | O_CREAT | O_NOCTTY, 0644);
        if (fd < 0)
            return -1;
        if (vc_stat(fd, "", &opened, AT_EMPTY_PATH) != 0 || fcntl(fd, F_SETLK, &lock) != 0) {
            /* POSIX allows EACCES for a conflicting lock; Linux says EAGAIN.  One errno for "held". */
            int err = errno == EACCES ? EAGAIN : errno;
            close(fd);
            errno = err;
            return -1;
        }
        if (vc_stat(AT_FDCWD, path, &now, 0) == 0 && now.st_dev == opened.st_dev && now.st_ino == opened.st_ino) {
            a->pidfile_fd = fd; /* from here on, a failure removes the file (child_fail) */
            if ((opened.st_mode & 07777) != 0644 && fchmod(fd, 0644) != 0)
                return -1;
            if (ftruncate(fd, 0) != 0)
                return -1;
            do
                *--p = (char)('0' + pid % 10);
            while ((pid /= 10) > 0);
            ssize_t len = digits + sizeof digits - p, n = write(fd, p, (size_t)len);
            if (n != len && n >= 0)
                errno = ENOSPC; /* a short write to a regular file: the disk is full */
            return n == len ? 0 : -1;
        }
        close(fd);
    }
    errno = EAGAIN; /* someone keeps replacing the file */
    return -1;
}

/* Capabilities before the id change: the bounding set can only be lowered
 * while CAP_SETPCAP is effective, which setuid to non-root ends; and
 * PR_SET_KEEPCAPS makes setuid keep the permitted set so that the allowed
 * capabilities survive it.  prctl is a plain system call. */
static void caps_before_ids(struct child_args *a)
{
    const vc_spawn_request *req = a->req;
    if (req->flags & VC_FLAG_CLEAR_CAPS) {
        for (int cap = 0; cap < 64; cap++) {
            int held;
            if (req->caps_allowed & (1ULL << cap))
                continue;
            held = prctl(PR_CAPBSET_READ, (unsigned long)cap, 0, 0, 0);
            if (held < 0)
                break; /* EINVAL: past the kernel's last capability */
            if (held == 1 && prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0, 0, 0) != 0)
                child_fail(a, VC_STAGE_CAPS, errno);
        }
    }
    if ((req->flags & VC_FLAG_SET_UID) && prctl(PR_SET_KEEPCAPS, 1UL, 0, 0, 0) != 0)
        child_fail(a, VC_STAGE_CAPS, errno);
}

/* Capabilities after the id change: permitted, effective and inheritable
 * become the allowed set (ClearCaps) or keep what they had plus the allowed
 * ones; then the allowed ones are raised ambient, so that a non-root program
 * really holds them after exec (ambient needs each in permitted and
 * inheritable; setuid to non-root cleared the ambient set anyway).  Raw
 * capget/capset and prctl: plain system calls. */
static void caps_after_ids(struct child_args *a)
{
    const vc_spawn_request *req = a->req;
    struct vc_cap_header hdr = { VC_CAP_VERSION_3, 0 };
    struct vc_cap_data d[2];
    uint64_t allowed = req->caps_allowed, prm, inh;
    if (syscall(SYS_capget, &hdr, d) != 0)
        child_fail(a, VC_STAGE_CAPS, errno);
    if (req->flags & VC_FLAG_CLEAR_CAPS) {
        prm = allowed;
        inh = allowed;
    } else {
        prm = ((uint64_t)d[1].permitted << 32 | d[0].permitted) | allowed;
        inh = ((uint64_t)d[1].inheritable << 32 | d[0].inheritable) | allowed;
    }
    for (int i = 0; i < 2; i++) {
        d[i].permitted = d[i].effective = (uint32_t)(prm >> (32 * i));
        d[i].inheritable = (uint32_t)(inh >> (32 * i));
    }
    if (syscall(SYS_capset, &hdr, d) != 0)
        child_fail(a, VC_STAGE_CAPS, errno);
    if ((req->flags & VC_FLAG_CLEAR_CAPS) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0)
        child_fail(a, VC_STAGE_CAPS, errno);
    for (int cap = 0; cap < 64; cap++)
        if ((allowed & (1ULL << cap)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)cap, 0, 0) != 0)
            child_fail(a, VC_STAGE_CAPS, errno);
}

/* SIG_DFL through the raw rt_sigaction, for the signals libc keeps to itself.
 * The kernel's struct sigaction (handler, flags, restorer, mask) is this on
 * x86-64 and arm64; elsewhere the internal signals keep libc's handler until
 * exec, reachable only by a signal aimed at this new pid, which libc never
 * sends (it signals the tids of its own thread list). */
static void reset_internal_signal(int sig)
{
#if defined(__x86_64__) || defined(__aarch64__)
    struct {
        void (*handler)(int);
        unsigned long flags;
        void (*restorer)(void);
        vc_sigset mask;
    } dfl = { SIG_DFL, 0, NULL, 0 };
    (void)syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof(vc_sigset));
#else
    (void)sig;
#endif
}

/* Under vc_exec the other threads of the process go on running until execve
 * ends them, with their signal handlers (the .NET runtime's own, which it
 * needs even for a null reference): those stay, and execve resets them to
 * SIG_DFL itself.  Only SIG_IGN survives execve, so only that is reset. */
static int keeps_handler(const struct child_args *a, int sig)
{
    struct sigaction old;
    return a->replacing && sigaction(sig, NULL, &old) == 0 && old.sa_handler != SIG_IGN;
}

/* Placement: the CPUs the child may run on and its nice value.  Raw system
 * calls on pid 0, the calling task: on the vfork path that is the child
 * alone, never the parent thread whose memory it shares.  Before the ids
 * change (step 11), because a nice value below the parent's needs
 * CAP_SYS_NICE, which the new uid may not have. */
static void apply_placement(struct child_args *a)
{
    const vc_spawn_request *req = a->req;
    if (req->cpu_mask != NULL &&
        syscall(SYS_sched_setaffinity, 0, (size_t)req->cpu_mask_words * sizeof(uint64_t), req->cpu_mask) != 0)
        child_fail(a, VC_STAGE_AFFINITY, errno);
    if ((req->flags & VC_FLAG_SET_NICE) && syscall(SYS_setpriority, PRIO_PROCESS, 0, req->nice) != 0)
        child_fail(a, VC_STAGE_PRIORITY, errno);
}

/* Core scheduling (libvirt's virCommandSetRunAlone/RunAmong): a new group
 * of trusted tasks for the child alone, or the group of a given process, so
 * that SMT siblings of a core only ever run tasks of one group at a time.
 * Before the ids change: SHARE_FROM needs ptrace read access to the source,
 * which the parent's credentials are likelier to have.  pid 0 and the thread
 * group scope name this child only, on the vfork path too (no CLONE_THREAD).
 * Inherited by the daemon's fork.  prctl: a plain system call. */
static void join_core_scheduling(struct child_args *a)
{
    int from = a->req->sched_core, rc;
    if (from == 0)
        return;
    rc = from < 0 ? prctl(VC_PR_SCHED_CORE, VC_PR_SCHED_CORE_CREATE, 0UL, VC_PR_SCHED_CORE_SCOPE_THREAD_GROUP, 0UL)
                  : prctl(VC_PR_SCHED_CORE, VC_PR_SCHED_CORE_SHARE_FROM, (unsigned long)from, VC_PR_SCHED_CORE_SCOPE_THREAD, 0UL);
    if (rc != 0)
        child_fail(a, VC_STAGE_SCHED_CORE, errno);
}

/* One write of prefix + value to a /proc attr file: the kernel parses each
 * write whole, so the two parts must go together; hence the copy into a stack
 * buffer (check_request bounds the length).  open, write, close: plain system
 * calls.  0, or -1 with errno. */
static int write_attr(const char *path, const char *prefix, const char *value)
{
    char buf[VC_ATTR_MAX + 1];
    size_t n = 0;
    ssize_t written;
    int fd, err;
    for (const char *p = prefix; *p; p++)
        buf[n++] = *p;
    for (const char *p = value; *p; p++)
        buf[n++] = *p;
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    written = write(fd, buf, n);
    err = written == (ssize_t)n ? 0 : written < 0 ? errno : EIO;
    close(fd);
    errno = err;
    return err == 0 ? 0 : -1;
}

/* Security labels for the exec, through the kernel's own interface (what
 * libselinux's setexeccon and libapparmor's aa_change_onexec write, without
 * either library): the label applies at the next execve and only to it, so
 * this is the last step before exec.  /proc/thread-self: this task, which on
 * the vfork path is the child, not the parent thread.  AppArmor has its own
 * directory since Linux 5.8 (LSM stacking); before that it owns attr/exec.
 * A kernel without the LSM refuses the write (EINVAL), never silently. */
static void apply_security_labels(struct child_args *a)
{
    const vc_spawn_request *req = a->req;
    if (req->selinux_label != NULL && write_attr("/proc/thread-self/attr/exec", "", req->selinux_label) != 0)
        child_fail(a, VC_STAGE_SELINUX_LABEL, errno);
    if (req->apparmor_profile != NULL &&
        write_attr("/proc/thread-self/attr/apparmor/exec", "exec ", req->apparmor_profile) != 0 &&
        (errno != ENOENT || write_attr("/proc/thread-self/attr/exec", "exec ", req->apparmor_profile) != 0))
        child_fail(a, VC_STAGE_APPARMOR_PROFILE, errno);
}

/* The pseudo-terminal's slave as the controlling terminal of the session
 * step 2 made: TIOCSCTTY needs a session leader without one, and a terminal
 * no other session holds (the parent just made it).  The slave reaches 0, 1
 * and 2 at step 4 as the parent placed it; its own number is close-on-exec.
 * ioctl: a plain system call. */
static void acquire_terminal(struct child_args *a)
{
    if (ioctl(a->req->terminal_fd, TIOCSCTTY, 0) != 0)
        child_fail(a, VC_STAGE_TERMINAL, errno);
}

static const int rlimit_resources[] = { RLIMIT_NOFILE, RLIMIT_NPROC, RLIMIT_MEMLOCK, RLIMIT_CORE };

static __attribute__((noreturn)) void child_finish(struct child_args *a);

/* The daemon's first steps, in the new process of step 9: its pid to the
 * parent (through the pipe, where there is one: the fork path, or a vfork
 * emulated by a plain fork), then its pidfile.  The raw getpid: under
 * CLONE_VM a libc that caches the pid in the thread descriptor (glibc before
 * 2.25) would answer with the parent's. */
static void daemon_start(struct child_args *a)
{
    pid_t self = (pid_t)syscall(SYS_getpid);
    child_report(a, REPORT_DAEMON, VC_STAGE_DAEMONIZE, self);
    if (a->req->pidfile != NULL && acquire_pidfile(a, self) != 0)
        child_fail(a, VC_STAGE_PIDFILE, errno);
}

/* Step 9 on the fork path (a hook or a handshake came with the daemon): a raw
 * clone with SIGCHLD, the bare fork system call (glibc's own
 * async-signal-safe _Fork is 2.34): this process is single-threaded, so no
 * libc lock can be held across it, and no atfork handler runs a second time.
 * glibc's cached thread id in the daemon's thread descriptor is the
 * intermediate's (getpid, gettid and raise ask the kernel; a hook should not
 * pthread_kill(pthread_self())).  The intermediate exits at once. */
static void fork_daemon(struct child_args *a)
{
    pid_t daemon = (pid_t)syscall(SYS_clone, (unsigned long)SIGCHLD, 0UL, 0UL, 0UL, 0UL);
    if (daemon < 0)
        child_fail(a, VC_STAGE_DAEMONIZE, errno);
    if (daemon > 0)
        _exit(0);
    daemon_start(a);
}

/* The daemon of the vfork path, on the lower half of the intermediate's
 * stack (the intermediate sleeps above it until we exec or exit). */
static int daemon_main(void *arg)
{
    struct child_args *a = arg;
    daemon_start(a);
    child_finish(a);
}

/* Step 9 on the vfork path: the daemon is a CLONE_VM | CLONE_VFORK child of
 * the intermediate, which is itself one of the parent thread's, so neither
 * copies a page table: fork() here cost 3-8 ms in a 100 MiB parent and
 * 55-60 ms in a 4 GiB one (bench P6; copy_page_range in the parent, the
 * copy's teardown at exec), the two nested clones ~1.7 ms whatever the
 * size.  The chain keeps every thread that shares the memory asleep but the
 * one running: the parent thread until the intermediate exits, the
 * intermediate until the daemon has exec'd or failed, so errno (the parent
 * thread's TLS) and the shared record have one writer at a time, as on the
 * plain vfork path.  The daemon has its own fd table (no CLONE_FILES), so
 * its pidfile fd and what exec keeps are its own; clone clears the
 * parent-death signal as fork does; SIGCHLD as its exit signal, as after
 * any reparenting to init.  The intermediate then stores the daemon's pid for
 * the parent (the pipe carries the daemon's own report where memory is not
 * really shared) and exits 0 whatever the daemon's fate: a failure of the
 * daemon is already in the shared record (child_fail), read by the parent
 * once the intermediate is gone. */
static __attribute__((noreturn)) void vfork_daemon(struct child_args *a)
{
    pid_t daemon = clone(daemon_main, a->stack_mid, CLONE_VM | CLONE_VFORK | SIGCHLD, a);
    if (daemon < 0)
        child_fail(a, VC_STAGE_DAEMONIZE, errno);
    a->daemon_pid = daemon;
    _exit(0);
}

/* Runs between fork/clone and execve, in the order of libvirt's virExec; every
 * call below is a plain system call wrapper, async-signal-safe (on the fork
 * path the hook is the caller's business).  On the vfork path errno lives in
 * the parent thread's TLS (shared memory): harmless, as the parent sleeps
 * until we exec or exit; on the parked path that thread is the parked one,
 * which sleeps as long, however long we wait at the handshake. */
static __attribute__((noreturn)) int child_main(void *arg)
{
    struct child_args *a = arg;
    const vc_spawn_request *req = a->req;
    struct sigaction dfl = { .sa_handler = SIG_DFL };

    a->shared = 1;

    /* 0. A parked handshake (see "The parked handshake" at the top): its
     * caller learns the pid from us, since the thread that made the clone
     * sleeps until we exec or exit.  First, so that every later report (and
     * the caller's closing of its copies of our pipe ends) comes after it.
     * The raw getpid: a libc that caches the pid in the thread descriptor
     * (glibc before 2.25) would answer with the parent's; write(2) is
     * async-signal-safe. */
    if (a->parked)
        child_report(a, REPORT_PID, VC_STAGE_NONE, (int32_t)syscall(SYS_getpid));

    /* 1. Signals.  All are blocked, libc's internal ones included (the
     * parent did it before clone with the raw full mask), so no parent
     * handler can run here and scribble on the parent's memory: on the vfork
     * path glibc's SIGSETXID handler would otherwise do its setxid call and
     * count itself done in the parent's shared bookkeeping.  Reset every
     * disposition before unblocking: handlers for that reason, SIG_IGN
     * because it survives execve (.NET ignores SIGPIPE; the new program must
     * not).  libc's sigaction refuses its internal signals, which the raw
     * call resets (reset_internal_signal), and SIGKILL and SIGSTOP, which
     * nobody can catch.  Then the caller's own mask again, raw, as posix_spawn
     * does: the program starts with the mask its spawner had. */
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP && !keeps_handler(a, sig) && sigaction(sig, &dfl, NULL) != 0)
            reset_internal_signal(sig);
    if (syscall(SYS_rt_sigprocmask, SIG_SETMASK, &a->old_mask, NULL, sizeof(vc_sigset)) != 0)
        child_fail(a, VC_STAGE_SIGNALS, errno);

    /* 2. Session or process group.  setsid also starts a new group, and a
     * session leader may not setpgid, hence the else.  A daemon always gets a
     * new session here, in the intermediate process, so that the daemon forked
     * at step 9 is in it without leading it (it can never acquire a
     * controlling terminal): the classic double fork. */
    if (req->flags & (VC_FLAG_NEW_SESSION | VC_FLAG_DAEMONIZE)) {
        if (setsid() < 0)
            child_fail(a, VC_STAGE_SESSION, errno);
    } else if (req->flags & VC_FLAG_NEW_PROCESS_GROUP) {
        if (setpgid(0, 0) < 0)
            child_fail(a, VC_STAGE_SESSION, errno);
    } else if (req->process_group > 0) {
        /* A pipeline's later stage joins the group its first stage leads, so
         * that one signal to the group stops every stage.  The leader waits
         * at its handshake until all have joined: a leader already reaped
         * would leave no group here (EPERM). */
        if (setpgid(0, req->process_group) < 0)
            child_fail(a, VC_STAGE_SESSION, errno);
    }

    /* 2b. Controlling terminal (acquire_terminal). */
    if (req->flags & VC_FLAG_TERMINAL)
        acquire_terminal(a);

    /* 3. Parent-death signal (the daemon's fork at step 9 clears it again). */
    if (req->parent_death_signal != 0)
        set_parent_death_signal(a);

    /* 4. stdio and 5. passed fds, as one list of moves src[i] -> dst[i].
     * A source may sit on another move's target (stdin_fd == 1; 5->6 with
     * 6->5), so first lift every source <= max_target above all targets.
     * Afterwards src != dst in every dup2, which therefore always clears
     * FD_CLOEXEC on the target (dup2 onto itself would be a no-op and leave
     * the flag set).  The lifted copies are close-on-exec and go at exec. */
    for (int i = 0; i < a->nmap; i++) {
        if (a->src[i] <= a->max_target) {
            int fd = fcntl(a->src[i], F_DUPFD_CLOEXEC, a->max_target + 1);
            if (fd < 0)
                child_fail(a, i < 3 ? VC_STAGE_STDIO : VC_STAGE_PASS_FDS, errno);
            a->src[i] = fd;
        }
    }
    for (int i = 0; i < a->nmap; i++)
        if (dup2(a->src[i], a->dst[i]) < 0)
            child_fail(a, i < 3 ? VC_STAGE_STDIO : VC_STAGE_PASS_FDS, errno);

    /* 6. Nothing else crosses exec, whatever the parent forgot to mark. */
    if (close_others(a) != 0)
        child_fail(a, VC_STAGE_CLOSE_FDS, errno);

    /* 7. Resource limits, soft = hard = exactly the value asked.  Raw
     * prlimit64: 64-bit values on every architecture, and a plain system call. */
    for (int i = 0; i < req->nrlimits; i++) {
        struct { uint64_t cur, max; } rl = { req->rlimits[i].value, req->rlimits[i].value };
        if (syscall(SYS_prlimit64, 0, rlimit_resources[req->rlimits[i].resource], &rl, NULL) != 0)
            child_fail(a, VC_STAGE_RLIMIT, errno);
    }

    /* 7b. Placement: CPU affinity and nice value (apply_placement). */
    apply_placement(a);

    /* 7c. Core scheduling group (join_core_scheduling).  The cgroup needs no
     * step: clone3 started us in it. */
    join_core_scheduling(a);

    /* 8. umask never fails (async-signal-safe). */
    if (req->umask >= 0)
        umask((mode_t)req->umask);

    /* 9. Daemonize: a new process again (the session is new since step 2);
     * the intermediate exits and the parent reaps it, the daemon goes on,
     * reparented to init, and runs the rest (child_daemon).  The parent's
     * run returns only once the daemon has written its pidfile and exec'd. */
    if (req->flags & VC_FLAG_DAEMONIZE) {
        if (a->forked)
            fork_daemon(a);
        else
            vfork_daemon(a);
    }
    child_finish(a);
}

/* Steps 10 to 15 and exec, in the child, or in the daemon after step 9. */
static __attribute__((noreturn)) void child_finish(struct child_args *a)
{
    const vc_spawn_request *req = a->req;
    int caps = (req->flags & VC_FLAG_CLEAR_CAPS) || req->caps_allowed != 0;

    /* 10. The caller's hook, last before ids, cwd and exec (libvirt's order),
     * so it still runs with the parent's ids and working directory.  Only on
     * the fork path: it may do anything a forked child of a multi-threaded
     * process may do.  Non-zero fails the start with its value. */
    if (req->hook != NULL) {
        int rc = req->hook(req->hook_opaque);
        if (rc != 0)
            child_fail(a, VC_STAGE_HOOK, rc);
    }

    /* 11. Groups, gid, uid, in that order (each needs the privilege the next
     * one drops), with the capability steps around them.  Raw system calls:
     * glibc's wrappers would apply the change to the parent's threads too on
     * the vfork path.  The groups were computed by the parent. */
    if (caps)
        caps_before_ids(a);
    if (req->ngroups >= 0 && syscall(SYS_setgroups, (size_t)req->ngroups, req->groups) != 0)
        child_fail(a, VC_STAGE_GROUPS, errno);
    if ((req->flags & VC_FLAG_SET_GID) && syscall(SYS_setresgid, req->gid, req->gid, req->gid) != 0)
        child_fail(a, VC_STAGE_GID, errno);
    if ((req->flags & VC_FLAG_SET_UID) && syscall(SYS_setresuid, req->uid, req->uid, req->uid) != 0)
        child_fail(a, VC_STAGE_UID, errno);
    if (caps)
        caps_after_ids(a);
    /* A change of the effective uid or gid clears the parent-death signal. */
    if (req->parent_death_signal != 0 && (req->flags & (VC_FLAG_SET_UID | VC_FLAG_SET_GID)))
        set_parent_death_signal(a);

    /* 12. no_new_privs: from here on, exec can never grant privileges (no
     * setuid bits, no file capabilities).  prctl: a plain system call. */
    if ((req->flags & VC_FLAG_NO_NEW_PRIVS) && prctl(PR_SET_NO_NEW_PRIVS, 1UL, 0, 0, 0) != 0)
        child_fail(a, VC_STAGE_NO_NEW_PRIVS, errno);

    /* 13. Working directory, late so that it is reached with the child's own
     * ids (a daemon's is "/", set by the caller).  chdir: async-signal-safe. */
    if (req->cwd != NULL && chdir(req->cwd) != 0)
        child_fail(a, VC_STAGE_CHDIR, errno);

    /* 14. Handshake: tell the parent we are ready and wait for its release.
     * EOF instead of a byte means the parent gave up: never exec then.
     * write and read are async-signal-safe; release_fd is close-on-exec. */
    if (req->flags & VC_FLAG_HANDSHAKE) {
        char c;
        ssize_t n;
        child_report(a, REPORT_READY, VC_STAGE_HANDSHAKE, 0);
        do
            n = read(a->release_fd, &c, 1);
        while (n < 0 && errno == EINTR);
        if (n != 1)
            child_fail(a, VC_STAGE_HANDSHAKE, n < 0 ? errno : ECANCELED);
    }

    /* 15. Security labels of the exec (apply_security_labels). */
    apply_security_labels(a);

    execve(req->path, req->argv, req->envp);
    child_fail(a, VC_STAGE_EXEC, errno);
}

/* The fallback when clone() rejects CLONE_PIDFD (EINVAL/ENOSYS from seccomp
 * profiles or emulators that do not know the flag).  vfork has the contract
 * our clone relies on: the parent thread is suspended until the child execs
 * or exits, and the child, running on the parent's stack below this frame,
 * only touches its own frames and the plan.  Kept in its own small function
 * so that vfork's returns-twice semantics cannot clobber vc_spawn's locals. */
static __attribute__((noinline)) pid_t spawn_vfork(struct child_args *a)
{
    pid_t pid = vfork();
    if (pid == 0)
        child_main(a);
    return pid;
}

/* clone3 with the child on fn(arg), in the manner of clone(): the system
 * call returns in the child on the given stack (or, without one, on its copy
 * of ours), where no C frame exists to return through, so a few lines of
 * assembly call fn and exit with its value.  glibc has no public clone3
 * wrapper.  Returns the pid, or -errno.  Both architectures keep every
 * register but the result across the system call, and the child starts with
 * the caller's registers: fn and arg survive in call-preserved registers of
 * the system call. */
long vc_clone3_call(struct vc_clone_args *args, size_t size, int (*fn)(void *), void *arg)
    __attribute__((visibility("hidden")));
#if defined(__x86_64__)
__asm__(".text\n"
        ".globl vc_clone3_call\n"
        ".hidden vc_clone3_call\n"
        ".type vc_clone3_call, @function\n"
        "vc_clone3_call:\n"
        "    mov %rcx, %r8\n"        /* arg: rcx is lost to the syscall instruction */
        "    mov $435, %eax\n"       /* SYS_clone3 */
        "    syscall\n"
        "    test %rax, %rax\n"
        "    jz 1f\n"
        "    ret\n"
        "1:  xor %ebp, %ebp\n"       /* the child: outermost frame */
        "    and $-16, %rsp\n"
        "    mov %r8, %rdi\n"
        "    call *%rdx\n"
        "    mov %eax, %edi\n"
        "    mov $60, %eax\n"        /* SYS_exit */
        "    syscall\n"
        "    hlt\n"
        ".size vc_clone3_call, .-vc_clone3_call\n");
#elif defined(__aarch64__)
__asm__(".text\n"
        ".globl vc_clone3_call\n"
        ".hidden vc_clone3_call\n"
        ".type vc_clone3_call, %function\n"
        "vc_clone3_call:\n"
        "    mov x9, x2\n"
        "    mov x10, x3\n"
        "    mov x8, #435\n"         /* SYS_clone3 */
        "    svc #0\n"
        "    cbz x0, 1f\n"
        "    ret\n"
        "1:  mov x29, xzr\n"         /* the child: outermost frame */
        "    mov x30, xzr\n"
        "    mov x0, x10\n"
        "    blr x9\n"
        "    mov x8, #93\n"          /* SYS_exit */
        "    svc #0\n"
        "    brk #0\n"
        ".size vc_clone3_call, .-vc_clone3_call\n");
#else
long vc_clone3_call(struct vc_clone_args *args, size_t size, int (*fn)(void *), void *arg)
{
    (void)args, (void)size, (void)fn, (void)arg;
    return -ENOSYS;
}
#endif

/* Atomic cgroup placement: the child is born in the cgroup whose directory
 * cgroup_fd holds (CLONE_INTO_CGROUP), so not one instruction of it runs
 * elsewhere, and no handshake is needed to move it.  The vfork path does as
 * clone() does (CLONE_VM | CLONE_VFORK on our stack, a daemon's
 * intermediate too, and a parked handshake's run); the fork path
 * (a handshake with a daemon, or past the parked threads) gets a copy of our memory, like fork() but without glibc's
 * atfork work, which only the pre-exec hook needs (it may call malloc): a
 * hook and a cgroup are refused together (check_request).  No exit signal,
 * as the clone() path.  Returns the pid, or -1 with errno. */
static pid_t spawn_into_cgroup(struct child_args *a, void *stack, size_t page, int cgroup_fd, int *pidfd)
{
    struct vc_clone_args ca = {
        .flags = CLONE_PIDFD | VC_CLONE_INTO_CGROUP | (a->forked ? 0 : CLONE_VM | CLONE_VFORK),
        .pidfd = (uint64_t)(uintptr_t)pidfd,
        .stack = a->forked ? 0 : (uint64_t)(uintptr_t)((char *)stack + page),
        .stack_size = a->forked ? 0 : CHILD_STACK_SIZE,
        .cgroup = (uint64_t)cgroup_fd,
    };
    long rc = vc_clone3_call(&ca, sizeof ca, child_main, a);
    if (rc < 0) {
        errno = (int)-rc;
        return -1;
    }
    return (pid_t)rc;
}

/* --------------------------------------------------------------- parent -- */

/* pidfds are this shim's floor.  Probe once: a pre-5.2 kernel silently ignores
 * CLONE_PIDFD, and we would only find out once the child is running.  Racing
 * probes compute the same answer. */
static int pidfd_supported(void)
{
    static int state; /* 0 unknown, 1 yes, -1 no */
    int s = __atomic_load_n(&state, __ATOMIC_RELAXED);
    if (s == 0) {
        int fd = (int)syscall(SYS_pidfd_open, getpid(), 0);
        if (fd < 0 && (errno == EMFILE || errno == ENFILE || errno == ENOMEM))
            return 1; /* inconclusive; the spawn itself will report the shortage */
        if (fd >= 0)
            close(fd);
        s = fd >= 0 ? 1 : -1;
        __atomic_store_n(&state, s, __ATOMIC_RELAXED);
    }
    return s > 0;
}

/* Child stacks: CHILD_STACK_SIZE above one PROT_NONE guard page, so that an
 * overflow faults instead of silently corrupting a neighbouring mapping.  One
 * spare is kept for the next call, shared by all threads without a lock: a
 * caller takes it with an atomic exchange (or maps a fresh one while another
 * thread holds it) and gives it back with a compare-exchange (or unmaps it if
 * the slot was refilled meanwhile).  This saves mmap + mprotect + munmap and
 * the child's page faults, about 9 us per spawn here.  Reuse is safe as soon
 * as clone returns: CLONE_VFORK wakes us only after the child has left this
 * memory (execve switched its mm, or it exited). */
static void *spare_stack;

/* Set once a vfork-path child was seen writing the shared record: this
 * process then runs where vfork shares memory (no emulation by fork), and
 * vfork spawns need no report pipe (see the top).  Racing spawns at worst
 * make a pipe they did not need. */
static int vfork_shares_memory;

static void *stack_get(size_t page)
{
    void *s = __atomic_exchange_n(&spare_stack, NULL, __ATOMIC_ACQUIRE);
    if (s != NULL)
        return s;
    s = mmap(NULL, page + CHILD_STACK_SIZE, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (s == MAP_FAILED)
        return NULL;
    if (mprotect(s, page, PROT_NONE) != 0) {
        int err = errno;
        munmap(s, page + CHILD_STACK_SIZE);
        errno = err;
        return NULL;
    }
    return s;
}

static void stack_put(void *s, size_t page)
{
    void *empty = NULL;
    if (!__atomic_compare_exchange_n(&spare_stack, &empty, s, 0, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
        munmap(s, page + CHILD_STACK_SIZE);
}

static int cmp_int(const void *x, const void *y)
{
    int a = *(const int *)x, b = *(const int *)y;
    return (a > b) - (a < b);
}

static int fail(vc_spawn_result *res, int stage, int err)
{
    res->pid = -1;
    res->pidfd = -1;
    res->stage = stage;
    res->error = err;
    res->daemon_pid = 0;
    res->handshake_ready = 0;
    res->report_fd = -1;
    res->release_fd = -1;
    errno = err;
    return -1;
}

/* Reaps a child that has exited or is about to (it wrote its error record). */
static void reap(pid_t pid, int pidfd)
{
    siginfo_t si;
    if (pidfd >= 0) {
        while (waitid(VC_P_PIDFD, (id_t)pidfd, &si, WEXITED | __WALL) < 0 && errno == EINTR)
            ;
        close(pidfd);
    } else {
        while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR)
            ;
    }
}

/* Reads the child's reports until it exec'd or died (EOF: returns 0), failed
 * (returns REPORT_FAILURE with *rec set), or reached the handshake (returns
 * REPORT_READY).  A daemon's pid report is noted on the way. */
static int read_reports(int fd, struct report *rec, int32_t *daemon_pid)
{
    for (;;) {
        struct report r;
        ssize_t n;
        do
            n = read(fd, &r, sizeof r);
        while (n < 0 && errno == EINTR);
        if (n != (ssize_t)sizeof r)
            return 0; /* EOF; a torn record cannot happen below PIPE_BUF */
        if (r.type == REPORT_DAEMON) {
            *daemon_pid = r.value;
            continue;
        }
        *rec = r;
        return r.type;
    }
}

static int check_request(const vc_spawn_request *r)
{
    if (r->path == NULL || r->argv == NULL || r->envp == NULL)
        return VC_STAGE_EXEC;
    if (r->nfds < 0 || (r->nfds > 0 && r->fds == NULL))
        return VC_STAGE_PASS_FDS;
    for (int i = 0; i < r->nfds; i++)
        /* INT32_MAX is above the kernel's fd ceiling and would overflow max_target + 1. */
        if (r->fds[i].child_fd < 3 || r->fds[i].child_fd == INT32_MAX)
            return VC_STAGE_PASS_FDS;
    if (r->umask < -1 || r->umask > 0777)
        return VC_STAGE_UMASK;
    if (r->flags & ~(uint32_t)ALL_FLAGS)
        return VC_STAGE_SESSION;
    if (r->process_group < 0 ||
        (r->process_group > 0 && (r->flags & (VC_FLAG_NEW_SESSION | VC_FLAG_NEW_PROCESS_GROUP | VC_FLAG_DAEMONIZE))))
        return VC_STAGE_SESSION;
    if (r->parent_death_signal < 0 || r->parent_death_signal >= NSIG)
        return VC_STAGE_PDEATHSIG;
    if (r->nrlimits < 0 || (r->nrlimits > 0 && r->rlimits == NULL))
        return VC_STAGE_RLIMIT;
    for (int i = 0; i < r->nrlimits; i++)
        if (r->rlimits[i].resource < VC_RLIMIT_NOFILE || r->rlimits[i].resource > VC_RLIMIT_CORE)
            return VC_STAGE_RLIMIT;
    if (r->ngroups < -1 || (r->ngroups > 0 && r->groups == NULL))
        return VC_STAGE_GROUPS;
    if (r->pidfile != NULL && !(r->flags & VC_FLAG_DAEMONIZE))
        return VC_STAGE_PIDFILE;
    if (r->cpu_mask_words < 0 || (r->cpu_mask_words > 0) != (r->cpu_mask != NULL))
        return VC_STAGE_AFFINITY;
    if ((r->flags & VC_FLAG_SET_NICE) && (r->nice < -20 || r->nice > 19))
        return VC_STAGE_PRIORITY;
    if (r->cgroup != NULL && (r->cgroup[0] == '\0' || r->hook != NULL))
        return VC_STAGE_CGROUP;
    if (r->sched_core < -1)
        return VC_STAGE_SCHED_CORE;
    if (r->selinux_label != NULL && (r->selinux_label[0] == '\0' || strlen(r->selinux_label) > VC_ATTR_MAX))
        return VC_STAGE_SELINUX_LABEL;
    if (r->apparmor_profile != NULL &&
        (r->apparmor_profile[0] == '\0' || strlen(r->apparmor_profile) > VC_ATTR_MAX - sizeof "exec " + 1))
        return VC_STAGE_APPARMOR_PROFILE;
    if ((r->flags & VC_FLAG_TERMINAL) &&
        (!(r->flags & VC_FLAG_NEW_SESSION) || (r->flags & VC_FLAG_DAEMONIZE) || r->terminal_fd < 0))
        return VC_STAGE_TERMINAL;
    return VC_STAGE_NONE;
}

/* The fd plan: the moves src -> dst and the sorted keep list, in one
 * allocation the caller frees (the child cannot allocate, so the parent does
 * it for both); a->nkeep is a->nmap, with two spare slots for the report and
 * release pipes.  NULL without memory; a->max_target -1 when two fds go to one
 * child number. */
static int *plan_fds(struct child_args *a)
{
    const vc_spawn_request *req = a->req;
    int *plan;
    a->nmap = 3 + req->nfds;
    plan = malloc(sizeof(int) * ((size_t)a->nmap * 3 + 2));
    if (plan == NULL)
        return NULL;
    a->src = plan;
    a->dst = plan + a->nmap;
    a->keep = plan + 2 * a->nmap;
    a->nkeep = a->nmap;
    a->src[0] = req->stdin_fd;
    a->src[1] = req->stdout_fd;
    a->src[2] = req->stderr_fd;
    for (int i = 0; i < 3; i++)
        plan[a->nmap + i] = plan[2 * a->nmap + i] = i;
    for (int i = 0; i < req->nfds; i++) {
        a->src[3 + i] = req->fds[i].parent_fd;
        plan[a->nmap + 3 + i] = plan[2 * a->nmap + 3 + i] = req->fds[i].child_fd;
    }
    qsort(plan + 2 * a->nmap + 3, (size_t)req->nfds, sizeof(int), cmp_int);
    a->max_target = a->keep[a->nmap - 1];
    for (int i = 3; i < a->nmap - 1; i++)
        if (a->keep[i] == a->keep[i + 1])
            a->max_target = -1;
    return plan;
}

/* Moves *fd above floor (close-on-exec), so that the child's fd moves cannot
 * land on it.  Returns 0, or -1 with errno. */
static int lift(int *fd, int floor)
{
    int moved;
    if (*fd > floor)
        return 0;
    moved = fcntl(*fd, F_DUPFD_CLOEXEC, floor + 1);
    if (moved < 0)
        return -1;
    close(*fd);
    *fd = moved;
    return 0;
}

int vc_spawn(const vc_spawn_request *req, vc_spawn_result *res)
{
    struct child_args a = { .req = req, .shared = 0, .err_fd = -1, .release_fd = -1, .pidfile_fd = -1 };
    int pipefd[2] = { -1, -1 }, relfd[2] = { -1, -1 }, pidfd = -1, cgroup_fd = -1, stage, err, *plan = NULL;
    int32_t daemon_pid = 0, ready = 0;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    void *stack = NULL;
    struct report rec = { 0, VC_STAGE_NONE, 0 };
    const vc_sigset all = ~(vc_sigset)0;
    pid_t pid;

    if ((stage = check_request(req)) != VC_STAGE_NONE)
        return fail(res, stage, EINVAL);
    if (!pidfd_supported())
        return fail(res, VC_STAGE_FORK, ENOSYS);
    a.forked = (req->flags & FORK_FLAGS) != 0 || req->hook != NULL;
    a.close_fds = a.forked || (req->flags & VC_FLAG_DAEMONIZE) != 0;

    if ((plan = plan_fds(&a)) == NULL)
        return fail(res, VC_STAGE_FORK, ENOMEM);
    if (a.max_target < 0) {
        stage = VC_STAGE_PASS_FDS, err = EINVAL;
        goto out;
    }

    /* The report pipe (unless the shared record is known to suffice), and the
     * handshake's release pipe.  The child's ends must survive the fd moves,
     * so they have to live above every target: they are the last entries of
     * keep[]. */
    if (a.forked || !__atomic_load_n(&vfork_shares_memory, __ATOMIC_RELAXED)) {
        if (pipe2(pipefd, O_CLOEXEC) != 0 || lift(&pipefd[1], a.max_target) != 0) {
            stage = VC_STAGE_PIPE, err = errno;
            goto out;
        }
        a.err_fd = pipefd[1];
        plan[3 * a.nmap] = pipefd[1];
        a.nkeep = a.nmap + 1;
    }
    if (req->flags & VC_FLAG_HANDSHAKE) {
        if (pipe2(relfd, O_CLOEXEC) != 0 || lift(&relfd[0], a.max_target) != 0) {
            stage = VC_STAGE_PIPE, err = errno;
            goto out;
        }
        a.release_fd = relfd[0];
        plan[3 * a.nmap + (relfd[0] < pipefd[1] ? 0 : 1)] = relfd[0];
        plan[3 * a.nmap + (relfd[0] < pipefd[1] ? 1 : 0)] = pipefd[1];
        a.nkeep = a.nmap + 2;
    }

    if (!a.forked && (stack = stack_get(page)) == NULL) {
        stage = VC_STAGE_FORK, err = errno;
        goto out;
    }
    if (stack != NULL)
        a.stack_mid = (char *)stack + page + CHILD_STACK_SIZE / 2;

    /* The cgroup's directory, for clone3 (spawn_into_cgroup): O_PATH is all
     * CLONE_INTO_CGROUP needs, and a missing path fails here, before any child. */
    if (req->cgroup != NULL && (cgroup_fd = open(req->cgroup, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
        stage = VC_STAGE_CGROUP, err = errno;
        goto out;
    }

    /* Captured before the child exists, for its parent-death race check
     * (the only reader). */
    if (req->parent_death_signal != 0)
        a.parent_pid = getpid();

    /* Block everything in this thread so that the child starts with every
     * signal blocked (see child step 1).  The raw call with the full mask:
     * pthread_sigmask quietly keeps libc's internal signals unblocked (glibc
     * 32 and 33, musl 32 to 34), and their handlers must not run in a child
     * that shares our memory and thread descriptor.  The kernel ignores
     * SIGKILL and SIGSTOP in the mask. */
    (void)syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &a.old_mask, sizeof(vc_sigset));
    if (cgroup_fd >= 0) {
        pid = spawn_into_cgroup(&a, stack, page, cgroup_fd, &pidfd);
    } else if (a.forked) {
        pid = fork();
        if (pid == 0)
            child_main(&a);
    } else {
        /* No exit signal (0, not SIGCHLD): the child's exit raises no SIGCHLD
         * here, so it neither wakes the runtime's SIGCHLD handler nor can be
         * reaped by someone else's waitpid(-1) or a SIG_IGN disposition; the
         * pidfd still becomes readable, and our waitids pass __WALL to see
         * such a "clone" child. */
        pid = clone(child_main, (char *)stack + page + CHILD_STACK_SIZE,
                    CLONE_VM | CLONE_VFORK | CLONE_PIDFD, &a, &pidfd, NULL, NULL);
        if (pid < 0 && (errno == EINVAL || errno == ENOSYS))
            pid = spawn_vfork(&a);
    }
    err = errno;
    (void)syscall(SYS_rt_sigprocmask, SIG_SETMASK, &a.old_mask, NULL, sizeof(vc_sigset));

    if (pid < 0) {
        /* With a cgroup, clone3's refusals are the cgroup's (see the header),
         * but a shortage of processes or memory is still the fork's. */
        stage = cgroup_fd >= 0 && err != EAGAIN && err != ENOMEM ? VC_STAGE_CGROUP : VC_STAGE_FORK;
        goto out;
    }

    /* After fork or vfork (or a kernel that ignored CLONE_PIDFD) the child is
     * our unreaped child, so its pid cannot have been recycled yet - unless
     * SIGCHLD is SIG_IGN or someone calls waitpid(-1) (see the header). */
    if (pidfd < 0) {
        pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        err = errno;
    }

    /* The child's report (see the top of this file).  A child killed by a
     * signal before exec reports nothing: it counts as started, and the
     * caller reaps its signal status like any other. */
    if (pipefd[1] >= 0) {
        close(pipefd[1]);
        pipefd[1] = -1; /* ours must be closed, or EOF would never come */
    }
    if (relfd[0] >= 0) {
        close(relfd[0]);
        relfd[0] = -1;
    }
    if (a.shared) {
        rec = a.rec;
        daemon_pid = a.daemon_pid;
        if (!a.forked)
            __atomic_store_n(&vfork_shares_memory, 1, __ATOMIC_RELAXED);
    } else if (pipefd[0] >= 0) {
        if (read_reports(pipefd[0], &rec, &daemon_pid) == REPORT_READY)
            ready = 1;
    } else {
        /* Memory was not shared after all, and there was no pipe: the child's
         * outcome is unknown here (a failure shows as exit status 127).  Make
         * pipes again from now on. */
        __atomic_store_n(&vfork_shares_memory, 0, __ATOMIC_RELAXED);
    }
    if (rec.type == REPORT_FAILURE) {
        reap(pid, pidfd);
        stage = rec.stage, err = rec.value;
        goto out;
    }
    if (pidfd < 0) {
        /* Only when pidfd_open failed (e.g. EMFILE): the program runs (or
         * waits at the handshake) but we cannot hand out a pidfd for it. */
        kill(pid, SIGKILL);
        if (daemon_pid > 0)
            kill(daemon_pid, SIGKILL);
        reap(pid, -1);
        stage = VC_STAGE_FORK;
        goto out;
    }
    res->pid = pid;
    res->pidfd = pidfd;
    res->stage = VC_STAGE_NONE;
    res->error = 0;
    res->daemon_pid = daemon_pid;
    res->handshake_ready = ready;
    res->report_fd = -1;
    res->release_fd = -1;
    if (ready) {
        /* The caller releases the child with vc_handshake_release. */
        res->report_fd = pipefd[0];
        res->release_fd = relfd[1];
        pipefd[0] = relfd[1] = -1;
    }
    stage = VC_STAGE_NONE;

out:
    if (stack != NULL)
        stack_put(stack, page);
    if (cgroup_fd >= 0)
        close(cgroup_fd);
    for (int i = 0; i < 2; i++) {
        if (pipefd[i] >= 0)
            close(pipefd[i]);
        if (relfd[i] >= 0)
            close(relfd[i]);
    }
    free(plan);
    return stage == VC_STAGE_NONE ? 0 : fail(res, stage, err);
}

int vc_handshake_release(int release_fd, int report_fd, vc_spawn_result *res)
{
    struct report rec = { 0, VC_STAGE_NONE, 0 };
    int32_t daemon_pid = 0;
    char go = '1';
    ssize_t n;
    do
        n = write(release_fd, &go, 1);
    while (n < 0 && errno == EINTR);
    if (n != 1) {
        /* EPIPE: the child is gone (SIGPIPE is ignored in .NET processes). */
        res->stage = VC_STAGE_HANDSHAKE;
        res->error = n < 0 ? errno : EIO;
        return -1;
    }
    if (read_reports(report_fd, &rec, &daemon_pid) == REPORT_FAILURE) {
        res->stage = rec.stage;
        res->error = rec.value;
        return -1;
    }
    res->stage = VC_STAGE_NONE;
    res->error = 0;
    return 0;
}

/* ------------------------------------------------------- parked handshake -- */

/* One parked handshake (see the top): the request's copy and everything the
 * child reads, in memory that lives until both the run (the parked thread,
 * back from the clone once the child exec'd or exited) and the wait (the
 * caller) are done with it.  The request's strings and arrays are the
 * caller's, kept alive until vc_parked_run returns (see the header). */
struct vc_parked {
    struct child_args a; /* a.req points at req below */
    vc_spawn_request req;
    int *plan;
    void *stack;
    size_t page;
    int pipefd[2];       /* report pipe: [0] the wait's, [1] the child's end */
    int relfd[2];        /* release pipe: [0] the child's end, [1] the wait's */
    int cgroup_fd;       /* the run's, closed once the clone returned */
    int pidfd;           /* CLONE_PIDFD's slot: the kernel stores it before the child runs */
    pid_t pid;           /* the run's: clone's return */
    int clone_err;       /* the run's: errno of a clone that made no child */
    int ends_taken;      /* 0 until the run or the wait takes the child's ends to close them */
    int refs;            /* the run and the wait: the last one frees */
};

static void parked_put(vc_parked *p)
{
    if (__atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    for (int i = 0; i < 2; i++) {
        if (p->pipefd[i] >= 0)
            close(p->pipefd[i]);
        if (p->relfd[i] >= 0)
            close(p->relfd[i]);
    }
    free(p->plan);
    free(p);
}

/* Our copies of the child's pipe ends (the report pipe's write end, the
 * release pipe's read end) must close for the caller to see the child's EOF
 * and EPIPE as on the fork path.  They may close once the child has its own
 * fd table, that is once the clone happened: the wait closes them on the
 * child's first report (REPORT_PID), the run when the clone returns (a clone
 * that failed, or a child that died before reporting).  Whoever comes first;
 * the other never touches the numbers, which may be another fd's by then. */
static void parked_close_ends(vc_parked *p)
{
    int expected = 0;
    if (!__atomic_compare_exchange_n(&p->ends_taken, &expected, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return;
    close(p->pipefd[1]);
    close(p->relfd[0]);
    p->pipefd[1] = p->relfd[0] = -1;
}

int vc_parked_prepare(const vc_spawn_request *req, vc_spawn_result *res, vc_parked **out)
{
    vc_parked *p;
    struct child_args *a;
    int stage, err;

    *out = NULL;
    if ((stage = check_request(req)) != VC_STAGE_NONE)
        return fail(res, stage, EINVAL);
    if (!(req->flags & VC_FLAG_HANDSHAKE) || (req->flags & VC_FLAG_DAEMONIZE) || req->hook != NULL)
        return fail(res, VC_STAGE_HANDSHAKE, EINVAL);
    if (!pidfd_supported())
        return fail(res, VC_STAGE_FORK, ENOSYS);
    if ((p = calloc(1, sizeof *p)) == NULL)
        return fail(res, VC_STAGE_FORK, ENOMEM);
    p->req = *req;
    p->pipefd[0] = p->pipefd[1] = p->relfd[0] = p->relfd[1] = p->cgroup_fd = p->pidfd = -1;
    p->pid = -1;
    p->refs = 2;
    a = &p->a;
    a->req = &p->req;
    a->err_fd = a->release_fd = a->pidfile_fd = -1;
    /* Not forked: the child shares our memory.  But it closes the other fds
     * (step 6) rather than marking them, as the fork path does: it may wait
     * at the handshake for as long as the caller likes, and must not hold
     * meanwhile the parent's pipes (another child's output, our own release
     * pipe's write end, whose EOF cancels it). */
    a->close_fds = 1;
    a->parked = 1;
    p->page = (size_t)sysconf(_SC_PAGESIZE);

    if ((p->plan = plan_fds(a)) == NULL) {
        stage = VC_STAGE_FORK, err = ENOMEM;
        goto out;
    }
    if (a->max_target < 0) {
        stage = VC_STAGE_PASS_FDS, err = EINVAL;
        goto out;
    }
    /* Both pipes always: the pipe is the only report channel here (the
     * caller reads it while the run still sleeps in the clone).  The child's
     * ends above every target, the last entries of keep[] (as vc_spawn). */
    if (pipe2(p->pipefd, O_CLOEXEC) != 0 || lift(&p->pipefd[1], a->max_target) != 0 ||
        pipe2(p->relfd, O_CLOEXEC) != 0 || lift(&p->relfd[0], a->max_target) != 0) {
        stage = VC_STAGE_PIPE, err = errno;
        goto out;
    }
    a->err_fd = p->pipefd[1];
    a->release_fd = p->relfd[0];
    p->plan[3 * a->nmap + (p->relfd[0] < p->pipefd[1] ? 0 : 1)] = p->relfd[0];
    p->plan[3 * a->nmap + (p->relfd[0] < p->pipefd[1] ? 1 : 0)] = p->pipefd[1];
    a->nkeep = a->nmap + 2;
    if ((p->stack = stack_get(p->page)) == NULL) {
        stage = VC_STAGE_FORK, err = errno;
        goto out;
    }
    if (req->cgroup != NULL && (p->cgroup_fd = open(req->cgroup, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
        stage = VC_STAGE_CGROUP, err = errno;
        goto out;
    }
    if (req->parent_death_signal != 0)
        a->parent_pid = getpid();
    /* The caller's signal mask, for the child's step 1 (the program starts
     * with its spawner's mask, not the parked thread's). */
    (void)syscall(SYS_rt_sigprocmask, SIG_SETMASK, NULL, &a->old_mask, sizeof(vc_sigset));
    *out = p;
    return 0;

out:
    if (p->stack != NULL)
        stack_put(p->stack, p->page);
    if (p->cgroup_fd >= 0)
        close(p->cgroup_fd);
    p->refs = 1;
    parked_put(p);
    return fail(res, stage, err);
}

void vc_parked_run(vc_parked *p)
{
    const vc_sigset all = ~(vc_sigset)0;
    vc_sigset saved;
    pid_t pid;
    int err;

    /* As vc_spawn: every signal blocked in this thread, so that the child
     * starts with all blocked (child step 1).  This thread's own mask comes
     * back after the clone; the child takes the caller's (prepare). */
    (void)syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &saved, sizeof(vc_sigset));
    if (p->cgroup_fd >= 0) {
        pid = spawn_into_cgroup(&p->a, p->stack, p->page, p->cgroup_fd, &p->pidfd);
    } else {
        /* No exit signal, as vc_spawn's clone.  The kernel stores the pidfd
         * in p->pidfd before the child runs, so the wait finds it there once
         * the child has reported. */
        pid = clone(child_main, (char *)p->stack + p->page + CHILD_STACK_SIZE,
                    CLONE_VM | CLONE_VFORK | CLONE_PIDFD, &p->a, &p->pidfd, NULL, NULL);
        if (pid < 0 && (errno == EINVAL || errno == ENOSYS))
            pid = spawn_vfork(&p->a);
    }
    err = errno;
    (void)syscall(SYS_rt_sigprocmask, SIG_SETMASK, &saved, NULL, sizeof(vc_sigset));

    /* Here the child has exec'd or exited (or, where vfork is emulated by a
     * plain fork, runs on in its own copy of memory): nothing of ours is in
     * its use any more. */
    p->clone_err = pid < 0 ? err : 0;
    __atomic_store_n(&p->pid, pid, __ATOMIC_RELEASE);
    if (p->cgroup_fd >= 0) {
        close(p->cgroup_fd);
        p->cgroup_fd = -1;
    }
    stack_put(p->stack, p->page);
    p->stack = NULL;
    parked_close_ends(p); /* after the stores above: the wait reads them at EOF */
    parked_put(p);
}

int vc_parked_wait(vc_parked *p, vc_spawn_result *res)
{
    struct report rec = { 0, VC_STAGE_NONE, 0 };
    pid_t pid = -1;
    int pidfd, stage = VC_STAGE_NONE, err = 0, ready = 0;

    /* The child's reports: its pid first, then READY, or a failure, or EOF
     * (the child died before reporting it reached the handshake, or the clone
     * failed: then the run closed our copies of the child's ends, after
     * storing pid and clone_err). */
    for (;;) {
        struct report r;
        ssize_t n;
        do
            n = read(p->pipefd[0], &r, sizeof r);
        while (n < 0 && errno == EINTR);
        if (n != (ssize_t)sizeof r)
            break;
        if (r.type == REPORT_PID) {
            pid = r.value;
            parked_close_ends(p);
            continue;
        }
        rec = r;
        break;
    }
    if (pid < 0) {
        pid = __atomic_load_n(&p->pid, __ATOMIC_ACQUIRE);
        if (pid < 0) {
            err = p->clone_err;
            /* As vc_spawn: with a cgroup, clone3's refusals are the cgroup's. */
            stage = p->req.cgroup != NULL && err != EAGAIN && err != ENOMEM ? VC_STAGE_CGROUP : VC_STAGE_FORK;
            goto out;
        }
    }
    /* The kernel's CLONE_PIDFD store came before the child ran, so before its
     * first report.  Without one (the vfork fallback) the child is our
     * unreaped child, and its pid cannot have been recycled (vc_spawn). */
    pidfd = __atomic_load_n(&p->pidfd, __ATOMIC_ACQUIRE);
    if (pidfd < 0)
        pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    err = errno;
    if (rec.type == REPORT_FAILURE) {
        reap(pid, pidfd);
        stage = rec.stage, err = rec.value;
        goto out;
    }
    if (pidfd < 0) {
        kill(pid, SIGKILL);
        reap(pid, -1);
        stage = VC_STAGE_FORK;
        goto out;
    }
    ready = rec.type == REPORT_READY;
    res->pid = pid;
    res->pidfd = pidfd;
    res->stage = VC_STAGE_NONE;
    res->error = 0;
    res->daemon_pid = 0;
    res->handshake_ready = ready;
    res->report_fd = -1;
    res->release_fd = -1;
    if (ready) {
        res->report_fd = p->pipefd[0];
        res->release_fd = p->relfd[1];
        p->pipefd[0] = p->relfd[1] = -1;
    }

out:
    if (p->pipefd[0] >= 0) {
        close(p->pipefd[0]);
        p->pipefd[0] = -1;
    }
    if (p->relfd[1] >= 0) {
        close(p->relfd[1]);
        p->relfd[1] = -1;
    }
    parked_put(p);
    return stage == VC_STAGE_NONE ? 0 : fail(res, stage, err);
}

int vc_user_groups(uint32_t uid, uint32_t extra_gid, uint32_t *primary_gid, uint32_t *groups, int32_t *ngroups)
{
    struct passwd pw, *found = NULL;
    long size = sysconf(_SC_GETPW_R_SIZE_MAX);
    char *buf = NULL;
    int rc, room = *ngroups, count;
    if (size <= 0)
        size = 16384;
    for (;;) {
        if ((buf = malloc((size_t)size)) == NULL)
            return -1;
        rc = getpwuid_r((uid_t)uid, &pw, buf, (size_t)size, &found);
        if (rc != ERANGE || size >= (1L << 24))
            break;
        free(buf);
        size *= 2;
    }
    if (rc != 0 || found == NULL) {
        free(buf);
        *ngroups = 0;
        if (rc == 0 || rc == ENOENT || rc == ESRCH || rc == EBADF || rc == EPERM)
            return 0; /* no such user (the errnos getpwuid_r(3) lists for "not found") */
        errno = rc;
        return -1;
    }
    *primary_gid = pw.pw_gid;
    count = room;
    if (getgrouplist(pw.pw_name, pw.pw_gid, (gid_t *)groups, &count) < 0) {
        /* Too little room: count is what getgrouplist needs; one more for extra_gid. */
        free(buf);
        *ngroups = count + 1;
        return 1;
    }
    free(buf);
    if (extra_gid != (uint32_t)-1) {
        int present = 0;
        for (int i = 0; i < count; i++)
            present |= groups[i] == extra_gid;
        if (!present) {
            if (count < room)
                groups[count] = extra_gid;
            count++;
        }
    }
    *ngroups = count;
    return 1;
}

int vc_try_reap(int pidfd, int32_t *raw_status)
{
    siginfo_t si = { 0 };
    if (waitid(VC_P_PIDFD, (id_t)pidfd, &si, WEXITED | WNOHANG | __WALL) != 0)
        return -1;
    if (si.si_pid == 0)
        return 0; /* WNOHANG and still running */
    if (si.si_code == CLD_EXITED)
        *raw_status = (si.si_status & 0xff) << 8;
    else /* CLD_KILLED or CLD_DUMPED */
        *raw_status = si.si_status | (si.si_code == CLD_DUMPED ? 0x80 : 0);
    return 1;
}

int vc_pty_open(uint16_t columns, uint16_t rows, int32_t *master, int32_t *slave)
{
    int unlock = 0, m, s, err;
    m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    if (m < 0)
        return -1;
    if (ioctl(m, TIOCSPTLCK, &unlock) != 0 || vc_pty_resize(m, columns, rows) != 0 ||
        (s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
        err = errno;
        close(m);
        errno = err;
        return -1;
    }
    *master = m;
    *slave = s;
    return 0;
}

int vc_pty_resize(int master, uint16_t columns, uint16_t rows)
{
    struct winsize ws = { .ws_row = rows, .ws_col = columns };
    return ioctl(master, TIOCSWINSZ, &ws);
}

int vc_pty_control_chars(int master, uint8_t *eof, uint8_t *intr)
{
    struct termios t;
    if (tcgetattr(master, &t) != 0)
        return -1;
    *eof = t.c_cc[VEOF];
    *intr = t.c_cc[VINTR];
    return 0;
}

int vc_signal(int pidfd, int sig)
{
    return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

/* ------------------------------------------------------------------ exec -- */

/* 0 when a read of the LSM attribute file at path works, else -1 with errno:
 * a kernel without that LSM refuses the read as it would the write. */
static int lsm_answers(const char *path)
{
    char c;
    int fd = open(path, O_RDONLY | O_CLOEXEC), err;
    if (fd < 0)
        return -1;
    err = read(fd, &c, 1) < 0 ? errno : 0;
    close(fd);
    errno = err;
    return err == 0 ? 0 : -1;
}

/* What vc_exec refuses or can tell will fail, checked without changing the
 * process: VC_STAGE_NONE, or the stage with *err set. */
static int exec_preflight(const vc_spawn_request *req, int *err)
{
    unsigned long cookie;
    int fd;
    *err = EINVAL;
    /* What needs a parent to run it, or a child to make. */
    if (req->flags & VC_FLAG_DAEMONIZE)
        return VC_STAGE_DAEMONIZE;
    if (req->flags & VC_FLAG_HANDSHAKE)
        return VC_STAGE_HANDSHAKE;
    if (req->hook != NULL)
        return VC_STAGE_HOOK;
    if (req->cgroup != NULL)
        return VC_STAGE_CGROUP;
    *err = EBADF;
    if (fcntl(req->stdin_fd, F_GETFD) < 0 || fcntl(req->stdout_fd, F_GETFD) < 0 || fcntl(req->stderr_fd, F_GETFD) < 0)
        return VC_STAGE_STDIO;
    for (int i = 0; i < req->nfds; i++)
        if (fcntl(req->fds[i].parent_fd, F_GETFD) < 0)
            return VC_STAGE_PASS_FDS;
    /* setsid refuses a process group leader, setpgid a session leader. */
    *err = EPERM;
    if ((req->flags & VC_FLAG_NEW_SESSION) && getpgid(0) == getpid())
        return VC_STAGE_SESSION;
    if ((req->flags & (VC_FLAG_NEW_SESSION | VC_FLAG_NEW_PROCESS_GROUP)) == VC_FLAG_NEW_PROCESS_GROUP && getsid(0) == getpid())
        return VC_STAGE_SESSION;
    if (req->sched_core != 0 && prctl(VC_PR_SCHED_CORE, 0UL, 0UL, 0UL, &cookie) != 0)
        return *err = errno, VC_STAGE_SCHED_CORE;
    if (req->cwd != NULL) {
        if ((fd = open(req->cwd, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
            return *err = errno, VC_STAGE_CHDIR;
        close(fd);
    }
    if (req->selinux_label != NULL && lsm_answers("/proc/thread-self/attr/current") != 0)
        return *err = errno, VC_STAGE_SELINUX_LABEL;
    if (req->apparmor_profile != NULL && lsm_answers("/proc/thread-self/attr/apparmor/current") != 0 &&
        (errno != ENOENT || lsm_answers("/proc/thread-self/attr/current") != 0))
        return *err = errno, VC_STAGE_APPARMOR_PROFILE;
    if (access(req->path, X_OK) != 0)
        return *err = errno, VC_STAGE_EXEC;
    return VC_STAGE_NONE;
}

int vc_exec(const vc_spawn_request *req, vc_spawn_result *res)
{
    struct child_args a = { .req = req, .err_fd = -1, .release_fd = -1, .pidfile_fd = -1, .replacing = 1 };
    const vc_sigset all = ~(vc_sigset)0;
    int stage, err, *plan;

    if ((stage = check_request(req)) != VC_STAGE_NONE)
        return fail(res, stage, EINVAL);
    if ((stage = exec_preflight(req, &err)) != VC_STAGE_NONE)
        return fail(res, stage, err);
    if ((plan = plan_fds(&a)) == NULL)
        return fail(res, VC_STAGE_FORK, ENOMEM);
    if (a.max_target < 0) {
        free(plan);
        return fail(res, VC_STAGE_PASS_FDS, EINVAL);
    }
    /* The parent-death signal's race check compares with our own parent. */
    a.parent_pid = getppid();
    /* This thread takes no signal from here on; step 1 gives back its mask. */
    (void)syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &a.old_mask, sizeof(vc_sigset));
    child_main(&a);
}
