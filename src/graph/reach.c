/*
 * reach.c - reachability from the GC roots, iteratively.
 *
 * A depth-first walk with an explicit stack of object numbers (each object
 * is pushed at most once: it is marked when pushed), so chains of millions
 * of objects cost memory, never C stack.  References to absent ids are
 * counted as dangling here, for reachable and unreachable objects alike.
 */
#include "graph/graph.h"

#include <stdlib.h>

static uint64_t count_dangling(const hl_graph *g, uint32_t o)
{
	hl_refit it;
	uint64_t id, n = 0;

	hl_refit_init(&it, g, o);
	while (hl_refit_next(&it, &id))
		if (hl_graph_lookup(g, id) == HL_NONE)
			n++;
	return n;
}

hl_status hl_reach_mark(hl_graph *g, hl_diag *d)
{
	uint32_t *stack = hl_malloc_array(g->nobj + 1, sizeof(uint32_t));
	uint32_t sp = 0, i;

	if (!stack)
		return hl_fail(d, HL_E_NOMEM, "out of memory for reachability");
	for (i = 0; i < g->nroot_objs; i++) {
		uint32_t o = g->root_objs[i];

		if (!(g->flags[o] & F_REACHABLE)) {
			g->flags[o] |= F_REACHABLE;
			stack[sp++] = o;
		}
	}
	while (sp) {
		uint32_t o = stack[--sp];
		hl_refit it;
		uint64_t id;

		g->reachable_objs++;
		g->reachable_bytes += hl_graph_shallow(g, o);
		hl_refit_init(&it, g, o);
		while (hl_refit_next(&it, &id)) {
			uint32_t t = hl_graph_lookup(g, id);

			if (t == HL_NONE) {
				g->dangling++;
			} else if (!(g->flags[t] & F_REACHABLE)) {
				g->flags[t] |= F_REACHABLE;
				stack[sp++] = t;
			}
		}
	}
	for (i = 0; i < g->nobj; i++)
		if (!(g->flags[i] & F_REACHABLE))
			g->dangling += count_dangling(g, i);
	free(stack);
	return HL_OK;
}
