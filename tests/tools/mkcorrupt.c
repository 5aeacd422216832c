/*
 * mkcorrupt.c: writes damaged HPROF inputs, one file per kind of damage, and
 * OUTDIR/MANIFEST.tsv describing them.
 *
 *   mkcorrupt OUTDIR
 *
 * MANIFEST.tsv has a header line, then "file<TAB>damage<TAB>offset" per file.
 * offset (decimal) is where a reader should notice the problem: for a
 * truncation, the start of the innermost item (header field, record, heap
 * sub-record) that runs past the end of the file; for a lying length, the
 * record or sub-record that carries it; "-" when no single offset applies
 * (gzip damage, whose place in the uncompressed stream depends on the reader).
 * A few inputs are legal but odd (zero-length segment, missing HEAP_DUMP_END);
 * their damage text says so: readers should accept them, perhaps with a warning.
 *
 * Every damaged dump starts from the same small valid dump (base_dump), so a
 * reader's failure can only come from the damage. Needs zlib (-lz) for the two
 * .gz inputs.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hprof_builder.h"
#include "hprof_gzip.h"

#define V102 "JAVA PROFILE 1.0.2"
#define NO_OFFSET ((size_t)-1)

struct out {
	const char *dir;
	FILE *manifest;
};

static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (!p) {
		fputs("mkcorrupt: out of memory\n", stderr);
		exit(1);
	}
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static void emit(struct out *o, const char *name, const void *data, size_t n,
		 const char *damage, size_t offset)
{
	char *path = join(o->dir, name);

	hw_write_file(path, data, n);
	if (offset == NO_OFFSET)
		fprintf(o->manifest, "%s\t%s\t-\n", name, damage);
	else
		fprintf(o->manifest, "%s\t%s\t%zu\n", name, damage, offset);
	printf("%s\t%zu\n", path, n);
	free(path);
}

/* Saves the writer's output (closing any open record) and frees the writer. */
static void emit_writer(struct out *o, const char *name, struct hw_writer *w,
			const char *damage, size_t offset)
{
	hw_finish(w);
	emit(o, name, hw_data(w), hw_size(w), damage, offset);
	hw_free(w);
}

/* ---- the valid dump every damage starts from ---- */

struct base {
	struct hw_jdk jdk;
	uint64_t node;      /* com/example/Node, 2 reference fields */
	size_t segment_at;  /* the heap segment */
	size_t class_at;    /* the first CLASS_DUMP (java/lang/Object) */
	size_t instance_at; /* a Node INSTANCE_DUMP in the middle */
	size_t end_at;      /* HEAP_DUMP_END */
};

/* Names and classes, then one segment: class dumps, roots, a ring of n nodes
 * with strings. Leaves the segment open (no HEAP_DUMP_END) for the caller. */
static struct hw_writer *base_begin(const char *version, uint32_t n, struct base *b)
{
	struct hw_writer *w = hw_new();
	uint64_t first;
	uint32_t i;

	hw_header(w, version, 8, UINT64_C(1700000000000));
	hw_jdk_define(w, &b->jdk);
	b->node = hw_node_class(w, "com/example/Node", 2);
	b->segment_at = hw_heap_begin(w, HW_HEAP_DUMP_SEGMENT);
	b->class_at = hw_size(w);
	hw_class_dump_all(w);
	first = hw_alloc_block(w, 32, n);
	hw_root_jni_global(w, first, 0x5000);
	hw_root_sticky_class(w, b->jdk.object);
	b->instance_at = 0;
	for (i = 0; i < n; i++) {
		uint64_t refs[2] = { first + 32 * (uint64_t)((i + 1) % n), 0 };
		size_t at;

		refs[1] = hw_string(w, &b->jdk, 0, 0, i % 2 ? "odd node" : "even node");
		at = hw_node(w, b->node, first + 32 * (uint64_t)i, refs);
		if (i == n / 2)
			b->instance_at = at;
	}
	return w;
}

static struct hw_writer *base_dump(uint32_t n, struct base *b)
{
	struct hw_writer *w = base_begin(V102, n, b);

	b->end_at = hw_heap_dump_end(w);
	return w;
}

/* ---- header damage ---- */

