/*
 * mkcrafted.c: writes crafted HPROF dumps that the JDK never produces, each with
 * a NAME.expect file saying what a correct reader must find.
 *
 *   mkcrafted OUTDIR            the small set (each well under 100 KB), for
 *                               fixtures/crafted/
 *   mkcrafted OUTDIR NAME...    only these; NAME "all" is every fixture
 *
 * Fixtures: idsize4 (1.0.2, 32-bit ids), v101-single (1.0.1, one HEAP_DUMP, no
 * HEAP_DUMP_END), android (1.0.3, ART sub-records, tiny segments), two-dumps
 * (two complete dumps; expect keys dump1.* and dump2.*), unknown-tag (records
 * a reader must skip by length), and, on request only because of their size,
 * deep-chain (a 2,000,000-node linked list under one root, ~66 MB) and
 * deep-stack (one thread, a 5000-frame TRACE, a Java-frame root per frame,
 * ~500 KB).
 *
 * NAME.expect: lines "key<TAB>value"; lines starting with '#' are comments. The
 * counts come from the writer's own record of what it wrote (hw_expect_records,
 * hw_expect_heap in hprof_writer.h, which also list the keys), plus "dumps" and
 * a few fixture-specific keys noted in each fixture's function. Class names are
 * in the dump's internal form (java/lang/String, [I). Counts are of sub-records
 * as written: a Java-frame root is one root even though MAT folds it into its
 * thread, and a class object counts under "classes", not "instances".
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hprof_builder.h"

#define TIMESTAMP UINT64_C(1700000000000)

/* ---- fixture output: NAME.hprof and NAME.expect ---- */

struct fixture {
	const char *dir;
	const char *name;
	const char *note;
	char *keys; /* fixture-specific and per-dump expect lines */
	size_t keys_len;
	FILE *k;
};

static void fixture_open(struct fixture *fx, const char *dir, const char *name, const char *note)
{
	fx->dir = dir;
	fx->name = name;
	fx->note = note;
	fx->keys = NULL;
	fx->keys_len = 0;
	fx->k = open_memstream(&fx->keys, &fx->keys_len);
	if (!fx->k) {
		perror("mkcrafted: open_memstream");
		exit(1);
	}
}

static char *path_of(const struct fixture *fx, const char *ext)
{
	size_t n = strlen(fx->dir) + strlen(fx->name) + strlen(ext) + 2;
	char *p = malloc(n);

	if (!p) {
		fputs("mkcrafted: out of memory\n", stderr);
		exit(1);
	}
	snprintf(p, n, "%s/%s%s", fx->dir, fx->name, ext);
	return p;
}

/* Saves the dump and its expect file; frees the writer. */
static void fixture_save(struct fixture *fx, struct hw_writer *w, int dumps)
{
	char *hprof = path_of(fx, ".hprof");
	char *expect = path_of(fx, ".expect");
	FILE *f;

	hw_save(w, hprof);
	fclose(fx->k);
	f = fopen(expect, "w");
	if (!f) {
		fprintf(stderr, "mkcrafted: cannot open '%s': %s\n", expect, strerror(errno));
		exit(1);
	}
	fprintf(f, "# %s.hprof: %s\n", fx->name, fx->note);
	fprintf(f, "# written by tests/tools/mkcrafted; key<TAB>value, see mkcrafted.c\n");
	fprintf(f, "dumps\t%d\n", dumps);
	hw_expect_records(w, f);
	fwrite(fx->keys, 1, fx->keys_len, f);
	if (ferror(f) || fclose(f) != 0) {
		fprintf(stderr, "mkcrafted: cannot write '%s'\n", expect);
		exit(1);
	}
	printf("%s\t%zu\n", hprof, hw_size(w));
	free(fx->keys);
	free(hprof);
	free(expect);
	hw_free(w);
}

/* ---- a small application heap shared by several fixtures ---- */

struct app {
	struct hw_jdk jdk;
	uint64_t cache;     /* com/example/Cache: table (Object[]), size (int) */
	uint64_t entry;     /* com/example/Cache$Entry: key, value, next, hash */
	uint64_t config;    /* com/example/Config: a static of every basic type */
	uint64_t cache_obj; /* the one Cache instance, held by Config.INSTANCE */
	uint64_t thread_obj;
};

