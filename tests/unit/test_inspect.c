/*
 * test_inspect.c: looking inside objects, threads and strings, on one crafted
 * dump whose every value is known.
 *
 * The heap: an app.Holder instance with fields of several types (a String
 * name, an int, a double, a boolean, an Object[] of items) and a static
 * INSTANCE pointing back at it; an int[]; Strings with duplicate values in
 * every encoding (Latin-1 byte[], UTF-16 byte[], char[]), two of them
 * sharing one byte[]; a thread "worker-1" whose two-frame stack trace holds
 * the holder (frame 0), a String (frame 1) and a native-stack local.
 * Expected numbers are derived from the layout by hand or from the shallow
 * sizes the library reports, never from the code under test's own sums.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "heaplens/heaplens.h"
#include "hprof_builder.h"
#include "hprof_writer.h"

struct ids {
	uint64_t holder, holder_class, name, items, ints;
	uint64_t dup[3], solo, shared[2], shared_arr;
	uint64_t omega_b[2], omega_c;
	uint64_t thread, frame_local, native_local;
};

struct fixture {
	char path[256];
	hl_heap *h;
	struct ids id;
};

/* A String (coder 1, UTF-16LE in a byte[]) or (char[] value, coder 0). */
static uint64_t utf16_string(struct hw_writer *w, const struct hw_jdk *jdk,
			     const uint16_t *units, uint32_t n, int as_chars)
{
	uint64_t s = hw_alloc(w, hw_instance_size_guess(w, jdk->string));
	uint64_t a = hw_alloc(w, hw_array_size_guess(w, as_chars ? HW_CHAR : HW_BYTE, 2 * n));
	struct hw_values v;
	uint8_t bytes[64];
	uint32_t i;

	hw_values_init(&v, hw_id_size(w));
	hw_values_obj(&v, a);
	hw_values_byte(&v, as_chars ? 0 : 1);
	hw_values_int(&v, 0);
	hw_instance(w, s, jdk->string, &v);
	hw_values_release(&v);
	if (as_chars) {
		hw_prim_array(w, a, 0, HW_CHAR, n, units);
		return s;
	}
	for (i = 0; i < n; i++) {
		bytes[2 * i] = (uint8_t)(units[i] & 0xff);
		bytes[2 * i + 1] = (uint8_t)(units[i] >> 8);
	}
	hw_prim_array(w, a, 0, HW_BYTE, 2 * n, bytes);
	return s;
}

/* Top-level records: the stack trace of worker-1 (serial 10, thread 1). */
static void write_trace(struct hw_writer *w, uint64_t holder_class)
{
	uint64_t frames[2] = { 0x7000010, 0x7000020 };
	uint32_t serial = hw_class_serial(w, holder_class);

	hw_frame(w, frames[0], hw_name(w, "work"), hw_name(w, "(I)V"),
		 hw_name(w, "Holder.java"), serial, 42);
	hw_frame(w, frames[1], hw_name(w, "run"), hw_name(w, "()V"),
		 hw_name(w, "Holder.java"), serial, -3);
	hw_trace(w, 10, 1, 2, frames);
}

static void write_holder(struct hw_writer *w, const struct hw_jdk *jdk,
			 struct ids *id)
{
	struct hw_values v;
	uint64_t elems[3];

	id->name = hw_string(w, jdk, 0, 0, "holder-name");
	id->items = hw_alloc(w, 64);
	id->ints = hw_alloc(w, 40);
	hw_values_init(&v, hw_id_size(w));
	hw_values_obj(&v, id->name);
	hw_values_int(&v, -7);
	hw_values_double(&v, 2.5);
	hw_values_bool(&v, 1);
	hw_values_obj(&v, id->items);
	hw_instance(w, id->holder, id->holder_class, &v);
	hw_values_release(&v);
	elems[0] = id->name;
	elems[1] = 0;
	elems[2] = id->holder;
	hw_obj_array(w, id->items, 0, jdk->object_array, 3, elems);
	hw_prim_array(w, id->ints, 0, HW_INT, 3, (const int32_t[]){ 1, -2, 300 });
}

static void write_strings(struct hw_writer *w, const struct hw_jdk *jdk,
			  struct ids *id)
{
	static const uint16_t omega[] = { 0x03a9, ' ', 'd', 'u', 'p' };
	struct hw_values v;
	int i;

