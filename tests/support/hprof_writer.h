/*
 * hprof_writer.h: write HPROF heap dumps byte by byte, for tests.
 *
 * Tests need dumps with exactly known contents, including shapes the JDK never
 * writes (identifier size 4, HPROF 1.0.1 single records, ART sub-records) and
 * damaged ones (truncations, lying lengths). This writer builds such a file in a
 * growable memory buffer and saves it to a path at the end.
 *
 * Layers:
 *   - raw appends (hw_u1 .. hw_id, hw_bytes), patching and truncation, for damage;
 *   - top-level records (hw_record_begin/end patch the u4 length when closed);
 *   - heap sub-records: every tag of section 2 of the HPROF field guide
 *     (shared/guide/hprof-and-mat.md);
 *   - statistics of what was written, and "NAME.expect" output (hw_expect_*).
 * The convenience layer (names, classes, the JDK class set, strings, graph nodes,
 * an address allocator) is in hprof_builder.h; gzip output is in hprof_gzip.h.
 *
 * Invariants: everything is big-endian; at most one top-level record is open at a
 * time; a heap sub-record written with no heap record open opens one (HEAP_DUMP
 * for a "JAVA PROFILE 1.0.1" header, HEAP_DUMP_SEGMENT otherwise); starting a
 * top-level record closes an open HEAP_DUMP_SEGMENT, but aborts inside an open
 * HEAP_DUMP (0x0C), because a second 0x0C would start a second dump.
 * Errors (misuse, overflow, out of memory, I/O) print a message and abort(): this
 * is test code. Nothing has a fixed limit; buffers grow by doubling.
 */
#ifndef HEAPLENS_TESTS_HPROF_WRITER_H
#define HEAPLENS_TESTS_HPROF_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Top-level record tags. */
enum hw_tag {
	HW_UTF8 = 0x01,
	HW_LOAD_CLASS = 0x02,
	HW_UNLOAD_CLASS = 0x03,
	HW_FRAME = 0x04,
	HW_TRACE = 0x05,
	HW_ALLOC_SITES = 0x06,
	HW_HEAP_SUMMARY = 0x07,
	HW_START_THREAD = 0x0A,
	HW_END_THREAD = 0x0B,
	HW_HEAP_DUMP = 0x0C,
	HW_CPU_SAMPLES = 0x0D,
	HW_CONTROL_SETTINGS = 0x0E,
	HW_HEAP_DUMP_SEGMENT = 0x1C,
	HW_HEAP_DUMP_END = 0x2C
};

/* Heap sub-record tags (HotSpot, then the ART additions). */
enum hw_sub_tag {
	HW_ROOT_UNKNOWN = 0xFF,
	HW_ROOT_JNI_GLOBAL = 0x01,
	HW_ROOT_JNI_LOCAL = 0x02,
	HW_ROOT_JAVA_FRAME = 0x03,
	HW_ROOT_NATIVE_STACK = 0x04,
	HW_ROOT_STICKY_CLASS = 0x05,
	HW_ROOT_THREAD_BLOCK = 0x06,
	HW_ROOT_MONITOR_USED = 0x07,
	HW_ROOT_THREAD_OBJ = 0x08,
	HW_CLASS_DUMP = 0x20,
	HW_INSTANCE_DUMP = 0x21,
	HW_OBJ_ARRAY_DUMP = 0x22,
	HW_PRIM_ARRAY_DUMP = 0x23,
	HW_ROOT_INTERNED_STRING = 0x89,
	HW_ROOT_FINALIZING = 0x8A,
	HW_ROOT_DEBUGGER = 0x8B,
	HW_ROOT_REFERENCE_CLEANUP = 0x8C,
	HW_ROOT_VM_INTERNAL = 0x8D,
	HW_ROOT_JNI_MONITOR = 0x8E,
	HW_UNREACHABLE = 0x90,
	HW_PRIM_ARRAY_NODATA = 0xC3,
	HW_HEAP_DUMP_INFO = 0xFE
};

/* Basic types: field types and array element types. */
enum hw_type {
	HW_OBJECT = 2,
	HW_BOOLEAN = 4,
	HW_CHAR = 5,
	HW_FLOAT = 6,
	HW_DOUBLE = 7,
	HW_BYTE = 8,
	HW_SHORT = 9,
	HW_INT = 10,
	HW_LONG = 11
};

