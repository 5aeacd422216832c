/*
 * test_histogram.c: hl_histogram_build on a crafted heap whose every count
 * and size is known: instances and shallow sizes per class (MAT's size
 * model), class objects counted as java.lang.Class, the histogram of
 * unreachable objects only, grouping by package and by class loader, two
 * classes sharing a name, sorting, and retained sizes per class.
 *
 * Retained size of a class row is MAT's retained set of {the class object
 * and its instances}, computed as the "topmost members" sum: the retained
 * sizes of the members with no member of the same group above them in the
 * dominator tree.  The test checks it with hand-computed numbers (A1 -> A2
 * -> big array counts once; an object shared by two roots is in nobody's
 * sum) and against an independent walk of hl_idom chains for every row.
 *
 * Why: the histogram is the first table users compare with MAT, and the
 * retained column is where double counting hides.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>

#include "hprof_builder.h"
#include "unit_util.h"

/*
 * The heap (identifier size 8, no compressed references, header 16):
 *   A (next, big: refs; x: int) 40 bytes;  B extends A (+byte) 48;
 *   C, Dup, D, MyLoader (no fields) 16;  class S: statics int, long, ref = 24.
 *   Reachable: A1 -> A2 -> big int[1000] (4024); A3, A4 -> shared int[10] (64);
 *   B1; holder Object[2] (40) -> C1, C2; loader Lo (MyLoader), D1, D2 and
 *   Dup2 x2 of loader Lo; Dup1 x1 of the bootstrap loader.
 *   Unreachable: A5 -> A6 -> byte[3] (32); C3.
 */
struct heap {
	struct hw_jdk jdk;
	uint64_t a, b, c, d, s, my_loader, dup1, dup2;
	uint64_t a1, a2, a3, a4, a5, a6, big, shared, lost_bytes;
	uint64_t b1, holder, c1, c2, c3, lo, d1, d2, e1, e2, e3;
};

static void define_classes(struct hw_writer *w, struct heap *z)
{
	static const struct hw_field_spec fa[] = {
		{ "next", HW_OBJECT }, { "big", HW_OBJECT }, { "x", HW_INT },
	};
	static const struct hw_field_spec fb[] = { { "flag", HW_BYTE } };

	hw_jdk_define(w, &z->jdk);
	z->a = hw_class_define(w, 0, "com/example/A", z->jdk.object, 3, fa);
	z->b = hw_class_define(w, 0, "com/example/B", z->a, 1, fb);
	z->c = hw_class_define(w, 0, "org/other/C", z->jdk.object, 0, NULL);
	z->my_loader = hw_class_define(w, 0, "com/example/MyLoader", z->jdk.class_loader, 0, NULL);
	z->d = hw_class_define(w, 0, "com/example/D", z->jdk.object, 0, NULL);
	z->s = hw_class_define(w, 0, "com/example/S", z->jdk.object, 0, NULL);
	z->dup1 = hw_class_define(w, 0, "com/example/Dup", z->jdk.object, 0, NULL);
	z->dup2 = hw_class_define(w, 0, "com/example/Dup", z->jdk.object, 0, NULL);
	hw_class_add_static(w, z->s, "COUNT", hw_v_int(3));
	hw_class_add_static(w, z->s, "STAMP", hw_v_long(4));
	hw_class_add_static(w, z->s, "NONE", hw_v_obj(0));
}

static void allocate(struct hw_writer *w, struct heap *z)
{
	uint64_t *ids[] = {
		&z->a1, &z->a2, &z->a3, &z->a4, &z->a5, &z->a6, &z->shared,
		&z->lost_bytes, &z->b1, &z->holder, &z->c1, &z->c2, &z->c3, &z->lo,
		&z->d1, &z->d2, &z->e1, &z->e2, &z->e3,
	};
	size_t i;

	for (i = 0; i < sizeof ids / sizeof ids[0]; i++)
		*ids[i] = hw_alloc(w, 64);
	z->big = hw_alloc(w, 4096); /* a slot of its own size */
	hw_class_set_loader(w, z->d, z->lo);
	hw_class_set_loader(w, z->dup2, z->lo);
}

