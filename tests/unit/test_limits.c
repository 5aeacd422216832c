/*
 * test_limits.c: the CPUs and memory a process may use (src/util/limits.c)
 * under cgroup v2, v1 and both at once, read from made-up /proc/self/cgroup
 * files and cgroup trees in a temporary directory.
 *
 * Why: on a server the dump is often analysed in a container or a systemd
 * slice whose CPU quota or memory limit is far below the machine's; the
 * default thread count and the page-dropping threshold must follow the
 * tightest limit on the way from the process's cgroup to the root, or a
 * 2-CPU container on a 64-CPU host runs 64 threads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"

static char top[256];

static void put(const char *rel, const char *text)
{
	char path[1024], dir[1024], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	for (slash = dir + strlen(top) + 1; (slash = strchr(slash, '/')); slash++) {
		*slash = '\0';
		mkdir(dir, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(top, sizeof(top), "%s/heaplens-limits.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(top) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd) == 0 ? 0 : -1;
}

static void limits(const char *self, unsigned *cpus, uint64_t *mem)
{
	char proc[512], root[512];

	snprintf(proc, sizeof(proc), "%s/%s", top, self);
	snprintf(root, sizeof(root), "%s/sys", top);
	hl_cgroup_limits(proc, root, cpus, mem);
}

static void test_parsers(void **state)
{
	(void)state;
	assert_int_equal(hl_cpu_max_parse("max 100000\n"), 0);
	assert_int_equal(hl_cpu_max_parse("200000 100000\n"), 2);
	assert_int_equal(hl_cpu_max_parse("150000 100000\n"), 2); /* rounded up */
	assert_int_equal(hl_cpu_max_parse("50000 100000"), 1);
	assert_int_equal(hl_cpu_max_parse("100000"), 0);          /* no period */
	assert_int_equal(hl_cpu_max_parse("0 100000"), 0);
	assert_int_equal(hl_cpu_max_parse("x 100000"), 0);
	assert_int_equal(hl_cpu_max_parse("100000 0"), 0);
	assert_int_equal(hl_cpu_max_parse(NULL), 0);
	assert_int_equal(hl_mem_max_parse("max\n"), 0);
	assert_int_equal(hl_mem_max_parse("1073741824\n"), 1073741824ull);
	assert_int_equal(hl_mem_max_parse("9223372036854771712\n"), 0); /* v1: none */
	assert_int_equal(hl_mem_max_parse("12k"), 0);
	assert_int_equal(hl_mem_max_parse(""), 0);
}

/* v2: the tightest of every level, whichever level sets it. */
static void test_v2_levels(void **state)
{
	unsigned cpus;
	uint64_t mem;

	(void)state;
	put("self1", "0::/a/b/c\n");
	put("sys/cpu.max", "max 100000\n");
	put("sys/a/cpu.max", "300000 100000\n");
	put("sys/a/b/cpu.max", "max 100000\n");
	put("sys/a/b/c/cpu.max", "150000 100000\n");
	put("sys/a/memory.max", "2147483648\n");
	put("sys/a/b/memory.max", "1073741824\n");
	put("sys/a/b/c/memory.max", "max\n");
	limits("self1", &cpus, &mem);
	assert_int_equal(cpus, 2);
	assert_int_equal(mem, 1073741824ull);

	put("self2", "0::/a\n"); /* only the upper levels count */
	limits("self2", &cpus, &mem);
	assert_int_equal(cpus, 3);
	assert_int_equal(mem, 2147483648ull);

	put("self3", "0::/\n"); /* a container's own view: the root */
	limits("self3", &cpus, &mem);
	assert_int_equal(cpus, 0);
	assert_int_equal(mem, 0);
}

/* v1, hybrid as on this machine: the cpu and memory hierarchies apart,
 * each walked up from its own path. */
static void test_v1_hybrid(void **state)
{
	unsigned cpus;
	uint64_t mem;

	(void)state;
	put("self4", "9:name=systemd:/\n4:memory:/jobs/j1\n2:cpu,cpuacct:/svc\n0::/\n");
	put("sys/memory/memory.limit_in_bytes", "9223372036854771712\n");
	put("sys/memory/jobs/memory.limit_in_bytes", "4294967296\n");
	put("sys/memory/jobs/j1/memory.limit_in_bytes", "9223372036854771712\n");
	put("sys/cpu/cpu.cfs_quota_us", "-1\n");
	put("sys/cpu/cpu.cfs_period_us", "100000\n");
	put("sys/cpu/svc/cpu.cfs_quota_us", "250000\n");
	put("sys/cpu/svc/cpu.cfs_period_us", "100000\n");
	limits("self4", &cpus, &mem);
	assert_int_equal(cpus, 3);
	assert_int_equal(mem, 4294967296ull);

	put("self5", "4:memory:/\n1:cpu:/\n"); /* no limits set */
	limits("self5", &cpus, &mem);
	assert_int_equal(cpus, 0);
	assert_int_equal(mem, 0);
}

/* Missing or odd files: no limit, no failure. */
static void test_absent(void **state)
{
	unsigned cpus = 7;
	uint64_t mem = 7;

	(void)state;
	limits("no-such-file", &cpus, &mem);
	assert_int_equal(cpus, 0);
	assert_int_equal(mem, 0);
	put("self6", "garbage\n::\n0::\n0::/not/there\n");
	limits("self6", &cpus, &mem);
	assert_int_equal(cpus, 0);
	assert_int_equal(mem, 0);
}

/* On this machine: at least one CPU, no more than online. */
static void test_usable(void **state)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);

	(void)state;
	assert_true(hl_usable_cpus() >= 1);
	assert_true(online < 1 || hl_usable_cpus() <= (unsigned)online);
	assert_true(hl_usable_memory() > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parsers),
		cmocka_unit_test(test_v2_levels),
		cmocka_unit_test(test_v1_hybrid),
		cmocka_unit_test(test_absent),
		cmocka_unit_test(test_usable),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
