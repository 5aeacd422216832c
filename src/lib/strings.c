/*
 * strings.c - what is inside strings and arrays: array elements, names in
 * modified UTF-8 made well-formed, string lengths, duplicate strings,
 * strings found by a regular expression.
 *
 * Strings are decoded here with the positions of String's fields found
 * once per call (value, coder; count and offset on old JDKs), not once per
 * String: a pass over millions of Strings does no name lookups.
 *
 * Duplicate strings: one pass over the reachable java.lang.String objects.
 * Each value is decoded to UTF-8 (the same text for a Latin-1 byte[], a
 * UTF-16 byte[] or a char[] with offset/count) into one reused buffer and
 * hashed with XXH3-64; an open-addressing table sized once (1.25 slots per
 * String, linear probing) keeps per hash the count, two members and the
 * bytes (the length is read back from the first member).  Bytes count
 * each String and its value array, an array shared by several Strings
 * once (a bitmap over object numbers says which arrays were counted), so
 * "wasted" is what deduplication would free: the group's bytes minus one
 * String and its array.  Two values with one hash would merge; the groups
 * returned are checked by decoding two members and flagged when they
 * differ.  Memory: 28 bytes per slot (35 a String), 1 bit per object, the
 * largest value's text; nothing else per String.
 */
#include "analysis/values.h"
#include "lib/heap.h"
#include "util/utf8.h"

#include <regex.h>
#include <stdlib.h>
#include <xxhash.h>

size_t hl_array_values(const hl_heap *h, hl_obj o, uint64_t from,
		       uint64_t *out, size_t max, int *type)
{
	const hl_graph *g = &h->g;
	const uint8_t *p;
	unsigned t, sz;
	uint64_t n, i;

	*type = 0;
	if (o >= g->nobj)
		return 0;
	if (hl_graph_kind(g, o) == K_OBJ_ARRAY) {
		p = g->data + hl_graph_record(g, o);
		n = hl_be32(p + 1 + g->idsize + 4);
		p += 1 + 2 * g->idsize + 8;
		t = T_OBJECT;
	} else if (!hl_array_data(g, o, &t, &p, &n)) {
		return 0;
	}
	*type = (int)t;
	sz = hl_type_size(t, g->idsize);
	for (i = 0; from < n && i < max; i++, from++) {
		const uint8_t *e = p + from * sz;

		switch (sz) {
		case 1: out[i] = e[0]; break;
		case 2: out[i] = hl_be16(e); break;
		case 4: out[i] = hl_be32(e); break;
		default: out[i] = hl_be64(e); break;
		}
	}
	return (size_t)i;
}

/* ---- modified UTF-8 to UTF-8 ---- */

size_t hl_utf8_clean(const char *in, size_t n, char *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t i = 0, o = 0;

	if (!cap)
		return 0;
	while (i < n) {
		unsigned cp, lo;
		size_t len = hl_utf8_get(p + i, n - i, &cp, 1), l2;
		char tmp[4];
		size_t k;

		if (p[i] == 0xc0 && i + 1 < n && p[i + 1] == 0x80) {
			/* modified UTF-8's NUL: kept, the escapers print \u0000 */
			if (o + 2 >= cap)
				break;
			memcpy(out + o, "\xc0\x80", 2);
			o += 2;
			i += 2;
			continue;
		}
		if (!len || !cp) { /* a stray byte or a raw NUL */
			len = 1;
			cp = 0xfffd;
		} else if (cp >= 0xd800 && cp <= 0xdbff &&
			   (l2 = hl_utf8_get(p + i + len, n - i - len, &lo, 1)) == 3 &&
			   lo >= 0xdc00 && lo <= 0xdfff) {
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			len += l2;
		} else if (cp >= 0xd800 && cp <= 0xdfff) {
			cp = 0xfffd;
		}
		k = hl_utf8_put(tmp, cp);
		if (o + k >= cap)
			break;
		memcpy(out + o, tmp, k);
		o += k;
		i += len;
	}
	out[o] = '\0';
	return o;
}

/* ---- decoding Strings with the field positions found once ---- */

struct decoder {
	const hl_graph *g;
	struct hl_fieldpos value, coder, count, offset;
	int has_coder, has_window;  /* coder; count and offset (old JDKs) */
	hl_vec text;        /* the String decoded (UTF-8 bytes) */
	hl_diag *d;
};

static int decoder_init(struct decoder *dc, hl_heap *h)
{
	const hl_graph *g = &h->g;
	uint32_t s = g->cls_string;

	memset(dc, 0, sizeof(*dc));
	hl_vec_init(&dc->text, 1);
	dc->g = g;
	dc->d = &h->diag;
	if (s == HL_NONE || !hl_field_find(g, s, "value", &dc->value) ||
	    dc->value.type != T_OBJECT)
		return 0;
	dc->has_coder = hl_field_find(g, s, "coder", &dc->coder);
	dc->has_window = hl_field_find(g, s, "count", &dc->count) &&
			 hl_field_find(g, s, "offset", &dc->offset);
	return 1;
}

