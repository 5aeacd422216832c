/*
 * inbound.c - who refers to whom: the inbound references of reachable
 * objects as one CSR, built on first use (paths, referrers, `show --in`).
 *
 * Two passes over the resolved outbound edges of the reachable objects:
 * count, then fill.  Sources are visited in increasing object number, so a
 * source referring twice to one target is seen consecutively and kept
 * once (the `last` array remembers the last source per target).
 */
#include "analysis/analysis.h"

#include <stdlib.h>

static inline void note(hl_inbound_idx *in, uint32_t *last, uint32_t o,
			uint32_t t, int fill)
{
	if (t == HL_NONE || last[t] == o)
		return;
	last[t] = o;
	if (fill)
		in->from[in->start[t]++] = o;
	else
		in->start[t + 1]++;
}

static void visit(const hl_graph *g, hl_inbound_idx *in, uint32_t *last,
		  int fill)
{
	uint32_t o;

	for (o = 0; o < g->nobj; o++) {
		uint64_t e;

		if (!(g->flags[o] & F_REACHABLE))
			continue;
		note(in, last, o, hl_graph_class_edge(g, o), fill);
		for (e = g->edge_start[o]; e < g->edge_start[o + 1]; e++)
			note(in, last, o, g->edge_to[e], fill);
	}
}

hl_status hl_inbound_build(hl_inbound_idx *in, const hl_graph *g, hl_diag *d)
{
	uint32_t *last, i, n = g->nobj;

	if (in->start)
		return HL_OK;
	in->start = hl_calloc((size_t)n + 2, sizeof(hl_eidx));
	last = hl_malloc_array((size_t)n + 1, sizeof(uint32_t));
	if (!in->start || !last)
		goto oom;
	memset(last, 0xff, (size_t)n * sizeof(uint32_t));
	visit(g, in, last, 0);
	for (i = 1; i <= n; i++)
		in->start[i] += in->start[i - 1];
	in->from = hl_malloc_array((size_t)in->start[n] + 1, sizeof(uint32_t));
	if (!in->from)
		goto oom;
	memset(last, 0xff, (size_t)n * sizeof(uint32_t));
	visit(g, in, last, 1);
	for (i = n; i > 0; i--)
		in->start[i] = in->start[i - 1];
	in->start[0] = 0;
	free(last);
	return HL_OK;
oom:
	free(last);
	hl_inbound_release(in);
	return hl_fail(d, HL_E_NOMEM, "out of memory for inbound references");
}

void hl_inbound_release(hl_inbound_idx *in)
{
	free(in->start);
	free(in->from);
	in->start = NULL;
	in->from = NULL;
}
