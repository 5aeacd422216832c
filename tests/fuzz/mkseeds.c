/*
 * mkseeds.c - the synthetic part of the fuzz seed corpus.
 *
 *   hlfz_mkseeds OUTDIR
 *
 * Small dumps (a few KiB each, under the fuzzer's 16 KiB -max_len) that
 * reach the parts of the library the fixtures barely touch, so mutations
 * start close to them: threads with traces, frames and every kind of stack
 * root; duplicate and odd strings (UTF-16, surrogates, control bytes, null
 * and missing values, a JDK 8 char[] String); collections big enough for
 * the suspects' rules; weak references, a finalizer, a custom class
 * loader, statics and constant pools; compressed references; a deep chain;
 * ART's NODATA arrays; a 1.0.1 dump whose length wrapped; duplicate and
 * zero ids; and one HotSpot-style multi-member gzip file.  The files are
 * committed in tests/fuzz/corpus/ (syn-*): rerun this after changing it.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hprof_builder.h"
#include "hprof_gzip.h"

#define V101 "JAVA PROFILE 1.0.1"
#define V102 "JAVA PROFILE 1.0.2"
#define V103 "JAVA PROFILE 1.0.3"
#define STAMP UINT64_C(1700000000000)

static const char *outdir;

static void save(struct hw_writer *w, const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", outdir, name);
	hw_save(w, path);
	printf("%s\t%zu\n", path, hw_size(w));
	hw_free(w);
}

/* An Object[] of n ids held by a JNI global root. */
static uint64_t hold(struct hw_writer *w, const struct hw_jdk *jdk,
		     const uint64_t *ids, uint32_t n)
{
	uint64_t arr = hw_alloc(w, hw_array_size_guess(w, HW_OBJECT, n));

	hw_obj_array(w, arr, 0, jdk->object_array, n, ids);
	hw_root_jni_global(w, arr, 0x7000 + arr);
	return arr;
}

/* Three threads, traces and frames, and every kind of stack root. */
static void seed_threads(void)
{
	struct hw_writer *w = hw_new();
	struct hw_jdk jdk;
	uint64_t node, t[3], frames[3], objs[6];
	uint32_t i, k;

	hw_header(w, V102, 8, STAMP);
	hw_jdk_define(w, &jdk);
	node = hw_node_class(w, "com/example/Work", 1);
	for (i = 0; i < 3; i++)
		frames[i] = 0x900000 + 8 * i;
	hw_frame(w, frames[0], hw_name(w, "run"), hw_name(w, "()V"),
		 hw_name(w, "Work.java"), hw_class_serial(w, node), 42);
	hw_frame(w, frames[1], hw_name(w, "wait"), hw_name(w, "(J)V"), 0,
		 hw_class_serial(w, jdk.object), -3);
	hw_frame(w, frames[2], hw_name(w, "\x1b[31mred\x1b[0m"),
		 hw_name(w, "()V"), hw_name(w, "X.java"), 9999, -2);
	hw_trace(w, 1, 1, 3, frames);
	hw_trace(w, 2, 2, 1, frames + 1);
	hw_trace(w, 3, 3, 0, NULL);
	hw_class_dump_all(w);
	for (i = 0; i < 3; i++)
		t[i] = hw_alloc(w, hw_instance_size_guess(w, jdk.thread));
	for (i = 0; i < 6; i++)
		objs[i] = hw_alloc(w, hw_instance_size_guess(w, node));
	for (i = 0; i < 3; i++)
		hw_root_thread_obj(w, t[i], i + 1, i + 1);
	hw_root_thread_obj(w, 0x7ffff000, 9, 1); /* thread object absent */
	hw_root_java_frame(w, objs[0], 1, 0);
	hw_root_java_frame(w, objs[1], 1, 2);
	hw_root_java_frame(w, objs[1], 1, 99);   /* no such frame */
	hw_root_jni_local(w, objs[2], 2, 0);
	hw_root_native_stack(w, objs[3], 2);
	hw_root_thread_block(w, objs[4], 3);
	hw_root_java_frame(w, objs[5], 77, 0);  /* unknown thread serial */
	hw_root_java_frame(w, objs[5], 9, 0);   /* thread object absent */
	hw_root_jni_monitor(w, objs[5], 1, 0);
	hw_thread_object(w, &jdk, t[0], "main");
	hw_thread_object(w, &jdk, t[1], "worker-\xe2\x82\xac");
	hw_thread_object(w, &jdk, t[2], "");
	for (i = 0; i < 6; i++) {
		k = (i + 1) % 6;
		hw_node(w, node, objs[i], (uint64_t[]){ i == 5 ? 0 : objs[k] });
	}
	hw_heap_dump_end(w);
	save(w, "syn-threads.hprof");
}

