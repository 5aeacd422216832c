/*
 * frame.c - pass 0: the header and the top-level records (see hprof.h).
 *
 * Only lengths are trusted after they are checked against the bytes that
 * remain.  A record whose length runs past the end of the file is either
 * a 1.0.1 HEAP_DUMP whose u4 length wrapped (MAT reads it to the end of the
 * file, so do we) or a cut-short dump: we keep the complete records before
 * it, and the complete sub-records of a cut heap record, and warn.
 */
#include "hprof/hprof.h"

#include <stdio.h>
#include <stdlib.h>

static int cmp_u64_key(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_trace(const void *a, const void *b)
{
	uint32_t x = ((const struct hl_trace *)a)->serial;
	uint32_t y = ((const struct hl_trace *)b)->serial;

	return x < y ? -1 : x > y;
}

static void sort_vec(hl_vec *v, int (*cmp)(const void *, const void *))
{
	if (v->len > 1)
		qsort(v->data, v->len, v->item, cmp);
}

static hl_status parse_header(hl_hprof *hp, uint64_t *body, hl_diag *d)
{
	const uint8_t *p = hp->data;
	uint64_t n = hp->size, i, lim = n < 64 ? n : 64;

	if (n == 0)
		return hl_fail(d, HL_E_FORMAT, "offset 0: empty file, not an HPROF dump");
	for (i = 0; i < lim && p[i]; i++)
		;
	if (n < 13 && !memcmp(p, "JAVA PROFILE ", n))
		return hl_fail(d, HL_E_TRUNCATED, "offset 0: header string cut short");
	if (n < 13 || memcmp(p, "JAVA PROFILE ", 13) != 0)
		return hl_fail(d, HL_E_FORMAT,
			       "offset 0: not an HPROF dump (no \"JAVA PROFILE\" header)");
	if (i == lim)
		return hl_fail(d, n < 64 ? HL_E_TRUNCATED : HL_E_FORMAT,
			       "offset 0: header string %s", n < 64 ?
			       "cut short" : "is not terminated");
	if (i >= sizeof(hp->version))
		return hl_fail(d, HL_E_FORMAT, "offset 0: header string too long");
	memcpy(hp->version, p, i + 1);
	if (strcmp(hp->version, "JAVA PROFILE 1.0.1") &&
	    strcmp(hp->version, "JAVA PROFILE 1.0.2") &&
	    strcmp(hp->version, "JAVA PROFILE 1.0.3"))
		return hl_fail(d, HL_E_UNSUPPORTED,
			       "offset 0: unsupported format version \"%s\" (1.0.1, 1.0.2 and 1.0.3 are read)",
			       hp->version);
	if (n - i - 1 < 4)
		return hl_fail(d, HL_E_TRUNCATED,
			       "offset %llu: header cut short in the identifier size",
			       (unsigned long long)(i + 1));
	if (n - i - 1 < 12)
		return hl_fail(d, HL_E_TRUNCATED,
			       "offset %llu: header cut short in the dump time",
			       (unsigned long long)(i + 5));
	hp->idsize = hl_be32(p + i + 1);
	if (hp->idsize != 4 && hp->idsize != 8)
		return hl_fail(d, HL_E_UNSUPPORTED,
			       "offset %llu: identifier size %u is not supported (4 or 8)",
			       (unsigned long long)(i + 1), hp->idsize);
	hp->timestamp = hl_be64(p + i + 5);
	*body = i + 13;
	return HL_OK;
}

static hl_status too_short(hl_diag *d, uint64_t off, unsigned tag,
			   uint64_t len, uint64_t need)
{
	return hl_fail(d, HL_E_FORMAT,
		       "offset %llu: %s record (tag 0x%02x) too short: %llu bytes, needs %llu",
		       (unsigned long long)off, hl_tag_name(tag), tag,
		       (unsigned long long)len, (unsigned long long)need);
}

/* Index one name/class/frame/trace record; lengths already bounded. */
static hl_status index_record(hl_hprof *hp, unsigned tag, uint64_t off,
			      const uint8_t *b, uint64_t len, hl_diag *d)
{
	unsigned id = hp->idsize;
	int bad = 0;

	switch (tag) {
	case TAG_UTF8: {
		struct hl_utf8 u;

		memset(&u, 0, sizeof(u)); /* its padding goes to the index */
		if (len < id || len - id > UINT32_MAX)
			return too_short(d, off, tag, len, id);
		u.id = hl_beid(b, id);
		u.off = (uint64_t)(b - hp->data) + id;
		u.len = (uint32_t)(len - id);
		bad = hl_vec_push(&hp->utf8, &u);
		break;
	}
	case TAG_LOAD_CLASS: {
		struct hl_loadclass lc;

		if (len < 8 + 2 * (uint64_t)id)
			return too_short(d, off, tag, len, 8 + 2 * id);
		lc.serial = hl_be32(b);
		lc.class_id = hl_beid(b + 4, id);
		lc.trace = hl_be32(b + 4 + id);
		lc.name_id = hl_beid(b + 8 + id, id);
		bad = hl_vec_push(&hp->loadclass, &lc);
		break;
	}
	case TAG_FRAME: {
		struct hl_frame f;

		if (len < 8 + 4 * (uint64_t)id)
			return too_short(d, off, tag, len, 8 + 4 * id);
		f.id = hl_beid(b, id);
		f.method = hl_beid(b + id, id);
		f.sig = hl_beid(b + 2 * id, id);
		f.source = hl_beid(b + 3 * id, id);
		f.class_serial = hl_be32(b + 4 * id);
		f.line = (int32_t)hl_be32(b + 4 * id + 4);
		bad = hl_vec_push(&hp->frames, &f);
		break;
	}
	case TAG_TRACE: {
		struct hl_trace t;

		memset(&t, 0, sizeof(t));
		if (len < 12)
			return too_short(d, off, tag, len, 12);
		t.serial = hl_be32(b);
		t.thread_serial = hl_be32(b + 4);
		t.nframes = hl_be32(b + 8);
		if ((uint64_t)t.nframes * id > len - 12)
			return too_short(d, off, tag, len,
					 12 + (uint64_t)t.nframes * id);
		t.frames_off = (uint64_t)(b - hp->data) + 12;
		bad = hl_vec_push(&hp->traces, &t);
		break;
	}
	default:
		break;
	}
	return bad ? hl_fail(d, HL_E_NOMEM, "out of memory indexing records")
		   : HL_OK;
}

struct framer {
	hl_hprof *hp;
	int dump_open;
	uint64_t unknown_warned[4];
};

static hl_status add_heaprec(struct framer *f, unsigned tag, uint64_t off,
			     uint64_t body, uint64_t len, int partial,
			     hl_diag *d)
{
	hl_hprof *hp = f->hp;
	struct hl_heaprec r;

	memset(&r, 0, sizeof(r)); /* its padding goes to the index */
	r.body = body;
	r.len = len;
	r.tag = (uint8_t)tag;
	r.partial = (uint8_t)partial;
	if (!f->dump_open || tag == TAG_HEAP_DUMP) {
		struct hl_dumpspan s = { (uint32_t)hp->heaprecs.len, 0, off };

		if (!(f->dump_open && tag == TAG_HEAP_DUMP &&
		      hp->dumps.len &&
		      HL_VEC_AT(&hp->dumps, struct hl_dumpspan,
				hp->dumps.len - 1).count == 0)) {
			if (hl_vec_push(&hp->dumps, &s))
				return hl_fail(d, HL_E_NOMEM, "out of memory");
		}
		f->dump_open = 1;
	}
	if (hl_vec_push(&hp->heaprecs, &r))
		return hl_fail(d, HL_E_NOMEM, "out of memory");
	HL_VEC_AT(&hp->dumps, struct hl_dumpspan, hp->dumps.len - 1).count++;
	return HL_OK;
}

static void warn_unknown(struct framer *f, unsigned tag, uint64_t off,
			 uint64_t len, hl_diag *d)
{
	if (!hl_bit_claim(f->unknown_warned, tag))
		return;
	hl_warnf(d, "offset %llu: unknown record tag 0x%02x (%llu bytes) skipped",
		 (unsigned long long)off, tag, (unsigned long long)len);
}

/* A record runs past the end of the file: keep what is complete. */
static hl_status cut_short(struct framer *f, unsigned tag, uint64_t off,
			   uint64_t end, int strict, hl_diag *d)
{
	hl_hprof *hp = f->hp;
	uint64_t lost = end - hp->size;
	double pct = 100.0 * (double)lost / (double)end;

	hp->truncated_at = off;
	hp->truncated_bytes = lost;
	if ((tag == TAG_HEAP_DUMP || tag == TAG_HEAP_DUMP_SEGMENT) &&
	    hp->size - off > 9) /* pass 1 reports it where a sub-record is cut */
		return add_heaprec(f, tag, off, off + 9, hp->size - off - 9, 1, d);
	if (strict)
		return hl_fail(d, HL_E_TRUNCATED,
			       "offset %llu: dump cut short in the %s record there: %llu bytes missing",
			       (unsigned long long)off, hl_tag_name(tag),
			       (unsigned long long)lost);
	hl_warnf(d, "offset %llu: dump cut short in the %s record there: %llu bytes (%.1f%%) missing; reading up to the last complete record",
		 (unsigned long long)off, hl_tag_name(tag),
		 (unsigned long long)lost, pct);
	return HL_OK;
}

static hl_status walk_records(hl_hprof *hp, uint64_t off, int strict,
			      hl_diag *d)
{
	struct framer f = { hp, 0, { 0 } };
	hl_status st = HL_OK;
	hl_behind b; /* a kernel may map a whole large folio per touch */

	hl_behind_init(&b, hp->mapped ? hp->data : NULL);
	while (st == HL_OK && off < hp->size) {
		const uint8_t *r = hp->data + off;
		unsigned tag;
		uint64_t len, end;
		int wrapped = 0;

		hl_behind_note(&b, off);

		if (hp->size - off < 9)
			return cut_short(&f, r[0], off, off + 9, strict, d);
		tag = r[0];
		len = hl_be32(r + 5);
		end = off + 9 + len;
		if (end > hp->size) {
			if (tag == TAG_HEAP_DUMP &&
			    !strcmp(hp->version, "JAVA PROFILE 1.0.1")) {
				len = hp->size - off - 9; /* wrapped u4 length */
				end = hp->size;
				wrapped = 2;
			} else {
				return cut_short(&f, tag, off, end, strict, d);
			}
		}
		hp->record_count[tag]++;
		switch (tag) {
		case TAG_HEAP_DUMP:
		case TAG_HEAP_DUMP_SEGMENT:
			st = add_heaprec(&f, tag, off, off + 9, len, wrapped, d);
			break;
		case TAG_HEAP_DUMP_END:
			f.dump_open = 0;
			break;
		case TAG_UTF8: case TAG_LOAD_CLASS: case TAG_FRAME:
		case TAG_TRACE:
			st = index_record(hp, tag, off, r + 9, len, d);
			break;
		case TAG_UNLOAD_CLASS: case TAG_ALLOC_SITES:
		case TAG_HEAP_SUMMARY: case TAG_START_THREAD:
		case TAG_END_THREAD: case TAG_CPU_SAMPLES:
		case TAG_CONTROL_SETTINGS:
			break;
		default:
			warn_unknown(&f, tag, off, len, d);
			break;
		}
		off = end;
	}
	hl_behind_flush(&b);
	if (st == HL_OK && !hp->dumps.len)
		hl_warnf(d, "offset %llu: the file holds no heap dump",
			 (unsigned long long)hp->size);
	if (st == HL_OK && f.dump_open && hp->record_count[TAG_HEAP_DUMP_SEGMENT] &&
	    !hp->truncated_at)
		hl_warnf(d, "offset %llu: the last heap dump has no HEAP_DUMP_END record",
			 (unsigned long long)hp->size);
	return st;
}

hl_status hl_hprof_frame(hl_hprof *hp, const hl_source *src, int strict,
			 hl_diag *d)
{
	uint64_t body = 0;
	hl_status st;

	memset(hp, 0, sizeof(*hp));
	hp->data = src->data;
	hp->size = src->size;
	hp->mapped = src->map != NULL;
	hl_vec_init(&hp->utf8, sizeof(struct hl_utf8));
	hl_vec_init(&hp->loadclass, sizeof(struct hl_loadclass));
	hl_vec_init(&hp->frames, sizeof(struct hl_frame));
	hl_vec_init(&hp->traces, sizeof(struct hl_trace));
	hl_vec_init(&hp->heaprecs, sizeof(struct hl_heaprec));
	hl_vec_init(&hp->dumps, sizeof(struct hl_dumpspan));
	st = parse_header(hp, &body, d);
	if (st != HL_OK)
		return st;
	st = walk_records(hp, body, strict, d);
	if (st != HL_OK)
		return st;
	sort_vec(&hp->utf8, cmp_u64_key);
	sort_vec(&hp->loadclass, cmp_u64_key);
	sort_vec(&hp->frames, cmp_u64_key);
	sort_vec(&hp->traces, cmp_trace);
	return HL_OK;
}

void hl_hprof_release(hl_hprof *hp)
{
	hl_vec_release(&hp->utf8);
	hl_vec_release(&hp->loadclass);
	hl_vec_release(&hp->frames);
	hl_vec_release(&hp->traces);
	hl_vec_release(&hp->heaprecs);
	hl_vec_release(&hp->dumps);
}

/* Binary search over an array sorted by a leading u64 key. */
static const void *find_u64(const hl_vec *v, uint64_t key)
{
	size_t lo = 0, hi = v->len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *e = (const char *)v->data + mid * v->item;
		uint64_t k = *(const uint64_t *)e;

		if (k == key)
			return e;
		if (k < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct hl_utf8 *hl_hprof_utf8(const hl_hprof *hp, uint64_t id)
{
	return find_u64(&hp->utf8, id);
}

uint64_t hl_hprof_class_name_id(const hl_hprof *hp, uint64_t class_id)
{
	const struct hl_loadclass *lc = find_u64(&hp->loadclass, class_id);

	return lc ? lc->name_id : 0;
}

const struct hl_frame *hl_hprof_frame_by_id(const hl_hprof *hp, uint64_t id)
{
	return find_u64(&hp->frames, id);
}

const struct hl_trace *hl_hprof_trace(const hl_hprof *hp, uint32_t serial)
{
	size_t lo = 0, hi = hp->traces.len;
	const struct hl_trace *t = hp->traces.data;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t[mid].serial == serial)
			return &t[mid];
		if (t[mid].serial < serial)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