/* The value array of String o, its window and encoding; 0 if unreadable. */
static int string_window(const struct decoder *dc, uint32_t o, uint32_t *arr,
			 int *utf16le, uint64_t *from, uint64_t *units)
{
	const hl_graph *g = dc->g;
	const uint8_t *p;
	uint64_t v = 0, coder = 0, n, off = 0, cnt;
	unsigned type;

	if (!hl_field_read(g, o, &dc->value, &v) || !v ||
	    (*arr = hl_graph_ref_at(g, o, dc->value.offset, v)) == HL_NONE ||
	    !hl_array_data(g, *arr, &type, &p, &n) ||
	    (type != T_BYTE && type != T_CHAR))
		return 0;
	if (dc->has_coder)
		hl_field_read(g, o, &dc->coder, &coder);
	*utf16le = type == T_BYTE && coder == 1;
	if (*utf16le)
		n /= 2;
	cnt = n;
	if (dc->has_window && hl_field_read(g, o, &dc->count, &cnt))
		hl_field_read(g, o, &dc->offset, &off);
	off &= 0xffffffffu;
	cnt &= 0xffffffffu;
	if (off > n)
		off = n;
	if (cnt > n - off)
		cnt = n - off;
	*from = off;
	*units = cnt;
	return 1;
}

/* Decode String o into dc->text; returns 0 if unreadable. */
static int decode(struct decoder *dc, uint32_t o, uint32_t *arr,
		  uint64_t *units, size_t *len)
{
	uint64_t from, need;
	int le;

	if (!string_window(dc, o, arr, &le, &from, units))
		return 0;
	need = *units * 3 + 16; /* a UTF-16 unit is at most 3 UTF-8 bytes */
	dc->text.len = 0;
	if (need > SIZE_MAX || hl_vec_reserve(&dc->text, (size_t)need)) {
		hl_fail(dc->d, HL_E_NOMEM, "out of memory for a string of %llu characters",
			(unsigned long long)*units);
		return -1;
	}
	*len = hl_text_of_array(dc->g, *arr, le, from, *units, dc->text.data,
				dc->text.cap);
	return 1;
}

uint64_t hl_string_length(const hl_heap *h, hl_obj o)
{
	const hl_graph *g = &h->g;
	struct decoder dc;
	uint64_t from, units;
	uint32_t arr;
	int le;

	if (o >= g->nobj)
		return 0;
	if (hl_graph_kind(g, o) == K_PRIM_ARRAY) {
		unsigned type;
		const uint8_t *p;

		return hl_array_data(g, o, &type, &p, &units) &&
		       (type == T_CHAR || type == T_BYTE) ? units : 0;
	}
	if (hl_graph_cls(g, o) != g->cls_string || hl_graph_kind(g, o) != K_INSTANCE ||
	    !decoder_init(&dc, (hl_heap *)h))
		return 0;
	return string_window(&dc, o, &arr, &le, &from, &units) ? units : 0;
}

static int is_string(const hl_graph *g, uint32_t o)
{
	return hl_graph_cls(g, o) == g->cls_string && (g->flags[o] & F_REACHABLE) &&
	       hl_graph_kind(g, o) == K_INSTANCE;
}

/* ---- duplicate strings ---- */

/* 28 bytes, packed: there is one per String and a fourth more */
struct __attribute__((packed)) slot {
	uint64_t hash, bytes;
	uint32_t first, last, copies; /* the length is read back from first */
};

struct dups {
	struct decoder dc;
	struct slot *tab;
	size_t cap;
	uint8_t *seen;       /* value arrays already counted, 1 bit each */
};

static struct slot *find_slot(struct dups *u, uint64_t hash)
{
	size_t i = (size_t)(((hash >> 32) * (uint64_t)u->cap) >> 32);

	while (u->tab[i].copies && u->tab[i].hash != hash)
		if (++i == u->cap)
			i = 0;
	return &u->tab[i];
}

/* Account one String: returns 0, or -1 when memory ran out. */
static int add_string(struct dups *u, uint32_t o, hl_string_dups *out)
{
	const hl_graph *g = u->dc.g;
	uint32_t arr;
	uint64_t units, bytes, hash;
	size_t len;
	struct slot *s;
	int r = decode(&u->dc, o, &arr, &units, &len);

	if (r <= 0)
		return r;
	bytes = hl_graph_shallow(g, o);
	if (!(u->seen[arr >> 3] & (1u << (arr & 7)))) {
		u->seen[arr >> 3] |= (uint8_t)(1u << (arr & 7));
		bytes += hl_graph_shallow(g, arr);
	}
	hash = XXH3_64bits((const char *)u->dc.text.data, len);
	s = find_slot(u, hash);
	if (!s->copies) {
		s->hash = hash;
		s->first = o;
		out->distinct++;
	}
	s->last = o;
	s->copies++;
	s->bytes += bytes;
	out->strings++;
	out->bytes += bytes;
	return 0;
}

