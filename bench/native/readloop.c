/*
 * readloop.c - the "raw C read loop" baseline of the VirCommand throughput
 * benchmark (P3).
 *
 * N times: makes a pipe, spawns WRITER MIB (vfork + execve, the pipe's write
 * end as its stdout), reads the pipe to end-of-file in a tight blocking read(2)
 * loop into one 1 MiB buffer, discarding what it read, and reaps the writer.
 * It checks that exactly MIB MiB arrived and the writer exited 0.
 *
 * With -c it captures instead: it reads into a buffer that starts at 64 KiB
 * and doubles with realloc(3) when full (glibc moves a large block with
 * mremap, without copying), as a C program that does not know the size in
 * advance would, and frees it after the run, outside its timing (the .NET
 * captures' arrays outlive their timing too).  This is what a capture costs
 * the kernel: every page of fresh memory is faulted in once.
 *
 * Each run is timed on its own (CLOCK_MONOTONIC, from just before pipe2 to
 * just after waitpid), as the .NET contenders time theirs, and printed:
 *
 *   n=N total_ns=T median_ns=M min_ns=L
 *
 * then each run's ns, one per line, in order.  By default the pipe keeps the
 * kernel's default size, as a plain C program would; -p sets it with
 * F_SETPIPE_SZ, to see what a bigger pipe is worth.
 *
 * Usage: readloop [-c] [-n N] [-p PIPE_BYTES] WRITER MIB
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* The discarding read buffer, as the .NET stream contenders' one. */
#define BUFFER (1024 * 1024)

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

/* In its own function so that vfork's returns-twice semantics cannot clobber
 * main's locals.  The child only dup2s and execs. */
static __attribute__((noinline)) pid_t spawn(int out, char *const argv[])
{
    pid_t pid = vfork();
    if (pid == 0) {
        if (dup2(out, STDOUT_FILENO) < 0)
            _exit(126);
        execve(argv[0], argv, environ);
        _exit(127);
    }
    return pid;
}

/* Reads fd to end-of-file: into buffer (BUFFER bytes, reused) when discarding,
 * else (captured not NULL) into a growing capture, which it hands back in
 * *captured for the caller to free once the run is timed; returns the byte
 * count, or -1. */
static long long read_all(int fd, char *buffer, char **captured)
{
    size_t capacity = 64 * 1024, length = 0;
    if (captured != NULL && (*captured = malloc(capacity)) == NULL)
        return -1;
    long long total = 0;
    for (;;) {
        if (captured != NULL && length == capacity) {
            char *bigger = realloc(*captured, capacity * 2);
            if (bigger == NULL)
                return -1;
            *captured = bigger;
            capacity *= 2;
        }
        ssize_t n = captured != NULL ? read(fd, *captured + length, capacity - length) : read(fd, buffer, BUFFER);
        if (n > 0) {
            total += n;
            length += captured != NULL ? (size_t)n : 0;
            continue;
        }
        if (n == 0)
            return total;
        if (errno != EINTR) {
            perror("readloop: read");
            return -1;
        }
    }
}

/* One run; returns its ns, or -1 after printing why. */
static int64_t run_once(char *const argv[], long long expected, char *buffer, int pipe_size, int capture)
{
    int fds[2], status;
    int64_t start = now_ns();
    if (pipe2(fds, O_CLOEXEC) < 0) {
        perror("readloop: pipe2");
        return -1;
    }
    if (pipe_size > 0 && fcntl(fds[0], F_SETPIPE_SZ, pipe_size) < 0) {
        perror("readloop: F_SETPIPE_SZ");
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    pid_t pid = spawn(fds[1], argv);
    close(fds[1]);
    if (pid < 0) {
        perror("readloop: vfork");
        close(fds[0]);
        return -1;
    }
    char *captured = NULL;
    long long total = read_all(fds[0], buffer, capture ? &captured : NULL);
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            perror("readloop: waitpid");
            return -1;
        }
    }
    int64_t elapsed = now_ns() - start;
    free(captured);   /* after the timing, as the .NET captures' arrays are collected later */
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || total != expected) {
        fprintf(stderr, "readloop: %s: status 0x%x, read %lld of %lld bytes\n", argv[0], status, total, expected);
        return -1;
    }
    return elapsed;
}

static void usage(void)
{
    fprintf(stderr, "usage: readloop [-c] [-n N] [-p PIPE_BYTES] WRITER MIB\n");
    exit(2);
}

int main(int argc, char **argv)
{
    long n = 1, pipe_size = 0;
    int opt, capture = 0;
    while ((opt = getopt(argc, argv, "cn:p:")) != -1) {
        switch (opt) {
        case 'c': capture = 1; break;
        case 'n': n = strtol(optarg, NULL, 10); break;
        case 'p': pipe_size = strtol(optarg, NULL, 10); break;
        default: usage();
        }
    }
    if (optind + 2 != argc || n <= 0 || pipe_size < 0 || pipe_size > 1 << 30)
        usage();
    char *writer = argv[optind];
    char *mib = argv[optind + 1];
    long long expected = strtoll(mib, NULL, 10) * 1024 * 1024;
    char *const child_argv[] = { writer, mib, NULL };

    char *buffer = malloc(BUFFER);
    int64_t *samples = malloc(sizeof *samples * (size_t)n);
    int64_t *sorted = malloc(sizeof *sorted * (size_t)n);
    if (buffer == NULL || samples == NULL || sorted == NULL) {
        perror("readloop: malloc");
        return 1;
    }
    int64_t total = 0;
    for (long i = 0; i < n; i++) {
        samples[i] = run_once(child_argv, expected, buffer, (int)pipe_size, capture);
        if (samples[i] < 0)
            return 1;
        total += samples[i];
    }
    memcpy(sorted, samples, sizeof *sorted * (size_t)n);
    qsort(sorted, (size_t)n, sizeof *sorted, cmp_i64);
    int64_t median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    printf("n=%ld total_ns=%lld median_ns=%lld min_ns=%lld\n", n, (long long)total, (long long)median, (long long)sorted[0]);
    for (long i = 0; i < n; i++)
        printf("%lld\n", (long long)samples[i]);
    return 0;
}
