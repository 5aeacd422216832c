/*
 * reach.c - reachability from the GC roots, iteratively.
 *
 * A depth-first walk over the resolved edges (plus each object's implicit
 * class edge) with an explicit stack of object numbers; an object is
 * marked when pushed, so it is pushed once, and chains of millions of
 * objects cost memory, never C stack.
 */
#include "graph/graph.h"

#include <stdlib.h>

static inline void visit(hl_graph *g, uint32_t t, uint32_t *stack, uint32_t *sp)
{
	if (t != HL_NONE && !(g->flags[t] & F_REACHABLE)) {
		g->flags[t] |= F_REACHABLE;
		stack[(*sp)++] = t;
	}
}

hl_status hl_reach_mark(hl_graph *g, hl_diag *d)
{
	uint32_t *stack = hl_malloc_array(g->nobj + 1, sizeof(uint32_t));
	uint32_t sp = 0, i;

	if (!stack)
		return hl_fail(d, HL_E_NOMEM, "out of memory for reachability");
	for (i = 0; i < g->nroot_objs; i++)
		visit(g, g->root_objs[i], stack, &sp);
	while (sp) {
		uint32_t o = stack[--sp];
		uint64_t e;

		g->reachable_objs++;
		g->reachable_bytes += hl_graph_shallow(g, o);
		visit(g, hl_graph_class_edge(g, o), stack, &sp);
		for (e = g->edge_start[o]; e < g->edge_start[o + 1]; e++)
			visit(g, g->edge_to[e], stack, &sp);
	}
	for (i = 0; i < g->nobj; i++)
		if (!(g->flags[i] & F_REACHABLE))
			g->unreachable_bytes += hl_graph_shallow(g, i);
	free(stack);
	return HL_OK;
}
