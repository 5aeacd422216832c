/*
 * hw_internal.h: private parts of the test HPROF writer (hprof_writer.h), shared
 * by its .c files only: the writer struct, fatal errors, array growth, and a
 * u64 -> index hash map.
 *
 * The writer keeps, besides the output bytes, what it needs to write NAME.expect
 * files: per class id (from LOAD_CLASS, CLASS_DUMP, INSTANCE_DUMP and
 * OBJ_ARRAY_DUMP) a name id and counts, and per UTF8 id its text. Lookups go
 * through hw_map (open addressing, linear probing, power-of-two capacity kept at
 * most half full), so writing millions of instances stays linear.
 */
#ifndef HEAPLENS_TESTS_HW_INTERNAL_H
#define HEAPLENS_TESTS_HW_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "hprof_writer.h"

#define HW_NONE SIZE_MAX

/* Prints "hprof_writer: <message>" to stderr and aborts. */
#if defined(__GNUC__)
__attribute__((noreturn, format(printf, 1, 2)))
#endif
void hw_die(const char *fmt, ...);

/* a * b and a + b, aborting on size_t overflow. */
size_t hw_mul(size_t a, size_t b);
size_t hw_add(size_t a, size_t b);
/* Makes *p (an array of *cap elements of elem bytes) hold at least need
 * elements, doubling; aborts on overflow or out of memory. */
void hw_grow(void **p, size_t *cap, size_t need, size_t elem);
void *hw_xmalloc(size_t n);
char *hw_xstrndup(const char *s, size_t n);

/* u64 key -> size_t value (HW_NONE is never stored). */
struct hw_map {
	uint64_t *keys;
	size_t *vals;
	size_t cap;
	size_t count;
};

size_t hw_map_get(const struct hw_map *m, uint64_t key);
void hw_map_put(struct hw_map *m, uint64_t key, size_t val);
void hw_map_release(struct hw_map *m);

/* Encodes v into out (at least 8 bytes, or id_size when larger); returns the
 * number of bytes. Aborts on a type that is not basic or an id too wide. */
size_t hw_encode_value(uint8_t *out, struct hw_value v, uint32_t id_size);
size_t hw_encode_id(uint8_t *out, uint64_t id, uint32_t id_size);

/* What the writer knows of one class id. */
struct hw_class_entry {
	uint64_t class_id;
	uint64_t name_id;
	int has_name;
	uint64_t dumps;
	uint64_t instances;
	uint64_t obj_arrays;
};

struct hw_utf8_entry {
	uint64_t id;
	char *text; /* NUL-terminated copy */
};

struct hw_builder;

struct hw_writer {
	uint8_t *buf;
	size_t len;
	size_t cap;

	char *version;
	uint32_t header_id_size;
	uint64_t timestamp;
	int has_header;

	uint32_t id_size;
	uint32_t record_time;
	size_t segment_limit;
	uint8_t default_heap_tag;
	size_t open_at; /* offset of the open record, HW_NONE if none */
	uint8_t open_tag;

	struct hw_stats stats;
	struct hw_class_entry *classes;
	size_t n_classes;
	size_t cap_classes;
	struct hw_map class_index;
	struct hw_utf8_entry *utf8s;
	size_t n_utf8;
	size_t cap_utf8;
	struct hw_map utf8_index;

	/* State of the convenience layer (hprof_builder.c), created on first use. */
	struct hw_builder *builder;
	void (*builder_free)(struct hw_builder *b);
};

/* The entry of class_id, created when missing. */
struct hw_class_entry *hw_class_entry(struct hw_writer *w, uint64_t class_id);
/* The text of UTF8 id, or NULL. */
const char *hw_utf8_text(const struct hw_writer *w, uint64_t id);

#endif
