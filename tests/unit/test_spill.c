/*
 * test_spill.c: arrays moved to the spill file (src/util/spill.c) keep
 * their contents through a drop, stay writable, and are freed with
 * hl_spill_free like the arrays that were not spilled.
 *
 * Why: the dominator pass moves the object table, the edges and the
 * inbound index there while it runs; a lost or stale page would change
 * every number afterwards without any error.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"

#define BIG ((size_t)3 << 20) /* above the 1 MiB spilling starts at */

static uint32_t *filled(size_t n, uint32_t seed)
{
	uint32_t *p = malloc(n * sizeof(uint32_t));
	size_t i;

	assert_non_null(p);
	for (i = 0; i < n; i++)
		p[i] = (uint32_t)(i * 2654435761u) ^ seed;
	return p;
}

static void check(const uint32_t *p, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != ((uint32_t)(i * 2654435761u) ^ seed))
			fail_msg("element %zu: %u", i, p[i]);
}

static void test_round_trip(void **state)
{
	size_t n = BIG / sizeof(uint32_t);
	uint32_t *a = filled(n, 7), *b = filled(n + 3, 9), *old = a;
	uint64_t before = hl_spill_total();

	(void)state;
	a = hl_spill(a, n * sizeof(uint32_t));
	b = hl_spill(b, (n + 3) * sizeof(uint32_t));
	if (a == old) /* no writable disk-backed directory here */
		skip();
	assert_int_equal(hl_spill_total() - before,
			 (2 * n + 3) * sizeof(uint32_t));
	/* spilling a spilled array again changes nothing */
	assert_ptr_equal(hl_spill(a, n * sizeof(uint32_t)), a);
	assert_int_equal(hl_spill_total() - before,
			 (2 * n + 3) * sizeof(uint32_t));
	check(a, n, 7);
	check(b, n + 3, 9);
	a[12345] = 42; /* writable, and the write survives a drop */
	hl_spill_drop();
	assert_int_equal(a[12345], 42);
	a[12345] = (uint32_t)(12345u * 2654435761u) ^ 7;
	check(a, n, 7);
	check(b, n + 3, 9);
	hl_spill_free(a);
	check(b, n + 3, 9); /* freeing one leaves the other whole */
	hl_spill_free(b);
	assert_int_equal(hl_spill_total(), before);
}

/* hl_spill_keep: the array is spilled as with hl_spill, and its memory,
 * still holding the data, is the caller's to reuse and free. */
static void test_kept_memory(void **state)
{
	size_t n = BIG / sizeof(uint32_t);
	uint32_t *a = filled(n, 5), *old = a, *m;
	void *kept;

	(void)state;
	m = hl_spill_keep(a, n * sizeof(uint32_t), &kept);
	if (m == old) { /* not spilled: nothing kept */
		assert_null(kept);
		free(m);
		skip();
	}
	assert_ptr_equal(kept, old);
	check(m, n, 5);
	check(kept, n, 5);
	/* the two are apart: writing one leaves the other */
	memset(kept, 0, n * sizeof(uint32_t));
	check(m, n, 5);
	kept = realloc(kept, 2 * n * sizeof(uint32_t));
	assert_non_null(kept);
	free(kept);
	hl_spill_free(m);
}

/* A spill on one thread while another frees the only other spilled array
 * (the last region: the file would be closed under the writer), drops and
 * counts: the writer does not hold the lock, nothing waits, nothing is
 * lost. */
struct writer { uint32_t *a; size_t n; };

static void *write_one(void *arg)
{
	struct writer *w = arg;

	w->a = hl_spill(w->a, w->n * sizeof(uint32_t));
	return NULL;
}

static void test_spilled_meanwhile(void **state)
{
	size_t n = ((size_t)96 << 20) / sizeof(uint32_t);
	uint32_t *b = filled(BIG / sizeof(uint32_t), 3), *old_b = b;
	struct writer w = { filled(n, 8), n };
	pthread_t tid;
	int k;

	(void)state;
	b = hl_spill(b, BIG);
	if (b == old_b) { /* no writable disk-backed directory here */
		free(b);
		free(w.a);
		skip();
	}
	assert_int_equal(pthread_create(&tid, NULL, write_one, &w), 0);
	usleep(3000); /* the writer is under way (96 MB take longer) */
	for (k = 0; k < 100; k++) {
		hl_spill_drop();
		(void)hl_spill_total();
		if (k == 0) {
			check(b, BIG / sizeof(uint32_t), 3);
			hl_spill_free(b); /* the last region: the file stays */
		}
	}
	pthread_join(tid, NULL);
	check(w.a, n, 8);
	hl_spill_drop();
	check(w.a, n, 8);
	hl_spill_free(w.a);
}

static void test_small_and_plain(void **state)
{
	uint32_t *s = filled(100, 3), *p = s;
	char *m = malloc(10);

	(void)state;
	/* small arrays stay where they are (unless HEAPLENS_SPILL=all) */
	if (!getenv("HEAPLENS_SPILL")) {
		s = hl_spill(s, 100 * sizeof(uint32_t));
		assert_ptr_equal(s, p);
	}
	check(s, 100, 3);
	hl_spill_free(s);
	hl_spill_free(m); /* never spilled: freed as by free() */
	hl_spill_free(NULL);
	assert_null(hl_spill(NULL, 100));
}