static void root_classes(struct hw_writer *w, const struct heap *z)
{
	uint64_t classes[] = {
		z->jdk.object, z->jdk.klass, z->jdk.string, z->jdk.class_loader, z->jdk.thread,
		z->jdk.object_array, z->a, z->b, z->c, z->my_loader, z->s, z->dup1,
	};
	size_t i;

	for (i = 0; i < sizeof classes / sizeof classes[0]; i++)
		hw_root_sticky_class(w, classes[i]);
	for (i = 0; i < 12; i++)
		if (z->jdk.prim_array[i])
			hw_root_sticky_class(w, z->jdk.prim_array[i]);
}

static void put_a(struct hw_writer *w, uint64_t cls, uint64_t id, uint64_t next, uint64_t big,
		  int with_flag)
{
	struct hw_values v;

	hw_values_init(&v, 8);
	if (with_flag)
		hw_values_byte(&v, 1);
	hw_values_obj(&v, next);
	hw_values_obj(&v, big);
	hw_values_int(&v, 7);
	hw_instance(w, id, cls, &v);
	hw_values_release(&v);
}

static void write_objects(struct hw_writer *w, const struct heap *z)
{
	static const int32_t zeros[1000];
	static const uint8_t three[3] = { 1, 2, 3 };
	uint64_t cs[2] = { z->c1, z->c2 };

	put_a(w, z->a, z->a1, z->a2, 0, 0);
	put_a(w, z->a, z->a2, 0, z->big, 0);
	put_a(w, z->a, z->a3, 0, z->shared, 0);
	put_a(w, z->a, z->a4, 0, z->shared, 0);
	put_a(w, z->a, z->a5, z->a6, 0, 0);
	put_a(w, z->a, z->a6, 0, z->lost_bytes, 0);
	put_a(w, z->b, z->b1, 0, 0, 1);
	hw_prim_array(w, z->big, 0, HW_INT, 1000, zeros);
	hw_prim_array(w, z->shared, 0, HW_INT, 10, zeros);
	hw_prim_array(w, z->lost_bytes, 0, HW_BYTE, 3, three);
	hw_obj_array(w, z->holder, 0, z->jdk.object_array, 2, cs);
	hw_instance_dump(w, z->c1, 0, z->c, NULL, 0);
	hw_instance_dump(w, z->c2, 0, z->c, NULL, 0);
	hw_instance_dump(w, z->c3, 0, z->c, NULL, 0);
	hw_instance_dump(w, z->lo, 0, z->my_loader, NULL, 0);
	hw_instance_dump(w, z->d1, 0, z->d, NULL, 0);
	hw_instance_dump(w, z->d2, 0, z->d, NULL, 0);
	hw_instance_dump(w, z->e1, 0, z->dup1, NULL, 0);
	hw_instance_dump(w, z->e2, 0, z->dup2, NULL, 0);
	hw_instance_dump(w, z->e3, 0, z->dup2, NULL, 0);
}

static void write_roots(struct hw_writer *w, const struct heap *z)
{
	uint64_t jni[] = { z->a1, z->b1, z->holder, z->lo, z->d1, z->d2, z->e1, z->e2, z->e3 };
	size_t i;

	root_classes(w, z);
	for (i = 0; i < sizeof jni / sizeof jni[0]; i++)
		hw_root_jni_global(w, jni[i], i + 1);
	hw_root_java_frame(w, z->a3, 77, 0); /* no thread 77: a plain root */
	hw_root_monitor_used(w, z->a4);
}

struct hstate {
	char dir[UT_PATH_MAX];
	char path[UT_PATH_MAX];
	struct heap z;
	hl_heap *h;
};

