/*
 * test_threads.c: the parallel passes give the same results whatever the
 * number of threads: object table, edges as seen through reachability,
 * dominator tree and retained sizes, on real and crafted dumps.
 *
 * Why: the edge pass splits the objects into one range per thread and
 * joins the parts; an off-by-one at a range boundary would change the
 * graph only for some thread counts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "hprof_builder.h"
#include "unit_util.h"

/* With dominators set, hl_open computes the tree and marks reachability
 * beside its DFS (on the inbound index's thread when there are two):
 * the same results as marking it first. */
static hl_heap *open_threads(const char *path, unsigned threads,
			     int dominators)
{
	hl_open_options opt;
	hl_heap *h = NULL;

	memset(&opt, 0, sizeof opt);
	opt.threads = threads;
	opt.dominators = dominators;
	assert_int_equal(hl_open(path, &opt, &h), HL_OK);
	assert_int_equal(hl_has_dominators(h), dominators);
	assert_int_equal(hl_compute_dominators(h), HL_OK);
	return h;
}

static void same_results(const char *file)
{
	static const unsigned counts[] = { 1, 2, 3, 7, 16 };
	char path[UT_PATH_MAX];
	hl_heap *one, *many;
	hl_info a, b;
	size_t k;
	hl_obj o;

	ut_join(path, sizeof path, ut_env_dir("HL_FIXTURES"), file);
	one = open_threads(path, 1, 0);
	hl_get_info(one, &a);
	for (k = 0; k < 2 * sizeof counts / sizeof counts[0]; k++) {
		if (k == 0)
			continue; /* that is `one` */
		many = open_threads(path, counts[k / 2], k % 2);
		hl_get_info(many, &b);
		assert_int_equal(a.objects, b.objects);
		assert_int_equal(a.reachable_objects, b.reachable_objects);
		assert_int_equal(a.reachable_bytes, b.reachable_bytes);
		assert_int_equal(a.unreachable_objects, b.unreachable_objects);
		assert_int_equal(a.unreachable_bytes, b.unreachable_bytes);
		assert_int_equal(a.dangling_refs, b.dangling_refs);
		for (o = 0; o < hl_object_count(one); o++) {
			assert_int_equal(hl_idom(one, o), hl_idom(many, o));
			assert_int_equal(hl_retained(one, o), hl_retained(many, o));
		}
		hl_close(many);
	}
	hl_close(one);
}

static void test_general(void **state)
{
	(void)state;
	same_results("general.hprof.gz");
}

static void test_caches(void **state)
{
	(void)state;
	same_results("caches.hprof.gz");
}

/* The suspects' census splits big collections over the threads: the same
 * report whatever their number. */
static void test_suspects_census(void **state)
{
	static const unsigned counts[] = { 1, 2, 5 };
	hl_suspect_options o = { 10.0, 100000, 1.0 };
	char path[UT_PATH_MAX];
	hl_suspect *first = NULL, *s;
	size_t n0 = 0, n, i, k, t;

	(void)state;
	ut_join(path, sizeof path, ut_env_dir("HL_FIXTURES"), "caches.hprof.gz");
	for (k = 0; k < sizeof counts / sizeof counts[0]; k++) {
		hl_heap *h = open_threads(path, counts[k], 1);

		assert_int_equal(hl_find_suspects(h, &o, &s, &n), HL_OK);
		if (!first) {
			first = s;
			n0 = n;
			hl_close(h);
			continue;
		}
		assert_int_equal(n, n0);
		for (i = 0; i < n; i++) {
			assert_int_equal(s[i].elements, first[i].elements);
			assert_int_equal(s[i].distinct, first[i].distinct);
			assert_int_equal(s[i].ntop, first[i].ntop);
			for (t = 0; t < s[i].ntop; t++) {
				assert_string_equal(s[i].top[t].text, first[i].top[t].text);
				assert_int_equal(s[i].top[t].count, first[i].top[t].count);
			}
		}
		hl_suspects_free(s, n);
		hl_close(h);
	}
	hl_suspects_free(first, n0);
}

/* A dump of many segments, damaged in a late one: the parallel scan must
 * give the message the sequential one gives. */