/* A String with coder 1 (UTF-16 little-endian) and these units. */
static uint64_t utf16_string(struct hw_writer *w, const struct hw_jdk *jdk,
			     const uint16_t *u, uint32_t n)
{
	uint64_t s = hw_alloc(w, hw_instance_size_guess(w, jdk->string));
	uint64_t a = hw_alloc(w, hw_array_size_guess(w, HW_BYTE, 2 * n));
	uint8_t *b = malloc(2 * (size_t)n + 1);
	struct hw_values v;
	uint32_t i;

	if (!b)
		abort();
	for (i = 0; i < n; i++) {
		b[2 * i] = (uint8_t)u[i];
		b[2 * i + 1] = (uint8_t)(u[i] >> 8);
	}
	hw_values_init(&v, hw_id_size(w));
	hw_values_obj(&v, a);
	hw_values_byte(&v, 1);
	hw_values_int(&v, 7);
	hw_instance(w, s, jdk->string, &v);
	hw_prim_array(w, a, 0, HW_BYTE, 2 * n, b);
	hw_values_release(&v);
	free(b);
	return s;
}

/* A String whose value field holds v (0: null). */
static uint64_t string_with_value(struct hw_writer *w, const struct hw_jdk *jdk,
				  uint64_t value)
{
	uint64_t s = hw_alloc(w, hw_instance_size_guess(w, jdk->string));
	struct hw_values v;

	hw_values_init(&v, hw_id_size(w));
	hw_values_obj(&v, value);
	hw_values_byte(&v, 0);
	hw_values_int(&v, 0);
	hw_instance(w, s, jdk->string, &v);
	hw_values_release(&v);
	return s;
}

static void seed_strings(void)
{
	static const char *const vals[] = { "alpha", "beta", "alpha", "",
		"tab\there\nnew", "\xff\xfe latin-1 \xe9", "alpha", "beta",
		"x", "x", "x", "x" };
	static const uint16_t u1[] = { 'h', 0xe9, 0xd83d, 0xde00, 0xd800, 'z',
				       0xdc00, 0x2028, 0 };
	struct hw_writer *w = hw_new();
	struct hw_jdk jdk;
	uint64_t ids[24], arr;
	uint32_t n = 0, i;

	hw_header(w, V102, 8, STAMP);
	hw_jdk_define(w, &jdk);
	hw_class_dump_all(w);
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		ids[n++] = hw_string(w, &jdk, 0, 0, vals[i]);
	ids[n++] = utf16_string(w, &jdk, u1, 9);
	ids[n++] = utf16_string(w, &jdk, u1, 9);
	ids[n++] = utf16_string(w, &jdk, u1, 3); /* odd: half a pair */
	ids[n++] = string_with_value(w, &jdk, 0);
	ids[n++] = string_with_value(w, &jdk, 0x7fff0000); /* absent */
	arr = hw_alloc(w, hw_array_size_guess(w, HW_INT, 2));
	hw_prim_array(w, arr, 0, HW_INT, 2, (int32_t[]){ 1, 2 });
	ids[n++] = string_with_value(w, &jdk, arr); /* not a byte[] */
	ids[n++] = string_with_value(w, &jdk, ids[0]); /* a String */
	hold(w, &jdk, ids, n);
	hw_heap_dump_end(w);
	save(w, "syn-strings.hprof");
}

