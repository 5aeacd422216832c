/*
 * heapscan.c - pass 1: frame the heap sub-records of one dump (see hprof.h).
 *
 * The hot loop handles the object records first (they are nearly all of
 * the records) and pushes one 16-byte entry per object: its id and the
 * offset of its record with the kind in the top byte.  Nothing is decoded
 * beyond what framing needs; later stages go back to the record.
 */
#include "hprof/hprof.h"

#include <pthread.h>
#include <stdio.h>

/* Fixed length of a root or ART sub-record, tag byte included; 0 if the
 * tag is not one of them. */
static uint64_t fixed_len(unsigned tag, unsigned id)
{
	switch (tag) {
	case SUB_ROOT_UNKNOWN: case SUB_ROOT_STICKY_CLASS:
	case SUB_ROOT_MONITOR_USED: case SUB_ROOT_INTERNED_STRING:
	case SUB_ROOT_FINALIZING: case SUB_ROOT_DEBUGGER:
	case SUB_ROOT_REFERENCE_CLEANUP: case SUB_ROOT_VM_INTERNAL:
	case SUB_UNREACHABLE:
		return 1 + id;
	case SUB_ROOT_JNI_GLOBAL: return 1 + 2 * (uint64_t)id;
	case SUB_ROOT_NATIVE_STACK: case SUB_ROOT_THREAD_BLOCK:
		return 1 + id + 4;
	case SUB_ROOT_JNI_LOCAL: case SUB_ROOT_JAVA_FRAME:
	case SUB_ROOT_THREAD_OBJ: case SUB_ROOT_JNI_MONITOR:
		return 1 + id + 8;
	case SUB_PRIM_ARRAY_NODATA: return 1 + id + 9;
	case SUB_HEAP_DUMP_INFO: return 1 + 4 + id;
	default: return 0;
	}
}

/* Skip n typed values at *pp; 0 ok, 1 cut short, 2 bad type. */
static int skip_values(const uint8_t **pp, const uint8_t *end, unsigned n,
		       unsigned id, int named, int with_value)
{
	const uint8_t *p = *pp;
	unsigned i;

	for (i = 0; i < n; i++) {
		unsigned head = (named ? id : 2u) + 1u, sz;

		if ((uint64_t)(end - p) < head)
			return 1;
		sz = hl_type_size(p[head - 1], id);
		if (!sz)
			return 2;
		p += head;
		if (with_value) {
			if ((uint64_t)(end - p) < sz)
				return 1;
			p += sz;
		}
	}
	*pp = p;
	return 0;
}

/* A u2 count followed by that many entries. */
static int skip_values_counted(const uint8_t **pp, const uint8_t *end,
			       unsigned id, int named, int with_value)
{
	unsigned n;

	if (end - *pp < 2)
		return 1;
	n = hl_be16(*pp);
	*pp += 2;
	return skip_values(pp, end, n, id, named, with_value);
}

int hl_classdump_parse(const uint8_t *p, const uint8_t *end, unsigned id,
		       struct hl_classdump *cd)
{
	uint64_t fixed = 7 * (uint64_t)id + 8;
	int rc;

	if ((uint64_t)(end - p) < fixed + 2)
		return 1;
	cd->id = hl_beid(p, id);
	cd->super = hl_beid(p + id + 4, id);
	cd->loader = hl_beid(p + 2 * id + 4, id);
	cd->instance_size = hl_be32(p + 7 * id + 4);
	p += fixed;
	/* constant pool: u2 count, [u2 index, u1 type, value] */
	rc = skip_values_counted(&p, end, id, 0, 1);
	if (rc)
		return rc;
	if (end - p < 2)
		return 1;
	cd->nstatics = hl_be16(p);
	cd->statics = p + 2;
	p += 2;
	rc = skip_values(&p, end, cd->nstatics, id, 1, 1);
	if (rc)
		return rc;
	if (end - p < 2)
		return 1;
	cd->nfields = hl_be16(p);
	cd->fields = p + 2;
	p += 2;
	rc = skip_values(&p, end, cd->nfields, id, 1, 0);
	if (rc)
		return rc;
	cd->end = p;
	return 0;
}

