/*
 * retained.c - dominator-tree navigation and retained sizes of groups.
 *
 * Children lists are one CSR keyed by parent (slot nobj is the virtual
 * root), each list then sorted by decreasing retained size (ties in
 * address order).  Most lists are short and sorted in place; the long ones
 * (the virtual root's holds millions on big dumps) by a stable radix sort
 * on the sizes, 16 bytes per entry of the longest list while the lists
 * are sorted.
 *
 * Group retained size (MAT's minimum retained size of a set): one
 * iterative walk of the dominator tree with a counter per group of the
 * members open on the current path; a member adds its retained size only
 * when no member of its group is above it.  The objects' groups are read
 * first in object order (object_groups).
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

/*
 * A long list in cmp_child's order.  It is filled in object order, so a
 * stable sort on the retained size alone puts ties in address order: an
 * LSD radix sort on the 4-byte form's bytes, inverted (largest first),
 * one pass per byte that varies in the list (none when the sizes are all
 * equal, as a collection's like elements often are), no comparison and
 * no look-up per step.  ents holds n: 16 bytes an entry, the keys and
 * their copy.  A list with sizes too big for the 4-byte form is sorted
 * with cmp_child instead.
 */
static void sort_long(uint32_t *a, uint32_t n, hl_domtree *t,
		      struct hl_objent *ents)
{
	uint64_t *key = (uint64_t *)(void *)ents, *other = key + n, *swap;
	uint32_t i, any = 0, all = UINT32_MAX, pos, count[256];
	unsigned sh;

	for (i = 0; i < n; i++) {
		uint32_t r = t->ret[a[i]];

		if (r == HL_RET_BIG) {
			qsort_r(a, n, sizeof(uint32_t), cmp_child, t);
			return;
		}
		key[i] = ((uint64_t)(UINT32_MAX - r) << 32) | a[i];
		any |= UINT32_MAX - r;
		all &= UINT32_MAX - r;
	}
	for (sh = 32; sh < 64; sh += 8) {
		if (!(((any ^ all) >> (sh - 32)) & 0xff))
			continue; /* every key has this byte: no reordering */
		memset(count, 0, sizeof(count));
		for (i = 0; i < n; i++)
			count[(key[i] >> sh) & 0xff]++;
		for (i = 0, pos = 0; i < 256; i++) {
			uint32_t c = count[i];

			count[i] = pos;
			pos += c;
		}
		for (i = 0; i < n; i++)
			other[count[(key[i] >> sh) & 0xff]++] = key[i];
		swap = key;
		key = other;
		other = swap;
	}
	for (i = 0; i < n; i++)
		a[i] = (uint32_t)key[i];
}

static inline uint32_t parent_slot(const hl_graph *g, uint32_t p)
{
	return p == HL_ROOT ? g->nobj : p;
}

/* bytes of memory for the children lists: a spare block of the dominator
 * pass when one is left (the one that fits, or the bigger one grown), its
 * pages there already; else fresh. */
static void *take(hl_domtree *t, size_t bytes)
{
	unsigned k = t->spare_len[0] >= bytes ? 0 : t->spare_len[1] >= bytes ? 1 :
		t->spare_len[0] >= t->spare_len[1] ? 0 : 1;
	void *p = t->spare[k];

	t->spare[k] = NULL;
	t->spare_len[k] = 0;
	return hl_reuse(p, bytes);
}

static void spares_release(hl_domtree *t)
{
	free(t->spare[0]);
	free(t->spare[1]);
	t->spare[0] = t->spare[1] = NULL;
	t->spare_len[0] = t->spare_len[1] = 0;
}