static int heap_setup(void **state)
{
	struct hstate *s = calloc(1, sizeof *s);
	struct hw_writer *w = hw_new();

	if (!s)
		return -1;
	ut_tmpdir_make(s->dir, sizeof s->dir);
	ut_join(s->path, sizeof s->path, s->dir, "histo.hprof");
	hw_header(w, "JAVA PROFILE 1.0.2", 8, 0);
	define_classes(w, &s->z);
	allocate(w, &s->z);
	hw_class_dump_all(w);
	write_roots(w, &s->z);
	write_objects(w, &s->z);
	hw_heap_dump_end(w);
	hw_save(w, s->path);
	hw_free(w);
	s->h = ut_open(s->path);
	*state = s;
	return 0;
}

static int heap_teardown(void **state)
{
	struct hstate *s = *state;

	hl_close(s->h);
	ut_tmpdir_remove(s->dir);
	free(s);
	return 0;
}

/* ---- looking rows up ---- */

static const hl_histo_row *row_named(const hl_histogram *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->count; i++)
		if (!strcmp(t->rows[i].name, name))
			return &t->rows[i];
	return NULL;
}

static const hl_histo_row *row_of_class(const hl_histogram *t, hl_cls c)
{
	size_t i;

	for (i = 0; i < t->count; i++)
		if (t->rows[i].cls == c)
			return &t->rows[i];
	return NULL;
}

static hl_cls class_of_id(const hl_heap *h, uint64_t class_id)
{
	return hl_object_as_class(h, ut_find(h, class_id));
}

static void expect_row(const hl_histogram *t, const char *name, uint64_t instances,
		       uint64_t shallow)
{
	const hl_histo_row *r = row_named(t, name);

	if (!r)
		fail_msg("no histogram row '%s'", name);
	if (r->instances != instances || r->shallow != shallow)
		fail_msg("row '%s': %" PRIu64 " objects, %" PRIu64 " bytes; expected %" PRIu64
			 " and %" PRIu64, name, r->instances, r->shallow, instances, shallow);
}

static void expect_sums(const hl_histogram *t)
{
	uint64_t n = 0, bytes = 0;
	size_t i;

	for (i = 0; i < t->count; i++)
		n += t->rows[i].instances, bytes += t->rows[i].shallow;
	assert_int_equal(n, t->total_instances);
	assert_int_equal(bytes, t->total_shallow);
}

/* ---- counts and shallow sizes ---- */

static void test_by_class_counts(void **state)
{
	struct hstate *s = *state;
	hl_histogram t;
	hl_info info;

	hl_get_info(s->h, &info);
	assert_int_equal(hl_histogram_build(s->h, HL_BY_CLASS, 0, &t), HL_OK);
	expect_row(&t, "com.example.A", 4, 4 * 40);
	expect_row(&t, "com.example.B", 1, 48);
	expect_row(&t, "org.other.C", 2, 2 * 16);
	expect_row(&t, "com.example.D", 2, 2 * 16);
	expect_row(&t, "com.example.MyLoader", 1, 16);
	expect_row(&t, "int[]", 2, 4024 + 64);
	expect_row(&t, "java.lang.Object[]", 1, 40);
	/* 22 class objects; only S has statics: 4 + 8 + 8 = 20 -> 24 */
	expect_row(&t, "java.lang.Class", 22, 24);
	/* the synthetic <system class loader> */
	expect_row(&t, "java.lang.ClassLoader", 1, 16);
	/* a class without instances has a row only for its class object */
	assert_true(!row_named(&t, "byte[]") || row_named(&t, "byte[]")->instances == 0);
	assert_int_equal(t.total_instances, info.reachable_objects);
	assert_int_equal(t.total_shallow, info.reachable_bytes);
	assert_int_equal(t.total_shallow, hl_total_heap(s->h));
	expect_sums(&t);
	assert_int_equal(row_of_class(&t, class_of_id(s->h, s->z.a))->instances, 4);
	assert_int_equal(row_of_class(&t, class_of_id(s->h, s->z.a))->retained, 0);
	hl_histogram_free(&t);
}

