/*
 * retained.c - dominator-tree navigation and retained sizes of groups.
 *
 * Children lists are one CSR keyed by parent (slot nobj is the virtual
 * root), each list then sorted by decreasing retained size (ties in
 * address order).  Most lists are short, so this costs little time and no
 * memory beyond the CSR itself.
 *
 * Group retained size (MAT's minimum retained size of a set): one
 * iterative walk of the dominator tree with a counter per group of the
 * members open on the current path; a member adds its retained size only
 * when no member of its group is above it.
 */
#include "analysis/analysis.h"

#include <stdlib.h>

/* Children in decreasing retained size, ties in address order: compared
 * on the stored 4-byte sizes, which order as the sizes do, but for the few
 * too big for them. */
static inline int child_before(const hl_domtree *t, uint32_t x, uint32_t y)
{
	uint32_t a = t->ret[x], b = t->ret[y];

	if (a == HL_RET_BIG && b == HL_RET_BIG) {
		uint64_t rx = hl_dom_retained(t, x), ry = hl_dom_retained(t, y);

		if (rx != ry)
			return rx > ry;
	} else if (a != b) {
		return a > b;
	}
	return x < y;
}

static int cmp_child(const void *a, const void *b, void *ctx)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	if (x == y)
		return 0;
	return child_before(ctx, x, y) ? -1 : 1;
}

/* Short lists, in cmp_child's order, without a call per comparison. */
static void insertion_sort(uint32_t *a, uint32_t n, const hl_domtree *t)
{
	uint32_t i, j;

	for (i = 1; i < n; i++) {
		uint32_t x = a[i];

		for (j = i; j > 0 && child_before(t, x, a[j - 1]); j--)
			a[j] = a[j - 1];
		a[j] = x;
	}
}

hl_status hl_domtree_children(hl_domtree *t, const hl_graph *g, hl_diag *d)
{
	uint32_t i, o, n = t->n, slots = g->nobj + 1;

	if (t->children || !t->done)
		return t->done ? HL_OK : hl_fail(d, HL_E_STATE, "no dominator tree");
	t->child_start = hl_calloc((size_t)slots + 1, sizeof(uint32_t));
	t->children = hl_malloc_array((size_t)n + 1, sizeof(uint32_t));
	if (!t->child_start || !t->children) {
		free(t->child_start);
		free(t->children);
		t->child_start = t->children = NULL;
		return hl_fail(d, HL_E_NOMEM, "out of memory for the dominator tree");
	}
	for (o = 0; o < g->nobj; o++) {
		uint32_t p = t->idom[o];

		if (p != HL_NONE)
			t->child_start[(p == HL_ROOT ? g->nobj : p) + 1]++;
	}
	for (i = 1; i <= slots; i++)
		t->child_start[i] += t->child_start[i - 1];
	for (o = 0; o < g->nobj; o++) { /* each list in object order */
		uint32_t p = t->idom[o];

		if (p == HL_NONE)
			continue;
		p = p == HL_ROOT ? g->nobj : p;
		t->children[t->child_start[p]++] = o;
	}
	for (i = slots; i > 0; i--)
		t->child_start[i] = t->child_start[i - 1];
	t->child_start[0] = 0;
	for (i = 0; i < slots; i++) {
		uint32_t k = t->child_start[i + 1] - t->child_start[i];

		if (k > 16)
			qsort_r(t->children + t->child_start[i], k, sizeof(uint32_t),
				cmp_child, t);
		else if (k > 1) /* most lists: a few children, sorted in place */
			insertion_sort(t->children + t->child_start[i], k, t);
	}
	return HL_OK;
}

/* The (up to) two groups of object o. */
static inline void groups(const hl_graph *g, const uint32_t *map,
			  uint32_t class_group, uint32_t o, uint32_t gr[2])
{
	if (hl_graph_kind(g, o) == K_CLASS) {
		gr[0] = map[hl_graph_off(g, o)];
		gr[1] = class_group == gr[0] ? HL_NONE : class_group;
	} else {
		gr[0] = map[hl_graph_cls(g, o)];
		gr[1] = HL_NONE;
	}
}

hl_status hl_group_retained(hl_domtree *t, const hl_graph *g, uint32_t ngroups,
			    const uint32_t *map, uint32_t class_group,
			    uint64_t *sums, hl_diag *d)
{
	uint32_t *open = hl_calloc(ngroups, sizeof(uint32_t));
	uint32_t *stack = hl_malloc_array((size_t)t->n + 1, 2 * sizeof(uint32_t));
	uint32_t sp = 0, root = g->nobj, k;
	hl_status st = hl_domtree_children(t, g, d);

	if (st == HL_OK && (!open || !stack))
		st = hl_fail(d, HL_E_NOMEM, "out of memory");
	if (st != HL_OK)
		goto out;
	/* stack of (node, next child index); the virtual root first */
	stack[0] = root;
	stack[1] = t->child_start[root];
	sp = 1;
	while (sp) {
		uint32_t *top = &stack[2 * (sp - 1)];
		uint32_t v = top[0], gr[2];

		if (top[1] < t->child_start[v + 1]) {
			uint32_t c = t->children[top[1]++];

			groups(g, map, class_group, c, gr);
			for (k = 0; k < 2; k++)
				if (gr[k] != HL_NONE && !open[gr[k]]++)
					sums[gr[k]] += hl_dom_retained(t, c);
			stack[2 * sp] = c;
			stack[2 * sp + 1] = t->child_start[c];
			sp++;
			continue;
		}
		if (v != root) {
			groups(g, map, class_group, v, gr);
			for (k = 0; k < 2; k++)
				if (gr[k] != HL_NONE)
					open[gr[k]]--;
		}
		sp--;
	}
out:
	free(open);
	free(stack);
	return st;
}
