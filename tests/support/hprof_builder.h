/*
 * hprof_builder.h: the quick way to build a test heap with hprof_writer.h.
 *
 * A test says which classes exist and which objects point where; the builder
 * writes the UTF8, LOAD_CLASS and CLASS_DUMP records that go with it, keeps class
 * layouts so instance bodies can be checked, and hands out realistic addresses.
 *
 * Typical use (1.0.2, identifier size 8):
 *
 *   struct hw_writer *w = hw_new();
 *   struct hw_jdk jdk;
 *   hw_header(w, "JAVA PROFILE 1.0.2", 8, 0);
 *   hw_jdk_define(w, &jdk);                        // top-level: names, LOAD_CLASS
 *   uint64_t node = hw_node_class(w, "Node", 2);   // fields f0, f1: references
 *   hw_class_dump_all(w);                          // heap: opens a segment
 *   uint64_t a = hw_alloc(w, 24), b = hw_alloc(w, 24);
 *   hw_node(w, node, a, (uint64_t[]){ b, 0 });
 *   hw_node(w, node, b, (uint64_t[]){ a, a });
 *   hw_root_jni_global(w, a, 0);
 *   hw_heap_dump_end(w);
 *   hw_save(w, path); hw_free(w);
 *
 * Order: define classes and names (top-level records) before the heap. A name
 * first used inside an open HEAP_DUMP_SEGMENT closes it (a new one opens on the
 * next sub-record); inside a HEAP_DUMP (1.0.1) it aborts.
 *
 * Id ranges: UTF8 ids from 0x00400000 up in steps of 8; object addresses from
 * 0x10000000 up, each object's slot rounded up to the alignment (default 8), so
 * the object alignment a reader infers from address gaps is 8. Both fit 4-byte ids.
 * Callers may choose any ids of their own instead (pass them where 0 means
 * "allocate"); keep them out of those ranges.
 */
#ifndef HEAPLENS_TESTS_HPROF_BUILDER_H
#define HEAPLENS_TESTS_HPROF_BUILDER_H

#include "hprof_writer.h"

/* The UTF8 id of string s; the first use writes its UTF8 record. */
uint64_t hw_name(struct hw_writer *w, const char *s);

/* Next object address; the slot is `bytes` rounded up to the alignment. */
uint64_t hw_alloc(struct hw_writer *w, size_t bytes);
/* count consecutive slots of `bytes` each: object i is at
 * first + i * round_up(bytes, alignment). Returns first. */
uint64_t hw_alloc_block(struct hw_writer *w, size_t bytes, uint64_t count);
/* Restarts the allocator at base with this alignment (a power of two). */
void hw_alloc_config(struct hw_writer *w, uint64_t base, uint32_t align);

struct hw_field_spec {
	const char *name;
	uint8_t type; /* enum hw_type */
};

/*
 * Defines a class: writes UTF8 records for its name and field names, then its
 * LOAD_CLASS (serials 1, 2, 3, ... in definition order, stack trace serial 0),
 * and remembers it for hw_class_dump_all and layout checks. class_id 0 allocates
 * one. super_id 0: no super class (only java/lang/Object should do that).
 * name: internal form ("java/lang/Object", "[I", "[Ljava/lang/Object;").
 * Several classes may share a name. Returns the class id.
 */
uint64_t hw_class_define(struct hw_writer *w, uint64_t class_id, const char *name,
			 uint64_t super_id, size_t n_fields, const struct hw_field_spec *fields);
void hw_class_set_loader(struct hw_writer *w, uint64_t class_id, uint64_t loader_id);
/* Adds a static field to a defined class (its name is written as UTF8 now). */
void hw_class_add_static(struct hw_writer *w, uint64_t class_id, const char *name,
			 struct hw_value value);
/* Adds a constant pool entry to a defined class (HotSpot never writes any). */
void hw_class_add_const(struct hw_writer *w, uint64_t class_id, uint16_t index,
			struct hw_value value);
/* The id of the class last defined with this name, or 0. */
uint64_t hw_class_lookup(struct hw_writer *w, const char *name);
uint32_t hw_class_serial(struct hw_writer *w, uint64_t class_id);
/* Bytes of an instance's field values: own fields plus every super's. */
size_t hw_class_field_bytes(struct hw_writer *w, uint64_t class_id);

/* Plausible heap sizes for hw_alloc, no compressed oops, alignment 8: an
 * instance is header (2 ids) + field bytes; an array header (2 ids) + u4 length
 * (primitive arrays: padded to an id) + elements. */
size_t hw_instance_size_guess(struct hw_writer *w, uint64_t class_id);
size_t hw_array_size_guess(struct hw_writer *w, uint8_t type, size_t n);

/* CLASS_DUMP of one defined class / of all, in definition order. Instance size
 * is written as HotSpot does: the field bytes of hw_class_field_bytes. */
size_t hw_class_dump_defined(struct hw_writer *w, uint64_t class_id);
void hw_class_dump_all(struct hw_writer *w);

/* INSTANCE_DUMP (stack serial 0) whose values must match the class layout:
 * own fields first, then the super's, up to java/lang/Object. */
size_t hw_instance(struct hw_writer *w, uint64_t id, uint64_t class_id, const struct hw_values *v);

/* The minimal JDK: classes every reader expects to find. */
struct hw_jdk {
	uint64_t object;       /* java/lang/Object */
	uint64_t klass;        /* java/lang/Class */
	uint64_t string;       /* java/lang/String: value ([B), coder (byte), hash (int) */
	uint64_t class_loader; /* java/lang/ClassLoader */
	uint64_t thread;       /* java/lang/Thread: name (String) */
	uint64_t object_array; /* [Ljava/lang/Object; */
	uint64_t prim_array[12]; /* indexed by enum hw_type: [HW_INT] is "[I", ... */
};

/* Defines the JDK class set (no heap records yet). */
void hw_jdk_define(struct hw_writer *w, struct hw_jdk *jdk);
/* A LATIN1 String (coder 0, hash 0) and its byte[]. Ids 0 allocate. Returns the
 * String's id. */
uint64_t hw_string(struct hw_writer *w, const struct hw_jdk *jdk, uint64_t string_id,
		   uint64_t array_id, const char *latin1);
/* A java/lang/Thread instance with its name String. Returns the Thread's id. */
uint64_t hw_thread_object(struct hw_writer *w, const struct hw_jdk *jdk, uint64_t thread_id,
			  const char *name);

/* Generic graph nodes: a class with k reference fields named f0 .. f<k-1>, super
 * java/lang/Object when defined. */
uint64_t hw_node_class(struct hw_writer *w, const char *name, unsigned k);
/* An instance of a node class whose fields hold refs[0..k-1] (0 = null); refs
 * NULL means all null. The class must have only reference fields. */
size_t hw_node(struct hw_writer *w, uint64_t class_id, uint64_t id, const uint64_t *refs);

#endif