	for (i = 0; i < 3; i++)
		id->dup[i] = hw_string(w, jdk, 0, 0, "dup");
	id->solo = hw_string(w, jdk, 0, 0, "solo");
	/* two Strings, one byte[] */
	id->shared_arr = hw_alloc(w, hw_array_size_guess(w, HW_BYTE, 6));
	id->shared[0] = hw_string(w, jdk, 0, id->shared_arr, "shared");
	id->shared[1] = hw_alloc(w, hw_instance_size_guess(w, jdk->string));
	hw_values_init(&v, hw_id_size(w));
	hw_values_obj(&v, id->shared_arr);
	hw_values_byte(&v, 0);
	hw_values_int(&v, 0);
	hw_instance(w, id->shared[1], jdk->string, &v);
	hw_values_release(&v);
	id->omega_b[0] = utf16_string(w, jdk, omega, 5, 0);
	id->omega_b[1] = utf16_string(w, jdk, omega, 5, 0);
	id->omega_c = utf16_string(w, jdk, omega, 5, 1);
}

static void write_dump(const char *path, struct ids *id)
{
	struct hw_writer *w = hw_new();
	struct hw_jdk jdk;
	static const struct hw_field_spec holder_fields[] = {
		{ "name", HW_OBJECT }, { "count", HW_INT }, { "ratio", HW_DOUBLE },
		{ "flag", HW_BOOLEAN }, { "items", HW_OBJECT },
	};
	uint64_t objs[64];
	size_t n = 0, i;

	hw_header(w, "JAVA PROFILE 1.0.2", 8, 0);
	hw_jdk_define(w, &jdk);
	id->holder_class = hw_class_define(w, 0, "app/Holder", jdk.object, 5, holder_fields);
	id->holder = hw_alloc(w, 64);
	hw_class_add_static(w, id->holder_class, "INSTANCE", hw_v_obj(id->holder));
	write_trace(w, id->holder_class);
	hw_class_dump_all(w);
	write_holder(w, &jdk, id);
	write_strings(w, &jdk, id);
	id->thread = hw_thread_object(w, &jdk, 0, "worker-1");
	id->frame_local = hw_string(w, &jdk, 0, 0, "in-frame-1");
	id->native_local = hw_alloc(w, 40);
	hw_prim_array(w, id->native_local, 0, HW_LONG, 2, (const int64_t[]){ 5, 6 });

	hw_root_thread_obj(w, id->thread, 1, 10);
	hw_root_java_frame(w, id->holder, 1, 0);
	hw_root_java_frame(w, id->frame_local, 1, 1);
	hw_root_native_stack(w, id->native_local, 1);
	hw_root_sticky_class(w, id->holder_class);
	objs[n++] = id->solo;
	objs[n++] = id->shared[0];
	objs[n++] = id->shared[1];
	objs[n++] = id->omega_b[0];
	objs[n++] = id->omega_b[1];
	objs[n++] = id->omega_c;
	objs[n++] = id->ints;
	for (i = 0; i < 3; i++)
		objs[n++] = id->dup[i];
	for (i = 0; i < n; i++)
		hw_root_jni_global(w, objs[i], 0x9000 + i);
	hw_heap_dump_end(w);
	hw_save(w, path);
	hw_free(w);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *dir = getenv("HL_BUILD");
	hl_open_options o;
	int fd;

	assert_non_null(f);
	snprintf(f->path, sizeof(f->path), "%s/test_inspect_XXXXXX.hprof",
		 dir ? dir : "/tmp");
	fd = mkstemps(f->path, 6);
	assert_true(fd >= 0);
	close(fd);
	write_dump(f->path, &f->id);
	memset(&o, 0, sizeof(o));
	assert_int_equal(hl_open(f->path, &o, &f->h), HL_OK);
	assert_int_equal(hl_compute_dominators(f->h), HL_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	hl_close(f->h);
	unlink(f->path);
	free(f);
	return 0;
}

static hl_obj obj(const struct fixture *f, uint64_t id)
{
	hl_obj o = HL_NONE;

	assert_int_equal(hl_find_object(f->h, id, &o), HL_OK);
	return o;
}

static void test_fields_and_values(void **state)
{
	struct fixture *f = *state;
	hl_field_value v[8];
	char buf[64];
	hl_obj holder = obj(f, f->id.holder);

	assert_int_equal(hl_object_fields(f->h, holder, v, 8), 5);
	assert_string_equal(v[0].name, "name");
	assert_int_equal(v[0].type, HL_T_OBJECT);
	assert_int_equal(v[0].bits, f->id.name);
	assert_string_equal(v[1].name, "count");
	assert_string_equal(hl_format_value(v[1].type, v[1].bits, buf, sizeof(buf)), "-7");
	assert_string_equal(hl_format_value(v[2].type, v[2].bits, buf, sizeof(buf)), "2.5");
	assert_string_equal(hl_format_value(v[3].type, v[3].bits, buf, sizeof(buf)), "true");
	assert_string_equal(v[4].name, "items");
	assert_string_equal(v[4].declared_in, "app.Holder");
	assert_string_equal(hl_format_value(HL_T_OBJECT, 0, buf, sizeof(buf)), "null");
	/* the class object: its static */
	assert_int_equal(hl_object_fields(f->h, obj(f, f->id.holder_class), v, 8), 1);
	assert_string_equal(v[0].name, "INSTANCE");
	assert_true(v[0].is_static);
	assert_int_equal(v[0].bits, f->id.holder);
}

static void test_labels_and_refs(void **state)
{
	struct fixture *f = *state;
	hl_obj holder = obj(f, f->id.holder), items = obj(f, f->id.items);
	const hl_obj *from;
	char buf[96];
	size_t n, i;
	int seen = 0;

	assert_string_equal(hl_ref_label(f->h, holder, obj(f, f->id.name), buf, sizeof(buf)), "name");
	assert_string_equal(hl_ref_label(f->h, items, holder, buf, sizeof(buf)), "[2]");
	assert_string_equal(hl_ref_label(f->h, obj(f, f->id.holder_class), holder, buf, sizeof(buf)),
			    "INSTANCE");
	assert_string_equal(hl_ref_label(f->h, obj(f, f->id.thread), holder, buf, sizeof(buf)),
			    "<Java Local>");
	n = hl_inbound(f->h, holder, &from);
	assert_int_equal(n, 3); /* items[2], Holder.INSTANCE, the thread's local */
	for (i = 0; i < n; i++)
		seen |= from[i] == obj(f, f->id.thread);
	assert_true(seen);
	assert_true(hl_root_kinds(f->h, obj(f, f->id.thread)) & (1u << HL_ROOT_THREAD_OBJ));
}

/* Every object's referrers are the reachable objects whose outbound
 * references include it, each once, in object order: also for GC-root
 * class objects, whose referrers by class edge the inbound index leaves
 * out and hl_inbound puts back. */
static void test_inbound_matches_outbound(void **state)
{
	struct fixture *f = *state;
	uint32_t n = hl_object_count(f->h), t, x;
	hl_ref *refs = calloc(4096, sizeof(hl_ref));
	hl_obj *want = calloc(n, sizeof(hl_obj));
	unsigned merged = 0;

	assert_non_null(refs);
	assert_non_null(want);
	for (t = 0; t < n; t++) {
		const hl_obj *got;
		size_t k = 0, m = hl_inbound(f->h, t, &got), i;

		for (x = 0; x < n; x++) {
			size_t r = hl_outbound(f->h, x, refs, 4096);

			assert_true(r <= 4096);
			if (!hl_object_reachable(f->h, x))
				continue;
			for (i = 0; i < r; i++)
				if (refs[i].obj == t) {
					want[k++] = x;
					break;
				}
		}
		assert_int_equal(m, k);
		for (i = 0; i < k; i++)
			assert_int_equal(got[i], want[i]);
		if (k > 0 && hl_root_kinds(f->h, t) && hl_object_kind(f->h, t) == HL_CLASS_OBJ)
			merged++;
	}
	assert_true(merged > 0); /* root class objects with referrers were met */
	free(refs);
	free(want);
}

static void test_array_values(void **state)
{
	struct fixture *f = *state;
	uint64_t v[8];
	int type;
	char buf[32];

	assert_int_equal(hl_array_values(f->h, obj(f, f->id.ints), 0, v, 8, &type), 3);
	assert_int_equal(type, HL_T_INT);
	assert_string_equal(hl_format_value(type, v[1], buf, sizeof(buf)), "-2");
	assert_string_equal(hl_format_value(type, v[2], buf, sizeof(buf)), "300");
	assert_int_equal(hl_array_values(f->h, obj(f, f->id.ints), 2, v, 8, &type), 1);
	assert_int_equal(hl_array_values(f->h, obj(f, f->id.items), 0, v, 2, &type), 2);
	assert_int_equal(type, HL_T_OBJECT);
	assert_int_equal(v[0], f->id.name);
	assert_int_equal(v[1], 0);
	assert_int_equal(hl_array_values(f->h, obj(f, f->id.holder), 0, v, 8, &type), 0);
}

static void test_string_values(void **state)
{
	struct fixture *f = *state;
	char buf[64];

	hl_string_value(f->h, obj(f, f->id.omega_b[0]), 100, buf, sizeof(buf));
	assert_string_equal(buf, "\xce\xa9 dup");
	hl_string_value(f->h, obj(f, f->id.omega_c), 100, buf, sizeof(buf));
	assert_string_equal(buf, "\xce\xa9 dup");
	assert_int_equal(hl_string_length(f->h, obj(f, f->id.omega_b[0])), 5);
	assert_int_equal(hl_string_length(f->h, obj(f, f->id.omega_c)), 5);
	assert_int_equal(hl_string_length(f->h, obj(f, f->id.dup[0])), 3);
	assert_int_equal(hl_string_length(f->h, obj(f, f->id.holder)), 0);
}

static void test_threads(void **state)
{
	struct fixture *f = *state;
	hl_thread_list tl;
	const hl_thread_info *t;

	assert_int_equal(hl_thread_list_build(f->h, &tl), HL_OK);
	assert_int_equal(tl.count, 1);
	t = &tl.threads[0];
	assert_int_equal(t->obj, obj(f, f->id.thread));
	assert_string_equal(t->name, "worker-1");
	assert_int_equal(t->serial, 1);
	assert_int_equal(t->retained, hl_retained(f->h, t->obj));
	assert_int_equal(t->nframes, 2);
	assert_string_equal(t->frames[0].class_name, "app.Holder");
	assert_string_equal(t->frames[0].method, "work");
	assert_string_equal(t->frames[0].signature, "(I)V");
	assert_string_equal(t->frames[0].source, "Holder.java");
	assert_int_equal(t->frames[0].line, 42);
	assert_int_equal(t->frames[1].line, -3);
	assert_int_equal(t->frames[0].nlocals, 1);
	assert_int_equal(t->frames[0].locals[0].obj, obj(f, f->id.holder));
	assert_int_equal(t->frames[0].locals[0].kind, HL_ROOT_JAVA_FRAME);
	assert_int_equal(t->frames[1].nlocals, 1);
	assert_int_equal(t->frames[1].locals[0].obj, obj(f, f->id.frame_local));
	assert_int_equal(t->nother, 1);
	assert_int_equal(t->other_locals[0].obj, obj(f, f->id.native_local));
	assert_int_equal(t->other_locals[0].kind, HL_ROOT_NATIVE_STACK);
	/* the thread retains what only its stack holds: the frame-1 String */
	assert_true(t->retained >= t->shallow +
		    hl_retained(f->h, obj(f, f->id.frame_local)));
	hl_thread_list_free(&tl);
	hl_thread_list_free(&tl); /* twice is harmless */
}

static const hl_string_group *group_of(const hl_string_dups *d, const struct fixture *f,
				       uint64_t member)
{
	size_t i;
	char a[64], b[64];

	hl_string_value(f->h, obj(f, member), 100, a, sizeof(a));
	for (i = 0; i < d->count; i++) {
		hl_string_value(f->h, d->groups[i].first, 100, b, sizeof(b));
		if (!strcmp(a, b))
			return &d->groups[i];
	}
	return NULL;
}

static uint64_t copy_bytes(const struct fixture *f, uint64_t s)
{
	hl_field_value v;
	hl_obj o = obj(f, s);

	assert_true(hl_object_field(f->h, o, "value", &v));
	return hl_object_shallow(f->h, o) + hl_object_shallow(f->h, obj(f, v.bits));
}

static void test_duplicate_strings(void **state)
{
	struct fixture *f = *state;
	hl_string_dups d;
	const hl_string_group *g;
	size_t i;

	assert_int_equal(hl_string_dups_build(f->h, 2, 0, &d), HL_OK);
	/* "dup" x3, "Ω dup" x3 (two UTF-16 byte[], one char[]), "shared" x2 */
	assert_int_equal(d.count, 3);
	g = group_of(&d, f, f->id.dup[0]);
	assert_non_null(g);
	assert_int_equal(g->copies, 3);
	assert_int_equal(g->length, 3);
	assert_int_equal(g->wasted, 2 * copy_bytes(f, f->id.dup[0]));
	assert_int_equal(g->bytes, 3 * copy_bytes(f, f->id.dup[0]));
	assert_false(g->collision);
	g = group_of(&d, f, f->id.omega_c);
	assert_non_null(g);
	assert_int_equal(g->copies, 3);
	assert_int_equal(g->length, 5);
	assert_int_equal(g->bytes, 2 * copy_bytes(f, f->id.omega_b[0]) +
			 copy_bytes(f, f->id.omega_c));
	/* one array for two Strings: deduplicating frees one String only */
	g = group_of(&d, f, f->id.shared[1]);
	assert_non_null(g);
	assert_int_equal(g->copies, 2);
	assert_int_equal(g->wasted, hl_object_shallow(f->h, obj(f, f->id.shared[1])));
	assert_int_equal(g->bytes, 2 * hl_object_shallow(f->h, obj(f, f->id.shared[0])) +
			 hl_object_shallow(f->h, obj(f, f->id.shared_arr)));
	for (i = 1; i < d.count; i++)
		assert_true(d.groups[i - 1].wasted >= d.groups[i].wasted);
	assert_int_equal(d.groups_total, 3);
	assert_int_equal(d.wasted, d.groups[0].wasted + d.groups[1].wasted +
			 d.groups[2].wasted);
	hl_string_dups_free(&d);

	/* --top 1 and --min-count 1 */
	assert_int_equal(hl_string_dups_build(f->h, 1, 1, &d), HL_OK);
	assert_int_equal(d.count, 1);
	assert_true(d.groups_total >= 5);
	assert_int_equal(d.distinct, d.groups_total);
	hl_string_dups_free(&d);
}

static void test_regex_match(void **state)
{
	struct fixture *f = *state;
	hl_obj *m;
	size_t n, i;

	assert_int_equal(hl_string_match(f->h, "^dup$", 0, &m, &n), HL_OK);
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++)
		assert_true(m[i] == obj(f, f->id.dup[0]) || m[i] == obj(f, f->id.dup[1]) ||
			    m[i] == obj(f, f->id.dup[2]));
	hl_string_match_free(m);
	assert_int_equal(hl_string_match(f->h, "\xce\xa9 d", 0, &m, &n), HL_OK);
	assert_int_equal(n, 3);
	hl_string_match_free(m);
	assert_int_equal(hl_string_match(f->h, "^SOLO|^WORKER", HL_MATCH_ICASE, &m, &n), HL_OK);
	assert_int_equal(n, 2);
	hl_string_match_free(m);
	assert_int_equal(hl_string_match(f->h, "nothing-like-this", 0, &m, &n), HL_OK);
	assert_int_equal(n, 0);
	hl_string_match_free(m);
}

/* Last: a usage error stays in the handle's message. */
static void test_regex_error(void **state)
{
	struct fixture *f = *state;
	hl_obj *m;
	size_t n;

	assert_int_equal(hl_string_match(f->h, "(", 0, &m, &n), HL_E_USAGE);
	assert_null(m);
	assert_int_equal(n, 0);
	assert_non_null(strstr(hl_errmsg(f->h), "regular expression"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_and_values),
		cmocka_unit_test(test_labels_and_refs),
		cmocka_unit_test(test_inbound_matches_outbound),
		cmocka_unit_test(test_array_values),
		cmocka_unit_test(test_string_values),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_duplicate_strings),
		cmocka_unit_test(test_regex_match),
		cmocka_unit_test(test_regex_error),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
