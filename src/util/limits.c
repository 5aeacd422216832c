/*
 * limits.c - what this process may use of the machine: CPUs and memory.
 *
 * A server's dump is often analysed inside a container, or pinned to some
 * CPUs, where the machine's online CPUs and physical memory overstate what
 * the process gets.  Like nproc and the JVM, the default thread count is
 * the online CPUs narrowed by the affinity mask and by a cgroup CPU quota
 * (cpu.max, or cgroup v1's cfs quota), rounded up; memory is the physical
 * memory narrowed by a cgroup memory limit (memory.max, or v1's
 * limit_in_bytes).  Every level from the process's own cgroup up to its
 * hierarchy's root counts, v2's and each v1 controller's: the tightest
 * wins.  The page-dropping checks use the memory; the thread count of
 * --threads 0 (the default) uses the CPUs.
 */
#include "util/util.h"

#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* The first line of a small file, NUL-terminated; 0 when unreadable. */
static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	int ok;

	if (!f)
		return 0;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	return ok;
}

unsigned hl_cpu_max_parse(const char *s)
{
	char *end;
	unsigned long long quota, period;

	if (!s || !strncmp(s, "max", 3))
		return 0;
	quota = strtoull(s, &end, 10);
	if (end == s || *end != ' ')
		return 0;
	s = end + 1;
	period = strtoull(s, &end, 10);
	if (end == s || !period || !quota)
		return 0;
	quota = (quota + period - 1) / period;
	return quota > UINT_MAX ? UINT_MAX : (unsigned)quota;
}

uint64_t hl_mem_max_parse(const char *s)
{
	char *end;
	unsigned long long v;

	if (!s || !strncmp(s, "max", 3))
		return 0;
	v = strtoull(s, &end, 10);
	if (end == s || (*end && *end != '\n'))
		return 0;
	/* cgroup v1 says "no limit" with a page-rounded LLONG_MAX */
	return v >= ((unsigned long long)1 << 62) ? 0 : (uint64_t)v;
}

static unsigned tighter_cpus(unsigned a, unsigned b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

static uint64_t tighter_mem(uint64_t a, uint64_t b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

enum { V2, V1_CPU, V1_MEMORY };

/* The limits one cgroup directory sets. */
static void limits_at(const char *dir, int kind, unsigned *cpus, uint64_t *mem)
{
	char path[4096 + 64], val[128], per[64], both[200];

	if (kind == V2) {
		snprintf(path, sizeof(path), "%s/cpu.max", dir);
		if (read_line(path, val, sizeof(val)))
			*cpus = tighter_cpus(*cpus, hl_cpu_max_parse(val));
		snprintf(path, sizeof(path), "%s/memory.max", dir);
		if (read_line(path, val, sizeof(val)))
			*mem = tighter_mem(*mem, hl_mem_max_parse(val));
	} else if (kind == V1_CPU) {
		snprintf(path, sizeof(path), "%s/cpu.cfs_quota_us", dir);
		if (!read_line(path, val, sizeof(val)) || val[0] == '-')
			return; /* -1: no quota */
		snprintf(path, sizeof(path), "%s/cpu.cfs_period_us", dir);
		if (!read_line(path, per, sizeof(per)))
			return;
		val[strcspn(val, "\n")] = '\0';
		snprintf(both, sizeof(both), "%s %s", val, per);
		*cpus = tighter_cpus(*cpus, hl_cpu_max_parse(both));
	} else {
		snprintf(path, sizeof(path), "%s/memory.limit_in_bytes", dir);
		if (read_line(path, val, sizeof(val)))
			*mem = tighter_mem(*mem, hl_mem_max_parse(val));
	}
}

/* From the cgroup mount/rel up to the mount's root, the tightest. */
static void walk_up(const char *mount, const char *rel, int kind,
		    unsigned *cpus, uint64_t *mem)
{
	char dir[4096];
	size_t top = strlen(mount), len;

	if (top >= sizeof(dir) - 1)
		return;
	snprintf(dir, sizeof(dir), "%s%s", mount, rel);
	len = strlen(dir);
	while (len > top && dir[len - 1] == '/')
		dir[--len] = '\0';
	for (;;) {
		limits_at(dir, kind, cpus, mem);
		if (len <= top)
			break;
		while (len > top && dir[len - 1] != '/')
			len--;
		while (len > top && dir[len - 1] == '/')
			len--;
		dir[len] = '\0';
	}
}

/* Whether the comma-separated list has the controller. */
static int has_controller(const char *list, size_t n, const char *want)
{
	size_t w = strlen(want);

	while (n) {
		size_t k = 0;

		while (k < n && list[k] != ',')
			k++;
		if (k == w && !memcmp(list, want, w))
			return 1;
		list += k < n ? k + 1 : k;
		n -= k < n ? k + 1 : k;
	}
	return 0;
}

void hl_cgroup_limits(const char *self_cgroup, const char *root,
		      unsigned *cpus, uint64_t *mem)
{
	char line[4096], mount[4096 + 32];
	FILE *f;

	*cpus = 0;
	*mem = 0;
	if (!(f = fopen(self_cgroup, "re")))
		return;
	/* "ID:CONTROLLERS:PATH": ID 0 with none is cgroup v2 (mounted at
	 * root); a v1 hierarchy is mounted at root/CONTROLLER */
	while (fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		size_t nc;

		if (!c2)
			continue;
		c2[strcspn(c2, "\n")] = '\0';
		nc = (size_t)(c2 - (c1 + 1));
		if (nc == 0 && !strncmp(line, "0:", 2)) {
			walk_up(root, c2 + 1, V2, cpus, mem);
			continue;
		}
		if (has_controller(c1 + 1, nc, "cpu")) {
			snprintf(mount, sizeof(mount), "%s/cpu", root);
			walk_up(mount, c2 + 1, V1_CPU, cpus, mem);
		}
		if (has_controller(c1 + 1, nc, "memory")) {
			snprintf(mount, sizeof(mount), "%s/memory", root);
			walk_up(mount, c2 + 1, V1_MEMORY, cpus, mem);
		}
	}
	fclose(f);
}

unsigned hl_usable_cpus(void)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned n = online > 0 ? (unsigned)online : 1, quota;
	uint64_t mem;
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0 &&
	    (unsigned)CPU_COUNT(&set) < n)
		n = (unsigned)CPU_COUNT(&set);
	hl_cgroup_limits("/proc/self/cgroup", "/sys/fs/cgroup", &quota, &mem);
	if (quota && quota < n)
		n = quota;
	return n ? n : 1;
}

/* Read once per process (the page-dropping checks of the walks ask often,
 * from several threads); UINT64_MAX stands for "unknown". */
uint64_t hl_usable_memory(void)
{
	static uint64_t known;
	uint64_t v = __atomic_load_n(&known, __ATOMIC_RELAXED);

	if (!v) {
		long pages = sysconf(_SC_PHYS_PAGES), pg = sysconf(_SC_PAGESIZE);
		uint64_t phys = pages > 0 && pg > 0 ? (uint64_t)pages * (uint64_t)pg : 0;
		unsigned cpus;
		uint64_t limit;

		hl_cgroup_limits("/proc/self/cgroup", "/sys/fs/cgroup", &cpus, &limit);
		v = tighter_mem(phys, limit);
		if (!v)
			v = UINT64_MAX;
		__atomic_store_n(&known, v, __ATOMIC_RELAXED);
	}
	return v == UINT64_MAX ? 0 : v;
}