/* One typed value (static field, constant pool entry, field of an instance).
 * bits holds the value's bit pattern: an id, an integer, or IEEE bits. */
struct hw_value {
	uint8_t type;
	uint64_t bits;
};

static inline struct hw_value hw_v_obj(uint64_t id) { return (struct hw_value){ HW_OBJECT, id }; }
static inline struct hw_value hw_v_bool(int b) { return (struct hw_value){ HW_BOOLEAN, b ? 1u : 0u }; }
static inline struct hw_value hw_v_char(uint16_t c) { return (struct hw_value){ HW_CHAR, c }; }
static inline struct hw_value hw_v_byte(int8_t b) { return (struct hw_value){ HW_BYTE, (uint8_t)b }; }
static inline struct hw_value hw_v_short(int16_t s) { return (struct hw_value){ HW_SHORT, (uint16_t)s }; }
static inline struct hw_value hw_v_int(int32_t i) { return (struct hw_value){ HW_INT, (uint32_t)i }; }
static inline struct hw_value hw_v_long(int64_t j) { return (struct hw_value){ HW_LONG, (uint64_t)j }; }
struct hw_value hw_v_float(float f);
struct hw_value hw_v_double(double d);

/* Size in bytes of one value of basic type `type` (objects: id_size), or 0 when
 * `type` is not a basic type. */
size_t hw_type_size(uint8_t type, uint32_t id_size);

/* Java name of a basic type ("int", "object"), or NULL when not a basic type. */
const char *hw_type_name(uint8_t type);

/*
 * A small growable buffer of encoded field values, for INSTANCE_DUMP bodies.
 * Caller-owned: hw_values_init(&v, hw_id_size(w)), append, use v.data/v.len,
 * hw_values_clear to reuse, hw_values_release to free.
 */
struct hw_values {
	uint8_t *data;
	size_t len;
	size_t cap;
	uint32_t id_size;
};

void hw_values_init(struct hw_values *v, uint32_t id_size);
void hw_values_release(struct hw_values *v);
void hw_values_clear(struct hw_values *v);
void hw_values_put(struct hw_values *v, struct hw_value value);
void hw_values_obj(struct hw_values *v, uint64_t id);
void hw_values_bool(struct hw_values *v, int b);
void hw_values_char(struct hw_values *v, uint16_t c);
void hw_values_float(struct hw_values *v, float f);
void hw_values_double(struct hw_values *v, double d);
void hw_values_byte(struct hw_values *v, int8_t b);
void hw_values_short(struct hw_values *v, int16_t s);
void hw_values_int(struct hw_values *v, int32_t i);
void hw_values_long(struct hw_values *v, int64_t j);

/* ---- the writer: lifecycle, buffer, raw bytes ---- */

struct hw_writer;

/* A new, empty writer (no header yet). Never NULL. */
struct hw_writer *hw_new(void);
/* Frees everything; accepts NULL. */
void hw_free(struct hw_writer *w);

/* Writes the header: version string with its NUL, u4 id_size, u8 timestamp in
 * milliseconds (as high u4, low u4). Any string and any id_size are accepted;
 * ids are then written id_size bytes wide (0 bytes for 0, zero-padded on the left
 * above 8). The version decides the default heap record tag (see top). */
void hw_header(struct hw_writer *w, const char *version, uint32_t id_size, uint64_t timestamp_ms);

/* Width of written ids; starts at 8, set by hw_header, overridable here. */
void hw_set_id_size(struct hw_writer *w, uint32_t id_size);
uint32_t hw_id_size(const struct hw_writer *w);
/* The u4 "microseconds since header" of every later record (default 0). */
void hw_set_record_time(struct hw_writer *w, uint32_t micros);
/* Cut HEAP_DUMP_SEGMENT records like HotSpot: a new segment starts at the first
 * sub-record boundary at or after `bytes` bytes of segment body. 0 = never. */
void hw_set_segment_limit(struct hw_writer *w, size_t bytes);

/* The bytes written so far (open records still have a 0 length). */
const uint8_t *hw_data(const struct hw_writer *w);
size_t hw_size(const struct hw_writer *w);

