/*
 * inbound.c - who refers to whom: the inbound references of reachable
 * objects as one CSR, built on first use (paths, referrers, `show --in`).
 *
 * Two passes over the resolved outbound edges of the reachable objects:
 * count, then fill (on threads, each placing the sources of its own range
 * of targets).  Sources are visited in increasing object number; a
 * source referring twice to one target is kept once: a bitmap (an eighth
 * of a byte an object, one a thread) marks the targets of the current
 * source, and its bits are cleared by walking its edges again.
 *
 * An object's implicit edge to its class object is left out when that
 * class object is a GC root (nearly every instance of a JDK class): no
 * pass needs it there (a root's semidominator is the virtual root, paths
 * end at roots), and it would be one entry per object.  hl_inbound_list
 * puts those referrers back when a root class object's list is asked for.
 */
#include "analysis/analysis.h"

#include <pthread.h>
#include <stdlib.h>

/* How visit places what it finds: counted or placed. */
enum { COUNT, FILL };

/* Source v (the object's number, or its number by the fill's map) refers
 * to t: counted, or placed. */
static inline void place(hl_inbound_idx *in, uint32_t v, uint32_t t, int mode)
{
	if (mode == FILL)
		in->from[in->start[t]++] = v;
	else
		in->start[t + 1]++;
}

/* The same, unless the bitmap has t already (then this source was
 * counted or placed for t). */
static inline void note(hl_inbound_idx *in, uint64_t *bits, uint32_t v,
			uint32_t t, int mode)
{
	if (t != HL_NONE && hl_bit_claim(bits, t))
		place(in, v, t, mode);
}

/* Sources of up to this many references find their repeats by looking
 * back along their own edges; longer ones use the bitmap. */
#define FEW_EDGES 8
/* How far ahead along the edges the targets' counters are asked for (and
 * half as far, when filling, where their lists are written). */
#define IN_AHEAD 16

/* Whether t is among to[0..k). */
static inline int among(const uint32_t *to, hl_eidx k, uint32_t t)
{
	hl_eidx i;

	for (i = 0; i < k; i++)
		if (to[i] == t)
			return 1;
	return 0;
}

/* The edges of every reachable source whose targets lie in [lo, hi). */
static void visit(const hl_graph *g, hl_inbound_idx *in, const uint32_t *map,
		  uint64_t *bits, int mode, uint32_t lo, uint32_t hi)
{
	const uint32_t *to = g->edge_to;
	hl_eidx nedges = g->edge_start[g->nobj];
	uint32_t o, t, u, v;

	for (o = 0; o < g->nobj; o++) {
		hl_eidx e, first = g->edge_start[o], end = g->edge_start[o + 1];
		int few = end - first <= FEW_EDGES;

		if (!(g->flags[o] & F_REACHABLE))
			continue;
		v = map ? map[o] : o; /* in object order: no random read */
		t = hl_graph_class_edge(g, o);
		if (t != HL_NONE && ((g->flags[t] & F_ROOT) || t < lo || t >= hi))
			t = HL_NONE; /* see above (roots), or another range's */
		if (few) {
			if (t != HL_NONE)
				place(in, v, t, mode);
		} else {
			note(in, bits, v, t, mode);
		}
		for (e = first; e < end; e++) {
			if (e + IN_AHEAD < nedges) {
				u = to[e + IN_AHEAD];
				if (u >= lo && u < hi)
					__builtin_prefetch(&in->start[u + (mode == COUNT)], 1);
			}
			if (mode == FILL && e + IN_AHEAD / 2 < nedges) {
				u = to[e + IN_AHEAD / 2];
				if (u >= lo && u < hi)
					__builtin_prefetch(&in->from[in->start[u]], 1);
			}
			u = to[e];
			if (u < lo || u >= hi)
				continue;
			if (!few)
				note(in, bits, v, u, mode);
			else if (u != t && !among(to + first, e - first, u))
				place(in, v, u, mode);
		}
		if (few)
			continue;
		if (t != HL_NONE)
			bits[t >> 6] = 0;
		for (e = first; e < end; e++)
			bits[to[e] >> 6] = 0;
	}
}

hl_status hl_inbound_count_begin(hl_inbound_idx *in, const hl_graph *g,
				 hl_diag *d)
{
	in->start = hl_calloc((size_t)g->nobj + 2, sizeof(hl_eidx));
	if (!in->start)
		return hl_fail(d, HL_E_NOMEM, "out of memory for inbound references");
	return HL_OK;
}

int hl_inbound_count_sources(hl_inbound_idx *in, const hl_graph *g)
{
	uint64_t *bits = hl_calloc((size_t)g->nobj / 64 + 1, sizeof(uint64_t));
	uint32_t i;

	if (!bits)
		return -1;
	visit(g, in, NULL, bits, COUNT, 0, g->nobj);
	free(bits);
	for (i = 1; i <= g->nobj; i++) { /* the class edges may add up to 2^32 */
		if ((uint64_t)in->start[i] + in->start[i - 1] > HL_EIDX_MAX)
			return -2;
		in->start[i] += in->start[i - 1];
	}
	return 0;
}

hl_status hl_inbound_count_end(hl_inbound_idx *in, const hl_graph *g,
			       int counted, void *spare, hl_diag *d)
{
	uint32_t n = g->nobj;

	if (counted) {
		free(spare);
		hl_inbound_release(in);
		if (counted == -2)
			return hl_fail(d, HL_E_UNSUPPORTED, "more than %llu inbound references: too many for heaplens",
				       (unsigned long long)HL_EIDX_MAX);
		return hl_fail(d, HL_E_NOMEM, "out of memory for inbound references");
	}
	/* the spare's pages are there already: none to fault in */
	in->from = hl_reuse(spare, ((size_t)in->start[n] + 1) * sizeof(uint32_t));
	if (!in->from) {
		hl_inbound_release(in);
		return hl_fail(d, HL_E_NOMEM, "out of memory for inbound references");
	}
	in->from[in->start[n]] = 0; /* the spare slot, spilled with the rest */
	return HL_OK;
}