static void test_damage_same_message(void **state)
{
	static const unsigned counts[] = { 2, 4, 9 };
	char tmp[UT_PATH_MAX], path[UT_PATH_MAX], first[512];
	struct hw_writer *w = hw_new();
	struct hw_jdk jdk;
	uint64_t node, prev = 0, id = 0;
	hl_open_options opt;
	hl_status st0, st;
	hl_heap *h;
	unsigned i;

	(void)state;
	ut_tmpdir_make(tmp, sizeof tmp);
	hw_header(w, "JAVA PROFILE 1.0.2", 8, 0);
	hw_jdk_define(w, &jdk);
	node = hw_node_class(w, "Node", 1);
	hw_set_segment_limit(w, 512);
	hw_class_dump_all(w);
	for (i = 0; i < 400; i++) {
		id = hw_alloc(w, 24);
		hw_node(w, node, id, &prev);
		prev = id;
	}
	hw_root_jni_global(w, id, 0);
	hw_sub_raw(w, 0x77, "\0\0\0\0", 4); /* an unknown sub-record tag */
	hw_heap_dump_end(w);
	hw_save(w, ut_join(path, sizeof path, tmp, "damaged.hprof"));
	hw_free(w);

	memset(&opt, 0, sizeof opt);
	opt.threads = 1;
	st0 = hl_open(path, &opt, &h);
	assert_int_equal(st0, HL_E_FORMAT);
	snprintf(first, sizeof first, "%s", hl_errmsg(h));
	hl_close(h);
	for (i = 0; i < sizeof counts / sizeof counts[0]; i++) {
		opt.threads = counts[i];
		st = hl_open(path, &opt, &h);
		assert_int_equal(st, st0);
		assert_string_equal(hl_errmsg(h), first);
		hl_close(h);
	}
	ut_tmpdir_remove(tmp);
}

/* More than 2^20 objects written out of address order: the object table's
 * radix sort splits its buckets over the threads, and classification runs
 * on them; every count must number the objects alike (and the dominator
 * tree with them).  damaged: one instance's class is not in the dump, so
 * the threads' quiet pass gives way to the one that warns: the same
 * warnings, in the same order, whatever the number of threads. */
#define BIG_N 1100000u

/* A big dump's start: the JDK classes, a Node class with nrefs reference
 * fields (a sticky-class root), and BIG_N objects of `size` bytes laid
 * out one after the other; the first one's id. */
static uint64_t big_start(struct hw_writer *w, unsigned nrefs, uint32_t size,
			  uint64_t *node)
{
	struct hw_jdk jdk;
	uint64_t base;
	uint32_t i;

	hw_header(w, "JAVA PROFILE 1.0.2", 8, 0);
	hw_jdk_define(w, &jdk);
	*node = hw_node_class(w, "Node", nrefs);
	hw_class_dump_all(w);
	hw_root_sticky_class(w, *node);
	base = hw_alloc(w, size);
	for (i = 1; i < BIG_N; i++)
		hw_alloc(w, size);
	return base;
}

static void big_sort(int damaged)
{
	static const unsigned counts[] = { 1, 2, 5 };
	char tmp[UT_PATH_MAX], path[UT_PATH_MAX];
	struct hw_writer *w = hw_new();
	struct ut_warns warns, warns0;
	uint64_t node, base, *ids0 = NULL;
	uint32_t i, k;
	hl_open_options opt;
	hl_heap *h;

	ut_tmpdir_make(tmp, sizeof tmp);
	base = big_start(w, 1, 24, &node);
	/* object j refers to j - 1: a chain from the root, the last one; the
	 * records in the order j = i * 7919 mod BIG_N (coprime: each once) */
	for (i = 0; i < BIG_N; i++) {
		uint32_t j = (uint32_t)(((uint64_t)i * 7919u) % BIG_N);
		uint64_t prev = j ? base + 24 * (uint64_t)(j - 1) : 0;

		if (damaged && j == BIG_N / 2)
			hw_instance_dump(w, base + 24 * (uint64_t)j, 0, 0xdead0000, "\0\0\0\0\0\0\0\0", 8);
		else
			hw_node(w, node, base + 24 * (uint64_t)j, &prev);
	}
	hw_root_jni_global(w, base + 24 * (uint64_t)(BIG_N - 1), 0);
	hw_heap_dump_end(w);
	hw_save(w, ut_join(path, sizeof path, tmp, "big.hprof"));
	hw_free(w);
	memset(&warns0, 0, sizeof warns0);
	for (k = 0; k < sizeof counts / sizeof counts[0]; k++) {
		memset(&opt, 0, sizeof opt);
		memset(&warns, 0, sizeof warns);
		opt.threads = counts[k];
		opt.warn = ut_warn_count;
		opt.ctx = &warns;
		assert_int_equal(hl_open(path, &opt, &h), HL_OK);
		assert_int_equal(hl_compute_dominators(h), HL_OK);
		assert_true(hl_object_count(h) > BIG_N);
		assert_int_equal(warns.count, damaged ? 1 : 0);
		if (!ids0) {
			warns0 = warns;
			ids0 = malloc(hl_object_count(h) * sizeof(uint64_t));
			assert_non_null(ids0);
			for (i = 0; i < hl_object_count(h); i++) {
				ids0[i] = hl_object_id(h, i);
				if (i && ids0[i] <= ids0[i - 1])
					fail_msg("object %u: id 0x%llx after 0x%llx", i,
						 (unsigned long long)ids0[i],
						 (unsigned long long)ids0[i - 1]);
			}
		} else {
			assert_string_equal(warns.first, warns0.first);
			for (i = 0; i < hl_object_count(h); i++)
				assert_int_equal(hl_object_id(h, i), ids0[i]);
		}
		/* the chain: each node's idom is the next one up (broken in
		 * the middle when damaged) */
		i = hl_object_count(h) - BIG_N; /* the first node's number */
		assert_int_equal(hl_object_id(h, i), base);
		assert_int_equal(hl_idom(h, i + BIG_N - 1), HL_ROOT);
		if (!damaged) {
			assert_int_equal(hl_idom(h, i), i + 1);
			assert_int_equal(hl_retained(h, i + BIG_N - 1), 24 * (uint64_t)BIG_N);
		}
		hl_close(h);
	}
	free(ids0);
	unlink(path);
	ut_tmpdir_remove(tmp);
}

