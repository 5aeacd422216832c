/*
 * report_codec.c - the encodings of the reports kept beside the index.
 *
 * Leak suspects: a count, the hl_suspect structs as they are (their two
 * pointers zeroed), one byte per suspect naming its holder kind, then
 * every suspect's path, one after the other.  Duplicate strings: the
 * totals, then the groups as they are.  The layouts are this build's
 * (reports.c ties the file to them).  Decoding trusts nothing: every
 * object and class number must exist in the heap, every count must agree
 * with the length, every text is ended; anything else refuses the payload
 * and the report is computed again.
 */
#include "analysis/collections.h"
#include "lib/heap.h"

#include <stdlib.h>

/* Holder kinds by their number; 0 is none. */
static const enum hl_coll holder_kinds[] = { COLL_NONE, COLL_LIST, COLL_DEQUE,
					     COLL_MAP, COLL_SET, COLL_ARRAY };
#define NHOLDER (sizeof(holder_kinds) / sizeof(holder_kinds[0]))

static uint8_t holder_code(const char *kind)
{
	uint8_t k;

	for (k = 1; kind && k < NHOLDER; k++)
		if (!strcmp(kind, hl_coll_name(holder_kinds[k])))
			return k;
	return 0;
}

void *hl_suspects_encode(const hl_suspect *s, size_t n, size_t *len)
{
	uint64_t count = n, paths = 0;
	uint8_t *buf, *p;
	size_t i, size;

	for (i = 0; i < n; i++)
		paths += s[i].path_len;
	size = sizeof(count) + n * sizeof(*s) + n + paths * sizeof(hl_obj);
	buf = malloc(size ? size : 1);
	if (!buf)
		return NULL;
	p = buf;
	memcpy(p, &count, sizeof(count));
	p += sizeof(count);
	for (i = 0; i < n; i++) {
		hl_suspect c = s[i];

		c.path = NULL;
		c.holder_kind = NULL;
		memcpy(p, &c, sizeof(c));
		p += sizeof(c);
	}
	for (i = 0; i < n; i++)
		*p++ = holder_code(s[i].holder_kind);
	for (i = 0; i < n; i++) {
		memcpy(p, s[i].path, s[i].path_len * sizeof(hl_obj));
		p += s[i].path_len * sizeof(hl_obj);
	}
	*len = size;
	return buf;
}

static int obj_ok(const hl_heap *h, hl_obj o)
{
	return o == HL_NONE || o < h->g.nobj;
}

#define ENDED(a) ((a)[sizeof(a) - 1] = '\0')

/* One decoded suspect's numbers and texts; nonzero when one is wrong. */
static int suspect_bad(const hl_heap *h, hl_suspect *s, uint8_t holder)
{
	unsigned k;

	if (s->kind < HL_SUSPECT_SINGLE || s->kind > HL_SUSPECT_STATIC ||
	    !obj_ok(h, s->obj) || !obj_ok(h, s->accumulation) ||
	    !obj_ok(h, s->referrer) || !obj_ok(h, s->thread) ||
	    !obj_ok(h, s->holder) || !obj_ok(h, s->static_owner) ||
	    (s->cls != HL_NONE && s->cls >= h->g.nclasses) ||
	    s->ntop > sizeof(s->top) / sizeof(s->top[0]) || holder >= NHOLDER ||
	    s->path_len > h->g.nobj)
		return 1;
	for (k = 0; k < s->ntop; k++) {
		if (!obj_ok(h, s->top[k].example))
			return 1;
		ENDED(s->top[k].text);
	}
	ENDED(s->static_field);
	ENDED(s->why);
	s->holder_kind = holder ? hl_coll_name(holder_kinds[holder]) : NULL;
	return 0;
}

int hl_suspects_decode(const hl_heap *h, const void *data, size_t len,
		       hl_suspect **out, size_t *n)
{
	const uint8_t *p = data, *end = p + len, *codes;
	hl_suspect *s = NULL;
	uint64_t count, i, k;

	*out = NULL;
	*n = 0;
	if (len < sizeof(count))
		return -1;
	memcpy(&count, p, sizeof(count));
	p += sizeof(count);
	if (count > (uint64_t)(end - p) / (sizeof(*s) + 1))
		return -1;
	s = hl_calloc(count ? count : 1, sizeof(*s));
	if (!s)
		return -1;
	memcpy(s, p, count * sizeof(*s));
	p += count * sizeof(*s);
	codes = p;
	p += count;
	for (i = 0; i < count; i++) {
		hl_obj *path = NULL;

		s[i].path = NULL; /* until its own is read */
		if (suspect_bad(h, &s[i], codes[i]) ||
		    s[i].path_len > (uint64_t)(end - p) / sizeof(hl_obj))
			goto bad;
		if (s[i].path_len) {
			path = hl_malloc_array(s[i].path_len, sizeof(hl_obj));
			if (!path)
				goto bad;
			memcpy(path, p, s[i].path_len * sizeof(hl_obj));
			p += s[i].path_len * sizeof(hl_obj);
		}
		s[i].path = path;
		for (k = 0; k < s[i].path_len; k++)
			if (!obj_ok(h, path[k]) || path[k] == HL_NONE) {
				i++; /* its path is set: freed below */
				goto bad;
			}
	}
	if (p != end)
		goto bad;
	*out = s;
	*n = count;
	return 0;
bad:
	for (k = i; k < count; k++)
		s[k].path = NULL;
	hl_suspects_free(s, count);
	return -1;
}

void *hl_dups_encode(const hl_string_dups *d, size_t *len)
{
	hl_string_dups c = *d;
	size_t size = sizeof(c) + d->count * sizeof(*d->groups);
	uint8_t *buf = malloc(size);

	if (!buf)
		return NULL;
	c.groups = NULL;
	memcpy(buf, &c, sizeof(c));
	if (d->count)
		memcpy(buf + sizeof(c), d->groups, d->count * sizeof(*d->groups));
	*len = size;
	return buf;
}

int hl_dups_decode(const hl_heap *h, const void *data, size_t len,
		   hl_string_dups *out)
{
	hl_string_dups d;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (len < sizeof(d))
		return -1;
	memcpy(&d, data, sizeof(d));
	if (d.count != (len - sizeof(d)) / sizeof(*d.groups) ||
	    len != sizeof(d) + d.count * sizeof(*d.groups) ||
	    d.count > d.groups_total || d.groups_total > d.strings)
		return -1;
	d.groups = hl_malloc_array(d.count ? d.count : 1, sizeof(*d.groups));
	if (!d.groups)
		return -1;
	memcpy(d.groups, (const uint8_t *)data + sizeof(d),
	       d.count * sizeof(*d.groups));
	for (i = 0; i < d.count; i++) {
		const hl_string_group *gr = &d.groups[i];

		if (gr->first >= h->g.nobj || gr->other >= h->g.nobj ||
		    gr->copies < 1 || gr->copies > d.strings) {
			free(d.groups);
			return -1;
		}
	}
	*out = d;
	return 0;
}