static void app_define_config(struct hw_writer *w, struct app *a)
{
	a->config = hw_class_define(w, 0, "com/example/Config", a->jdk.object, 0, NULL);
	hw_class_add_static(w, a->config, "DEBUG", hw_v_bool(1));
	hw_class_add_static(w, a->config, "SEPARATOR", hw_v_char(','));
	hw_class_add_static(w, a->config, "RATIO", hw_v_float(0.75f));
	hw_class_add_static(w, a->config, "PI", hw_v_double(3.141592653589793));
	hw_class_add_static(w, a->config, "LEVEL", hw_v_byte(-3));
	hw_class_add_static(w, a->config, "PORT", hw_v_short(8080));
	hw_class_add_static(w, a->config, "LIMIT", hw_v_int(100000));
	hw_class_add_static(w, a->config, "EPOCH", hw_v_long(INT64_C(1700000000000)));
	hw_class_add_static(w, a->config, "INSTANCE", hw_v_obj(a->cache_obj));
}

/* Top-level part: classes, names, one thread "main" (serial 1, trace 1). */
static void app_define(struct hw_writer *w, struct app *a)
{
	static const struct hw_field_spec cache_fields[] = { { "table", HW_OBJECT }, { "size", HW_INT } };
	static const struct hw_field_spec entry_fields[] = {
		{ "key", HW_OBJECT }, { "value", HW_OBJECT }, { "next", HW_OBJECT }, { "hash", HW_INT },
	};

	hw_jdk_define(w, &a->jdk);
	a->cache = hw_class_define(w, 0, "com/example/Cache", a->jdk.object, 2, cache_fields);
	a->entry = hw_class_define(w, 0, "com/example/Cache$Entry", a->jdk.object, 4, entry_fields);
	a->cache_obj = hw_alloc(w, hw_instance_size_guess(w, a->cache));
	a->thread_obj = hw_alloc(w, hw_instance_size_guess(w, a->jdk.thread));
	app_define_config(w, a);
	hw_trace(w, 1, 1, 0, NULL);
	hw_start_thread(w, 1, a->thread_obj, 1, hw_name(w, "main"), hw_name(w, "main"),
			hw_name(w, "system"));
}

/* One array of every primitive type, in an Object[]; returns the Object[]. */
static uint64_t app_prim_arrays(struct hw_writer *w, const struct app *a)
{
	static const uint8_t z[] = { 1, 0, 1 };
	static const uint16_t c[] = { 'h', 'e', 'a', 'p' };
	static const float f[] = { 1.5f, -0.0f };
	static const double d[] = { 3.141592653589793, 1e300 };
	static const int8_t b[] = { -1, 0, 127 };
	static const int16_t s[] = { -2, 300, 32767 };
	static const int32_t i[] = { 0, 1, -1, INT32_MAX, INT32_MIN };
	static const int64_t j[] = { INT64_MIN, 1, INT64_C(1234567890123) };
	static const struct { uint8_t type; uint32_t n; const void *p; } arrays[] = {
		{ HW_BOOLEAN, 3, z }, { HW_CHAR, 4, c }, { HW_FLOAT, 2, f }, { HW_DOUBLE, 2, d },
		{ HW_BYTE, 3, b }, { HW_SHORT, 3, s }, { HW_INT, 5, i }, { HW_LONG, 3, j },
	};
	uint64_t ids[8];
	uint64_t holder = hw_alloc(w, hw_array_size_guess(w, HW_OBJECT, 8));
	size_t k;

	for (k = 0; k < 8; k++) {
		ids[k] = hw_alloc(w, hw_array_size_guess(w, arrays[k].type, arrays[k].n));
		hw_prim_array(w, ids[k], 0, arrays[k].type, arrays[k].n, arrays[k].p);
	}
	hw_obj_array(w, holder, 0, a->jdk.object_array, 8, ids);
	return holder;
}

