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
 * Group retained size (MAT's minimum retained size of a set): an
 * iterative walk of the dominator tree with a counter per group of the
 * members open on the current path; a member adds its retained size only
 * when no member of its group is above it.  The objects' groups are read
 * first in object order (object_groups).  On threads, the tree is cut
 * into pieces, each walked with the counters of the path above it
 * (cut_pieces).
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

/*
 * The walk on threads.  The tree is cut into pieces, each a range of one
 * children list with the groups open above it: cut from the virtual
 * root's list, always the heaviest piece (by retained size), a range into
 * halves, a range of one node into that node (its groups added as the
 * walk would, serially) and its children.  The threads then walk the
 * pieces, heaviest first, each with the counters of its piece's path set
 * beforehand and sums of its own, added up at the end: the same sums as
 * one walk, since a member only ever compares with the members above it.
 */
#define CUT_MAX 16384 /* cuts at most */
#define CUT_DEPTH 64  /* nodes cut out above a piece at most */

struct anc { uint32_t prev, gr[2]; };       /* a path above, as a list */
struct piece { uint32_t lo, hi, anc, depth; uint64_t weight; };

struct gwalk {
	const hl_domtree *t;
	const hl_graph *g;
	const uint32_t *map, *gid;
	uint32_t class_group, root;
	const struct anc *anc;
	const struct piece *pc;
	uint32_t npc, next;                /* the next piece to take */
};

struct gwalk_job {
	struct gwalk *w;
	uint32_t *open, *stack;
	uint64_t *sums;
};

/* Object c's groups, from the group array when there is one. */
static inline void node_groups(const struct gwalk *w, uint32_t c, uint32_t gr[2])
{
	if (w->gid)
		groups_of(w->gid[c], w->class_group, gr);
	else
		groups(w->g, w->map, w->class_group, c, gr);
}

/* The subtrees of children[lo, hi), with open[] holding the groups open
 * above them: each member with none of its group open adds its retained
 * size.  stack: 3 words a level, (node, next child, end); a frame whose
 * node is w->root stands for the range's parent, whose groups are not
 * counted here. */
static void walk_range(const struct gwalk *w, uint32_t lo, uint32_t hi,
		       uint32_t *open, uint64_t *sums, uint32_t *stack)
{
	const hl_domtree *t = w->t;
	uint32_t sp = 1, k;

	stack[0] = w->root;
	stack[1] = lo;
	stack[2] = hi;
	while (sp) {
		uint32_t *top = &stack[3 * (sp - 1)];
		uint32_t v = top[0], gr[2];

		if (top[1] < top[2]) {
			uint32_t c = t->children[top[1]++];

			if (top[1] + SIBLING_AHEAD <= top[2]) { /* most are leaves */
				uint32_t a = t->children[top[1] + SIBLING_AHEAD - 1];

				hl_dom_ahead(t, a);
				if (w->gid)
					__builtin_prefetch(&w->gid[a]);
			}
			node_groups(w, c, gr);
			for (k = 0; k < 2; k++)
				if (gr[k] != HL_NONE && !open[gr[k]]++)
					sums[gr[k]] += hl_dom_retained(t, c);
			stack[3 * sp] = c;
			hl_dom_kids(t, c, &stack[3 * sp + 1], &stack[3 * sp + 2]);
			sp++;
			continue;
		}
		if (v != w->root) {
			node_groups(w, v, gr);
			for (k = 0; k < 2; k++)
				if (gr[k] != HL_NONE)
					open[gr[k]]--;
		}
		sp--;
	}
}

/* open[gr] += by for every group on the path list a. */
static void open_path(const struct anc *anc, uint32_t a, uint32_t *open, int by)
{
	unsigned k;

	for (; a != HL_NONE; a = anc[a].prev)
		for (k = 0; k < 2; k++)
			if (anc[a].gr[k] != HL_NONE)
				open[anc[a].gr[k]] += (uint32_t)by;
}

static void *gwalk_run(void *arg)
{
	struct gwalk_job *j = arg;
	struct gwalk *w = j->w;
	uint32_t i;

	while ((i = __atomic_fetch_add(&w->next, 1, __ATOMIC_RELAXED)) < w->npc) {
		const struct piece *p = &w->pc[i];

		open_path(w->anc, p->anc, j->open, 1);
		walk_range(w, p->lo, p->hi, j->open, j->sums, j->stack);
		open_path(w->anc, p->anc, j->open, -1);
	}
	return NULL;
}

/* Retained size of children[lo, hi). */
static uint64_t range_weight(const hl_domtree *t, uint32_t lo, uint32_t hi)
{
	uint64_t sum = 0;

	for (; lo < hi; lo++)
		sum += hl_dom_retained(t, t->children[lo]);
	return sum;
}

/* Max-heap of pieces by weight. */
static void piece_up(struct piece *h, size_t i)
{
	while (i > 0 && h[(i - 1) / 2].weight < h[i].weight) {
		struct piece x = h[i];

		h[i] = h[(i - 1) / 2];
		h[(i - 1) / 2] = x;
		i = (i - 1) / 2;
	}
}

static void piece_down(struct piece *h, size_t n, size_t i)
{
	for (;;) {
		size_t c = 2 * i + 1;
		struct piece x;

		if (c >= n)
			return;
		if (c + 1 < n && h[c + 1].weight > h[c].weight)
			c++;
		if (h[c].weight <= h[i].weight)
			return;
		x = h[i], h[i] = h[c], h[c] = x;
		i = c;
	}
}

static int cmp_piece(const void *a, const void *b)
{
	const struct piece *x = a, *y = b;

	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/*
 * Cut the tree into pieces until the heaviest weighs less than an eighth
 * of a thread's share, or CUT_MAX cuts were made; the nodes cut out add
 * their sizes to sums here.  A node piece CUT_DEPTH below the root is not
 * cut (a chain would make every cut longer).  pc: room for CUT_MAX + 1
 * pieces (the heap at its start, the pieces set aside at its end), anc:
 * for CUT_MAX paths.
 */
static void cut_pieces(struct gwalk *w, unsigned threads, struct piece *pc,
		       struct anc *anc, uint64_t *sums, uint32_t *open)
{
	const hl_domtree *t = w->t;
	uint32_t lo, hi, nanc = 0, cuts = 0, k;
	size_t n = 0, aside = 0, room = CUT_MAX + 1;
	uint64_t total, share;

	hl_dom_kids(t, w->root, &lo, &hi);
	total = range_weight(t, lo, hi);
	share = total / (8 * (uint64_t)threads);
	pc[n++] = (struct piece){ lo, hi, HL_NONE, 0, total };
	while (n && pc[0].weight > share && cuts < CUT_MAX) {
		struct piece top = pc[0];
		uint32_t gr[2], c;

		cuts++;
		if (top.hi - top.lo > 1) { /* a range: two halves */
			uint32_t mid = top.lo + (top.hi - top.lo) / 2;
			uint64_t first = range_weight(t, top.lo, mid);

			pc[0] = (struct piece){ top.lo, mid, top.anc, top.depth, first };
			piece_down(pc, n, 0);
			pc[n] = (struct piece){ mid, top.hi, top.anc, top.depth,
						top.weight - first };
			piece_up(pc, n);
			n++;
			continue;
		}
		pc[0] = pc[--n]; /* one node: out of the heap */
		piece_down(pc, n, 0);
		if (top.depth >= CUT_DEPTH) {
			pc[room - ++aside] = top; /* walked as it is */
			continue;
		}
		/* its sizes, as the walk would add them below its path; then
		 * its children, with it on their path */
		c = t->children[top.lo];
		node_groups(w, c, gr);
		open_path(anc, top.anc, open, 1);
		for (k = 0; k < 2; k++)
			if (gr[k] != HL_NONE && !open[gr[k]])
				sums[gr[k]] += hl_dom_retained(t, c);
		open_path(anc, top.anc, open, -1);
		hl_dom_kids(t, c, &lo, &hi);
		if (lo == hi)
			continue;
		anc[nanc] = (struct anc){ top.anc, { gr[0], gr[1] } };
		pc[n] = (struct piece){ lo, hi, nanc++, top.depth + 1,
					range_weight(t, lo, hi) };
		piece_up(pc, n);
		n++;
	}
	memmove(pc + n, pc + room - aside, aside * sizeof(*pc));
	n += aside;
	qsort(pc, n, sizeof(*pc), cmp_piece);
	w->anc = anc;
	w->pc = pc;
	w->npc = (uint32_t)n;
}

hl_status hl_group_retained(hl_domtree *t, const hl_graph *g, uint32_t ngroups,
			    const uint32_t *map, uint32_t class_group,
			    uint64_t *sums, hl_diag *d)
{
	struct gwalk w = { t, g, map, NULL, class_group, g->nobj, NULL, NULL, 0, 0 };
	struct gwalk_job job[8];
	struct piece *pc = NULL, whole;
	struct anc *anc = NULL;
	unsigned threads = g->threads > 8 ? 8 : g->threads ? g->threads : 1, n = 1, k;
	hl_status st = hl_domtree_children(t, g, d);
	uint32_t i;

	memset(job, 0, sizeof(job));
	if (st != HL_OK)
		return st;
	if (ngroups < CLASS_NONE / 2) /* else (or lacking memory) from the table */
		w.gid = object_groups(g, map);
	job[0].sums = sums;
	job[0].open = hl_calloc(ngroups, sizeof(uint32_t));
	job[0].stack = hl_malloc_array((size_t)t->n + 1, 3 * sizeof(uint32_t));
	if (!job[0].open || !job[0].stack) {
		st = hl_fail(d, HL_E_NOMEM, "out of memory");
		goto out;
	}
	if (threads > 1 && t->n >= (t->walk_min ? t->walk_min : (uint32_t)1 << 16)) {
		pc = hl_malloc_array(CUT_MAX + 1, sizeof(*pc));
		anc = hl_malloc_array(CUT_MAX, sizeof(*anc));
		for (n = 1; pc && anc && n < threads; n++) {
			job[n].sums = hl_calloc(ngroups, sizeof(uint64_t));
			job[n].open = hl_calloc(ngroups, sizeof(uint32_t));
			job[n].stack = hl_malloc_array((size_t)t->n + 1, 3 * sizeof(uint32_t));
			if (!job[n].sums || !job[n].open || !job[n].stack)
				break; /* fewer threads */
		}
		if (n < threads) { /* the last one's room is incomplete */
			free(job[n].sums);
			free(job[n].open);
			free(job[n].stack);
			memset(&job[n], 0, sizeof(job[n]));
		}
	}
	if (n > 1) {
		cut_pieces(&w, n, pc, anc, sums, job[0].open);
	} else { /* one piece: the whole tree */
		hl_dom_kids(t, w.root, &whole.lo, &whole.hi);
		whole.anc = HL_NONE;
		whole.depth = 0;
		whole.weight = 0;
		w.pc = &whole;
		w.npc = 1;
	}
	for (k = 0; k < n; k++)
		job[k].w = &w;
	hl_run_jobs(gwalk_run, job, sizeof(job[0]), n);
	for (k = 1; k < n; k++)
		for (i = 0; i < ngroups; i++)
			sums[i] += job[k].sums[i];
out:
	for (k = 0; k < 8; k++) {
		if (k)
			free(job[k].sums);
		free(job[k].open);
		free(job[k].stack);
	}
	free((void *)w.gid);
	free(pc);
	free(anc);
	return st;
}