int hl_subrecord_len(const uint8_t *p, const uint8_t *end, unsigned id,
		     uint64_t *len, int *why)
{
	uint64_t avail = (uint64_t)(end - p), need, n;
	unsigned tag = p[0], es;
	struct hl_classdump cd;

	switch (tag) {
	case SUB_INSTANCE_DUMP:
		need = 1 + 2 * (uint64_t)id + 8;
		if (avail < need)
			goto cut;
		need += hl_be32(p + 1 + 2 * id + 8 - 4);
		break;
	case SUB_OBJ_ARRAY_DUMP:
		need = 1 + 2 * (uint64_t)id + 8;
		if (avail < need)
			goto cut;
		n = hl_be32(p + 1 + id + 4);
		need += n * id;
		break;
	case SUB_PRIM_ARRAY_DUMP:
		need = 1 + (uint64_t)id + 9;
		if (avail < need)
			goto cut;
		n = hl_be32(p + 1 + id + 4);
		es = hl_type_size(p[1 + id + 8], id);
		if (!es || p[1 + id + 8] == T_OBJECT) {
			*why = 2;
			return -1;
		}
		need += n * es;
		break;
	case SUB_CLASS_DUMP: {
		int rc = hl_classdump_parse(p + 1, end, id, &cd);

		if (rc) {
			*why = rc;
			return -1;
		}
		need = (uint64_t)(cd.end - p);
		break;
	}
	default:
		need = fixed_len(tag, id);
		if (tag == SUB_PRIM_ARRAY_NODATA && avail >= need &&
		    (!hl_type_size(p[1 + id + 8], id) ||
		     p[1 + id + 8] == T_OBJECT))
			need = 0;
		if (!need) {
			*why = 2;
			return -1;
		}
		break;
	}
	if (avail < need)
		goto cut;
	*len = need;
	return 0;
cut:
	*len = need;
	*why = 1;
	return -1;
}

static int root_kind(unsigned tag)
{
	switch (tag) {
	case SUB_ROOT_UNKNOWN: return HL_ROOT_UNKNOWN;
	case SUB_ROOT_JNI_GLOBAL: return HL_ROOT_JNI_GLOBAL;
	case SUB_ROOT_JNI_LOCAL: return HL_ROOT_JNI_LOCAL;
	case SUB_ROOT_JAVA_FRAME: return HL_ROOT_JAVA_FRAME;
	case SUB_ROOT_NATIVE_STACK: return HL_ROOT_NATIVE_STACK;
	case SUB_ROOT_STICKY_CLASS: return HL_ROOT_STICKY_CLASS;
	case SUB_ROOT_THREAD_BLOCK: return HL_ROOT_THREAD_BLOCK;
	case SUB_ROOT_MONITOR_USED: return HL_ROOT_MONITOR_USED;
	case SUB_ROOT_THREAD_OBJ: return HL_ROOT_THREAD_OBJ;
	case SUB_ROOT_INTERNED_STRING: return HL_ROOT_INTERNED_STRING;
	case SUB_ROOT_FINALIZING: return HL_ROOT_FINALIZING;
	case SUB_ROOT_DEBUGGER: return HL_ROOT_DEBUGGER;
	case SUB_ROOT_REFERENCE_CLEANUP: return HL_ROOT_REFERENCE_CLEANUP;
	case SUB_ROOT_VM_INTERNAL: return HL_ROOT_VM_INTERNAL;
	case SUB_ROOT_JNI_MONITOR: return HL_ROOT_JNI_MONITOR;
	case SUB_UNREACHABLE: return HL_ROOT_UNREACHABLE;
	default: return -1;
	}
}

static int push_root(hl_scan *sc, const uint8_t *p, unsigned id, int kind)
{
	struct hl_rootent r = { hl_beid(p + 1, id), 0, 0, (uint8_t)kind };
	unsigned tag = p[0];

	if (tag == SUB_ROOT_JNI_LOCAL || tag == SUB_ROOT_JAVA_FRAME ||
	    tag == SUB_ROOT_THREAD_OBJ || tag == SUB_ROOT_JNI_MONITOR) {
		r.thread = hl_be32(p + 1 + id);
		r.frame = hl_be32(p + 1 + id + 4);
	} else if (tag == SUB_ROOT_NATIVE_STACK ||
		   tag == SUB_ROOT_THREAD_BLOCK) {
		r.thread = hl_be32(p + 1 + id);
	}
	return hl_vec_push(&sc->roots, &r);
}