/* JDK 8: String.value is a char[], with offset and count; 4-byte ids. */
static void seed_strings_jdk8(void)
{
	static const struct hw_field_spec f[] = { { "value", HW_OBJECT },
		{ "offset", HW_INT }, { "count", HW_INT }, { "hash", HW_INT } };
	static const uint16_t text[] = { 'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o',
					 'r', 'l', 'd' };
	struct hw_writer *w = hw_new();
	uint64_t obj, str, carr, ids[5], chars;
	struct hw_values v;
	static const int32_t win[5][2] = { { 0, 5 }, { 6, 5 }, { 0, 11 },
					   { 9, 100 }, { -3, 2 } };
	uint32_t i;

	hw_header(w, V102, 4, STAMP);
	obj = hw_class_define(w, 0, "java/lang/Object", 0, 0, NULL);
	hw_class_define(w, 0, "java/lang/Class", obj, 0, NULL);
	str = hw_class_define(w, 0, "java/lang/String", obj, 4, f);
	carr = hw_class_define(w, 0, "[C", obj, 0, NULL);
	hw_class_define(w, 0, "[Ljava/lang/Object;", obj, 0, NULL);
	hw_class_dump_all(w);
	chars = hw_alloc(w, hw_array_size_guess(w, HW_CHAR, 11));
	hw_prim_array(w, chars, 0, HW_CHAR, 11, text);
	hw_values_init(&v, 4);
	for (i = 0; i < 5; i++) {
		ids[i] = hw_alloc(w, hw_instance_size_guess(w, str));
		hw_values_clear(&v);
		hw_values_obj(&v, chars);
		hw_values_int(&v, win[i][0]);
		hw_values_int(&v, win[i][1]);
		hw_values_int(&v, 0);
		hw_instance(w, ids[i], str, &v);
		hw_root_sticky_class(w, str);
		hw_root_unknown(w, ids[i]);
	}
	hw_values_release(&v);
	(void)carr;
	hw_heap_dump_end(w);
	save(w, "syn-strings-jdk8.hprof");
}

struct colls {
	struct hw_jdk jdk;
	uint64_t integer, list, map, node, registry;
};

static void colls_define(struct hw_writer *w, struct colls *c)
{
	static const struct hw_field_spec intf[] = { { "value", HW_INT } };
	static const struct hw_field_spec listf[] = { { "elementData", HW_OBJECT },
						      { "size", HW_INT } };
	static const struct hw_field_spec mapf[] = { { "table", HW_OBJECT },
		{ "size", HW_INT }, { "modCount", HW_INT } };
	static const struct hw_field_spec nodef[] = { { "hash", HW_INT },
		{ "key", HW_OBJECT }, { "value", HW_OBJECT }, { "next", HW_OBJECT } };
	uint64_t number, alist, amap;

	hw_jdk_define(w, &c->jdk);
	number = hw_class_define(w, 0, "java/lang/Number", c->jdk.object, 0, NULL);
	c->integer = hw_class_define(w, 0, "java/lang/Integer", number, 1, intf);
	alist = hw_class_define(w, 0, "java/util/AbstractList", c->jdk.object, 0, NULL);
	c->list = hw_class_define(w, 0, "java/util/ArrayList", alist, 2, listf);
	amap = hw_class_define(w, 0, "java/util/AbstractMap", c->jdk.object, 0, NULL);
	c->map = hw_class_define(w, 0, "java/util/HashMap", amap, 3, mapf);
	c->node = hw_class_define(w, 0, "java/util/HashMap$Node", c->jdk.object, 4, nodef);
	hw_class_define(w, 0, "[Ljava/util/HashMap$Node;", c->jdk.object, 0, NULL);
	c->registry = hw_class_define(w, 0, "com/example/Registry", c->jdk.object, 0, NULL);
}

static uint64_t integer(struct hw_writer *w, const struct colls *c, int32_t x)
{
	uint64_t id = hw_alloc(w, hw_instance_size_guess(w, c->integer));
	struct hw_values v;

	hw_values_init(&v, hw_id_size(w));
	hw_values_int(&v, x);
	hw_instance(w, id, c->integer, &v);
	hw_values_release(&v);
	return id;
}

