/*
 * replay.c - run the fuzz target's code path (exercise.c) over files, in
 * ordinary test runs, with a memory limit.
 *
 *   hlfz_replay [--mem-base MB] [--mem-per-byte N] [--no-limit] [-v] PATH...
 *
 * PATH is a file or a directory (its files, not recursively, in name
 * order; hidden files, names ending in .expect, .tsv, .md or .txt and the
 * indexes heaplens writes next to dumps, .hlidx, are skipped).  Each file
 * runs in a child process that first caps its address space (RLIMIT_AS)
 * at what it uses already plus MB megabytes (default 8) plus N bytes
 * (default 64) per byte of dump, a gzip'd file counted at the deflate
 * limit of 1032 inflated bytes per byte: a 1 KiB file gets about 8 MiB,
 * whatever its fields claim.  An allocation past the cap fails, the
 * library reports "out of memory", and the file fails.  Under
 * AddressSanitizer, which reserves terabytes of address space, the limit
 * is skipped.  A child that crashes, runs longer than 60 s, reports a
 * failed query or exits with another status than it meant to (a
 * sanitizer's report, a leak found at exit) fails its file too.
 *
 * One line per file: ok or FAIL and the name; a failure (and with -v any
 * file) adds the status of hl_open without and with --strict, objects,
 * dangling references, bytes lost to truncation and the first line of the
 * message, -v the peak resident memory (kB) too.
 * Exit status 0 when every file passed, 1 otherwise, 2 on bad usage.
 */
#include "exercise.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define HLFZ_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HLFZ_ASAN 1
#endif
#endif
#ifndef HLFZ_ASAN
#define HLFZ_ASAN 0
#endif

struct opts {
	uint64_t base_mb, per_byte;
	int limit, verbose;
};

/* A field of /proc/self/status in kB, 0 when unknown. */
static uint64_t proc_kb(const char *key)
{
	char line[256];
	uint64_t v = 0;
	size_t n = strlen(key);
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':') {
			v = strtoull(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static int is_gzip(const char *path)
{
	unsigned char m[2] = { 0, 0 };
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return 0;
	n = fread(m, 1, 2, f);
	fclose(f);
	return n == 2 && m[0] == 0x1f && m[1] == 0x8b;
}

/* The address-space budget of one file, in bytes. */
static uint64_t budget(const struct opts *o, const char *path)
{
	struct stat sb;
	uint64_t size = stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;

	if (is_gzip(path))
		size *= 1032;
	return (o->base_mb << 20) + o->per_byte * size;
}

static void first_line(char *s)
{
	char *nl = strchr(s, '\n');

	if (nl)
		*nl = '\0';
}

/* In the child: cap memory, run, report; the exit status says how it went. */
static int child(const struct opts *o, const char *path, int fd)
{
	struct hlfz_result r;
	char line[1400];
	int code = 0, n;

	if (o->limit && !HLFZ_ASAN) {
		struct rlimit rl;
		uint64_t cap = proc_kb("VmSize") * 1024 + budget(o, path);

		rl.rlim_cur = rl.rlim_max = (rlim_t)cap;
		if (setrlimit(RLIMIT_AS, &rl) != 0) {
			perror("setrlimit");
			return 3;
		}
	}
	alarm(60);
	hlfz_exercise(path, NULL, &r);
	if (r.open_status == HL_E_NOMEM || r.strict_status == HL_E_NOMEM ||
	    r.worst == HL_E_NOMEM)
		code = 2;
	else if (r.worst != HL_OK)
		code = 1;
	first_line(r.message);
	first_line(r.strict_message);
	n = snprintf(line, sizeof(line),
		     "%d open %d strict %d objects %llu dangling %llu lost %llu%s%s%s%s: %s",
		     code, (int)r.open_status, (int)r.strict_status,
		     (unsigned long long)r.objects,
		     (unsigned long long)r.dangling_refs,
		     (unsigned long long)r.truncated_bytes,
		     r.worst != HL_OK ? "; " : "",
		     r.worst != HL_OK ? r.worst_call : "",
		     r.worst != HL_OK ? " -> " : "",
		     r.worst != HL_OK ? hl_strerror(r.worst) : "",
		     r.message[0] ? r.message : r.strict_message);
	if (n > 0 && write(fd, line, (size_t)n < sizeof(line) ? (size_t)n
					     : sizeof(line) - 1) < 0)
		code = 3;
	return code;
}

/* Run one file in a child; returns 0 when it passed. */
static int replay_one(const struct opts *o, const char *path)
{
	char msg[1400] = "";
	int p[2], status = 0;
	struct rusage ru;
	pid_t pid;
	ssize_t n, got = 0;

	fflush(stdout);
	if (pipe(p) != 0) {
		perror("pipe");
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		close(p[0]);
		/* exit, not _exit: LeakSanitizer checks at exit */
		exit(child(o, path, p[1]));
	}
	close(p[1]);
	while ((n = read(p[0], msg + got, sizeof(msg) - 1 - (size_t)got)) > 0)
		got += n;
	msg[got] = '\0';
	close(p[0]);
	memset(&ru, 0, sizeof(ru));
	while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status)) {
		printf("FAIL %s: killed by signal %d%s\n", path, WTERMSIG(status),
		       WTERMSIG(status) == SIGALRM ? " (more than 60 s)" : "");
		return 1;
	}
	/* The report starts with the status the child meant to exit with; any
	 * other status is a sanitizer's (a leak found at exit, say). */
	if (!msg[0] || WEXITSTATUS(status) != msg[0] - '0') {
		printf("FAIL %s: exited with status %d%s (a sanitizer's report?)\n",
		       path, WEXITSTATUS(status), msg[0] ? "" : " before reporting");
		return 1;
	}
	if (WEXITSTATUS(status) != 0) {
		printf("FAIL %s: %s%s\n", path,
		       WEXITSTATUS(status) == 2 ? "out of memory under the limit; " :
		       WEXITSTATUS(status) == 1 ? "a query failed; " : "",
		       msg + 2);
		return 1;
	}
	if (o->verbose)
		printf("ok   %s: rss %ld kB, %s\n", path, ru.ru_maxrss, msg + 2);
	else
		printf("ok   %s\n", path);
	return 0;
}