static hl_status bad_subrecord(const hl_hprof *hp, const struct hl_heaprec *r,
			       const uint8_t *p, int why, uint64_t need,
			       hl_diag *d)
{
	uint64_t off = (uint64_t)(p - hp->data);
	uint64_t left = r->body + r->len - off;

	if (why == 2)
		return hl_fail(d, HL_E_FORMAT,
			       "offset %llu: unknown or malformed heap sub-record (tag 0x%02x: %s) in the %s record at offset %llu",
			       (unsigned long long)off, p[0],
			       hl_subtag_name(p[0]), hl_tag_name(r->tag),
			       (unsigned long long)(r->body - 9));
	if (need <= left) /* a CLASS_DUMP: its length is unknown until parsed */
		return hl_fail(d, HL_E_FORMAT,
			       "offset %llu: %s sub-record (tag 0x%02x) runs past the end of its %s record at offset %llu (%llu bytes left)",
			       (unsigned long long)off, hl_subtag_name(p[0]), p[0],
			       hl_tag_name(r->tag), (unsigned long long)(r->body - 9),
			       (unsigned long long)left);
	return hl_fail(d, HL_E_FORMAT,
		       "offset %llu: %s sub-record (tag 0x%02x) needs %llu bytes but its %s record at offset %llu has %llu left",
		       (unsigned long long)off, hl_subtag_name(p[0]), p[0],
		       (unsigned long long)need, hl_tag_name(r->tag),
		       (unsigned long long)(r->body - 9),
		       (unsigned long long)left);
}

/* The dump ends inside the last heap record, at p (a sub-record cut
 * there, or none when p is the end of the file): keep what came before. */
static hl_status cut_in_record(const hl_hprof *hp, const struct hl_heaprec *r,
			       const uint8_t *p, uint64_t need, int strict,
			       hl_scan *sc, hl_diag *d)
{
	uint64_t off = (uint64_t)(p - hp->data), left = hp->size - off;
	/* a cut record says how much is missing; a 1.0.1 HEAP_DUMP whose
	 * length was taken to run to the end of the file only knows what the
	 * cut sub-record needed (nothing for a CLASS_DUMP: unknown) */
	uint64_t missing = r->partial == 1 ? hp->truncated_bytes :
			   need > left ? need - left : 0;
	double pct = 100.0 * (double)missing / (double)(hp->size + missing);
	const char *what = off < hp->size ? hl_subtag_name(p[0]) : hl_tag_name(r->tag);
	const char *unit = p < hp->data + hp->size ? "sub-record" : "record";
	char amount[80];

	if (r->partial == 2 && !sc->truncated_at) {
		sc->truncated_at = off;
		sc->truncated_bytes = missing; /* 0: unknown */
	}
	if (off >= hp->size)
		off = r->body - 9; /* no sub-record cut: name the record */
	if (!missing)
		snprintf(amount, sizeof(amount), "how much is missing is unknown");
	else if (strict)
		snprintf(amount, sizeof(amount), "%llu bytes missing",
			 (unsigned long long)missing);
	else
		snprintf(amount, sizeof(amount), "%llu bytes (%.1f%%) missing",
			 (unsigned long long)missing, pct);
	if (strict)
		return hl_fail(d, HL_E_TRUNCATED,
			       "offset %llu: dump cut short in the %s %s there: %s",
			       (unsigned long long)off, what, unit, amount);
	hl_warnf(d, "offset %llu: dump cut short in the %s %s there: %s; reading up to the last complete record",
		 (unsigned long long)off, what, unit, amount);
	return HL_OK;
}

