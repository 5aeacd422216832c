/*
 * values.c - field values and the text of strings and arrays.
 *
 * Strings as MAT reads them: String.value is a byte[] (JDK 9+ compact
 * strings: coder 0 Latin-1, coder 1 UTF-16 in the JVM's byte order, which
 * is little-endian on every platform HotSpot dumps come from) or a char[]
 * (older JDKs, with offset/count when those fields exist).  Text is
 * converted to UTF-8 (surrogate pairs joined, lone surrogates kept as
 * U+FFFD) and then escaped by hl_escape, so a dump cannot send control
 * sequences to a terminal.
 */
#include "analysis/values.h"
#include "util/utf8.h"

#include <stdio.h>
#include <stdlib.h>

int hl_field_find(const hl_graph *g, uint32_t cls,
		  const char *name, struct hl_fieldpos *out)
{
	uint32_t base = 0, c = cls, steps = 0;

	while (c != HL_NONE && steps++ < g->nclasses) {
		const struct hl_class *k = &g->classes[c];
		const struct hl_field *f = (const struct hl_field *)g->fields.data;
		uint32_t i, own = k->data_size -
			(k->super != HL_NONE ? g->classes[k->super].data_size : 0);

		for (i = 0; i < k->nfields; i++)
			if (!strcmp(g->names.data + f[k->fields + i].name, name)) {
				out->offset = base + f[k->fields + i].offset;
				out->type = f[k->fields + i].type;
				return 1;
			}
		base += own;
		c = k->super;
	}
	return 0;
}

int hl_is_subclass(const hl_graph *g, uint32_t c, uint32_t ancestor)
{
	uint32_t steps = 0;

	while (c != HL_NONE && steps++ <= g->nclasses) {
		if (c == ancestor)
			return 1;
		c = g->classes[c].super;
	}
	return 0;
}

int hl_field_read(const hl_graph *g, uint32_t o, const struct hl_fieldpos *f,
		  uint64_t *v)
{
	const uint8_t *r;
	unsigned id = g->idsize, sz = hl_type_size(f->type, id);
	uint32_t nbytes;

	if (hl_graph_kind(g, o) != K_INSTANCE || (g->flags[o] & F_SYNTH))
		return 0;
	r = g->data + hl_graph_record(g, o);
	nbytes = hl_be32(r + 1 + 2 * id + 4);
	if ((uint64_t)f->offset + sz > nbytes)
		return 0;
	r += 1 + 2 * id + 8 + f->offset;
	switch (sz) {
	case 1: *v = r[0]; break;
	case 2: *v = hl_be16(r); break;
	case 4: *v = hl_be32(r); break;
	default: *v = hl_be64(r); break;
	}
	return 1;
}

/* UTF-16 units to UTF-8; unit(i) reads unit i. */
static size_t utf16_to_utf8(const uint8_t *p, uint64_t n, int big_endian,
			    char *out, size_t cap)
{
	size_t o = 0;
	uint64_t i;

	for (i = 0; i < n && o + 4 < cap; i++) {
		unsigned u = big_endian ? hl_be16(p + 2 * i)
					: (unsigned)(p[2 * i] | p[2 * i + 1] << 8);

		if (u >= 0xd800 && u <= 0xdbff && i + 1 < n) {
			unsigned l = big_endian ? hl_be16(p + 2 * i + 2) :
				(unsigned)(p[2 * i + 2] | p[2 * i + 3] << 8);

			if (l >= 0xdc00 && l <= 0xdfff) {
				u = 0x10000 + ((u - 0xd800) << 10) + (l - 0xdc00);
				i++;
			} else {
				u = 0xfffd;
			}
		} else if (u >= 0xd800 && u <= 0xdfff) {
			u = 0xfffd;
		}
		o += hl_utf8_put(out + o, u);
	}
	out[o] = '\0';
	return o;
}

static size_t latin1_to_utf8(const uint8_t *p, uint64_t n, char *out,
			     size_t cap)
{
	size_t o = 0;
	uint64_t i;

	for (i = 0; i < n && o + 2 < cap; i++)
		o += hl_utf8_put(out + o, p[i]);
	out[o] = '\0';
	return o;
}