/* A chain of n entries keyed "key-<i>"; the table holds every entry. */
static void app_entries(struct hw_writer *w, const struct app *a, uint64_t table,
			const uint64_t *entries, uint32_t n)
{
	struct hw_values v;
	char text[32];
	uint32_t i;

	hw_values_init(&v, hw_id_size(w));
	for (i = 0; i < n; i++) {
		uint64_t key, value;

		snprintf(text, sizeof text, "key-%u", (unsigned)i);
		key = hw_string(w, &a->jdk, 0, 0, text);
		snprintf(text, sizeof text, "value-%u", (unsigned)i);
		value = hw_string(w, &a->jdk, 0, 0, text);
		hw_values_clear(&v);
		hw_values_obj(&v, key);
		hw_values_obj(&v, value);
		hw_values_obj(&v, i + 1 < n ? entries[i + 1] : 0);
		hw_values_int(&v, (int32_t)(i * 31));
		hw_instance(w, entries[i], a->entry, &v);
	}
	hw_obj_array(w, table, 0, a->jdk.object_array, n, entries);
	hw_values_release(&v);
}

/* Roots, then objects: the thread, the cache with n entries, the arrays. */
static void app_objects(struct hw_writer *w, const struct app *a, uint32_t n)
{
	uint64_t table = hw_alloc(w, hw_array_size_guess(w, HW_OBJECT, n));
	uint64_t *entries = calloc(n ? n : 1, sizeof *entries);
	struct hw_values v;
	uint32_t i;

	if (!entries)
		abort();
	for (i = 0; i < n; i++)
		entries[i] = hw_alloc(w, hw_instance_size_guess(w, a->entry));
	hw_root_sticky_class(w, a->jdk.object);
	hw_root_sticky_class(w, a->jdk.string);
	hw_root_sticky_class(w, a->config);
	hw_root_thread_obj(w, a->thread_obj, 1, 1);
	hw_root_java_frame(w, a->cache_obj, 1, 0);
	hw_root_monitor_used(w, a->cache_obj);
	if (n)
		hw_root_jni_global(w, entries[n - 1], 0x5000);
	hw_thread_object(w, &a->jdk, a->thread_obj, "main");
	hw_values_init(&v, hw_id_size(w));
	hw_values_obj(&v, table);
	hw_values_int(&v, (int32_t)n);
	hw_instance(w, a->cache_obj, a->cache, &v);
	hw_values_release(&v);
	app_entries(w, a, table, entries, n);
	hw_root_jni_local(w, app_prim_arrays(w, a), 1, 0);
	free(entries);
}

static void app_heap(struct hw_writer *w, const struct app *a, uint32_t n)
{
	hw_class_dump_all(w);
	app_objects(w, a, n);
}

/* ---- the fixtures ---- */

/* 32-bit JVM: identifier size 4 everywhere, including constant pool ids. */
static void craft_idsize4(const char *dir)
{
	struct fixture fx;
	struct hw_writer *w = hw_new();
	struct app a;

	fixture_open(&fx, dir, "idsize4", "JAVA PROFILE 1.0.2 with identifier size 4 (32-bit JVM)");
	hw_header(w, "JAVA PROFILE 1.0.2", 4, TIMESTAMP);
	app_define(w, &a);
	hw_class_add_const(w, a.config, 1, hw_v_int(42));
	hw_class_add_const(w, a.config, 2, hw_v_long(-1));
	hw_class_add_const(w, a.config, 3, hw_v_obj(a.cache_obj));
	hw_class_dump_all(w);
	hw_root_unknown(w, a.jdk.class_loader);
	hw_root_native_stack(w, a.cache_obj, 1);
	hw_root_thread_block(w, a.thread_obj, 1);
	app_objects(w, &a, 4);
	hw_heap_dump_end(w);
	hw_expect_heap(w, fx.k, "");
	fixture_save(&fx, w, 1);
}

/* Old HotSpot: one HEAP_DUMP record holds the heap; no HEAP_DUMP_END. */
static void craft_v101_single(const char *dir)
{
	struct fixture fx;
	struct hw_writer *w = hw_new();
	struct app a;

	fixture_open(&fx, dir, "v101-single",
		     "JAVA PROFILE 1.0.1, one HEAP_DUMP (0x0C) record, no segments, no HEAP_DUMP_END");
	hw_header(w, "JAVA PROFILE 1.0.1", 8, TIMESTAMP);
	app_define(w, &a);
	hw_heap_begin(w, HW_HEAP_DUMP);
	app_heap(w, &a, 6);
	hw_heap_end(w);
	hw_expect_heap(w, fx.k, "");
	fixture_save(&fx, w, 1);
}

