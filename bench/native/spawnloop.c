/*
 * spawnloop.c - the "raw C loop" baseline of the VirCommand benchmarks.
 *
 * Does N x (vfork + execve(PROGRAM) + waitpid) as plainly as C allows and
 * prints what it measured on one line:
 *
 *   n=N total_ns=T median_ns=M min_ns=L
 *
 * and with -a, then every spawn's time in ns, one per line, in order.
 *
 * With -s (serve), it stays up and runs batches on request: it reads a count
 * per line on stdin, answers each as with -a, and exits at end of input.  The
 * benchmark uses it so: one long-lived, warm helper process per configuration
 * (a fresh process's first ~60 spawns are 10-15% slower here).
 *
 * Each spawn is timed on its own (CLOCK_MONOTONIC, from just before vfork to
 * just after waitpid returned), so that the comparison program can report
 * the same statistic (median per spawn) for every contender.  Starting this
 * helper and loading it is outside the measured loop.
 *
 * Usage: spawnloop [-a] [-s] [-n N] [-w WARMUP] [-f EXTRA_FDS] [PROGRAM]
 *   (default: -n 1000 -w 0 /bin/true)
 *   -w runs WARMUP untimed spawns first.
 *   -f opens /dev/null EXTRA_FDS times (close-on-exec, as .NET opens files)
 *      before the loop, to measure what a big fd table costs the kernel.  They
 *      are placed from fd EXTRA_FDS_BASE up, as the benchmark places its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* Where the extra fds go: above the process's own fds, leaving the numbers
 * below free for anything opened meanwhile (see SpawnTrueManyFds.cs). */
#define EXTRA_FDS_BASE 1024

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

/* Kept in its own small function so that vfork's returns-twice semantics
 * cannot clobber main's locals. */
static __attribute__((noinline)) pid_t spawn(const char *program, char *const argv[])
{
    pid_t pid = vfork();
    if (pid == 0) {
        execve(program, argv, environ);
        _exit(127);
    }
    return pid;
}

static void usage(void)
{
    fprintf(stderr, "usage: spawnloop [-a] [-s] [-n N] [-w WARMUP] [-f EXTRA_FDS] [PROGRAM]\n");
    exit(2);
}

/* Times n spawns of program into samples[]; returns 0, or 1 after printing why. */
static int run_batch(const char *program, long n, int64_t *samples)
{
    char *const child_argv[] = { (char *)program, NULL };
    for (long i = 0; i < n; i++) {
        int status;
        int64_t start = now_ns();
        pid_t pid = spawn(program, child_argv);
        if (pid < 0) {
            perror("spawnloop: vfork");
            return 1;
        }
        while (waitpid(pid, &status, 0) < 0) {
            if (errno != EINTR) {
                perror("spawnloop: waitpid");
                return 1;
            }
        }
        int64_t elapsed = now_ns() - start;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "spawnloop: %s failed (status 0x%x)\n", program, status);
            return 1;
        }
        samples[i] = elapsed;
    }
    return 0;
}

/* Prints the summary line and, with all, every sample. */
static int report(long n, const int64_t *samples, int all)
{
    int64_t total = 0, *sorted = malloc(sizeof *sorted * (size_t)n);
    if (sorted == NULL) {
        perror("spawnloop: malloc");
        return 1;
    }
    for (long i = 0; i < n; i++)
        total += samples[i];
    memcpy(sorted, samples, sizeof *sorted * (size_t)n);
    qsort(sorted, (size_t)n, sizeof *sorted, cmp_i64);
    int64_t median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    printf("n=%ld total_ns=%lld median_ns=%lld min_ns=%lld\n", n, (long long)total, (long long)median, (long long)sorted[0]);
    if (all)
        for (long i = 0; i < n; i++)
            printf("%lld\n", (long long)samples[i]);
    fflush(stdout);
    free(sorted);
    return 0;
}

int main(int argc, char **argv)
{
    long n = 1000, extra = 0, warmup = 0;
    int all = 0, serve = 0;
    const char *program = "/bin/true";
    int opt;

    while ((opt = getopt(argc, argv, "asn:w:f:")) != -1) {
        switch (opt) {
        case 'a': all = 1; break;
        case 's': serve = 1; break;
        case 'n': n = strtol(optarg, NULL, 10); break;
        case 'w': warmup = strtol(optarg, NULL, 10); break;
        case 'f': extra = strtol(optarg, NULL, 10); break;
        default: usage();
        }
    }
    if (optind < argc)
        program = argv[optind++];
    if (optind != argc || n <= 0 || extra < 0 || warmup < 0)
        usage();

    if (extra > 0) {
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
            rl.rlim_cur = rl.rlim_max;
            (void)setrlimit(RLIMIT_NOFILE, &rl);
        }
        for (long i = 0; i < extra; i++) {
            int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
            int high = fd < 0 ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, EXTRA_FDS_BASE);
            if (high < 0) {
                fprintf(stderr, "spawnloop: open /dev/null #%ld: %s\n", i, strerror(errno));
                return 1;
            }
            close(fd);
        }
    }

    if (warmup > 0) {
        int64_t *scratch = malloc(sizeof *scratch * (size_t)warmup);
        if (scratch == NULL || run_batch(program, warmup, scratch) != 0)
            return 1;
        free(scratch);
    }

    if (!serve) {
        int64_t *samples = malloc(sizeof *samples * (size_t)n);
        if (samples == NULL) {
            perror("spawnloop: malloc");
            return 1;
        }
        if (run_batch(program, n, samples) != 0 || report(n, samples, all) != 0)
            return 1;
        free(samples);
        return 0;
    }

    char line[64];
    while (fgets(line, sizeof line, stdin) != NULL) {
        long count = strtol(line, NULL, 10);
        if (count <= 0) {
            fprintf(stderr, "spawnloop: bad batch size '%s'\n", line);
            return 2;
        }
        int64_t *samples = malloc(sizeof *samples * (size_t)count);
        if (samples == NULL) {
            perror("spawnloop: malloc");
            return 1;
        }
        if (run_batch(program, count, samples) != 0 || report(count, samples, 1) != 0)
            return 1;
        free(samples);
    }
    return 0;
}