int hl_array_data(const hl_graph *g, uint32_t o, unsigned *type,
		  const uint8_t **data, uint64_t *n)
{
	const uint8_t *r;
	unsigned id = g->idsize;

	if (hl_graph_kind(g, o) != K_PRIM_ARRAY)
		return 0;
	r = g->data + hl_graph_record(g, o);
	*n = hl_be32(r + 1 + id + 4);
	*type = r[1 + id + 8];
	*data = r + 1 + id + 9;
	if (r[0] == SUB_PRIM_ARRAY_NODATA)
		*n = 0; /* ART: no element bytes */
	return 1;
}

size_t hl_text_of_array(const hl_graph *g, uint32_t o, int utf16_le,
			uint64_t from, uint64_t count, char *out, size_t cap)
{
	const uint8_t *p;
	unsigned type;
	uint64_t n;

	out[0] = '\0';
	if (!hl_array_data(g, o, &type, &p, &n))
		return 0;
	if (type == T_CHAR) {
		if (from > n) from = n;
		if (count > n - from) count = n - from;
		return utf16_to_utf8(p + 2 * from, count, 1, out, cap);
	}
	if (type != T_BYTE)
		return 0;
	if (utf16_le) {
		n /= 2;
		if (from > n) from = n;
		if (count > n - from) count = n - from;
		return utf16_to_utf8(p + 2 * from, count, 0, out, cap);
	}
	if (from > n) from = n;
	if (count > n - from) count = n - from;
	return latin1_to_utf8(p + from, count, out, cap);
}

/* Where String's fields are, looked up once per class. */
struct strpos {
	const hl_graph *g;
	uint32_t cls;
	int has[4];
	struct hl_fieldpos f[4]; /* value, coder, count, offset */
};
static _Thread_local struct strpos strpos;

static const struct strpos *string_fields(const hl_graph *g, uint32_t cls)
{
	static const char *const names[4] = { "value", "coder", "count", "offset" };
	int i;

	if (strpos.g != g || strpos.cls != cls) {
		strpos.g = g;
		strpos.cls = cls;
		for (i = 0; i < 4; i++)
			strpos.has[i] = hl_field_find(g, cls, names[i], &strpos.f[i]);
	}
	return &strpos;
}

/* A String's value array, coder, offset and count (count UINT64_MAX: the
 * whole array); 0 when it has no value array. */
static int string_parts(const hl_graph *g, uint32_t o, uint32_t *arr,
			uint64_t *coder, uint64_t *off, uint64_t *count)
{
	const struct strpos *sp = string_fields(g, hl_graph_cls(g, o));
	uint64_t v = 0;

	*coder = *off = 0;
	*count = UINT64_MAX;
	if (!sp->has[0] || !hl_field_read(g, o, &sp->f[0], &v) || !v)
		return 0;
	*arr = hl_graph_ref_at(g, o, sp->f[0].offset, v);
	if (*arr == HL_NONE)
		return 0;
	if (sp->has[1])
		hl_field_read(g, o, &sp->f[1], coder);
	if (sp->has[2] && hl_field_read(g, o, &sp->f[2], count) && sp->has[3])
		hl_field_read(g, o, &sp->f[3], off);
	return 1;
}

size_t hl_string_text(const hl_graph *g, uint32_t o,
		      uint64_t max, char *out, size_t cap)
{
	uint64_t coder, off, count;
	uint32_t arr;

	out[0] = '\0';
	if (!string_parts(g, o, &arr, &coder, &off, &count))
		return 0;
	if (count > max)
		count = max;
	return hl_text_of_array(g, arr, coder == 1, off, count, out, cap);
}

int hl_string_raw(const hl_graph *g, uint32_t o, const uint8_t **data,
		  uint64_t *len, unsigned *enc)
{
	uint64_t coder, off, count, n;
	unsigned type, es;
	uint32_t arr;

	if (!string_parts(g, o, &arr, &coder, &off, &count) ||
	    !hl_array_data(g, arr, &type, data, &n) ||
	    (type != T_CHAR && type != T_BYTE))
		return 0;
	*enc = type == T_CHAR ? 2 : coder == 1;
	if (*enc == 1) { /* JDK 9+ UTF-16 bytes: no offset/count fields */
		*len = n;
		return 1;
	}
	es = type == T_CHAR ? 2 : 1;
	if (off > n)
		off = n;
	if (count > n - off)
		count = n - off;
	*data += off * es;
	*len = count * es;
	return 1;
}