/* Two classes named com.example.Dup: two rows, counted apart. */
static void test_same_name_two_classes(void **state)
{
	struct hstate *s = *state;
	hl_histogram t;
	size_t i, rows = 0;

	assert_int_equal(hl_histogram_build(s->h, HL_BY_CLASS, 0, &t), HL_OK);
	for (i = 0; i < t.count; i++)
		rows += !strcmp(t.rows[i].name, "com.example.Dup");
	assert_int_equal(rows, 2);
	assert_int_equal(row_of_class(&t, class_of_id(s->h, s->z.dup1))->instances, 1);
	assert_int_equal(row_of_class(&t, class_of_id(s->h, s->z.dup2))->instances, 2);
	hl_histogram_free(&t);
}

static void test_unreachable_histogram(void **state)
{
	struct hstate *s = *state;
	hl_histogram t;
	hl_info info;

	hl_get_info(s->h, &info);
	assert_int_equal(hl_histogram_build(s->h, HL_BY_CLASS, 1, &t), HL_OK);
	expect_row(&t, "com.example.A", 2, 80);
	expect_row(&t, "byte[]", 1, 32); /* round_up(24 + 3, 8) */
	expect_row(&t, "org.other.C", 1, 16);
	assert_int_equal(t.count, 3);
	assert_int_equal(t.total_instances, 4);
	assert_int_equal(t.total_instances, info.unreachable_objects);
	assert_int_equal(t.total_shallow, info.unreachable_bytes);
	expect_sums(&t);
	hl_histogram_free(&t);
}

static void test_by_package(void **state)
{
	struct hstate *s = *state;
	hl_histogram t;

	assert_int_equal(hl_histogram_build(s->h, HL_BY_PACKAGE, 0, &t), HL_OK);
	/* A x4, B, D x2, MyLoader, Dup x3 */
	expect_row(&t, "com.example", 11, 160 + 48 + 32 + 16 + 48);
	expect_row(&t, "org.other", 2, 32);
	assert_null(row_named(&t, "com.example.A"));
	assert_int_equal(t.rows[0].cls, HL_NONE);
	expect_sums(&t);
	hl_histogram_free(&t);
	assert_int_equal(hl_histogram_build(s->h, HL_BY_PACKAGE, 1, &t), HL_OK);
	expect_row(&t, "com.example", 2, 80);
	expect_row(&t, "org.other", 1, 16);
	expect_sums(&t);
	hl_histogram_free(&t);
}

static void test_by_loader(void **state)
{
	struct hstate *s = *state;
	char name[256];
	hl_histogram t;
	hl_info info;

	hl_get_info(s->h, &info);
	hl_class_loader_name(s->h, class_of_id(s->h, s->z.d), name, sizeof name);
	assert_non_null(strstr(name, "com.example.MyLoader"));
	assert_int_equal(hl_histogram_build(s->h, HL_BY_LOADER, 0, &t), HL_OK);
	expect_row(&t, name, 4, 64); /* D x2, Dup x2 */
	expect_row(&t, "<system class loader>", info.reachable_objects - 4,
		   info.reachable_bytes - 64);
	assert_int_equal(t.count, 2);
	hl_histogram_free(&t);
}

static void test_sort(void **state)
{
	struct hstate *s = *state;
	hl_histogram t;
	size_t i;

	assert_int_equal(hl_compute_dominators(s->h), HL_OK);
	assert_int_equal(hl_histogram_build(s->h, HL_BY_CLASS, 0, &t), HL_OK);
	hl_histogram_sort(&t, HL_SORT_SHALLOW);
	assert_string_equal(t.rows[0].name, "int[]");
	for (i = 1; i < t.count; i++)
		assert_true(t.rows[i - 1].shallow >= t.rows[i].shallow);
	hl_histogram_sort(&t, HL_SORT_INSTANCES);
	assert_string_equal(t.rows[0].name, "java.lang.Class");
	for (i = 1; i < t.count; i++)
		assert_true(t.rows[i - 1].instances >= t.rows[i].instances);
	hl_histogram_sort(&t, HL_SORT_RETAINED);
	for (i = 1; i < t.count; i++)
		assert_true(t.rows[i - 1].retained >= t.rows[i].retained);
	hl_histogram_sort(&t, HL_SORT_NAME);
	for (i = 1; i < t.count; i++)
		assert_true(strcmp(t.rows[i - 1].name, t.rows[i].name) <= 0);
	hl_histogram_free(&t);
}