hl_status hl_inbound_count(hl_inbound_idx *in, const hl_graph *g,
			   void *spare, hl_diag *d)
{
	hl_status st;

	if (in->start) {
		free(spare);
		return HL_OK;
	}
	st = hl_inbound_count_begin(in, g, d);
	if (st != HL_OK) {
		free(spare);
		return st;
	}
	return hl_inbound_count_end(in, g, hl_inbound_count_sources(in, g),
				    spare, d);
}

/* The fill by ranges of targets, one a thread, each with its own bitmap:
 * every thread reads all the edges and writes only its targets' lists
 * (no write shared), each list in source order as by one thread. */
struct fill_job {
	const hl_graph *g;
	hl_inbound_idx *in;
	const uint32_t *map;
	uint64_t *bits;
	uint32_t lo, hi;
};

static void *fill_run(void *arg)
{
	struct fill_job *j = arg;

	visit(j->g, j->in, j->map, j->bits, FILL, j->lo, j->hi);
	return NULL;
}

hl_status hl_inbound_fill(hl_inbound_idx *in, const hl_graph *g,
			  const uint32_t *map, unsigned threads, hl_diag *d)
{
	uint32_t i, n = g->nobj;
	unsigned k, parts = hl_parts(threads, n, (uint64_t)1 << 20, 16);
	struct fill_job job[16];
	size_t words = (size_t)n / 64 + 1;
	uint64_t *bits;

	bits = hl_calloc(words * parts, sizeof(uint64_t));
	if (!bits) {
		hl_inbound_release(in);
		return hl_fail(d, HL_E_NOMEM, "out of memory for inbound references");
	}
	for (k = 0; k < parts; k++)
		job[k] = (struct fill_job){ g, in, map, bits + words * k,
					    (uint32_t)((uint64_t)n * k / parts),
					    (uint32_t)((uint64_t)n * (k + 1) / parts) };
	hl_run_jobs(fill_run, job, sizeof(job[0]), parts);
	free(bits);
	for (i = n; i > 0; i--)
		in->start[i] = in->start[i - 1];
	in->start[0] = 0;
	return HL_OK;
}

hl_status hl_inbound_build(hl_inbound_idx *in, const hl_graph *g, hl_diag *d)
{
	hl_status st;

	hl_inbound_settle(in);
	if (in->start)
		return HL_OK;
	st = hl_inbound_count(in, g, NULL, d);
	return st != HL_OK ? st : hl_inbound_fill(in, g, NULL, g->threads, d);
}

size_t hl_inbound_list(const hl_graph *g, const hl_inbound_idx *in,
		       uint32_t o, hl_vec *buf, const uint32_t **out)
{
	const uint32_t *stored = in->from + in->start[o];
	size_t n = in->start[o + 1] - in->start[o], k = 0;
	uint32_t x;

	*out = stored;
	if (!(g->flags[o] & F_ROOT) || hl_graph_kind(g, o) != K_CLASS)
		return n;
	/* the stored referrers merged with the objects whose class object it
	 * is, in object order, each once */
	buf->len = 0;
	for (x = 0; x < g->nobj; x++) {
		int by_class = (g->flags[x] & F_REACHABLE) &&
			hl_graph_class_edge(g, x) == o;

		while (k < n && stored[k] < x)
			if (hl_vec_push(buf, &stored[k++]))
				goto oom;
		if (k < n && stored[k] == x)
			k++;
		else if (!by_class)
			continue;
		if (hl_vec_push(buf, &x))
			goto oom;
	}
	*out = buf->data;
	return buf->len;
oom:
	*out = NULL;
	return 0;
}

static void spill_now(hl_inbound_idx *in, const hl_graph *g)
{
	if (!in->start)
		return;
	in->from = hl_spill(in->from, ((size_t)in->start[g->nobj] + 1) *
					     sizeof(uint32_t));
	in->start = hl_spill(in->start, ((size_t)g->nobj + 2) * sizeof(hl_eidx));
}

void hl_inbound_spill(hl_inbound_idx *in, const hl_graph *g)
{
	hl_inbound_settle(in);
	spill_now(in, g);
}

/* A spill under way on a thread of its own. */
struct spill_bg { hl_inbound_idx *in; const hl_graph *g; pthread_t tid; };

static void *spill_bg_run(void *arg)
{
	struct spill_bg *b = arg;

	spill_now(b->in, b->g);
	return NULL;
}

void hl_inbound_spill_start(hl_inbound_idx *in, const hl_graph *g)
{
	struct spill_bg *b;

	hl_inbound_settle(in);
	b = malloc(sizeof(*b));
	if (b) {
		b->in = in;
		b->g = g;
		if (pthread_create(&b->tid, NULL, spill_bg_run, b) == 0) {
			in->pending = b;
			return;
		}
		free(b);
	}
	hl_inbound_spill(in, g);
}

void hl_inbound_settle(hl_inbound_idx *in)
{
	struct spill_bg *b = in->pending;

	if (!b)
		return;
	pthread_join(b->tid, NULL);
	free(b);
	in->pending = NULL;
}

void hl_inbound_release(hl_inbound_idx *in)
{
	hl_inbound_settle(in);
	hl_spill_free(in->start);
	hl_spill_free(in->from);
	in->start = NULL;
	in->from = NULL;
}