static hl_status scan_record(const hl_hprof *hp, const struct hl_heaprec *r,
			     int strict, hl_scan *sc, hl_diag *d)
{
	const unsigned id = hp->idsize;
	const uint8_t *p = hp->data + r->body, *end = p + r->len;
	int oom = 0;

	while (p < end && !oom) {
		unsigned tag = p[0];
		uint64_t len = 0;
		int why = 0, kind;

		if (hl_subrecord_len(p, end, id, &len, &why)) {
			if (why == 1 && r->partial)
				return cut_in_record(hp, r, p, len, strict, sc, d);
			return bad_subrecord(hp, r, p, why, len, d);
		}
		sc->subrecords++;
		kind = -1;
		switch (tag) {
		case SUB_INSTANCE_DUMP: kind = K_INSTANCE; break;
		case SUB_OBJ_ARRAY_DUMP: kind = K_OBJ_ARRAY; break;
		case SUB_PRIM_ARRAY_DUMP: case SUB_PRIM_ARRAY_NODATA:
			kind = K_PRIM_ARRAY; break;
		case SUB_CLASS_DUMP: kind = K_CLASS; break;
		case SUB_HEAP_DUMP_INFO: sc->heap_infos++; break;
		default:
			oom = push_root(sc, p, id, root_kind(tag));
			break;
		}
		if (kind >= 0) {
			struct hl_objent e;

			e.id = hl_beid(p + 1, id);
			e.offk = (uint64_t)(p - hp->data) | ((uint64_t)kind << 56);
			oom = HL_VEC_PUSH(&sc->objs, struct hl_objent, e);
			if (kind == K_CLASS && !oom)
				oom = hl_vec_push(&sc->classes, &e);
			sc->counts[kind]++;
		}
		p += len;
	}
	if (!oom && r->partial == 1)
		return cut_in_record(hp, r, p, 0, strict, sc, d);
	return oom ? hl_fail(d, HL_E_NOMEM, "out of memory reading the heap")
		   : HL_OK;
}

static void scan_init(hl_scan *sc)
{
	memset(sc, 0, sizeof(*sc));
	hl_vec_init(&sc->objs, sizeof(struct hl_objent));
	hl_vec_init(&sc->classes, sizeof(struct hl_objent));
	hl_vec_init(&sc->roots, sizeof(struct hl_rootent));
}

/* One thread's share of pass 1: heap records [lo, hi), with its own scan
 * and its own diagnostics (the first error only). */
struct scan_part {
	const hl_hprof *hp;
	uint32_t lo, hi;
	hl_scan sc;
	hl_diag d;
};

static void *scan_part_run(void *arg)
{
	struct scan_part *p = arg;
	const struct hl_heaprec *recs = p->hp->heaprecs.data;
	uint32_t i;

	if (hl_vec_reserve(&p->sc.objs, (size_t)((recs[p->hi - 1].body + recs[p->hi - 1].len -
						  recs[p->lo].body) / 48 + 1024))) {
		hl_fail(&p->d, HL_E_NOMEM, "out of memory reading the heap");
		return NULL;
	}
	hl_behind b;

	hl_behind_init(&b, p->hp->mapped ? p->hp->data : NULL);
	for (i = p->lo; i < p->hi && p->d.status == HL_OK; i++) {
		scan_record(p->hp, &recs[i], 0, &p->sc, &p->d);
		hl_behind_note(&b, recs[i].body);
		hl_behind_note(&b, recs[i].body + recs[i].len);
	}
	hl_behind_flush(&b);
	return NULL;
}

/*
 * Pass 1 on several threads: the dump's heap records are split into
 * contiguous ranges of about equal bytes, scanned at once, and the results
 * joined in record order, so they are those of one scan.  Only for whole,
 * well-formed dumps: when a part meets an error (or the dump is cut short,
 * whose warning belongs to the last record) the caller scans again, in
 * order, for the exact message.  Returns 1 when done.
 */