/* Closes the open record, if any (patching its length). */
void hw_finish(struct hw_writer *w);
/* hw_finish, then writes the buffer to `path` (replacing it). */
void hw_save(struct hw_writer *w, const char *path);
/* hw_finish, then cuts the output to its first n bytes (n <= size). */
void hw_truncate(struct hw_writer *w, size_t n);
/* Overwrites 1 or 4 bytes at offset (which must be inside the output). */
void hw_patch_u1(struct hw_writer *w, size_t offset, uint8_t v);
void hw_patch_u4(struct hw_writer *w, size_t offset, uint32_t v);

void hw_u1(struct hw_writer *w, uint8_t v);
void hw_u2(struct hw_writer *w, uint16_t v);
void hw_u4(struct hw_writer *w, uint32_t v);
void hw_u8(struct hw_writer *w, uint64_t v);
/* An identifier, id_size bytes; aborts if v does not fit. */
void hw_id(struct hw_writer *w, uint64_t v);
void hw_bytes(struct hw_writer *w, const void *p, size_t n);
/* A value encoded as its type says (no type byte). */
void hw_value(struct hw_writer *w, struct hw_value v);

/* Writes a file with exactly these bytes; aborts on error. */
void hw_write_file(const char *path, const void *data, size_t n);

/* ---- top-level records ---- */

/* Opens a record (tag, time, length placeholder); returns its offset. */
size_t hw_record_begin(struct hw_writer *w, uint8_t tag);
/* Closes the open record, patching its u4 length; aborts if none is open. */
void hw_record_end(struct hw_writer *w);
/* A complete record with this body (any tag, known or not). Returns its offset. */
size_t hw_record_raw(struct hw_writer *w, uint8_t tag, const void *body, uint32_t len);
/* Only a record header that declares `length`, whatever follows. For damage. */
size_t hw_record_header(struct hw_writer *w, uint8_t tag, uint32_t length);

size_t hw_utf8(struct hw_writer *w, uint64_t id, const char *s);
size_t hw_utf8_bytes(struct hw_writer *w, uint64_t id, const void *bytes, size_t n);
size_t hw_load_class(struct hw_writer *w, uint32_t class_serial, uint64_t class_id,
		     uint32_t trace_serial, uint64_t name_id);
size_t hw_unload_class(struct hw_writer *w, uint32_t class_serial);
/* line: >0 line number, -1 unknown, -2 compiled, -3 native. */
size_t hw_frame(struct hw_writer *w, uint64_t frame_id, uint64_t method_name_id,
		uint64_t signature_id, uint64_t source_file_id, uint32_t class_serial, int32_t line);
/* frames[0] is the top of the stack. */
size_t hw_trace(struct hw_writer *w, uint32_t trace_serial, uint32_t thread_serial,
		uint32_t n_frames, const uint64_t *frames);
size_t hw_start_thread(struct hw_writer *w, uint32_t thread_serial, uint64_t thread_id,
		       uint32_t trace_serial, uint64_t name_id, uint64_t group_name_id,
		       uint64_t parent_group_name_id);
size_t hw_end_thread(struct hw_writer *w, uint32_t thread_serial);

/* Opens a heap record, HW_HEAP_DUMP or HW_HEAP_DUMP_SEGMENT; returns its offset. */
size_t hw_heap_begin(struct hw_writer *w, uint8_t tag);
/* Closes the open heap record. */
void hw_heap_end(struct hw_writer *w);
/* Closes any open record and writes HEAP_DUMP_END. Returns its offset. */
size_t hw_heap_dump_end(struct hw_writer *w);

/* ---- heap sub-records (each returns the offset of its tag byte) ---- */

/* Starts a sub-record: opens or cuts the heap record as needed, writes the tag.
 * Use it, then raw appends, for sub-records of your own making. */
size_t hw_sub_begin(struct hw_writer *w, uint8_t tag);
size_t hw_sub_raw(struct hw_writer *w, uint8_t tag, const void *body, size_t n);

/* Any root tag (0xFF, 0x01..0x08, 0x89..0x8E) or UNREACHABLE (0x90), laid out as
 * the tag requires: `a` and `b` are the extra fields in order (JNI global: a =
 * JNI ref id; JNI local, Java frame, JNI monitor: a = thread serial, b = frame;
 * native stack, thread block: a = thread serial; thread object: a = thread
 * serial, b = stack trace serial); unused ones are ignored. */