static uint64_t array_list(struct hw_writer *w, const struct colls *c,
			   const uint64_t *elems, uint32_t n, uint32_t cap)
{
	uint64_t id = hw_alloc(w, hw_instance_size_guess(w, c->list));
	uint64_t data = hw_alloc(w, hw_array_size_guess(w, HW_OBJECT, cap));
	uint64_t *all = calloc(cap ? cap : 1, sizeof(*all));
	struct hw_values v;

	if (!all)
		abort();
	memcpy(all, elems, n * sizeof(*elems));
	hw_values_init(&v, hw_id_size(w));
	hw_values_obj(&v, data);
	hw_values_int(&v, (int32_t)n);
	hw_instance(w, id, c->list, &v);
	hw_obj_array(w, data, 0, c->jdk.object_array, cap, all);
	hw_values_release(&v);
	free(all);
	return id;
}

/* A HashMap of n Integer keys to shared values, in 8 buckets. */
static uint64_t hash_map(struct hw_writer *w, const struct colls *c,
			 const uint64_t *vals, uint32_t n)
{
	uint64_t id = hw_alloc(w, hw_instance_size_guess(w, c->map));
	uint64_t table = hw_alloc(w, hw_array_size_guess(w, HW_OBJECT, 8));
	uint64_t buckets[8] = { 0 }, nodes[64];
	uint64_t tclass = hw_class_lookup(w, "[Ljava/util/HashMap$Node;");
	struct hw_values v;
	uint32_t i;

	hw_values_init(&v, hw_id_size(w));
	for (i = 0; i < n && i < 64; i++)
		nodes[i] = hw_alloc(w, hw_instance_size_guess(w, c->node));
	for (i = 0; i < n && i < 64; i++) {
		hw_values_clear(&v);
		hw_values_int(&v, (int32_t)i);
		hw_values_obj(&v, integer(w, c, (int32_t)i));
		hw_values_obj(&v, vals[i % 3]);
		hw_values_obj(&v, buckets[i % 8]);
		hw_instance(w, nodes[i], c->node, &v);
		buckets[i % 8] = nodes[i];
	}
	hw_obj_array(w, table, 0, tclass, 8, buckets);
	hw_values_clear(&v);
	hw_values_obj(&v, table);
	hw_values_int(&v, (int32_t)n);
	hw_values_int(&v, 0);
	hw_instance(w, id, c->map, &v);
	hw_values_release(&v);
	return id;
}

static void seed_collections(struct hw_writer *w, const char *name, int gz)
{
	struct colls c;
	uint64_t small[3], elems[200], lists[12], map, list;
	uint32_t i;

	hw_header(w, V102, 8, STAMP);
	colls_define(w, &c);
	map = hw_alloc(w, 0) + 0x100000; /* placeholder ids for statics */
	list = map + 0x1000;
	hw_class_add_static(w, c.registry, "CACHE", hw_v_obj(map));
	hw_class_add_static(w, c.registry, "ITEMS", hw_v_obj(list));
	hw_class_dump_all(w);
	hw_root_sticky_class(w, c.registry);
	hw_root_sticky_class(w, c.jdk.object);
	for (i = 0; i < 3; i++)
		small[i] = integer(w, &c, (int32_t)i * 7);
	for (i = 0; i < 200; i++)
		elems[i] = small[i % 3];
	/* the statics: a list of 200 elements, 3 distinct, and a map */
	{
		uint64_t l = array_list(w, &c, elems, 200, 210);
		uint64_t m = hash_map(w, &c, small, 40);

		hw_root_jni_global(w, l, 1);
		hw_root_jni_global(w, m, 2);
	}
	/* a group of equal top-level dominators */
	for (i = 0; i < 12; i++)
		lists[i] = array_list(w, &c, elems, 5, 6);
	for (i = 0; i < 12; i++)
		hw_root_jni_global(w, lists[i], 100 + i);
	hw_heap_dump_end(w);
	if (gz) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", outdir, name);
		hw_save_gzip(w, path, 6, 1024);
		printf("%s\t(gzip)\n", path);
		hw_free(w);
	} else {
		save(w, name);
	}
}

