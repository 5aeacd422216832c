/*
 * edges.c - the outbound references of every object, resolved once, as
 * one CSR: to[start[o] .. start[o+1]) are the object numbers o refers to,
 * in MAT's order, dangling ids dropped (and counted).  The edge to the
 * object's class is not stored: it is the class object of hl_graph_cls(g, o), implicit.
 *
 * Decoding and id lookups are most of the cost of a dump, so the objects
 * are split into ranges of about equal work (split_parts), one per
 * thread; each thread appends to its own array and the arrays are joined
 * at the end (the first one grown in place, the others' pages moved), so
 * the peak is the edges plus one thread's share.
 */
#include "graph/graph.h"

#include <stdlib.h>

struct part {
	const hl_graph *g;
	uint32_t lo, hi;
	hl_eidx *start;    /* shared; this part writes start[lo+1 .. hi] */
	hl_vec to;
	uint64_t dangling;
	int oom;           /* 1 out of memory, 2 too many references */
};

/*
 * The look-ups are the cost on a big heap: the id index (16 bytes for 64
 * possible ids) outgrows the cache, and each look-up is a miss.  So they
 * run a little behind the decoding, through a queue: each id decoded asks
 * for its index entry at once and is looked up AHEAD entries later, when
 * the entry has come; an object's end goes through the queue too, so its
 * start is written after its last reference is pushed.
 */
#define AHEAD 32 /* a power of two */

struct pending { uint64_t id; uint32_t end; }; /* end: object, or HL_NONE */

/* One entry out of the queue: a reference resolved, or an object's end. */
static inline void settle(struct part *p, const struct pending *q)
{
	uint32_t t;

	if (q->end != HL_NONE) {
		if (p->to.len > HL_EIDX_MAX)
			p->oom = 2;
		else /* relative to this part */
			p->start[q->end + 1] = (hl_eidx)p->to.len;
		return;
	}
	t = hl_graph_lookup(p->g, q->id);
	if (t == HL_NONE)
		p->dangling++;
	else if (HL_VEC_PUSH(&p->to, uint32_t, t))
		p->oom = 1;
}

static inline void enqueue(struct part *p, struct pending *q, size_t *n,
			   uint64_t id, uint32_t end)
{
	struct pending *e = &q[*n & (AHEAD - 1)];

	if (*n >= AHEAD)
		settle(p, e);
	e->id = id;
	e->end = end;
	++*n;
}

/* One reference decoded: its index entry asked for now, looked up later. */
static inline void push_ref(struct part *p, struct pending *q, size_t *n,
			    uint64_t id)
{
	hl_graph_ahead_lookup(p->g, id);
	enqueue(p, q, n, id, HL_NONE);
}

/*
 * Object o's references but its class (implicit), in hl_refit's order.
 * The plain cases, nearly every object, are read straight from the
 * record: an instance's reference fields (not a thread with locals, nor
 * a synthetic object, which has no record) and an object array's
 * elements.  The others go through the iterator.
 */
static void decode_refs(struct part *p, struct pending *q, size_t *n,
			uint32_t o, unsigned kind)
{
	const hl_graph *g = p->g;
	unsigned idsz = g->idsize;
	const uint8_t *r, *d;
	uint32_t i, len;
	uint64_t id;
	hl_refit it;

	if (kind == K_CLASS || (g->flags[o] & F_SYNTH))
		goto other;
	r = g->data + hl_graph_off(g, o);
	if (kind == K_INSTANCE && !(g->flags[o] & F_LOCALS)) {
		const struct hl_class *c = &g->classes[hl_graph_cls(g, o)];
		const struct hl_reffield *rf = hl_graph_reffields(g, c);

		d = hl_inst_data(r, idsz, &len);
		for (i = 0; i < c->nrefs; i++)
			if ((uint64_t)rf[i].offset + idsz <= len &&
			    (id = hl_beid(d + rf[i].offset, idsz)))
				push_ref(p, q, n, id);
		return;
	}
	if (kind == K_OBJ_ARRAY && r[0] == SUB_OBJ_ARRAY_DUMP) {
		d = hl_objarr_data(r, idsz, &len);
		for (i = 0; i < len; i++, d += idsz)
			if ((id = hl_beid(d, idsz)))
				push_ref(p, q, n, id);
		return;
	}
other:
	hl_refit_init(&it, g, o);
	while (hl_refit_next(&it, &id))
		if (it.label != REF_CLASS) /* implicit */
			push_ref(p, q, n, id);
}