static uint64_t one_copy(const struct dups *u, uint32_t o)
{
	const hl_graph *g = u->dc.g;
	uint64_t v = 0, b = hl_graph_shallow(g, o);
	uint32_t arr;

	if (hl_field_read(g, o, &u->dc.value, &v) && v &&
	    (arr = hl_graph_ref_at(g, o, u->dc.value.offset, v)) != HL_NONE)
		b += hl_graph_shallow(g, arr);
	return b;
}

/* After compaction the hash field holds the waste: sort by it. */
static int cmp_slot(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash > y->hash ? -1 : 1;
	if (x->copies != y->copies)
		return x->copies > y->copies ? -1 : 1;
	return x->first < y->first ? -1 : x->first > y->first;
}

/* Do two members of a group hold the same text?  -1: out of memory.
 * *units: a's length in characters. */
static int same_text(struct dups *u, uint32_t a, uint32_t b, uint64_t *units)
{
	uint32_t arr;
	size_t la, lb;
	char *copy;
	int r, same;
	uint64_t ub;

	*units = 0;
	r = decode(&u->dc, a, &arr, units, &la);
	if (a == b)
		return r < 0 ? -1 : 1;
	if (r <= 0)
		return r;
	copy = malloc(la + 1);
	if (!copy)
		return -1;
	memcpy(copy, (const char *)u->dc.text.data, la);
	r = decode(&u->dc, b, &arr, &ub, &lb);
	same = r > 0 && la == lb && !memcmp(copy, (const char *)u->dc.text.data, la);
	free(copy);
	return r < 0 ? -1 : same;
}

/* Move the groups with min_count copies to the front of the table (the
 * hash is no longer needed: it becomes the waste), sort them. */
static size_t compact(struct dups *u, uint64_t min_count, hl_string_dups *out)
{
	size_t i, n = 0;

	for (i = 0; i < u->cap; i++) {
		struct slot s = u->tab[i];
		uint64_t one;

		if (!s.copies || s.copies < min_count)
			continue;
		one = one_copy(u, s.first);
		s.hash = s.bytes > one ? s.bytes - one : 0;
		out->wasted += s.hash;
		u->tab[n++] = s;
	}
	qsort(u->tab, n, sizeof(*u->tab), cmp_slot);
	out->groups_total = n;
	return n;
}

static hl_status take_groups(struct dups *u, size_t n, size_t top,
			     hl_string_dups *out)
{
	size_t i;

	if (top && top < n)
		n = top;
	out->groups = hl_calloc(n + 1, sizeof(*out->groups));
	if (!out->groups)
		return hl_fail(u->dc.d, HL_E_NOMEM, "out of memory for strings");
	for (i = 0; i < n; i++) {
		const struct slot *s = &u->tab[i];
		hl_string_group *o = &out->groups[i];
		uint64_t units;
		int same = same_text(u, s->first, s->last, &units);

		if (same < 0)
			return hl_fail(u->dc.d, HL_E_NOMEM, "out of memory for strings");
		o->first = s->first;
		o->other = s->last;
		o->copies = s->copies;
		o->length = (uint32_t)units;
		o->bytes = s->bytes;
		o->wasted = s->hash;
		o->collision = !same;
	}
	out->count = n;
	return HL_OK;
}

static hl_status dups_setup(hl_heap *h, struct dups *u)
{
	const hl_graph *g = &h->g;
	size_t n = 0;
	uint32_t o;

	for (o = 0; o < g->nobj; o++)
		n += is_string(g, o);
	u->cap = n + n / 4 + 16;
	u->tab = hl_calloc(u->cap, sizeof(*u->tab));
	u->seen = hl_calloc((size_t)g->nobj / 8 + 1, 1);
	if (!u->tab || !u->seen)
		return hl_fail(&h->diag, HL_E_NOMEM,
			       "out of memory for a table of %zu strings", n);
	return HL_OK;
}

static hl_status dups_compute(hl_heap *h, uint64_t min_count, size_t top,
				hl_string_dups *out);