/* Every ART root tag, on objects of the image heap. */
static void android_art_roots(struct hw_writer *w, const struct app *a, uint64_t interned,
			      uint64_t other)
{
	hw_root_interned_string(w, interned);
	hw_root_finalizing(w, other);
	hw_root_debugger(w, interned);
	hw_root_reference_cleanup(w, other);
	hw_root_vm_internal(w, a->jdk.class_loader);
	hw_root_jni_monitor(w, a->cache_obj, 1, 2);
}

/* ART: HEAP_DUMP_INFO switches heaps, ART roots, arrays without data,
 * UNREACHABLE entries, segments cut every 256 bytes. */
static void craft_android(const char *dir)
{
	struct fixture fx;
	struct hw_writer *w = hw_new();
	struct app a;
	uint64_t zygote, image, app, s1, s2, lost[2], nodata[2];
	struct hw_values v;
	int i;

	fixture_open(&fx, dir, "android",
		     "JAVA PROFILE 1.0.3 (ART), id size 4, heaps zygote/image/app, ART roots, "
		     "PRIMITIVE_ARRAY_NODATA, UNREACHABLE, 256-byte segments");
	hw_header(w, "JAVA PROFILE 1.0.3", 4, TIMESTAMP);
	hw_set_segment_limit(w, 256);
	app_define(w, &a);
	zygote = hw_name(w, "zygote");
	image = hw_name(w, "image");
	app = hw_name(w, "app");

	hw_heap_dump_info(w, 'I', image);
	hw_class_dump_all(w);
	s1 = hw_alloc(w, hw_instance_size_guess(w, a.jdk.string));
	s2 = hw_alloc(w, hw_instance_size_guess(w, a.jdk.string));
	android_art_roots(w, &a, s1, s2);
	hw_string(w, &a.jdk, s1, 0, "interned");
	hw_string(w, &a.jdk, s2, 0, "finalizable");

	hw_heap_dump_info(w, 'Z', zygote);
	for (i = 0; i < 2; i++) {
		nodata[i] = hw_alloc(w, hw_array_size_guess(w, i ? HW_BYTE : HW_INT, i ? 4096 : 1000));
		hw_root_vm_internal(w, nodata[i]);
		hw_prim_array_nodata(w, nodata[i], 0, i ? 4096 : 1000, i ? HW_BYTE : HW_INT);
	}

	hw_heap_dump_info(w, 'A', app);
	app_objects(w, &a, 5);
	hw_values_init(&v, 4);
	for (i = 0; i < 2; i++) {
		lost[i] = hw_alloc(w, hw_instance_size_guess(w, a.entry));
		hw_unreachable(w, lost[i]);
		hw_values_clear(&v);
		hw_values_obj(&v, 0);
		hw_values_obj(&v, 0);
		hw_values_obj(&v, i ? lost[0] : 0);
		hw_values_int(&v, -i);
		hw_instance(w, lost[i], a.entry, &v);
	}
	hw_values_release(&v);
	hw_heap_dump_end(w);
	hw_expect_heap(w, fx.k, "");
	fprintf(fx.k, "heap_names\tzygote,image,app\n");
	fixture_save(&fx, w, 1);
}

/* Two complete dumps; a class defined between them exists only in the second. */
static void craft_two_dumps(const char *dir)
{
	static const struct hw_field_spec late_fields[] = { { "payload", HW_OBJECT } };
	static const int32_t payload[] = { 7, 8, 9 };
	struct fixture fx;
	struct hw_writer *w = hw_new();
	struct app a;
	uint64_t late, obj[2], arr[2];
	int i;

	fixture_open(&fx, dir, "two-dumps",
		     "two complete heap dumps in one file, each closed by HEAP_DUMP_END; "
		     "keys dump1.* and dump2.*");
	hw_header(w, "JAVA PROFILE 1.0.2", 8, TIMESTAMP);
	app_define(w, &a);
	app_heap(w, &a, 3);
	hw_heap_dump_end(w);
	hw_expect_heap(w, fx.k, "dump1.");
	hw_heap_stats_reset(w);

	late = hw_class_define(w, 0, "com/example/Late", a.jdk.object, 1, late_fields);
	app_heap(w, &a, 7);
	for (i = 0; i < 2; i++) {
		struct hw_values v;

		obj[i] = hw_alloc(w, hw_instance_size_guess(w, late));
		arr[i] = hw_alloc(w, hw_array_size_guess(w, HW_INT, 3));
		hw_root_java_frame(w, obj[i], 1, 1);
		hw_values_init(&v, 8);
		hw_values_obj(&v, arr[i]);
		hw_instance(w, obj[i], late, &v);
		hw_values_release(&v);
		hw_prim_array(w, arr[i], 0, HW_INT, 3, payload);
	}
	hw_heap_dump_end(w);
	hw_expect_heap(w, fx.k, "dump2.");
	fixture_save(&fx, w, 2);
}