static int scan_parallel(const hl_hprof *hp, const struct hl_dumpspan *ds,
			 unsigned n, hl_scan *sc, hl_diag *d)
{
	const struct hl_heaprec *recs = hp->heaprecs.data;
	struct scan_part p[16];
	pthread_t tid[16];
	uint64_t total = recs[ds->first + ds->count - 1].body +
			 recs[ds->first + ds->count - 1].len - recs[ds->first].body;
	uint32_t r = ds->first, end = ds->first + ds->count;
	unsigned k, made = 0;
	int ok = 1;

	for (k = 0; k < n; k++) { /* ranges of about total / n bytes */
		uint64_t goal = recs[ds->first].body + total / n * (k + 1);

		p[k].hp = hp;
		p[k].lo = r;
		while (r < end && (k == n - 1 || recs[r].body < goal))
			r++;
		p[k].hi = r;
		scan_init(&p[k].sc);
		memset(&p[k].d, 0, sizeof(p[k].d));
	}
	for (k = 1; k < n; k++)
		if (p[k].lo < p[k].hi &&
		    pthread_create(&tid[k], NULL, scan_part_run, &p[k]) == 0)
			made |= 1u << k;
		else if (p[k].lo < p[k].hi)
			scan_part_run(&p[k]);
	if (p[0].lo < p[0].hi)
		scan_part_run(&p[0]);
	for (k = 1; k < n; k++)
		if (made & (1u << k))
			pthread_join(tid[k], NULL);
	for (k = 0; k < n; k++)
		ok &= p[k].d.status == HL_OK;
	/* join in order into part 0's arrays */
	for (k = 1; ok && k < n; k++)
		if (hl_vec_append(&p[0].sc.objs, &p[k].sc.objs) ||
		    hl_vec_append(&p[0].sc.classes, &p[k].sc.classes) ||
		    hl_vec_append(&p[0].sc.roots, &p[k].sc.roots))
			ok = 0;
	if (ok) {
		*sc = p[0].sc;
		for (k = 1; k < n; k++) {
			unsigned j;

			sc->subrecords += p[k].sc.subrecords;
			sc->heap_infos += p[k].sc.heap_infos;
			for (j = 0; j < 4; j++)
				sc->counts[j] += p[k].sc.counts[j];
		}
	}
	for (k = ok ? 1 : 0; k < n; k++)
		hl_scan_release(&p[k].sc);
	(void)d;
	return ok;
}

hl_status hl_hprof_scan(const hl_hprof *hp, unsigned idx, int strict,
			hl_scan *sc, hl_diag *d, unsigned threads,
			hl_progress_fn progress, void *ctx)
{
	const struct hl_dumpspan *ds;
	const struct hl_heaprec *recs = hp->heaprecs.data;
	uint64_t i, next_report = 0;
	hl_status st = HL_OK;
	hl_behind b;

	scan_init(sc);
	if (idx >= hp->dumps.len)
		return HL_OK; /* no heap dump at all: an empty heap */
	ds = &HL_VEC_AT(&hp->dumps, struct hl_dumpspan, idx);
	if (threads > 16)
		threads = 16;
	if (threads > 1 && ds->count >= 4 * threads && !hp->truncated_at &&
	    !recs[ds->first + ds->count - 1].partial) {
		if (progress)
			progress(ctx, "reading", 0, hp->size);
		if (scan_parallel(hp, ds, threads, sc, d))
			goto done;
		hl_scan_release(sc);
		scan_init(sc); /* again in order, for the exact message */
	}
	/* About one object per 40 bytes of dump: reserve once, not by doubling. */
	if (hl_vec_reserve(&sc->objs, (size_t)((recs[ds->first + ds->count - 1].body -
					       recs[ds->first].body) / 48 + 1024)))
		return hl_fail(d, HL_E_NOMEM, "out of memory reading the heap");
	hl_behind_init(&b, hp->mapped ? hp->data : NULL);
	for (i = ds->first; st == HL_OK && i < ds->first + ds->count; i++) {
		st = scan_record(hp, &recs[i], strict, sc, d);
		hl_behind_note(&b, recs[i].body);
		hl_behind_note(&b, recs[i].body + recs[i].len);
		if (progress && recs[i].body >= next_report) {
			progress(ctx, "reading", recs[i].body, hp->size);
			next_report = recs[i].body + (64u << 20);
		}
	}
	hl_behind_flush(&b);
done:
	if (progress)
		progress(ctx, "reading", hp->size, hp->size);
	return st;
}

void hl_scan_release(hl_scan *sc)
{
	hl_vec_release(&sc->objs);
	hl_vec_release(&sc->classes);
	hl_vec_release(&sc->roots);
}