static int skip_name(const char *name)
{
	static const char *const ext[] = { ".expect", ".tsv", ".md", ".txt",
					   ".hlidx" };
	size_t n = strlen(name), i;

	if (name[0] == '.' || strstr(name, ".hlidx.tmp."))
		return 1; /* hidden, or an index heaplens is writing */
	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		size_t k = strlen(ext[i]);

		if (n >= k && !strcmp(name + n - k, ext[i]))
			return 1;
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every file of a directory, in name order. */
static int replay_dir(const struct opts *o, const char *dir, unsigned *files)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int fails = 0;

	if (!d) {
		printf("FAIL %s: cannot open: %s\n", dir, strerror(errno));
		return 1;
	}
	while ((e = readdir(d)) != NULL) {
		if (skip_name(e->d_name))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			names = realloc(names, cap * sizeof(*names));
			if (!names)
				abort();
		}
		names[n] = malloc(strlen(dir) + strlen(e->d_name) + 2);
		if (!names[n])
			abort();
		sprintf(names[n++], "%s/%s", dir, e->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		struct stat sb;

		if (stat(names[i], &sb) == 0 && S_ISREG(sb.st_mode)) {
			fails += replay_one(o, names[i]);
			(*files)++;
		}
		free(names[i]);
	}
	free(names);
	return fails;
}

static int usage(void)
{
	fputs("usage: hlfz_replay [--mem-base MB] [--mem-per-byte N] [--no-limit] [-v] PATH...\n",
	      stderr);
	return 2;
}

int main(int argc, char **argv)
{
	struct opts o = { 8, 64, 1, 0 };
	unsigned files = 0;
	int i, fails = 0, paths = 0;

	for (i = 1; i < argc; i++) {
		struct stat sb;

		if (!strcmp(argv[i], "--mem-base") && i + 1 < argc) {
			o.base_mb = strtoull(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--mem-per-byte") && i + 1 < argc) {
			o.per_byte = strtoull(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--no-limit")) {
			o.limit = 0;
		} else if (!strcmp(argv[i], "-v")) {
			o.verbose = 1;
		} else if (argv[i][0] == '-') {
			return usage();
		} else if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
			fails += replay_dir(&o, argv[i], &files);
			paths++;
		} else {
			fails += replay_one(&o, argv[i]);
			files++;
			paths++;
		}
	}
	if (!paths)
		return usage();
	if (o.limit && HLFZ_ASAN)
		printf("note: built with AddressSanitizer: no memory limit\n");
	printf("replay: %u files, %d failed\n", files, fails);
	return fails ? 1 : 0;
}