/* Top-level records a reader must skip by their length: unknown tags (before
 * the heap, between segments, after HEAP_DUMP_END) and known ones it has no use
 * for (HEAP_SUMMARY, CONTROL_SETTINGS). */
static void craft_unknown_tag(const char *dir)
{
	/* A body that looks like heap sub-records, to trip readers that peek. */
	static const uint8_t junk[37] = {
		0x21, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0x20, 0xFF, 0xFF, 0xFF, 0xFF,
		0x2C, 0, 0, 0, 0, 0, 0, 0, 0, 0x1C, 0x7F, 0xFF, 0xFF, 0xFF, 0x01, 0x02, 0x03, 0x04, 0x05,
	};
	struct fixture fx;
	struct hw_writer *w = hw_new();
	struct app a;
	uint64_t after;

	fixture_open(&fx, dir, "unknown-tag",
		     "valid 1.0.2 dump plus unknown top-level tags 0x55, 0x7E, 0xA5 and "
		     "HEAP_SUMMARY, CONTROL_SETTINGS records, to be skipped by length");
	hw_header(w, "JAVA PROFILE 1.0.2", 8, TIMESTAMP);
	app_define(w, &a);
	hw_record_raw(w, 0x55, junk, sizeof junk);
	hw_record_begin(w, HW_CONTROL_SETTINGS);
	hw_u4(w, 0x2);
	hw_u2(w, 16);
	hw_record_end(w);
	app_heap(w, &a, 4);
	hw_heap_end(w);
	hw_record_raw(w, 0x7E, junk, 9);
	after = hw_alloc(w, hw_instance_size_guess(w, a.jdk.string));
	hw_root_unknown(w, after);
	hw_string(w, &a.jdk, after, 0, "after the unknown record");
	hw_heap_dump_end(w);
	hw_record_begin(w, HW_HEAP_SUMMARY);
	hw_u4(w, 1000);
	hw_u4(w, 10);
	hw_u8(w, 5000);
	hw_u8(w, 50);
	hw_record_end(w);
	hw_record_raw(w, 0xA5, NULL, 0);
	hw_expect_heap(w, fx.k, "");
	fixture_save(&fx, w, 1);
}

/* A linked list of 2,000,000 nodes held by one JNI global root: the deepest path
 * is 2,000,000 objects long. Node i is at base + (i/2)*56 + (i%2)*24, so address
 * gaps alternate 24 and 32 (alignment 8). Extra key: chain_length. */
static void craft_deep_chain(const char *dir)
{
	const uint64_t n = 2000000;
	struct fixture fx;
	struct hw_writer *w = hw_new();
	struct hw_jdk jdk;
	uint64_t node, base, i, next;

	fixture_open(&fx, dir, "deep-chain", "a 2,000,000-node linked list held by one root");
	hw_header(w, "JAVA PROFILE 1.0.2", 8, TIMESTAMP);
	hw_set_segment_limit(w, (size_t)1 << 20);
	hw_jdk_define(w, &jdk);
	node = hw_node_class(w, "com/example/ChainNode", 1);
	hw_class_dump_all(w);
	base = hw_alloc_block(w, 56, n / 2 + 1);
	hw_root_jni_global(w, base, 0x5000);
	for (i = 0; i < n; i++) {
		next = i + 1 < n ? base + ((i + 1) / 2) * 56 + ((i + 1) % 2) * 24 : 0;
		hw_node(w, node, base + (i / 2) * 56 + (i % 2) * 24, &next);
	}
	hw_heap_dump_end(w);
	hw_expect_heap(w, fx.k, "");
	fprintf(fx.k, "chain_length\t%llu\n", (unsigned long long)n);
	fixture_save(&fx, w, 1);
}

/* One thread whose TRACE has 5000 FRAMEs (frame 0 on top), a Java-frame root
 * per frame, each holding its own local object. Extra key: stack_depth. */