static void header_damage(struct out *o)
{
	static const uint32_t bad_sizes[] = { 0, 3, 16 };
	const size_t idsize_at = strlen(V102) + 1;
	struct base b;
	struct hw_writer *w;
	char name[32], damage[96];
	size_t i;

	emit(o, "empty.hprof", "", 0, "empty file", 0);
	w = hw_new();
	hw_header(w, V102, 8, 0);
	emit_writer(o, "header-only.hprof", w, "valid 1.0.2 header and no records (no heap dump)", hw_size(w));
	w = base_begin("JAVA PROFILE 9.9", 3, &b);
	hw_heap_dump_end(w);
	emit_writer(o, "bad-version.hprof", w, "unknown header string 'JAVA PROFILE 9.9', valid body", 0);
	w = base_begin("JAVA PROFILE 1.0", 3, &b);
	hw_heap_dump_end(w);
	emit_writer(o, "obsolete-1.0.hprof", w, "obsolete header 'JAVA PROFILE 1.0', valid body", 0);
	for (i = 0; i < sizeof bad_sizes / sizeof bad_sizes[0]; i++) {
		w = hw_new();
		hw_header(w, V102, bad_sizes[i], 0);
		hw_set_id_size(w, 8);
		hw_utf8(w, 0x400000, "java/lang/Object");
		snprintf(name, sizeof name, "idsize-%u.hprof", (unsigned)bad_sizes[i]);
		snprintf(damage, sizeof damage, "identifier size %u (then a UTF8 record with an 8-byte id)",
			 (unsigned)bad_sizes[i]);
		emit_writer(o, name, w, damage, idsize_at);
	}
	w = hw_new();
	hw_header(w, V102, 8, 0);
	hw_truncate(w, idsize_at + 6);
	emit_writer(o, "trunc-header.hprof", w, "file ends inside the header's timestamp", idsize_at + 4);
	emit(o, "trunc-header-string.hprof", "JAVA PRO", 8, "file ends inside the header string (no NUL)", 0);
	{
		static const uint8_t png[] = {
			0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
			0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1F, 0x15, 0xC4, 0x89,
		};

		emit(o, "not-hprof.hprof", png, sizeof png, "not an HPROF file (PNG signature)", 0);
	}
}

/* ---- truncations ---- */

/* The base dump cut `into` bytes after `item`, which must run past the cut. */
static void emit_cut(struct out *o, const char *name, struct hw_writer *w, size_t item,
		     size_t into, const char *what, size_t segment_at)
{
	char damage[160];

	snprintf(damage, sizeof damage,
		 "file ends %zu bytes into %s (its HEAP_DUMP_SEGMENT at %zu claims more)",
		 into, what, segment_at);
	hw_truncate(w, item + into);
	emit_writer(o, name, w, damage, item);
}

static void truncations(struct out *o)
{
	struct base b;
	struct hw_writer *w;
	size_t at;

	w = hw_new();
	hw_header(w, V102, 8, 0);
	hw_utf8(w, 0x400000, "java/lang/Object");
	at = hw_utf8(w, 0x400008, "com/example/SomeLongClassName");
	hw_truncate(w, at + 9 + 8 + 5);
	emit_writer(o, "trunc-utf8.hprof", w, "file ends 13 bytes into the body of a UTF8 record", at);

	w = hw_new();
	hw_header(w, V102, 8, 0);
	at = hw_utf8(w, 0x400000, "java/lang/Object");
	hw_utf8(w, 0x400008, "java/lang/String");
	hw_truncate(w, at + 9 + 8 + 16 + 4);
	emit_writer(o, "trunc-record-header.hprof", w, "file ends 4 bytes into a record header", at + 9 + 8 + 16);

	w = base_dump(4, &b);
	emit_cut(o, "trunc-class-dump.hprof", w, b.class_at, 30, "a CLASS_DUMP", b.segment_at);
	w = base_dump(4, &b);
	emit_cut(o, "trunc-instance.hprof", w, b.instance_at, 30, "an INSTANCE_DUMP (in its field values)",
		 b.segment_at);
	{
		const uint32_t n = 65536; /* 256 KiB of ints */
		int32_t *ints = calloc(n, sizeof *ints);
		uint32_t i;

		if (!ints)
			abort();
		for (i = 0; i < n; i++)
			ints[i] = (int32_t)(i * 2654435761u);
		w = base_begin(V102, 2, &b);
		at = hw_prim_array(w, hw_alloc(w, 16 + 4 * (size_t)n), 0, HW_INT, n, ints);
		hw_heap_dump_end(w);
		free(ints);
		emit_cut(o, "trunc-prim-array-256k.hprof", w, at, 1 + 8 + 4 + 4 + 1 + 2 * (size_t)n,
			 "a PRIM_ARRAY_DUMP of 65536 ints (half its data)", b.segment_at);
	}
}