/* References, a finalizer, a class loader, statics, constant pools,
 * alignment 16 and compressed references. */
static void seed_refs(void)
{
	static const struct hw_field_spec reff[] = { { "referent", HW_OBJECT },
		{ "queue", HW_OBJECT }, { "next", HW_OBJECT } };
	static const struct hw_field_spec mixf[] = { { "z", HW_BOOLEAN },
		{ "c", HW_CHAR }, { "f", HW_FLOAT }, { "d", HW_DOUBLE },
		{ "b", HW_BYTE }, { "s", HW_SHORT }, { "i", HW_INT },
		{ "j", HW_LONG }, { "o", HW_OBJECT } };
	struct hw_writer *w = hw_new();
	struct hw_jdk jdk;
	uint64_t ref, weak, fin, loader, plugin, mix, lobj, p1, p2, wk, a1, a2;
	struct hw_values v;
	uint64_t elems[4];

	hw_header(w, V102, 8, STAMP);
	hw_alloc_config(w, 0x20000000, 16);
	hw_jdk_define(w, &jdk);
	ref = hw_class_define(w, 0, "java/lang/ref/Reference", jdk.object, 3, reff);
	weak = hw_class_define(w, 0, "java/lang/ref/WeakReference", ref, 0, NULL);
	fin = hw_class_define(w, 0, "java/lang/ref/Finalizer", ref, 0, NULL);
	loader = hw_class_define(w, 0, "com/example/PluginLoader", jdk.class_loader, 0, NULL);
	plugin = hw_class_define(w, 0, "com/example/Plugin", jdk.object, 0, NULL);
	mix = hw_class_define(w, 0, "com/example/Mixed", jdk.object, 9, mixf);
	lobj = hw_alloc(w, hw_instance_size_guess(w, loader));
	p1 = hw_alloc(w, hw_instance_size_guess(w, mix));
	hw_class_set_loader(w, plugin, lobj);
	hw_class_set_loader(w, mix, 0x7eee0000); /* loader absent */
	hw_class_add_static(w, plugin, "ON", hw_v_bool(1));
	hw_class_add_static(w, plugin, "SEP", hw_v_char(0x263a));
	hw_class_add_static(w, plugin, "R", hw_v_float(-0.0f));
	hw_class_add_static(w, plugin, "PI", hw_v_double(3.141592653589793));
	hw_class_add_static(w, plugin, "B", hw_v_byte(-128));
	hw_class_add_static(w, plugin, "S", hw_v_short(-1));
	hw_class_add_static(w, plugin, "I", hw_v_int(INT32_MIN));
	hw_class_add_static(w, plugin, "J", hw_v_long(INT64_MIN));
	hw_class_add_static(w, plugin, "INSTANCE", hw_v_obj(p1));
	hw_class_add_static(w, plugin, "GONE", hw_v_obj(0x7abc0000));
	hw_class_add_static(w, fin, "unfinalized", hw_v_obj(p1));
	hw_class_add_const(w, plugin, 1, hw_v_int(5));
	hw_class_add_const(w, plugin, 2, hw_v_obj(p1));
	hw_class_dump_all(w);
	hw_root_sticky_class(w, jdk.object);
	hw_root_sticky_class(w, fin);
	hw_root_jni_global(w, lobj, 1);
	hw_values_init(&v, 8);
	hw_instance(w, lobj, loader, &v);
	p2 = hw_alloc(w, hw_instance_size_guess(w, mix));
	hw_values_bool(&v, 1);
	hw_values_char(&v, 'q');
	hw_values_float(&v, 1.5f);
	hw_values_double(&v, -2.25);
	hw_values_byte(&v, 7);
	hw_values_short(&v, 300);
	hw_values_int(&v, -5);
	hw_values_long(&v, 1);
	hw_values_obj(&v, p2);
	hw_instance(w, p1, mix, &v);
	hw_values_clear(&v);
	hw_values_bool(&v, 0);
	hw_values_char(&v, 0xd800);
	hw_values_float(&v, 0);
	hw_values_double(&v, 0);
	hw_values_byte(&v, 0);
	hw_values_short(&v, 0);
	hw_values_int(&v, 0);
	hw_values_long(&v, 0);
	hw_values_obj(&v, p1);
	hw_instance(w, p2, mix, &v);
	/* a weak reference to an object held by nothing else */
	wk = hw_alloc(w, hw_instance_size_guess(w, weak));
	hw_values_clear(&v);
	hw_values_obj(&v, hw_string(w, &jdk, 0, 0, "weakly held"));
	hw_values_obj(&v, 0);
	hw_values_obj(&v, wk);
	hw_instance(w, wk, weak, &v);
	hw_root_jni_global(w, wk, 2);
	/* two object arrays, the second inside the first's 8-byte extent:
	 * compressed references */
	a1 = hw_alloc(w, 64);
	a2 = a1 + 24;
	elems[0] = p1;
	elems[1] = wk;
	elems[2] = lobj;
	elems[3] = 0;
	hw_obj_array(w, a1, 0, jdk.object_array, 4, elems);
	hw_obj_array(w, a2, 0, jdk.object_array, 2, elems + 1);
	hw_root_monitor_used(w, a1);
	hw_root_monitor_used(w, a2);
	hw_values_release(&v);
	hw_heap_dump_end(w);
	save(w, "syn-refs.hprof");
}