/* ---- retained sizes per class ---- */

static void test_retained_per_class(void **state)
{
	struct hstate *s = *state;
	hl_heap *h = s->h;
	hl_obj a1, a2, a3, a4, cls_a;
	const hl_histo_row *r;
	hl_histogram t;

	assert_int_equal(hl_compute_dominators(h), HL_OK);
	a1 = ut_find(h, s->z.a1), a2 = ut_find(h, s->z.a2);
	a3 = ut_find(h, s->z.a3), a4 = ut_find(h, s->z.a4);
	cls_a = ut_find(h, s->z.a);
	/* A1 -> A2 -> big: A1 retains 40 + 40 + 4024; the shared int[10] is
	 * held by two roots (A3, A4), so it is a top-level dominator. */
	assert_int_equal(hl_retained(h, a1), 40 + 40 + 4024);
	assert_int_equal(hl_retained(h, a2), 40 + 4024);
	assert_int_equal(hl_idom(h, ut_find(h, s->z.shared)), HL_ROOT);
	assert_int_equal(hl_retained(h, a3), 40);
	assert_int_equal(hl_retained(h, cls_a), 0);
	assert_int_equal(hl_histogram_build(h, HL_BY_CLASS, 0, &t), HL_OK);
	r = row_of_class(&t, class_of_id(h, s->z.a));
	assert_non_null(r);
	assert_int_equal(r->retained, hl_retained(h, a1) + hl_retained(h, a3) +
				      hl_retained(h, a4) + hl_retained(h, cls_a));
	assert_int_equal(r->retained, 4104 + 40 + 40);
	assert_int_not_equal(r->retained, 4104 + 4064 + 40 + 40);
	/* the holder's C1 and C2 are under it; class C's row is just them */
	assert_int_equal(row_of_class(&t, class_of_id(h, s->z.c))->retained, 32);
	hl_histogram_free(&t);
}

/* Every row's retained size equals the topmost-members sum. */
static void test_retained_every_row(void **state)
{
	struct hstate *s = *state;
	hl_histogram t;
	size_t i;

	assert_int_equal(hl_compute_dominators(s->h), HL_OK);
	assert_int_equal(hl_histogram_build(s->h, HL_BY_CLASS, 0, &t), HL_OK);
	for (i = 0; i < t.count; i++) {
		uint64_t want = ut_topmost_sum(s->h, t.rows[i].cls);

		if (t.rows[i].retained != want)
			fail_msg("row '%s': retained %" PRIu64 ", topmost members %" PRIu64,
				 t.rows[i].name, t.rows[i].retained, want);
	}
	hl_histogram_free(&t);
	/* the unreachable histogram has no retained sizes */
	assert_int_equal(hl_histogram_build(s->h, HL_BY_CLASS, 1, &t), HL_OK);
	for (i = 0; i < t.count; i++)
		assert_int_equal(t.rows[i].retained, 0);
	hl_histogram_free(&t);
}

/* Without a dominator tree, retained sizes are 0 and hl_dominated empty. */
static void test_no_dominators_yet(void **state)
{
	struct hstate *s = *state;
	const hl_obj *kids;
	hl_histogram t;
	size_t i;

	assert_false(hl_has_dominators(s->h));
	assert_int_equal(hl_idom(s->h, ut_find(s->h, s->z.a1)), HL_NONE);
	assert_int_equal(hl_dominated(s->h, HL_ROOT, &kids), 0);
	assert_int_equal(hl_histogram_build(s->h, HL_BY_CLASS, 0, &t), HL_OK);
	for (i = 0; i < t.count; i++)
		assert_int_equal(t.rows[i].retained, 0);
	hl_histogram_free(&t);
	hl_histogram_free(NULL);
}

/* A class whose static field holds its only instance: the class object is
 * a member above the instance, so the row is the class object's retained
 * size alone. */