/* ---- lying lengths and counts ---- */

static void lengths(struct out *o)
{
	struct base b;
	struct hw_writer *w;
	size_t at;

	w = base_begin(V102, 4, &b);
	hw_finish(w);
	hw_patch_u4(w, b.segment_at + 5, (uint32_t)(hw_size(w) - b.segment_at - 9 + 1000));
	emit_writer(o, "record-past-end.hprof", w,
		    "last record, a HEAP_DUMP_SEGMENT, claims 1000 bytes more than the file holds "
		    "(its sub-records end exactly at the end of the file)",
		    b.segment_at);

	w = hw_new();
	hw_header(w, V102, 8, 0);
	at = hw_record_header(w, HW_UTF8, UINT32_MAX);
	hw_id(w, 0x400000);
	hw_bytes(w, "java/lang/Object", 16);
	emit_writer(o, "record-len-ffffffff.hprof", w, "UTF8 record with length 0xFFFFFFFF", at);

	w = base_begin(V102, 4, &b);
	at = hw_heap_begin(w, HW_HEAP_DUMP_SEGMENT);
	hw_heap_end(w);
	hw_root_unknown(w, b.jdk.string);
	hw_heap_dump_end(w);
	emit_writer(o, "zero-length-segment.hprof", w,
		    "a HEAP_DUMP_SEGMENT of length 0 between two segments (legal but odd: accept)", at);

	w = base_begin(V102, 4, &b);
	hw_heap_dump_end(w);
	hw_patch_u4(w, b.segment_at + 5, (uint32_t)(b.instance_at + 10 - b.segment_at - 9));
	emit_writer(o, "subrecord-past-segment.hprof", w,
		    "segment length ends 10 bytes into an INSTANCE_DUMP (sub-record runs past its segment)",
		    b.instance_at);

	w = base_begin(V102, 4, &b);
	at = hw_obj_array_header(w, hw_alloc(w, 64), 0, 0x40000000, b.jdk.object_array);
	hw_id(w, 0);
	hw_heap_dump_end(w);
	emit_writer(o, "objarray-count-overflow.hprof", w,
		    "OBJ_ARRAY_DUMP of 0x40000000 8-byte ids (0x200000000 bytes, 0 in 32-bit math) "
		    "with one id present",
		    at);
}

/* ---- heap contents that cannot be parsed or resolved ---- */