/* ART: 1.0.3, 4-byte ids, heap infos, NODATA arrays, ART roots. */
static void seed_art(void)
{
	struct hw_writer *w = hw_new();
	struct hw_jdk jdk;
	uint64_t s1, a1, a2;
	struct hw_values v;

	hw_header(w, V103, 4, STAMP);
	hw_jdk_define(w, &jdk);
	hw_set_segment_limit(w, 256);
	hw_heap_dump_info(w, 0, hw_name(w, "zygote"));
	hw_class_dump_all(w);
	hw_heap_dump_info(w, 1, hw_name(w, "app"));
	a1 = hw_alloc(w, 16);
	a2 = hw_alloc(w, 16);
	hw_prim_array_nodata(w, a1, 0, 0xffffffffu, HW_CHAR);
	hw_prim_array_nodata(w, a2, 0, 12, HW_BYTE);
	s1 = hw_alloc(w, hw_instance_size_guess(w, jdk.string));
	hw_values_init(&v, 4);
	hw_values_obj(&v, a2);
	hw_values_byte(&v, 0);
	hw_values_int(&v, 0);
	hw_instance(w, s1, jdk.string, &v);
	hw_values_release(&v);
	hw_root_interned_string(w, s1);
	hw_root_finalizing(w, a1);
	hw_root_debugger(w, a2);
	hw_root_reference_cleanup(w, s1);
	hw_root_vm_internal(w, jdk.string);
	hw_root_jni_monitor(w, s1, 1, 0);
	hw_unreachable(w, a1);
	hw_string(w, &jdk, 0, 0, "unreachable text");
	hw_heap_dump_end(w);
	save(w, "syn-art.hprof");
}

/* A 300-node chain and a ring, 4-byte ids: deep trees and paths. */
static void seed_chain(void)
{
	struct hw_writer *w = hw_new();
	struct hw_jdk jdk;
	uint64_t node, first, ring;
	uint32_t i, n = 300;

	hw_header(w, V102, 4, STAMP);
	hw_jdk_define(w, &jdk);
	node = hw_node_class(w, "com/example/Link", 2);
	hw_class_dump_all(w);
	first = hw_alloc_block(w, 16, n);
	ring = hw_alloc_block(w, 16, 8);
	hw_root_jni_global(w, first, 0);
	hw_root_jni_global(w, ring, 0);
	hw_root_jni_global(w, ring + 16 * 4, 0);
	for (i = 0; i < n; i++)
		hw_node(w, node, first + 16 * (uint64_t)i, (uint64_t[]){
			i + 1 < n ? first + 16 * (uint64_t)(i + 1) : 0,
			i % 50 == 0 ? ring : 0 });
	for (i = 0; i < 8; i++)
		hw_node(w, node, ring + 16 * (uint64_t)i, (uint64_t[]){
			ring + 16 * (uint64_t)((i + 1) % 8), first + 16 * (uint64_t)(n - 1) });
	hw_heap_dump_end(w);
	save(w, "syn-chain.hprof");
}