static void craft_deep_stack(const char *dir)
{
	const uint32_t depth = 5000;
	struct fixture fx;
	struct hw_writer *w = hw_new();
	struct hw_jdk jdk;
	uint64_t deep, local, thread, method, sig, source, first, *frames;
	uint32_t i;

	fixture_open(&fx, dir, "deep-stack", "one thread with a 5000-frame stack and a Java-frame root per frame");
	hw_header(w, "JAVA PROFILE 1.0.2", 8, TIMESTAMP);
	hw_jdk_define(w, &jdk);
	deep = hw_node_class(w, "com/example/Deep", 0);
	local = hw_node_class(w, "com/example/Deep$Local", 0);
	method = hw_name(w, "recurse");
	sig = hw_name(w, "(I)V");
	source = hw_name(w, "Deep.java");
	frames = malloc(depth * sizeof *frames);
	if (!frames)
		abort();
	for (i = 0; i < depth; i++) {
		frames[i] = UINT64_C(0x00200000) + 8 * (uint64_t)i;
		hw_frame(w, frames[i], method, sig, source, hw_class_serial(w, deep), (int32_t)(10 + i % 7));
	}
	hw_trace(w, 1, 1, depth, frames);
	thread = hw_alloc(w, hw_instance_size_guess(w, jdk.thread));
	hw_start_thread(w, 1, thread, 1, hw_name(w, "deep-main"), hw_name(w, "main"), hw_name(w, "system"));
	hw_class_dump_all(w);
	hw_root_thread_obj(w, thread, 1, 1);
	first = hw_alloc_block(w, 16, depth);
	for (i = 0; i < depth; i++)
		hw_root_java_frame(w, first + 16 * (uint64_t)i, 1, i);
	hw_thread_object(w, &jdk, thread, "deep-main");
	for (i = 0; i < depth; i++)
		hw_node(w, local, first + 16 * (uint64_t)i, NULL);
	hw_heap_dump_end(w);
	free(frames);
	hw_expect_heap(w, fx.k, "");
	fprintf(fx.k, "stack_depth\t%u\n", (unsigned)depth);
	fixture_save(&fx, w, 1);
}

/* ---- main ---- */

static const struct {
	const char *name;
	void (*craft)(const char *dir);
	int by_default;
} fixtures[] = {
	{ "idsize4", craft_idsize4, 1 },
	{ "v101-single", craft_v101_single, 1 },
	{ "android", craft_android, 1 },
	{ "two-dumps", craft_two_dumps, 1 },
	{ "unknown-tag", craft_unknown_tag, 1 },
	{ "deep-chain", craft_deep_chain, 0 },
	{ "deep-stack", craft_deep_stack, 0 },
};

#define N_FIXTURES (sizeof fixtures / sizeof fixtures[0])

static int craft_named(const char *dir, const char *name)
{
	size_t i;
	int found = 0;

	for (i = 0; i < N_FIXTURES; i++) {
		if (strcmp(name, "all") == 0 || strcmp(name, fixtures[i].name) == 0) {
			fixtures[i].craft(dir);
			found = 1;
		}
	}
	if (!found)
		fprintf(stderr, "mkcrafted: unknown fixture '%s'\n", name);
	return found;
}

static void usage(void)
{
	size_t i;

	fputs("usage: mkcrafted OUTDIR [NAME...]\nfixtures (* = written when no NAME is given):", stderr);
	for (i = 0; i < N_FIXTURES; i++)
		fprintf(stderr, " %s%s", fixtures[i].name, fixtures[i].by_default ? "*" : "");
	fputs(" all\n", stderr);
}

int main(int argc, char **argv)
{
	int i, ok = 1;
	size_t k;

	if (argc < 2 || argv[1][0] == '-') {
		usage();
		return 2;
	}
	if (mkdir(argv[1], 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "mkcrafted: cannot create '%s': %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (argc == 2) {
		for (k = 0; k < N_FIXTURES; k++)
			if (fixtures[k].by_default)
				fixtures[k].craft(argv[1]);
	}
	for (i = 2; i < argc; i++)
		ok &= craft_named(argv[1], argv[i]);
	if (fflush(stdout) != 0 || ferror(stdout))
		return 1;
	return ok ? 0 : 2;
}