hl_status hl_string_dups_build(hl_heap *h, uint64_t min_count, size_t top,
			       hl_string_dups *out)
{
	uint64_t v[2] = { min_count, top }, key = XXH3_64bits(v, sizeof(v));
	size_t len;
	void *kept = hl_report_get(h, HL_REPORT_STRING_DUPS, key, &len);
	hl_status st;

	if (kept) { /* computed before for these options */
		int bad = hl_dups_decode(h, kept, len, out);

		free(kept);
		if (!bad)
			return HL_OK;
	}
	st = dups_compute(h, min_count, top, out);
	if (st == HL_OK && h->index_path[0]) {
		kept = hl_dups_encode(out, &len);
		if (kept)
			hl_report_put(h, HL_REPORT_STRING_DUPS, key, kept, len);
		free(kept);
	}
	return st;
}

static hl_status dups_compute(hl_heap *h, uint64_t min_count, size_t top,
				hl_string_dups *out)
{
	const hl_graph *g = &h->g;
	struct dups u;
	hl_status st = HL_OK;
	uint32_t o;
	hl_dropper drop = { 0 };

	memset(out, 0, sizeof(*out));
	memset(&u, 0, sizeof(u));
	if (!decoder_init(&u.dc, h))
		return HL_OK; /* no java.lang.String with a value: no strings */
	st = dups_setup(h, &u);
	for (o = 0; st == HL_OK && o < g->nobj; o++) {
		if (!is_string(g, o))
			continue;
		if (add_string(&u, o, out) < 0)
			st = HL_E_NOMEM;
		hl_graph_drop_step(g, &drop); /* values are all over the dump */
	}
	if (st == HL_OK)
		st = take_groups(&u, compact(&u, min_count ? min_count : 1, out),
				 top, out);
	free(u.tab);
	free(u.seen);
	hl_vec_release(&u.dc.text);
	if (st != HL_OK)
		hl_string_dups_free(out);
	return st;
}

void hl_string_dups_free(hl_string_dups *d)
{
	if (!d)
		return;
	free(d->groups);
	memset(d, 0, sizeof(*d));
}

/* ---- strings by regular expression ---- */

static int cmp_match(const void *a, const void *b, void *ctx)
{
	const hl_heap *h = ctx;
	hl_obj x = *(const hl_obj *)a, y = *(const hl_obj *)b;
	uint64_t rx = h->dom.done ? hl_dom_retained(&h->dom, x) : 0;
	uint64_t ry = h->dom.done ? hl_dom_retained(&h->dom, y) : 0;

	if (rx != ry)
		return rx > ry ? -1 : 1;
	return x < y ? -1 : x > y;
}

static int matches(const regex_t *re, const char *text, size_t len)
{
#ifdef REG_STARTEND
	regmatch_t m[1];

	m[0].rm_so = 0;
	m[0].rm_eo = (regoff_t)len;
	return regexec(re, text, 1, m, REG_STARTEND) == 0;
#else
	(void)len;
	return regexec(re, text, 0, NULL, 0) == 0;
#endif
}

static hl_status collect_matches(hl_heap *h, const regex_t *re, hl_vec *hits)
{
	const hl_graph *g = &h->g;
	struct decoder dc;
	hl_status st = HL_OK;
	uint32_t o, arr;
	hl_dropper drop = { 0 };

	if (!decoder_init(&dc, h))
		return HL_OK;
	for (o = 0; st == HL_OK && o < g->nobj; o++) {
		uint64_t units;
		size_t len;
		int r;

		if (!is_string(g, o))
			continue;
		hl_graph_drop_step(g, &drop);
		r = decode(&dc, o, &arr, &units, &len);
		if (r < 0)
			st = HL_E_NOMEM;
		else if (r > 0 && matches(re, dc.text.data, len) && hl_vec_push(hits, &o))
			st = hl_fail(&h->diag, HL_E_NOMEM, "out of memory for matches");
	}
	hl_vec_release(&dc.text);
	return st;
}

hl_status hl_string_match(hl_heap *h, const char *regex, int flags,
			  hl_obj **out, size_t *count)
{
	regex_t re;
	hl_vec hits;
	hl_status st;
	int rc;

	*out = NULL;
	*count = 0;
	rc = regcomp(&re, regex, REG_EXTENDED | REG_NOSUB |
		     ((flags & HL_MATCH_ICASE) ? REG_ICASE : 0));
	if (rc) {
		char why[256];

		regerror(rc, &re, why, sizeof(why));
		return hl_fail(&h->diag, HL_E_USAGE, "bad regular expression '%s': %s",
			       regex, why);
	}
	hl_vec_init(&hits, sizeof(hl_obj));
	st = collect_matches(h, &re, &hits);
	regfree(&re);
	if (st != HL_OK) {
		hl_vec_release(&hits);
		return st;
	}
	if (hits.len)
		qsort_r(hits.data, hits.len, sizeof(hl_obj), cmp_match, h);
	*out = hits.data;
	*count = hits.len;
	return HL_OK;
}

void hl_string_match_free(hl_obj *objs)
{
	free(objs);
}