size_t hw_root(struct hw_writer *w, uint8_t tag, uint64_t id, uint64_t a, uint64_t b);

static inline size_t hw_root_unknown(struct hw_writer *w, uint64_t id) { return hw_root(w, HW_ROOT_UNKNOWN, id, 0, 0); }
static inline size_t hw_root_jni_global(struct hw_writer *w, uint64_t id, uint64_t ref) { return hw_root(w, HW_ROOT_JNI_GLOBAL, id, ref, 0); }
static inline size_t hw_root_jni_local(struct hw_writer *w, uint64_t id, uint32_t thread, uint32_t frame) { return hw_root(w, HW_ROOT_JNI_LOCAL, id, thread, frame); }
static inline size_t hw_root_java_frame(struct hw_writer *w, uint64_t id, uint32_t thread, uint32_t frame) { return hw_root(w, HW_ROOT_JAVA_FRAME, id, thread, frame); }
static inline size_t hw_root_native_stack(struct hw_writer *w, uint64_t id, uint32_t thread) { return hw_root(w, HW_ROOT_NATIVE_STACK, id, thread, 0); }
static inline size_t hw_root_sticky_class(struct hw_writer *w, uint64_t id) { return hw_root(w, HW_ROOT_STICKY_CLASS, id, 0, 0); }
static inline size_t hw_root_thread_block(struct hw_writer *w, uint64_t id, uint32_t thread) { return hw_root(w, HW_ROOT_THREAD_BLOCK, id, thread, 0); }
static inline size_t hw_root_monitor_used(struct hw_writer *w, uint64_t id) { return hw_root(w, HW_ROOT_MONITOR_USED, id, 0, 0); }
static inline size_t hw_root_thread_obj(struct hw_writer *w, uint64_t id, uint32_t thread, uint32_t trace) { return hw_root(w, HW_ROOT_THREAD_OBJ, id, thread, trace); }
static inline size_t hw_root_interned_string(struct hw_writer *w, uint64_t id) { return hw_root(w, HW_ROOT_INTERNED_STRING, id, 0, 0); }
static inline size_t hw_root_finalizing(struct hw_writer *w, uint64_t id) { return hw_root(w, HW_ROOT_FINALIZING, id, 0, 0); }
static inline size_t hw_root_debugger(struct hw_writer *w, uint64_t id) { return hw_root(w, HW_ROOT_DEBUGGER, id, 0, 0); }
static inline size_t hw_root_reference_cleanup(struct hw_writer *w, uint64_t id) { return hw_root(w, HW_ROOT_REFERENCE_CLEANUP, id, 0, 0); }
static inline size_t hw_root_vm_internal(struct hw_writer *w, uint64_t id) { return hw_root(w, HW_ROOT_VM_INTERNAL, id, 0, 0); }
static inline size_t hw_root_jni_monitor(struct hw_writer *w, uint64_t id, uint32_t thread, uint32_t frame) { return hw_root(w, HW_ROOT_JNI_MONITOR, id, thread, frame); }
static inline size_t hw_unreachable(struct hw_writer *w, uint64_t id) { return hw_root(w, HW_UNREACHABLE, id, 0, 0); }

struct hw_const_entry {
	uint16_t index;
	struct hw_value value;
};

struct hw_static_field {
	uint64_t name_id;
	struct hw_value value;
};

struct hw_field {
	uint64_t name_id;
	uint8_t type;
};

/* Everything a CLASS_DUMP holds. Counts above 65535 abort. */
struct hw_class_dump {
	uint64_t class_id;
	uint32_t stack_serial;
	uint64_t super_id;
	uint64_t loader_id;
	uint64_t signers_id;
	uint64_t protection_domain_id;
	uint64_t reserved1;
	uint64_t reserved2;
	uint32_t instance_size;
	size_t n_consts;
	const struct hw_const_entry *consts;
	size_t n_statics;
	const struct hw_static_field *statics;
	size_t n_fields;
	const struct hw_field *fields;
};

size_t hw_class_dump(struct hw_writer *w, const struct hw_class_dump *cd);

