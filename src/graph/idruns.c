/*
 * idruns.c - the object table straight from a scan in runs of ids.
 *
 * A HotSpot dump lists the class objects first, in an order of their own,
 * then each heap region's objects in address order, the regions in an
 * order of their own too (parallel dumpers write one segment a thread):
 * the scan's entries are runs of rising ids, and merged they make the id
 * order out of a few pieces of those runs: 1,214 pieces for 12.6 million
 * objects on the 600 MB benchmark dump, 1,300 to 2,000 on the JDK-made
 * fixtures (one or two per class object, which lie among the instances).
 * The merge finds the pieces, not the entries' order one by one, and the
 * tables (record offsets, packed ids) are written piece after piece: no
 * sort of the entries, which on that dump took longer than everything
 * here.
 *
 * Anything else (pieces shorter than 8 entries on average, an id seen
 * twice) is left to the sort (objects.c), with nothing changed.
 */
#include "graph/graph.h"

#include <stdlib.h>

struct run { uint64_t first, last; size_t start, len; };

/* Room for one more run; 0 when there is, else -1 (out of memory: *oom)
 * or -2 (max reached). */
static int more(struct run **r, size_t nr, size_t *cap, size_t max, int *oom)
{
	struct run *m;

	if (nr == max)
		return -2;
	if (nr < *cap)
		return 0;
	m = realloc(*r, (*cap = *cap ? 2 * *cap : 64) * sizeof(**r));
	if (!m) {
		*oom = 1;
		return -1;
	}
	*r = m;
	return 0;
}

/* The merge's heap of runs by the id at their next entry (the run's
 * first, as the run is what is left of it). */
static int heap_less(const struct run *a, const struct run *b)
{
	return a->first < b->first;
}

static void sift_down(struct run *h, size_t n, size_t i)
{
	for (;;) {
		size_t c = 2 * i + 1;
		struct run t;

		if (c >= n)
			return;
		if (c + 1 < n && heap_less(&h[c + 1], &h[c]))
			c++;
		if (!heap_less(&h[c], &h[i]))
			return;
		t = h[i], h[i] = h[c], h[c] = t;
		i = c;
	}
}

/* First index of run x (from its start) whose id is at least id, or
 * x->len. */