static void test_retained_class_object_above_instance(void **state)
{
	struct hstate *s = *state;
	struct hw_writer *w = hw_new();
	struct hw_jdk jdk;
	uint64_t single, inst, payload;
	const hl_histo_row *r;
	char path[UT_PATH_MAX];
	hl_histogram t;
	hl_heap *h;

	hw_header(w, "JAVA PROFILE 1.0.2", 8, 0);
	hw_jdk_define(w, &jdk);
	single = hw_node_class(w, "com/example/Single", 1);
	inst = hw_alloc(w, 24);
	payload = hw_alloc(w, 64);
	hw_class_add_static(w, single, "INSTANCE", hw_v_obj(inst));
	hw_class_dump_all(w);
	hw_root_sticky_class(w, jdk.object);
	hw_root_sticky_class(w, jdk.klass);
	hw_root_sticky_class(w, jdk.class_loader);
	hw_root_sticky_class(w, single);
	hw_node(w, single, inst, &payload);
	hw_prim_array(w, payload, 0, HW_BYTE, 40, "0123456789012345678901234567890123456789");
	hw_heap_dump_end(w);
	hw_save(w, ut_join(path, sizeof path, s->dir, "single.hprof"));
	hw_free(w);

	h = ut_open(path);
	assert_int_equal(hl_compute_dominators(h), HL_OK);
	assert_int_equal(hl_idom(h, ut_find(h, inst)), ut_find(h, single));
	/* class object 8 (one static ref) + instance 24 + byte[40] 64 */
	assert_int_equal(hl_retained(h, ut_find(h, single)), 8 + 24 + 64);
	assert_int_equal(hl_histogram_build(h, HL_BY_CLASS, 0, &t), HL_OK);
	r = row_of_class(&t, class_of_id(h, single));
	assert_non_null(r);
	assert_int_equal(r->instances, 1);
	assert_int_equal(r->shallow, 24);
	assert_int_equal(r->retained, 8 + 24 + 64);
	hl_histogram_free(&t);
	hl_close(h);
}

/* MAT takes a class whose loader object is missing from the dump as loaded
 * by the bootstrap loader: it groups with <system class loader>. */
static void test_missing_loader_is_bootstrap(void **state)
{
	struct hstate *s = *state;
	struct hw_writer *w = hw_new();
	struct hw_jdk jdk;
	uint64_t orphan, inst;
	char path[UT_PATH_MAX], name[256];
	hl_histogram t;
	hl_heap *h;

	hw_header(w, "JAVA PROFILE 1.0.2", 8, 0);
	hw_jdk_define(w, &jdk);
	orphan = hw_node_class(w, "com/example/Orphan", 1);
	hw_class_set_loader(w, orphan, 0x7777000); /* no such object */
	inst = hw_alloc(w, 24);
	hw_class_dump_all(w);
	hw_root_sticky_class(w, jdk.object);
	hw_root_sticky_class(w, jdk.klass);
	hw_root_sticky_class(w, jdk.class_loader);
	hw_node(w, orphan, inst, (uint64_t[]){ 0 });
	hw_root_jni_global(w, inst, 0);
	hw_heap_dump_end(w);
	hw_save(w, ut_join(path, sizeof path, s->dir, "orphan.hprof"));
	hw_free(w);

	h = ut_open(path);
	assert_int_equal(hl_class_loader_id(h, class_of_id(h, orphan)), 0);
	hl_class_loader_name(h, class_of_id(h, orphan), name, sizeof name);
	assert_string_equal(name, "<system class loader>");
	assert_int_equal(hl_histogram_build(h, HL_BY_LOADER, 0, &t), HL_OK);
	assert_int_equal(t.count, 1);
	hl_histogram_free(&t);
	hl_close(h);
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, heap_setup, heap_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_by_class_counts),
		TEST(test_same_name_two_classes),
		TEST(test_unreachable_histogram),
		TEST(test_by_package),
		TEST(test_by_loader),
		TEST(test_missing_loader_is_bootstrap),
		TEST(test_sort),
		TEST(test_retained_per_class),
		TEST(test_retained_every_row),
		TEST(test_no_dominators_yet),
		TEST(test_retained_class_object_above_instance),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