/* INSTANCE_DUMP with n raw field bytes (not checked against any layout). */
size_t hw_instance_dump(struct hw_writer *w, uint64_t id, uint32_t stack_serial,
			uint64_t class_id, const void *fields, uint32_t n);

/* OBJ_ARRAY_DUMP with n element ids (elems may be NULL when n is 0). */
size_t hw_obj_array(struct hw_writer *w, uint64_t id, uint32_t stack_serial,
		    uint64_t array_class_id, uint32_t n, const uint64_t *elems);
/* Only the head of an OBJ_ARRAY_DUMP claiming n elements; append them yourself. */
size_t hw_obj_array_header(struct hw_writer *w, uint64_t id, uint32_t stack_serial,
			   uint32_t n, uint64_t array_class_id);

/* PRIM_ARRAY_DUMP. elems points to n host-order C values of the element's size:
 * uint8_t/int8_t for boolean and byte, uint16_t for char and short, float, double,
 * int32_t, int64_t. They are written big-endian. `type` must be a primitive type. */
size_t hw_prim_array(struct hw_writer *w, uint64_t id, uint32_t stack_serial,
		     uint8_t type, uint32_t n, const void *elems);
/* Only the head of a PRIM_ARRAY_DUMP (any type byte); append elements yourself. */
size_t hw_prim_array_header(struct hw_writer *w, uint64_t id, uint32_t stack_serial,
			    uint32_t n, uint8_t type);
/* ART PRIMITIVE_ARRAY_NODATA: the head only, by definition. */
size_t hw_prim_array_nodata(struct hw_writer *w, uint64_t id, uint32_t stack_serial,
			    uint32_t n, uint8_t type);
/* ART HEAP_DUMP_INFO: later sub-records belong to this heap. */
size_t hw_heap_dump_info(struct hw_writer *w, uint32_t heap_id, uint64_t name_id);

/* ---- what was written, for tests and NAME.expect files ---- */

/* Counts since hw_new (records) or since the last hw_heap_stats_reset (heap). */
struct hw_stats {
	uint64_t records[256];       /* top-level records by tag */
	uint64_t subs[256];          /* heap sub-records by tag */
	uint64_t prim_arrays[256];   /* PRIM_ARRAY_DUMP by element type */
	uint64_t nodata_arrays[256]; /* PRIMITIVE_ARRAY_NODATA by element type */
};

const struct hw_stats *hw_stats(const struct hw_writer *w);
/* Instances and object arrays written so far whose class id is class_id. */
uint64_t hw_count_instances(const struct hw_writer *w, uint64_t class_id);
uint64_t hw_count_obj_arrays(const struct hw_writer *w, uint64_t class_id);
/* Starts the heap counts again (for the next dump of a multi-dump file). */
void hw_heap_stats_reset(struct hw_writer *w);

/*
 * NAME.expect lines, "key<TAB>value\n".
 * hw_expect_records: version, id_size, timestamp, and top-level record counts
 * (utf8, load_class, unload_class, frame, trace, start_thread, end_thread,
 * heap_dump, heap_dump_segment, heap_dump_end, unknown_records).
 * hw_expect_heap, each key preceded by prefix (may be ""): classes, instances,
 * obj_arrays, prim_arrays, prim_arrays_nodata, objects (their sum), roots (root
 * sub-records of every kind, UNREACHABLE excluded), roots.KIND for every kind
 * (unknown, jni_global, jni_local, java_frame, native_stack, sticky_class,
 * thread_block, monitor_used, thread_obj, interned_string, finalizing, debugger,
 * reference_cleanup, vm_internal, jni_monitor), unreachable, heap_dump_info,
 * prim_arrays.TYPE and prim_arrays_nodata.TYPE for the 8 primitive types, then
 * instances.NAME for every class dumped or instantiated (array classes only when
 * instantiated, which is never legitimate) and obj_arrays.NAME for
 * every array class used, NAME as its LOAD_CLASS names it in the dump (internal
 * form: java/lang/String, [Ljava/lang/Object;), counts of classes sharing a name
 * added, sorted by name; a class without LOAD_CLASS is named "@0x<hex id>".
 */
void hw_expect_records(const struct hw_writer *w, FILE *f);
void hw_expect_heap(const struct hw_writer *w, FILE *f, const char *prefix);

#endif
