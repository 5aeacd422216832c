/*
 * test_scatter.c: collections whose elements lie scattered over the heap
 * (as G1 leaves a hash table's entries, or a list filled from one) are
 * counted in the dump's order, then handed over in the collection's order
 * (the ordered table walk, the scattered list's probe, content keys in
 * object order).  Here a list of Strings and a HashMap are laid out three
 * ways: in their own order, locally reordered (blocks of eight reversed,
 * as a parallel copying collector leaves them) and shuffled.  The census
 * the suspects report must be the same for all three, for one and for
 * three threads: the same counts, and as example of each value the first
 * element holding it in the collection's order.  hl_scatter must call the
 * shuffled layouts scattered and the other two not.
 *
 * Why: the scattered paths only change the order in which records are
 * read; a mistake there would change the census on G1 dumps only, which
 * the fixtures (small, serial) would not show.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "analysis/collections.h"
#include "hprof_builder.h"
#include "lib/heap.h"
#include "unit_util.h"

#define LIST_N 12000   /* elements: above the 4096 the scattered paths need */
#define MAP_N 6000     /* entries */
#define MAP_BUCKETS 4500 /* used buckets (heads), of a table of 8192 */

enum layout { IN_ORDER, LOCAL, SHUFFLED };

static const char *const texts[3] = { "value-a", "value-b", "value-c" };

/* The value of element (or entry) i: 3 distinct, unevenly counted. */
static unsigned text_of(unsigned i)
{
	return i % 7 == 0 ? 0 : i % 3 == 0 ? 1 : 2;
}

/* Where element i lies among n slots (a permutation of 0..n-1). */
static void placement(enum layout l, unsigned *at, unsigned n)
{
	uint64_t x = 0x9e3779b97f4a7c15u;
	unsigned i, j, t;

	for (i = 0; i < n; i++)
		at[i] = l == LOCAL ? (i ^ 7u) : i; /* n is a multiple of 8 */
	if (l != SHUFFLED)
		return;
	for (i = n - 1; i > 0; i--) { /* Fisher-Yates, xorshift64 */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		j = (unsigned)(x % (i + 1));
		t = at[i];
		at[i] = at[j];
		at[j] = t;
	}
}

static size_t round8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* A writer for a dump of the built collection, header and JDK written,
 * its path set; what: "list" or "map". */
static struct hw_writer *begin(const char *dir, const char *what,
			       enum layout l, char *path, struct hw_jdk *jdk)
{
	static const char *const names[] = { "order", "local", "shuffled" };
	struct hw_writer *w = hw_new();
	char name[64];

	snprintf(name, sizeof name, "%s-%s.hprof", what, names[l]);
	ut_join(path, UT_PATH_MAX, dir, name);
	hw_header(w, "JAVA PROFILE 1.0.2", 8, 0);
	hw_jdk_define(w, jdk);
	return w;
}

/* placement() of n items, and its inverse (which item lies at slot j). */
static unsigned *placed(enum layout l, unsigned n, unsigned **inv)
{
	unsigned *at = malloc(n * sizeof(*at)), i;

	*inv = malloc(n * sizeof(**inv));
	assert_non_null(at);
	assert_non_null(*inv);
	placement(l, at, n);
	for (i = 0; i < n; i++)
		(*inv)[at[i]] = i;
	return at;
}

struct built {
	char path[UT_PATH_MAX];
	uint64_t holder;          /* the list's or the map's id */
	uint64_t first[3];        /* the first element holding each value */
	uint64_t count[3];        /* how many hold each value */
	uint64_t *heads;          /* the map: the bucket heads' ids, in order */
	unsigned nheads;
};

/* A dump of an ArrayList (a JNI global root) of LIST_N Strings
 * whose records lie as the layout says. */
static void build_list(const char *dir, enum layout l, struct built *b)
{
	struct hw_field_spec f[] = { { "elementData", HW_OBJECT }, { "size", HW_INT } };
	struct hw_jdk jdk;
	struct hw_writer *w = begin(dir, "list", l, b->path, &jdk);
	struct hw_values v;
	uint64_t list_cls, list, arr, base, *elems;
	size_t ssz, asz, pair;
	unsigned *inv, *at = placed(l, LIST_N, &inv), i;

	list_cls = hw_class_define(w, 0, "java/util/ArrayList", jdk.object, 2, f);
	hw_class_dump_all(w);
	ssz = round8(hw_instance_size_guess(w, jdk.string));
	asz = round8(hw_array_size_guess(w, HW_BYTE, strlen(texts[0])));
	pair = ssz + asz;
	list = hw_alloc(w, hw_instance_size_guess(w, list_cls));
	arr = hw_alloc(w, hw_array_size_guess(w, HW_OBJECT, LIST_N));
	base = hw_alloc_block(w, pair, LIST_N);
	elems = malloc(LIST_N * sizeof(*elems));
	assert_non_null(elems);
	memset(b->count, 0, sizeof b->count);
	for (i = 0; i < 3; i++)
		b->first[i] = 0;
	for (i = 0; i < LIST_N; i++) {
		unsigned t = text_of(i);

		elems[i] = base + (uint64_t)at[i] * pair;
		if (!b->count[t]++)
			b->first[t] = elems[i];
	}
	hw_values_init(&v, 8);
	hw_values_obj(&v, arr);
	hw_values_int(&v, LIST_N);
	hw_instance(w, list, list_cls, &v);
	hw_values_release(&v);
	hw_obj_array(w, arr, 0, jdk.object_array, LIST_N, elems);
	for (i = 0; i < LIST_N; i++) /* records in address order */
		hw_string(w, &jdk, base + (uint64_t)i * pair,
			  base + (uint64_t)i * pair + ssz, texts[text_of(inv[i])]);
	hw_root_jni_global(w, list, 0x5000);
	hw_heap_dump_end(w);
	hw_save(w, b->path);
	hw_free(w);
	b->holder = list;
	b->heads = NULL;
	free(elems);
	free(inv);
	free(at);
}

