/*
 * idruns.c - the object table straight from a scan in runs of ids.
 *
 * A HotSpot dump lists each heap region's objects in address order, the
 * regions themselves in some order of their own (parallel dumpers write
 * one segment a thread): the scan's entries are a few hundred runs of
 * rising ids that do not overlap (663 runs for 12.6 million objects on the
 * 600 MB benchmark dump).  Then the order of the runs by their first id is
 * the order of the objects, and the tables (record offsets, packed ids) are
 * written run after run in that order: no sort of the entries, which on
 * that dump took longer than everything here.
 *
 * Anything else (runs that overlap, equal ids, too many runs for the
 * order to be worth finding) is left to the sort (objects.c), with
 * nothing changed.
 */
#include "graph/graph.h"

#include <stdlib.h>

struct run { uint64_t first, last; size_t start, len; };

static int cmp_run(const void *a, const void *b)
{
	const struct run *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

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

/* First index of run x whose id is at least id (there is one). */
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
 * The runs of strictly rising ids, in the order of their first ids, cut
 * until none overlaps another (a run that goes on from one region into
 * the next is two), when that takes at most max runs and a few rounds;
 * NULL otherwise (or out of memory: *oom).  ref: any nonzero id;
 * *same_bits: the OR over every nonzero id of (id ^ ref), whose lowest set
 * bit gives the ids' common alignment.
 */
static struct run *find_runs(const struct hl_objent *e, size_t n, size_t max,
			     size_t *count, uint64_t *same_bits, int *oom)
{
	struct run *r = NULL;
	size_t nr = 0, cap = 0, i, k, cut;
	uint64_t ref = 0, bits = 0;
	unsigned round;
	int cuts = 1;

	*oom = 0;
	for (i = 0; i < n; i++) {
		if (e[i].id) {
			if (!ref)
				ref = e[i].id;
			bits |= e[i].id ^ ref;
		}
		if (i && e[i].id > e[i - 1].id) {
			r[nr - 1].last = e[i].id;
			r[nr - 1].len++;
			continue;
		}
		if (more(&r, nr, &cap, max, oom))
			goto none;
		r[nr++] = (struct run){ e[i].id, e[i].id, i, 1 };
	}
	for (round = 0; cuts && round < 16; round++) {
		qsort(r, nr, sizeof(*r), cmp_run);
		for (k = 1, cuts = 0; k < nr; k++) {
			struct run *x = &r[k - 1];

			if (x->last < r[k].first)
				continue;
			cut = cut_at(e, x, r[k].first);
			if (e[x->start + cut].id == r[k].first)
				goto none; /* an id seen twice */
			if (more(&r, nr, &cap, max, oom))
				goto none;
			x = &r[k - 1]; /* r may have moved */
			r[nr++] = (struct run){ e[x->start + cut].id, x->last,
						x->start + cut, x->len - cut };
			x->len = cut;
			x->last = e[x->start + cut - 1].id;
			cuts++;
		}
	}
	if (cuts)
		goto none; /* still overlapping: ids that interleave */
	*count = nr;
	*same_bits = bits;
	return r;
none:
	free(r);
	return NULL;
}

int hl_objects_from_runs(hl_graph *g, hl_scan *sc)
{
	const struct hl_objent *e = sc->objs.data;
	size_t n = sc->objs.len, nr, k, i, pos = 0;
	uint64_t bits, base, max;
	struct run *r;
	unsigned first;
	int oom;
	void *id;

	if (n < 2 || g->data_size > HL_OFFK_MAX_OFF)
		return 0;
	r = find_runs(e, n, n / 1024 + 64, &nr, &bits, &oom);
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
	for (k = 0; k < nr; k++) {
		const struct hl_objent *x = e + r[k].start;

		for (i = 0; i < r[k].len; i++, pos++) {
			hl_graph_set_offk(g, (uint32_t)pos, HL_ENT_KIND(&x[i]),
					  HL_ENT_OFF(&x[i]));
			if (g->id_wide)
				((uint64_t *)id)[pos] = x[i].id;
			else
				((uint32_t *)id)[pos] = pos < first ? 0 :
					(uint32_t)((x[i].id - base) >> g->id_shift);
		}
	}
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