static void bad_subrecords(struct out *o)
{
	static const uint8_t junk[] = { 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t bytes3[] = { 1, 2, 3 };
	struct base b;
	struct hw_writer *w;
	size_t at;

	w = base_begin(V102, 4, &b);
	at = hw_sub_raw(w, 0x77, junk, sizeof junk);
	hw_heap_dump_end(w);
	emit_writer(o, "unknown-subtag.hprof", w, "heap sub-record with unknown tag 0x77", at);

	w = base_begin(V102, 4, &b);
	at = hw_prim_array_header(w, hw_alloc(w, 24), 0, 3, 3);
	hw_bytes(w, bytes3, 3);
	hw_heap_dump_end(w);
	emit_writer(o, "bad-prim-type.hprof", w, "PRIM_ARRAY_DUMP with element type 3 (not a basic type)", at);

	w = base_begin(V102, 4, &b);
	at = hw_instance_dump(w, hw_alloc(w, 32), 0, UINT64_C(0x7777777770), junk, 16);
	hw_heap_dump_end(w);
	emit_writer(o, "instance-unknown-class.hprof", w,
		    "INSTANCE_DUMP whose class id has no CLASS_DUMP (layout unknown)", at);
}

/* Classes A (super B) and B (super A), each with an int field, and an instance
 * of A. Built from raw records: the builder refuses looping chains. */
static void super_loop(struct out *o)
{
	struct base b;
	struct hw_writer *w = base_begin(V102, 2, &b);
	uint64_t a_id = hw_alloc(w, 104), b_id = hw_alloc(w, 104);
	struct hw_field fa = { 0x400000 + 0x10000, HW_INT }, fb = { 0x400000 + 0x10008, HW_INT };
	struct hw_class_dump cd;
	const uint8_t zeros[8] = { 0 };
	char damage[200];
	size_t at, b_at, instance_at;

	hw_utf8(w, 0x410000, "x");
	hw_utf8(w, 0x410008, "y");
	hw_utf8(w, 0x410010, "com/example/LoopA");
	hw_utf8(w, 0x410018, "com/example/LoopB");
	hw_load_class(w, 1000, a_id, 0, 0x410010);
	hw_load_class(w, 1001, b_id, 0, 0x410018);
	memset(&cd, 0, sizeof cd);
	cd.class_id = a_id;
	cd.super_id = b_id;
	cd.instance_size = 8;
	cd.n_fields = 1;
	cd.fields = &fa;
	at = hw_class_dump(w, &cd);
	cd.class_id = b_id;
	cd.super_id = a_id;
	cd.fields = &fb;
	b_at = hw_class_dump(w, &cd);
	instance_at = hw_instance_dump(w, hw_alloc(w, 24), 0, a_id, zeros, 8);
	hw_heap_dump_end(w);
	snprintf(damage, sizeof damage,
		 "LoopA's super is LoopB and LoopB's super is LoopA (offset: LoopA's CLASS_DUMP; "
		 "LoopB's, where a walk from LoopA closes the loop, is at %zu; "
		 "LoopA's INSTANCE_DUMP is at %zu)", b_at, instance_at);
	emit_writer(o, "super-loop.hprof", w, damage, at);
}

/* A class with an int and a long (12 bytes of fields) and an instance of it
 * that holds 8. */
static void size_mismatch(struct out *o)
{
	static const struct hw_field_spec fields[] = { { "count", HW_INT }, { "total", HW_LONG } };
	const uint8_t zeros[8] = { 0 };
	struct hw_writer *w = hw_new();
	struct hw_jdk jdk;
	uint64_t cls;
	size_t at;

	hw_header(w, V102, 8, 0);
	hw_jdk_define(w, &jdk);
	cls = hw_class_define(w, 0, "com/example/Counter", jdk.object, 2, fields);
	hw_class_dump_all(w);
	at = hw_instance_dump(w, hw_alloc(w, 32), 0, cls, zeros, 8);
	hw_root_unknown(w, jdk.object);
	hw_heap_dump_end(w);
	emit_writer(o, "instance-size-mismatch.hprof", w,
		    "INSTANCE_DUMP with 8 field bytes; its class layout (int + long) needs 12", at);
}

static void missing_end(struct out *o)
{
	struct base b;
	struct hw_writer *w = base_begin(V102, 4, &b);

	hw_finish(w);
	emit_writer(o, "missing-end.hprof", w,
		    "1.0.2 dump ends after a complete segment, no HEAP_DUMP_END (accept, perhaps warn)",
		    hw_size(w));
}

/* ---- more damage: references lost to a cut, 1.0.1 cuts, short records ---- */

/* An Object[] whose 6 elements are written after it; the file ends 5 bytes
 * into the first of them, so all 6 are lost: dangling references. */
static void trunc_refs(struct out *o)
{
	struct base b;
	struct hw_writer *w = base_begin(V102, 4, &b);
	uint64_t later[6], arr = hw_alloc(w, 64);
	size_t first_at = 0, i;
	char damage[200];

	for (i = 0; i < 6; i++)
		later[i] = hw_alloc(w, 32);
	hw_root_jni_global(w, arr, 0x5001);
	hw_obj_array(w, arr, 0, b.jdk.object_array, 6, later);
	for (i = 0; i < 6; i++) {
		size_t at = hw_node(w, b.node, later[i], NULL);

		if (i == 0)
			first_at = at;
	}
	hw_heap_dump_end(w);
	snprintf(damage, sizeof damage,
		 "an OBJ_ARRAY_DUMP refers to 6 objects written after it; the file ends 5 bytes into "
		 "the first of them (its HEAP_DUMP_SEGMENT at %zu claims more)", b.segment_at);
	hw_truncate(w, first_at + 5);
	emit_writer(o, "trunc-refs-past-cut.hprof", w, damage, first_at);
}

/* A second HEAP_DUMP_SEGMENT whose 9-byte record header is cut after 5. */
static void trunc_segment_header(struct out *o)
{
	struct base b;
	struct hw_writer *w = base_begin(V102, 4, &b);
	size_t at;

	at = hw_heap_begin(w, HW_HEAP_DUMP_SEGMENT);
	hw_root_unknown(w, b.jdk.string);
	hw_truncate(w, at + 5);
	emit_writer(o, "trunc-segment-header.hprof", w,
		    "file ends 5 bytes into the record header of a second HEAP_DUMP_SEGMENT", at);
}

/* 1.0.1: one HEAP_DUMP (no segments), the file cut inside a sub-record.
 * Its u4 length then runs past the end, which a 1.0.1 reader must take
 * for a wrapped length (MAT reads to the end of the file). */
static struct hw_writer *v101_dump(struct base *b, size_t *instance_at)
{
	struct hw_writer *w = hw_new();
	uint64_t first;
	uint32_t i, n = 4;

	hw_header(w, "JAVA PROFILE 1.0.1", 8, UINT64_C(1700000000000));
	hw_jdk_define(w, &b->jdk);
	b->node = hw_node_class(w, "com/example/Node", 2);
	b->segment_at = hw_heap_begin(w, HW_HEAP_DUMP);
	b->class_at = hw_size(w);
	hw_class_dump_all(w);
	first = hw_alloc_block(w, 32, n);
	hw_root_jni_global(w, first, 0x5000);
	for (i = 0; i < n; i++) {
		uint64_t refs[2] = { first + 32 * (uint64_t)((i + 1) % n), 0 };
		size_t at = hw_node(w, b->node, first + 32 * (uint64_t)i, refs);

		if (i == n / 2)
			*instance_at = at;
	}
	hw_heap_end(w);
	return w;
}

static void trunc_v101(struct out *o)
{
	struct base b;
	struct hw_writer *w;
	size_t at = 0;
	char damage[200];

	w = v101_dump(&b, &at);
	snprintf(damage, sizeof damage,
		 "1.0.1 dump, one HEAP_DUMP (at %zu); the file ends 20 bytes into an INSTANCE_DUMP",
		 b.segment_at);
	hw_truncate(w, at + 20);
	emit_writer(o, "trunc-v101-instance.hprof", w, damage, at);
	w = v101_dump(&b, &at);
	snprintf(damage, sizeof damage,
		 "1.0.1 dump, one HEAP_DUMP (at %zu); the file ends 30 bytes into its first CLASS_DUMP",
		 b.segment_at);
	hw_truncate(w, b.class_at + 30);
	emit_writer(o, "trunc-v101-class-dump.hprof", w, damage, b.class_at);
}

/* Two threads with stack traces and locals; the file ends 10 bytes into
 * the second thread's INSTANCE_DUMP, so it, its local and the first
 * thread's reference to that local are lost. */
static void trunc_threads(struct out *o)
{
	static const uint64_t frames[2] = { 0x900000, 0x900008 };
	struct hw_writer *w = hw_new();
	struct hw_jdk jdk;
	struct hw_values v;
	uint64_t task, t1, t2, l1, l2, name2;
	size_t segment_at, at;
	char damage[200];

	hw_header(w, V102, 8, UINT64_C(1700000000000));
	hw_jdk_define(w, &jdk);
	task = hw_node_class(w, "com/example/Task", 1);
	hw_frame(w, frames[0], hw_name(w, "run"), hw_name(w, "()V"), hw_name(w, "Task.java"),
		 hw_class_serial(w, task), 12);
	hw_frame(w, frames[1], hw_name(w, "main"), hw_name(w, "([Ljava/lang/String;)V"),
		 hw_name(w, "Main.java"), hw_class_serial(w, task), 3);
	hw_trace(w, 1, 1, 2, frames);
	hw_trace(w, 2, 2, 1, frames);
	segment_at = hw_heap_begin(w, HW_HEAP_DUMP_SEGMENT);
	hw_class_dump_all(w);
	t1 = hw_alloc(w, 24);
	t2 = hw_alloc(w, 24);
	l1 = hw_alloc(w, 24);
	l2 = hw_alloc(w, 24);
	hw_root_sticky_class(w, jdk.object);
	hw_root_thread_obj(w, t1, 1, 1);
	hw_root_thread_obj(w, t2, 2, 2);
	hw_root_java_frame(w, l1, 1, 1);
	hw_root_java_frame(w, l2, 2, 0);
	hw_thread_object(w, &jdk, t1, "main");
	hw_node(w, task, l1, (uint64_t[]){ l2 });
	name2 = hw_string(w, &jdk, 0, 0, "worker-1");
	hw_values_init(&v, 8);
	hw_values_obj(&v, name2);
	at = hw_instance(w, t2, jdk.thread, &v);
	hw_values_release(&v);
	hw_node(w, task, l2, (uint64_t[]){ l1 });
	hw_heap_dump_end(w);
	snprintf(damage, sizeof damage,
		 "two threads with traces and locals; the file ends 10 bytes into the second "
		 "thread's INSTANCE_DUMP (its HEAP_DUMP_SEGMENT at %zu claims more)", segment_at);
	hw_truncate(w, at + 10);
	emit_writer(o, "trunc-threads.hprof", w, damage, at);
}

/* Counts that claim more than their record holds. */
static void short_records(struct out *o)
{
	static const uint64_t frames[2] = { 0x900000, 0x900008 };
	struct base b;
	struct hw_writer *w;
	size_t at;

	w = hw_new();
	hw_header(w, V102, 8, 0);
	at = hw_trace(w, 1, 1, 2, frames);
	hw_patch_u4(w, at + 9 + 8, 0x40000000);
	emit_writer(o, "trace-frames-overflow.hprof", w,
		    "TRACE record of 2 frames whose frame count says 0x40000000", at);

	w = hw_new();
	hw_header(w, V102, 8, 0);
	at = hw_record_raw(w, HW_UTF8, "\0\0\0\x01", 4);
	emit_writer(o, "utf8-short-id.hprof", w,
		    "UTF8 record of 4 bytes, shorter than its 8-byte id", at);

	w = base_begin(V102, 2, &b);
	at = hw_sub_begin(w, HW_CLASS_DUMP);
	hw_id(w, 0x7700000000);
	hw_u4(w, 0);
	hw_bytes(w, (const uint8_t[48]){ 0 }, 48); /* super .. reserved */
	hw_u4(w, 0);      /* instance size */
	hw_u2(w, 0);      /* constant pool */
	hw_u2(w, 0xffff); /* statics, none of them written */
	hw_heap_dump_end(w);
	emit_writer(o, "classdump-statics-past-segment.hprof", w,
		    "CLASS_DUMP claiming 65535 static fields at the end of its segment", at);
}

/* ---- gzip damage ---- */

static void gzip_damage(struct out *o)
{
	struct base b;
	struct hw_writer *w = base_dump(200, &b);
	size_t n, i;
	uint8_t *gz = hw_gzip_bytes(hw_data(w), hw_size(w), 6, 0, &n);

	emit(o, "trunc.hprof.gz", gz, n / 2, "valid gzip'd 1.0.2 dump cut in half", NO_OFFSET);
	for (i = n / 2; i < n / 2 + 4; i++)
		gz[i] ^= 0xFF;
	emit(o, "corrupt.hprof.gz", gz, n, "valid gzip'd 1.0.2 dump with 4 bytes flipped mid-deflate",
	     NO_OFFSET);
	free(gz);
	hw_free(w);
}

int main(int argc, char **argv)
{
	struct out o;
	char *path;

	if (argc != 2 || argv[1][0] == '-') {
		fputs("usage: mkcorrupt OUTDIR\n", stderr);
		return 2;
	}
	if (mkdir(argv[1], 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "mkcorrupt: cannot create '%s': %s\n", argv[1], strerror(errno));
		return 1;
	}
	o.dir = argv[1];
	path = join(o.dir, "MANIFEST.tsv");
	o.manifest = fopen(path, "w");
	if (!o.manifest) {
		fprintf(stderr, "mkcorrupt: cannot open '%s': %s\n", path, strerror(errno));
		return 1;
	}
	fputs("file\tdamage\toffset\n", o.manifest);
	header_damage(&o);
	truncations(&o);
	lengths(&o);
	bad_subrecords(&o);
	super_loop(&o);
	size_mismatch(&o);
	missing_end(&o);
	gzip_damage(&o);
	trunc_refs(&o);
	trunc_segment_header(&o);
	trunc_v101(&o);
	short_records(&o);
	trunc_threads(&o);
	if (ferror(o.manifest) || fclose(o.manifest) != 0) {
		fprintf(stderr, "mkcorrupt: cannot write '%s'\n", path);
		return 1;
	}
	free(path);
	return fflush(stdout) != 0 || ferror(stdout) ? 1 : 0;
}