/* A HashMap (a JNI global root) of MAP_N entries with String keys and
 * values, in MAP_BUCKETS buckets of a table of 8192 (chains of one and
 * two); each entry (node, key, value) lies as the layout says. */
static void build_map(const char *dir, enum layout l, struct built *b)
{
	struct hw_field_spec mf[] = { { "table", HW_OBJECT }, { "size", HW_INT } };
	struct hw_field_spec nf[] = { { "hash", HW_INT }, { "key", HW_OBJECT },
				      { "value", HW_OBJECT }, { "next", HW_OBJECT } };
	struct hw_jdk jdk;
	struct hw_writer *w = begin(dir, "map", l, b->path, &jdk);
	struct hw_values v;
	uint64_t map_cls, node_cls, tab_cls, map, tab, base, *slots, *next;
	size_t nsz, ssz, asz, unit;
	unsigned *inv, *at = placed(l, MAP_N, &inv), i, k, t;
	char key[16];

	map_cls = hw_class_define(w, 0, "java/util/HashMap", jdk.object, 2, mf);
	node_cls = hw_class_define(w, 0, "java/util/HashMap$Node", jdk.object, 4, nf);
	tab_cls = hw_class_define(w, 0, "[Ljava/util/HashMap$Node;", jdk.object, 0, NULL);
	hw_class_dump_all(w);
	nsz = round8(hw_instance_size_guess(w, node_cls));
	ssz = round8(hw_instance_size_guess(w, jdk.string));
	asz = round8(hw_array_size_guess(w, HW_BYTE, strlen("key-00000")));
	unit = nsz + 2 * (ssz + asz); /* node, key String and byte[], value's */
	map = hw_alloc(w, hw_instance_size_guess(w, map_cls));
	tab = hw_alloc(w, hw_array_size_guess(w, HW_OBJECT, 8192));
	base = hw_alloc_block(w, unit, MAP_N);
	/* entry i goes to bucket i % MAP_BUCKETS, after the entries before
	 * it there; the chains in table order are the map's order */
	slots = calloc(8192, sizeof(*slots));
	next = calloc(MAP_N, sizeof(*next));
	b->heads = calloc(MAP_BUCKETS, sizeof(*b->heads));
	assert_non_null(slots);
	assert_non_null(next);
	assert_non_null(b->heads);
	for (i = MAP_N; i-- > 0;) {
		unsigned bucket = i % MAP_BUCKETS;
		uint64_t node = base + (uint64_t)at[i] * unit;

		if (slots[bucket])
			next[i] = slots[bucket];
		slots[bucket] = node;
	}
	b->nheads = MAP_BUCKETS;
	memset(b->count, 0, sizeof b->count);
	for (k = 0; k < MAP_BUCKETS; k++) {
		b->heads[k] = slots[k];
		for (i = k; i < MAP_N; i += MAP_BUCKETS) { /* the chain's order */
			t = text_of(i);
			if (!b->count[t]++)
				b->first[t] = base + (uint64_t)at[i] * unit + nsz + ssz + asz;
		}
	}
	hw_values_init(&v, 8);
	hw_values_obj(&v, tab);
	hw_values_int(&v, MAP_N);
	hw_instance(w, map, map_cls, &v);
	hw_obj_array(w, tab, 0, tab_cls, 8192, slots);
	for (k = 0; k < MAP_N; k++) { /* records in address order */
		uint64_t node = base + (uint64_t)k * unit, ks = node + nsz,
			 vs = ks + ssz + asz;

		i = inv[k];
		hw_values_clear(&v);
		hw_values_int(&v, (int32_t)(i % MAP_BUCKETS));
		hw_values_obj(&v, ks);
		hw_values_obj(&v, vs);
		hw_values_obj(&v, next[i]);
		hw_instance(w, node, node_cls, &v);
		snprintf(key, sizeof key, "key-%05u", i);
		hw_string(w, &jdk, ks, ks + ssz, key);
		hw_string(w, &jdk, vs, vs + ssz, texts[text_of(i)]);
	}
	hw_values_release(&v);
	hw_root_jni_global(w, map, 0x5000);
	hw_heap_dump_end(w);
	hw_save(w, b->path);
	hw_free(w);
	b->holder = map;
	free(next);
	free(slots);
	free(inv);
	free(at);
}