static void *decode_part(void *arg)
{
	struct part *p = arg;
	const hl_graph *g = p->g;
	struct pending q[AHEAD];
	size_t n = 0, k;
	uint32_t o;
	hl_behind b; /* records are read in address order, often file order */

	hl_behind_init(&b, g->mapped ? g->data : NULL);
	for (o = p->lo; o < p->hi && !p->oom; o++) {
		unsigned kind = hl_graph_kind(g, o);

		if (kind != K_CLASS)
			hl_behind_note(&b, hl_graph_off(g, o));
		/* (a primitive array refers to its class only: its record is
		 * not read) */
		if (kind != K_PRIM_ARRAY)
			decode_refs(p, q, &n, o, kind);
		enqueue(p, q, &n, 0, o);
	}
	for (k = n > AHEAD ? n - AHEAD : 0; k < n && !p->oom; k++)
		settle(p, &q[k & (AHEAD - 1)]);
	hl_behind_flush(&b);
	return NULL;
}

static unsigned thread_count(unsigned want, uint32_t nobj)
{
	if (want < 1)
		want = 1;
	if (want > 16)
		want = 16;
	if (want > nobj / 4096 + 1) /* a thread is worth a few thousand objects */
		want = nobj / 4096 + 1;
	return want;
}

static hl_status too_many(hl_diag *d)
{
	return hl_fail(d, HL_E_UNSUPPORTED, "more than %llu references: too many for heaplens",
		       (unsigned long long)HL_EIDX_MAX);
}

static hl_status join_parts(hl_graph *g, struct part *p, unsigned n, hl_diag *d)
{
	uint64_t total = 0, base;
	unsigned k;
	uint32_t o;

	for (k = 0; k < n; k++)
		total += p[k].to.len;
	if (total > HL_EIDX_MAX)
		return too_many(d);
	if (hl_vec_reserve(&p[0].to, (size_t)(total - p[0].to.len)))
		return hl_fail(d, HL_E_NOMEM, "out of memory for references");
	for (k = 1, base = p[0].to.len; k < n; k++) {
		if (hl_vec_append(&p[0].to, &p[k].to))
			return hl_fail(d, HL_E_NOMEM, "out of memory for references");
		for (o = p[k].lo; o < p[k].hi; o++)
			g->edge_start[o + 1] += (hl_eidx)base;
		base += p[k].to.len;
		hl_vec_release(&p[k].to);
	}
	g->edge_to = p[0].to.data;
	g->nedges = total;
	p[0].to.data = NULL;
	return HL_OK;
}

/* An object's share of the decoding: itself, and a reference a word of
 * its shallow size for the kinds whose references are decoded. */
static inline uint64_t work_of(const hl_graph *g, uint32_t o, uint64_t bytes)
{
	return hl_graph_kind(g, o) == K_PRIM_ARRAY ? 1 : 1 + bytes / 8;
}

/*
 * Where the n parts start (lo[0..n], lo[n] = nobj): about equal work, not
 * equal numbers of objects (on the 600 MB dump, equal halves of the
 * objects hold 7.3 and 12.9 million references).  The work is sampled: the
 * first object of every 64 stands for its 64, the objects too big for the
 * size table (the big arrays) count exactly.
 */
#define SAMPLE 64