/* A write that fails half way (a file size limit, as a full disk would)
 * leaves the array where it was, whole: its pages released after the
 * steps that were written come back from the file. */
static void test_failed_half_way(void **state)
{
	size_t n = ((size_t)40 << 20) / sizeof(uint32_t);
	uint32_t *a = filled(n, 5), *b;
	struct rlimit old, lim;

	(void)state;
	/* no array is spilled now: the next one starts the file at 0 */
	assert_int_equal(hl_spill_total(), 0);
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = (rlim_t)20 << 20; /* the second 16 MiB step fails */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	b = hl_spill(a, n * sizeof(uint32_t));
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_ptr_equal(b, a);
	assert_int_equal(hl_spill_total(), 0);
	check(a, n, 5);
	hl_spill_free(a);
}

/* The spill file handed over (to become the index), made in the index's
 * directory: the spilled arrays are in it at the offsets given, past its
 * head; freeing them leaves
 * their data there; the next spill goes to a file of its own; a file on
 * another device is not handed over. */
static void test_handover(void **state)
{
	size_t n = BIG / sizeof(uint32_t), i;
	uint32_t *a = filled(n, 11), *b = filled(n, 12), *c, *old_a = a;
	uint32_t *back = malloc(BIG);
	char dir[] = "/var/tmp/hl-spill-XXXXXX";
	struct hl_spill_file f, g;
	struct stat sb;

	(void)state;
	assert_non_null(back);
	if (!mkdtemp(dir) || stat(dir, &sb)) {
		free(a);
		free(b);
		free(back);
		skip();
	}
	hl_spill_index_dir(dir, 0); /* the index's directory comes first here */
	a = hl_spill(a, BIG);
	b = hl_spill(b, BIG);
	if (a == old_a || hl_spill_handover((uint64_t)sb.st_dev + 1, &g) == 0 ||
	    hl_spill_handover((uint64_t)sb.st_dev, &f)) {
		/* no O_TMPFILE there, or in memory: nothing handed over */
		hl_spill_free(a);
		hl_spill_free(b);
		free(back);
		hl_spill_index_dir(NULL, 0);
		rmdir(dir);
		skip();
	}
	assert_int_equal(g.fd, -1); /* the wrong device changed nothing */
	assert_true(f.fd >= 0);
	assert_int_equal(f.nparts, 2);
	for (i = 0; i < f.nparts; i++) {
		uint32_t seed = f.parts[i].p == a ? 11 : 12;

		assert_true(f.parts[i].p == a || f.parts[i].p == b);
		assert_int_equal(f.parts[i].len, BIG);
		assert_true(f.parts[i].off >= HL_SPILL_HEAD);
		assert_true(f.parts[i].off + BIG <= f.end);
		hl_spill_free((void *)f.parts[i].p); /* unmapped, not punched */
		assert_int_equal(pread(f.fd, back, BIG, (off_t)f.parts[i].off), (ssize_t)BIG);
		check(back, n, seed);
	}
	/* the next spill, in a file of its own */
	c = hl_spill(filled(n, 13), BIG);
	assert_int_equal(hl_spill_handover((uint64_t)sb.st_dev, &g), 0);
	assert_int_equal(g.nparts, 1);
	assert_ptr_equal(g.parts[0].p, c);
	assert_int_equal(g.parts[0].off, HL_SPILL_HEAD);
	check(c, n, 13);
	hl_spill_free(c);
	close(f.fd);
	close(g.fd);
	free(back);
	hl_spill_index_dir(NULL, 0);
	rmdir(dir);
}

/* An index's directory without room for the index (a disk the dump
 * filled) is passed over: the spill file goes to the usual places. */
static void test_index_dir_full(void **state)
{
	char dir[] = "/var/tmp/hl-spill-XXXXXX", proc[64], where[4200];
	uint32_t *a = filled(BIG / sizeof(uint32_t), 21), *old_a = a;
	struct hl_spill_file f;
	struct stat sb;
	ssize_t n;

	(void)state;
	if (!mkdtemp(dir) || stat(dir, &sb)) {
		free(a);
		skip();
	}
	hl_spill_index_dir(dir, UINT64_MAX); /* more than any disk has */
	a = hl_spill(a, BIG);
	if (a != old_a && hl_spill_handover((uint64_t)sb.st_dev, &f) == 0) {
		/* made elsewhere on the same file system: not in dir */
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", f.fd);
		n = readlink(proc, where, sizeof(where) - 1);
		assert_true(n > 0);
		where[n] = '\0';
		assert_null(strstr(where, dir));
		close(f.fd);
	}
	check(a, BIG / sizeof(uint32_t), 21);
	hl_spill_free(a);
	hl_spill_index_dir(NULL, 0);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_kept_memory),
		cmocka_unit_test(test_spilled_meanwhile),
		cmocka_unit_test(test_small_and_plain),
		cmocka_unit_test(test_failed_half_way),
		cmocka_unit_test(test_handover),
		cmocka_unit_test(test_index_dir_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