/* A graph of 1.1 million objects with many referrers each, from all over
 * (object j refers to j - 1, to j * 7919 mod N and to itself): the
 * inbound index's fill splits the targets into one range per thread;
 * every object's referrers, in order, and its dominator are the same for
 * any number of threads. */
static void test_big_inbound(void **state)
{
	static const unsigned counts[] = { 1, 2, 5 };
	char tmp[UT_PATH_MAX], path[UT_PATH_MAX];
	struct hw_writer *w = hw_new();
	uint64_t node, base, refs[3];
	uint32_t i, k, *idom0 = NULL;
	hl_heap *h, *one = NULL;

	(void)state;
	ut_tmpdir_make(tmp, sizeof tmp);
	base = big_start(w, 3, 32, &node);
	for (i = 0; i < BIG_N; i++) {
		refs[0] = i ? base + 32 * (uint64_t)(i - 1) : 0;
		refs[1] = base + 32 * (((uint64_t)i * 7919u) % BIG_N);
		refs[2] = base + 32 * (uint64_t)i;
		hw_node(w, node, base + 32 * (uint64_t)i, refs);
	}
	hw_root_jni_global(w, base + 32 * (uint64_t)(BIG_N - 1), 0);
	hw_heap_dump_end(w);
	hw_save(w, ut_join(path, sizeof path, tmp, "big.hprof"));
	hw_free(w);
	for (k = 0; k < sizeof counts / sizeof counts[0]; k++) {
		hl_open_options opt;

		memset(&opt, 0, sizeof opt);
		opt.threads = counts[k];
		opt.dominators = 1;
		assert_int_equal(hl_open(path, &opt, &h), HL_OK);
		if (!one) {
			one = h;
			idom0 = malloc(hl_object_count(h) * sizeof(uint32_t));
			assert_non_null(idom0);
			for (i = 0; i < hl_object_count(h); i++)
				idom0[i] = hl_idom(h, i);
			continue;
		}
		assert_int_equal(hl_object_count(h), hl_object_count(one));
		for (i = 0; i < hl_object_count(h); i++) {
			const hl_obj *a, *b;
			size_t na = hl_inbound(one, i, &a), nb = hl_inbound(h, i, &b);

			assert_int_equal(hl_idom(h, i), idom0[i]);
			if (na != nb || (na && memcmp(a, b, na * sizeof(*a))))
				fail_msg("object %u: %zu referrers, %zu with %u threads",
					 i, na, nb, counts[k]);
		}
		hl_close(h);
	}
	/* j's referrers: j + 1 (but the last), j * 7919^-1 and j itself */
	i = hl_object_count(one) - BIG_N + 12345;
	{
		const hl_obj *a;

		assert_true(hl_inbound(one, i, &a) >= 2);
	}
	hl_close(one);
	free(idom0);
	unlink(path);
	ut_tmpdir_remove(tmp);
}

static void test_big_sort(void **state)
{
	(void)state;
	big_sort(0);
}

static void test_big_damaged(void **state)
{
	(void)state;
	big_sort(1);
}

static void test_android(void **state)
{
	(void)state;
	same_results("crafted/android.hprof");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_general),
		cmocka_unit_test(test_caches),
		cmocka_unit_test(test_android),
		cmocka_unit_test(test_big_sort),
		cmocka_unit_test(test_big_inbound),
		cmocka_unit_test(test_big_damaged),
		cmocka_unit_test(test_suspects_census),
		cmocka_unit_test(test_damage_same_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