static size_t cut_at(const struct hl_objent *e, const struct run *x, uint64_t id)
{
	size_t lo = 0, hi = x->len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (e[x->start + mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The entries in id order as pieces of their runs of strictly rising ids:
 * a merge of the runs that takes from the run with the smallest next id
 * as much as comes before the next smallest run's (found by binary
 * search), so a piece costs a heap step, not an entry.  NULL when that
 * takes more than max pieces or an id is seen twice (or memory lacks:
 * *oom).  ref: any nonzero id; *same_bits: the OR over every nonzero id of
 * (id ^ ref), whose lowest set bit gives the ids' common alignment.
 */
static struct run *find_runs(const struct hl_objent *e, size_t n, size_t max,
			     size_t *count, uint64_t *same_bits, int *oom)
{
	struct run *h = NULL, *out = NULL;
	size_t nh = 0, hcap = 0, no = 0, ocap = 0, i, cut;
	uint64_t ref = 0, bits = 0;

	*oom = 0;
	for (i = 0; i < n; i++) {
		if (e[i].id) {
			if (!ref)
				ref = e[i].id;
			bits |= e[i].id ^ ref;
		}
		if (i && e[i].id > e[i - 1].id) {
			h[nh - 1].last = e[i].id;
			h[nh - 1].len++;
			continue;
		}
		if (more(&h, nh, &hcap, max, oom))
			goto none;
		h[nh++] = (struct run){ e[i].id, e[i].id, i, 1 };
	}
	for (i = nh / 2; i-- > 0;)
		sift_down(h, nh, i);
	while (nh) {
		struct run *top = &h[0];

		/* all of it when it ends before the next run's first id */
		if (nh == 1)
			cut = top->len;
		else {
			uint64_t next = h[1].first;

			if (nh > 2 && h[2].first < next)
				next = h[2].first;
			cut = top->last < next ? top->len : cut_at(e, top, next);
			if (cut < top->len && e[top->start + cut].id == next)
				goto none; /* an id seen twice */
		}
		if (more(&out, no, &ocap, max, oom))
			goto none;
		out[no++] = (struct run){ top->first, e[top->start + cut - 1].id,
					  top->start, cut };
		if (cut == top->len) {
			h[0] = h[--nh];
		} else {
			top->start += cut;
			top->len -= cut;
			top->first = e[top->start].id;
		}
		sift_down(h, nh, 0);
	}
	free(h);
	*count = no;
	*same_bits = bits;
	return out;
none:
	free(h);
	free(out);
	return NULL;
}

/* One thread's share of the tables: positions [pos, end), from entry i
 * of piece k on. */
struct out_job {
	hl_graph *g;
	const struct hl_objent *e;
	const struct run *r;
	size_t k, i, pos, end;
	void *id;
	unsigned first;
	uint64_t base;
};

static void *out_run(void *arg)
{
	struct out_job *j = arg;
	hl_graph *g = j->g;
	size_t k = j->k, i = j->i, pos;

	for (pos = j->pos; pos < j->end; pos++) {
		const struct hl_objent *x = j->e + j->r[k].start + i;

		hl_graph_set_offk(g, (uint32_t)pos, HL_ENT_KIND(x), HL_ENT_OFF(x));
		if (g->id_wide)
			((uint64_t *)j->id)[pos] = x->id;
		else
			((uint32_t *)j->id)[pos] = pos < j->first ? 0 :
				(uint32_t)((x->id - j->base) >> g->id_shift);
		if (++i == j->r[k].len) {
			k++;
			i = 0;
		}
	}
	return NULL;
}

int hl_objects_from_runs(hl_graph *g, hl_scan *sc)
{
	const struct hl_objent *e = sc->objs.data;
	size_t n = sc->objs.len, nr, k, pos;
	uint64_t bits, base, max;
	struct out_job job[16];
	unsigned first, parts = hl_parts(g->threads, n, (uint64_t)1 << 20, 16), t;
	struct run *r;
	int oom;
	void *id;

	if (n < 2 || g->data_size > HL_OFFK_MAX_OFF)
		return 0;
	r = find_runs(e, n, n / 8 + 4096, &nr, &bits, &oom);
	if (!r)
		return oom ? -1 : 0;
	first = r[0].first == 0; /* the synthetic loader, at address 0 */
	base = !first ? r[0].first : r[0].len > 1 ? e[r[0].start + 1].id :
		nr > 1 ? r[1].first : 0;
	max = r[nr - 1].last;
	hl_objects_id_form(g, (uint32_t)n, first, base, bits, max);
	g->offk = hl_malloc_array(hl_offk_size(n), 1);
	id = hl_malloc_array(n + 1, g->id_wide ? 8 : 4);
	if (!g->offk || !id) {
		free(g->offk);
		g->offk = NULL;
		free(id);
		free(r);
		return -1;
	}
	memset(g->offk + hl_offk_size(n) - 2, 0, 2);
	/* the positions in equal shares, each from where its first lies
	 * (fresh memory is touched on every thread at once) */
	for (t = 0, k = 0, pos = 0; t < parts; t++) {
		size_t at = n * t / parts;

		while (pos + r[k].len <= at) /* at < n: a piece holds it */
			pos += r[k++].len;
		job[t] = (struct out_job){ g, e, r, k, at - pos, at, n * (t + 1) / parts,
					   id, first, base };
	}
	hl_run_jobs(out_run, job, sizeof(job[0]), parts);
	if (g->id_wide) {
		((uint64_t *)id)[n] = 0;
		g->id64 = id;
	} else {
		((uint32_t *)id)[n] = 0;
		g->id32 = id;
	}
	g->nobj = (uint32_t)n;
	free(r);
	hl_vec_release(&sc->objs);
	return 1;
}