static hl_heap *open_threads(const char *path, unsigned threads)
{
	hl_open_options opt;
	hl_heap *h = NULL;

	memset(&opt, 0, sizeof opt);
	opt.threads = threads;
	assert_int_equal(hl_open(path, &opt, &h), HL_OK);
	return h;
}

/* The suspects' census of the built collection: every count, and each
 * value's example the first element holding it.  threshold: MAT's 10%,
 * which makes the collection a suspect of its own (a full census), or
 * one no object reaches (a list is then found by the few-distinct scan's
 * probe). */
static void check_census(const struct built *b, unsigned threads,
			 double threshold)
{
	hl_suspect_options opt = { threshold, 1000, 1.0 };
	hl_suspect *s;
	size_t n, i;
	unsigned k, t, seen = 0;
	hl_heap *h = open_threads(b->path, threads);
	hl_obj holder = ut_find(h, b->holder);

	assert_int_equal(hl_compute_dominators(h), HL_OK);
	assert_int_equal(hl_find_suspects(h, &opt, &s, &n), HL_OK);
	for (i = 0; i < n; i++) {
		if (s[i].holder != holder)
			continue;
		seen++;
		assert_int_equal(s[i].elements, b->count[0] + b->count[1] + b->count[2]);
		assert_int_equal(s[i].distinct, 3);
		assert_int_equal(s[i].ntop, 3);
		for (k = 0; k < 3; k++) {
			for (t = 0; t < 3 && strcmp(s[i].top[k].text, texts[t]); t++)
				;
			assert_true(t < 3);
			assert_int_equal(s[i].top[k].count, b->count[t]);
			assert_int_equal(hl_object_id(h, s[i].top[k].example), b->first[t]);
		}
		assert_true(s[i].top[0].count >= s[i].top[1].count);
		assert_true(s[i].top[1].count >= s[i].top[2].count);
	}
	assert_true(seen >= 1);
	hl_suspects_free(s, n);
	hl_close(h);
}

/* hl_scatter over the list's elements, or the map's heads, in order. */
static int scattered(const struct built *b)
{
	hl_heap *h = open_threads(b->path, 1);
	hl_obj holder = ut_find(h, b->holder);
	hl_scatter sc = { 0 };
	unsigned i;
	int r;

	if (b->heads) {
		for (i = 0; i < b->nheads; i++)
			hl_scatter_add(&sc, ut_find(h, b->heads[i]));
		r = hl_scattered(&sc);
		assert_false(hl_coll_scattered(&h->g, holder)); /* not a list */
	} else {
		r = hl_coll_scattered(&h->g, holder);
	}
	hl_close(h);
	return r;
}

static void check_layouts(void (*build)(const char *, enum layout, struct built *))
{
	char dir[UT_PATH_MAX];
	struct built b;
	enum layout l;

	ut_tmpdir_make(dir, sizeof dir);
	for (l = IN_ORDER; l <= SHUFFLED; l++) {
		build(dir, l, &b);
		assert_int_equal(scattered(&b), l == SHUFFLED);
		check_census(&b, 1, 10.0);
		check_census(&b, 3, 10.0);
		if (!b.heads) { /* the probe is for lists, deques, arrays */
			check_census(&b, 1, 200.0);
			check_census(&b, 3, 200.0);
		}
		free(b.heads);
	}
	ut_tmpdir_remove(dir);
}

static void test_list_layouts(void **state)
{
	(void)state;
	check_layouts(build_list);
}

static void test_map_layouts(void **state)
{
	(void)state;
	check_layouts(build_map);
}

/* The measure alone: near steps either way are not scattered; one far
 * step in eight is. */
static void test_measure(void **state)
{
	hl_scatter in_order = { 0 }, local = { 0 }, some = { 0 }, few = { 0 },
		   none = { 0 };
	uint32_t i;

	(void)state;
	for (i = 0; i < 80000; i++) {
		hl_scatter_add(&in_order, 1000 + i * 3);
		hl_scatter_add(&local, (i ^ 31u) * 10); /* back 10, on 630 */
		/* every eighth step jumps 5000 objects away and back */
		hl_scatter_add(&some, i % 16 == 7 ? 5000 + i : i);
		hl_scatter_add(&few, i % 64 == 7 ? 5000 + i : i);
	}
	assert_false(hl_scattered(&in_order));
	assert_false(hl_scattered(&local));
	assert_true(hl_scattered(&some));
	assert_false(hl_scattered(&few));
	assert_false(hl_scattered(&none));
	assert_int_equal(local.far, 0);
	assert_int_equal(some.far, 2 * (80000 / 16));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_measure),
		cmocka_unit_test(test_list_layouts),
		cmocka_unit_test(test_map_layouts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