hl_status hl_domtree_children(hl_domtree *t, const hl_graph *g, hl_diag *d)
{
	uint32_t i, o, n = t->n, slots = g->nobj + 1, words = slots / 64 + 1, k;
	uint32_t most;
	struct hl_objent *ents = NULL;

	if (t->children || !t->done)
		return t->done ? HL_OK : hl_fail(d, HL_E_STATE, "no dominator tree");
	t->kid_bits = hl_calloc(words, sizeof(uint64_t));
	t->kid_rank = hl_malloc_array(words, sizeof(uint32_t));
	t->children = take(t, ((size_t)n + 1) * sizeof(uint32_t));
	if (!t->kid_bits || !t->kid_rank || !t->children)
		goto oom;
	for (o = 0; o < g->nobj; o++) /* which slots have children */
		if (t->idom[o] != HL_NONE)
			hl_bit_set(t->kid_bits, parent_slot(g, t->idom[o]));
	for (i = 0, k = 0; i < words; i++) {
		t->kid_rank[i] = k;
		k += (uint32_t)__builtin_popcountll(t->kid_bits[i]);
	}
	t->nparents = k;
	t->kid_start = hl_calloc((size_t)k + 2, sizeof(uint32_t));
	if (!t->kid_start)
		goto oom;
	for (o = 0; o < g->nobj; o++) /* children per parent */
		if (t->idom[o] != HL_NONE)
			t->kid_start[hl_dom_parent_rank(t, parent_slot(g, t->idom[o])) + 1]++;
	for (i = 1; i <= t->nparents; i++)
		t->kid_start[i] += t->kid_start[i - 1];
	for (o = 0; o < g->nobj; o++) /* each list in object order */
		if (t->idom[o] != HL_NONE)
			t->children[t->kid_start[hl_dom_parent_rank(t, parent_slot(g, t->idom[o]))]++] = o;
	for (i = t->nparents; i > 0; i--)
		t->kid_start[i] = t->kid_start[i - 1];
	t->kid_start[0] = 0;
	for (i = 0, most = 0; i < t->nparents; i++)
		if (t->kid_start[i + 1] - t->kid_start[i] > most)
			most = t->kid_start[i + 1] - t->kid_start[i];
	if (most > 16 && !(ents = take(t, (size_t)most * sizeof(*ents))))
		goto oom;
	spares_release(t);
	for (i = 0; i < t->nparents; i++) {
		uint32_t m = t->kid_start[i + 1] - t->kid_start[i];

		if (m > 16)
			sort_long(t->children + t->kid_start[i], m, t, ents);
		if (m > 1 && m <= 16) /* most lists: a few, sorted in place */
			insertion_sort(t->children + t->kid_start[i], m, t);
	}
	free(ents);
	return HL_OK;
oom:
	free(t->kid_bits);
	free(t->kid_rank);
	free(t->kid_start);
	free(t->children);
	t->kid_bits = NULL;
	t->kid_rank = t->kid_start = t->children = NULL;
	return hl_fail(d, HL_E_NOMEM, "out of memory for the dominator tree");
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

/*
 * Each object's groups, read once in object order (on threads): the walk
 * below takes the objects in the tree's order, and the object table it
 * would read them from (kind, class) is spilled by then, a 4 KB page read
 * for each object on a big dump.  4 bytes an object: the first group, the
 * top bit set for a class object (whose second group is class_group).
 */
#define CLASS_BIT 0x80000000u
#define CLASS_NONE (HL_NONE - 1) /* a class object in no group itself */

struct gid_job {
	const hl_graph *g;
	const uint32_t *map;
	uint32_t *gid, lo, hi;
};

static void *gid_run(void *arg)
{
	struct gid_job *j = arg;
	uint32_t o;

	for (o = j->lo; o < j->hi; o++) {
		if (hl_graph_kind(j->g, o) != K_CLASS) {
			j->gid[o] = j->map[hl_graph_cls(j->g, o)];
		} else {
			uint32_t gr = j->map[hl_graph_off(j->g, o)];

			j->gid[o] = gr == HL_NONE ? CLASS_NONE : gr | CLASS_BIT;
		}
	}
	return NULL;
}

static uint32_t *object_groups(const hl_graph *g, const uint32_t *map)
{
	uint32_t *gid = hl_malloc_array((size_t)g->nobj + 1, sizeof(uint32_t));
	unsigned n = hl_parts(g->threads, g->nobj, (uint64_t)1 << 20, 16), k;
	struct gid_job job[16];

	if (!gid)
		return NULL;
	for (k = 0; k < n; k++)
		job[k] = (struct gid_job){ g, map, gid,
					   (uint32_t)((uint64_t)g->nobj * k / n),
					   (uint32_t)((uint64_t)g->nobj * (k + 1) / n) };
	hl_run_jobs(gid_run, job, sizeof(job[0]), n);
	return gid;
}

/* The (up to) two groups of an object, from its entry in object_groups:
 * as groups() gives them. */
static inline void groups_of(uint32_t id, uint32_t class_group, uint32_t gr[2])
{
	if (id == HL_NONE || !(id & CLASS_BIT)) {
		gr[0] = id;
		gr[1] = HL_NONE;
		return;
	}
	gr[0] = id == CLASS_NONE ? HL_NONE : id & ~CLASS_BIT;
	gr[1] = class_group == gr[0] ? HL_NONE : class_group;
}

/* How far ahead in a children list the walk asks for a sibling's rows. */
#define SIBLING_AHEAD 4

hl_status hl_group_retained(hl_domtree *t, const hl_graph *g, uint32_t ngroups,
			    const uint32_t *map, uint32_t class_group,
			    uint64_t *sums, hl_diag *d)
{
	uint32_t *open = hl_calloc(ngroups, sizeof(uint32_t));
	uint32_t *stack = hl_malloc_array((size_t)t->n + 1, 3 * sizeof(uint32_t));
	uint32_t sp = 0, root = g->nobj, k, *gid = NULL;
	hl_status st = hl_domtree_children(t, g, d);

	if (st == HL_OK && (!open || !stack))
		st = hl_fail(d, HL_E_NOMEM, "out of memory");
	if (st != HL_OK)
		goto out;
	if (ngroups < CLASS_NONE / 2) /* else (or lacking memory) from the table */
		gid = object_groups(g, map);
	/* stack of (node, next child index, end of its children); the
	 * virtual root first */
	stack[0] = root;
	hl_dom_kids(t, root, &stack[1], &stack[2]);
	sp = 1;
	while (sp) {
		uint32_t *top = &stack[3 * (sp - 1)];
		uint32_t v = top[0], gr[2];

		if (top[1] < top[2]) {
			uint32_t c = t->children[top[1]++];

			if (top[1] + SIBLING_AHEAD <= top[2]) { /* most are leaves */
				uint32_t a = t->children[top[1] + SIBLING_AHEAD - 1];

				hl_dom_ahead(t, a);
				if (gid)
					__builtin_prefetch(&gid[a]);
			}
			if (gid)
				groups_of(gid[c], class_group, gr);
			else
				groups(g, map, class_group, c, gr);
			for (k = 0; k < 2; k++)
				if (gr[k] != HL_NONE && !open[gr[k]]++)
					sums[gr[k]] += hl_dom_retained(t, c);
			stack[3 * sp] = c;
			hl_dom_kids(t, c, &stack[3 * sp + 1], &stack[3 * sp + 2]);
			sp++;
			continue;
		}
		if (v != root) {
			if (gid)
				groups_of(gid[v], class_group, gr);
			else
				groups(g, map, class_group, v, gr);
			for (k = 0; k < 2; k++)
				if (gr[k] != HL_NONE)
					open[gr[k]]--;
		}
		sp--;
	}
out:
	free(gid);
	free(open);
	free(stack);
	return st;
}