/* 1.0.1: one HEAP_DUMP whose u4 length wrapped (0xFFFFFFFF). */
static void seed_v101_wrapped(void)
{
	struct hw_writer *w = hw_new();
	struct hw_jdk jdk;
	uint64_t node, a, b;
	size_t at;

	hw_header(w, V101, 8, STAMP);
	hw_jdk_define(w, &jdk);
	node = hw_node_class(w, "com/example/Old", 1);
	at = hw_heap_begin(w, HW_HEAP_DUMP);
	hw_class_dump_all(w);
	a = hw_alloc(w, 24);
	b = hw_alloc(w, 24);
	hw_root_unknown(w, a);
	hw_node(w, node, a, (uint64_t[]){ b });
	hw_node(w, node, b, (uint64_t[]){ a });
	hw_finish(w);
	hw_patch_u4(w, at + 5, 0xffffffffu);
	save(w, "syn-v101-wrapped.hprof");
}

/* Duplicate ids, id 0, classes and objects in odd roles. */
static void seed_odd_ids(void)
{
	struct hw_writer *w = hw_new();
	struct hw_jdk jdk;
	uint64_t node, a, orphan;
	struct hw_class_dump cd;

	hw_header(w, V102, 8, STAMP);
	hw_jdk_define(w, &jdk);
	node = hw_node_class(w, "com/example/Odd", 1);
	orphan = hw_class_define(w, 0, "com/example/Orphan", 0x7dd00000, 0, NULL);
	hw_class_dump_all(w);
	hw_class_dump_defined(w, node); /* the same CLASS_DUMP twice */
	memset(&cd, 0, sizeof(cd));
	cd.class_id = 0x7cc00000; /* a class with no LOAD_CLASS name */
	cd.super_id = jdk.object;
	hw_class_dump(w, &cd);
	a = hw_alloc(w, 24);
	hw_root_unknown(w, a);
	hw_root_unknown(w, 0);
	hw_root_unknown(w, 0x7bb00000); /* absent */
	hw_node(w, node, a, (uint64_t[]){ 0x7bb00008 });
	hw_node(w, node, a, (uint64_t[]){ a }); /* the same id again */
	hw_instance_dump(w, 0, 0, node, (uint8_t[8]){ 0 }, 8); /* id 0 */
	hw_instance_dump(w, hw_alloc(w, 24), 0, jdk.object_array,
			 (uint8_t[8]){ 0 }, 8); /* instance of an array class */
	hw_instance_dump(w, hw_alloc(w, 24), 0, 0x7cc00000, NULL, 0);
	hw_obj_array(w, hw_alloc(w, 24), 0, node, 1, (uint64_t[]){ a });
	hw_obj_array(w, hw_alloc(w, 24), 0, 0x7aa00000, 1, (uint64_t[]){ a });
	hw_instance_dump(w, jdk.string, 0, node, (uint8_t[8]){ 0 }, 8); /* a class's id */
	(void)orphan;
	hw_heap_dump_end(w);
	save(w, "syn-odd-ids.hprof");
}

int main(int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-') {
		fputs("usage: hlfz_mkseeds OUTDIR\n", stderr);
		return 2;
	}
	outdir = argv[1];
	if (mkdir(outdir, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "hlfz_mkseeds: cannot create '%s': %s\n", outdir,
			strerror(errno));
		return 1;
	}
	seed_threads();
	seed_strings();
	seed_strings_jdk8();
	seed_collections(hw_new(), "syn-collections.hprof", 0);
	seed_collections(hw_new(), "syn-collections-multimember.hprof.gz", 1);
	seed_refs();
	seed_art();
	seed_chain();
	seed_v101_wrapped();
	seed_odd_ids();
	return fflush(stdout) != 0 ? 1 : 0;
}
