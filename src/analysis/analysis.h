/*
 * analysis.h - what is computed over the graph: dominator tree, retained
 * sizes, histograms, previews of values.
 */
#ifndef HL_ANALYSIS_H
#define HL_ANALYSIS_H

#include "graph/graph.h"

typedef struct hl_domtree {
	int done;
	uint32_t n;            /* reachable objects */
	uint32_t *idom;        /* per object: object, HL_ROOT or HL_NONE */
	uint64_t *retained;    /* per object; 0 when unreachable */
	uint32_t *order;       /* reachable objects, dominators before those
				* they dominate (a DFS preorder of the graph) */
	uint64_t total;        /* reachable shallow bytes */
	/* children lists, built on first use, sorted by retained size */
	uint32_t *child_start; /* nobj + 2 entries; slot nobj = HL_ROOT */
	uint32_t *children;
} hl_domtree;

/* Semi-NCA over the reachable graph; see dominators.c. */
hl_status hl_domtree_build(hl_domtree *t, const hl_graph *g, hl_diag *d,
			   hl_progress_fn progress, void *ctx);
hl_status hl_domtree_children(hl_domtree *t, const hl_graph *g, hl_diag *d);
void hl_domtree_release(hl_domtree *t);

/*
 * Retained size of groups of objects, MAT's "minimum retained size": for
 * each group, the sum of the retained sizes of its members that have no
 * member of the same group above them in the dominator tree.  group_of
 * gives up to two groups per object (HL_NONE for none).  sums has ngroups
 * entries, zeroed by the caller.
 */
typedef void (*hl_group_fn)(const hl_graph *g, uint32_t obj, void *ctx,
			    uint32_t out[2]);
hl_status hl_group_retained(hl_domtree *t, const hl_graph *g, uint32_t ngroups,
			    hl_group_fn group_of, void *ctx, uint64_t *sums,
			    hl_diag *d);


#endif
