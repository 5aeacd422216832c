/*
 * values.h - reading field values, array contents and string text.
 */
#ifndef HL_VALUES_H
#define HL_VALUES_H

#include "graph/graph.h"

/* Where a named field sits in a class's instance data. */
struct hl_fieldpos { uint32_t offset; uint8_t type; };

/* Find a field by name in cls or its supers (the first, nearest one). */
int hl_field_find(const hl_graph *g, uint32_t cls,
		  const char *name, struct hl_fieldpos *out);
/* Is class c `ancestor` or one of its subclasses? */
int hl_is_subclass(const hl_graph *g, uint32_t c, uint32_t ancestor);
/* Read a field of instance o (raw bits); 0 when it does not fit. */
int hl_field_read(const hl_graph *g, uint32_t o, const struct hl_fieldpos *f,
		  uint64_t *v);
/* Elements of a primitive array (type, data, count); 0 if not one. */
int hl_array_data(const hl_graph *g, uint32_t o, unsigned *type,
		  const uint8_t **data, uint64_t *n);
/* Text (UTF-8, not escaped) of count elements of a char[] or byte[] from
 * `from`; utf16_le: a byte[] holding little-endian UTF-16. */
size_t hl_text_of_array(const hl_graph *g, uint32_t o, int utf16_le,
			uint64_t from, uint64_t count, char *out, size_t cap);
/* A String's encoded content, for hashing: the bytes of its value (the
 * offset/count slice of old JDKs) and the encoding (0 Latin-1, 1 UTF-16
 * little-endian bytes, 2 char[]).  0 when it has none. */
int hl_string_raw(const hl_graph *g, uint32_t o, const uint8_t **data,
		  uint64_t *len, unsigned *enc);
/* Text of a java.lang.String, at most max characters (UTF-8, not escaped). */
size_t hl_string_text(const hl_graph *g, uint32_t o,
		      uint64_t max, char *out, size_t cap);

#endif