static void split_parts(const hl_graph *g, unsigned n, uint32_t *lo)
{
	uint32_t blocks = (g->nobj + SAMPLE - 1) / SAMPLE, b, o;
	uint64_t *w = hl_calloc((size_t)blocks + 1, sizeof(uint64_t)), total = 0, sum;
	uint64_t i;
	unsigned k;

	for (k = 0; k <= n; k++) /* equal numbers: without the samples */
		lo[k] = (uint32_t)((uint64_t)g->nobj * k / n);
	if (!w)
		return;
	for (b = 0; b < blocks; b++) {
		o = b * SAMPLE;
		if (g->size[o] != HL_SIZE_BIG)
			w[b] = work_of(g, o, (uint64_t)g->size[o] << g->size_shift) * SAMPLE;
	}
	for (i = 0; i < g->nsize_big; i++) {
		o = (uint32_t)g->size_big[i].obj;
		w[o / SAMPLE] += work_of(g, o, g->size_big[i].bytes);
	}
	for (b = 0; b < blocks; b++)
		total += w[b];
	for (b = 0, k = 1, sum = 0; b < blocks && k < n; b++) {
		sum += w[b];
		while (k < n && sum >= total / n * k)
			lo[k++] = (b + 1) * SAMPLE < g->nobj ? (b + 1) * SAMPLE : g->nobj;
	}
	for (k = 1; k < n; k++) /* in order, whatever the samples said */
		if (lo[k] < lo[k - 1])
			lo[k] = lo[k - 1];
	free(w);
}

hl_status hl_edges_build(hl_graph *g, unsigned threads, hl_diag *d)
{
	struct part p[16];
	unsigned n = thread_count(threads, g->nobj), k;
	uint32_t lo[17];
	hl_status st = HL_OK;

	g->edge_start = hl_malloc_array((size_t)g->nobj + 1, sizeof(hl_eidx));
	if (!g->edge_start)
		return hl_fail(d, HL_E_NOMEM, "out of memory for references");
	g->edge_start[0] = 0;
	split_parts(g, n, lo);
	for (k = 0; k < n; k++) {
		p[k].g = g;
		p[k].lo = lo[k];
		p[k].hi = lo[k + 1];
		p[k].start = g->edge_start;
		hl_vec_init(&p[k].to, sizeof(uint32_t));
		hl_vec_reserve(&p[k].to, (size_t)(p[k].hi - p[k].lo) * 2 + 16);
		p[k].dangling = 0;
		p[k].oom = 0;
	}
	hl_run_jobs(decode_part, p, sizeof(p[0]), n);
	for (k = 0; k < n; k++) {
		g->dangling += p[k].dangling;
		if (p[k].oom == 2)
			st = too_many(d);
		else if (p[k].oom)
			st = hl_fail(d, HL_E_NOMEM, "out of memory for references");
	}
	if (st == HL_OK)
		st = join_parts(g, p, n, d);
	for (k = 0; k < n; k++)
		hl_vec_release(&p[k].to);
	return st;
}

/*
 * The object a reference field of instance o points to, from the resolved
 * edges instead of an id lookup: the edges of an instance are its non-null
 * reference fields in layout order, so the field's rank among the non-null
 * ones is its position.  When the counts disagree (a dangling reference
 * was dropped, or a thread's locals follow), look the id up instead.
 */
uint32_t hl_graph_ref_at(const hl_graph *g, uint32_t o, uint32_t offset,
			 uint64_t id)
{
	const struct hl_class *c = &g->classes[hl_graph_cls(g, o)];
	const struct hl_reffield *rf = hl_graph_reffields(g, c);
	const uint8_t *r;
	unsigned idsz = g->idsize;
	uint32_t nbytes, i, total = 0, rank = HL_NONE;

	if (!g->edge_to || (g->flags[o] & (F_LOCALS | F_SYNTH)) ||
	    hl_graph_kind(g, o) != K_INSTANCE)
		return hl_graph_lookup(g, id);
	r = hl_inst_data(g->data + hl_graph_off(g, o), idsz, &nbytes);
	for (i = 0; i < c->nrefs; i++) {
		if ((uint64_t)rf[i].offset + idsz > nbytes)
			continue;
		if (!hl_beid(r + rf[i].offset, idsz))
			continue;
		if (rf[i].offset == offset)
			rank = total;
		total++;
	}
	if (rank == HL_NONE || total != g->edge_start[o + 1] - g->edge_start[o])
		return hl_graph_lookup(g, id);
	return g->edge_to[g->edge_start[o] + rank];
}
