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
	/* retained size per object (0 when unreachable), 4 bytes an object:
	 * ret[o] << ret_shift bytes, as every shallow size is a multiple of
	 * 1 << ret_shift; HL_RET_BIG when it does not fit, the size then in
	 * big[] (sorted by object); read with hl_dom_retained */
	uint32_t *ret;
	struct hl_objsize *big;
	uint64_t nbig;
	unsigned ret_shift;
	uint32_t ret_cap;      /* sizes from this many units up go to big[];
				* 0: HL_RET_BIG (tests lower it) */
	uint64_t total;        /* reachable shallow bytes */
	/* retained size of each class (its instances and class object, as
	 * hl_group_retained computes it), when computed; saved in the index */
	uint64_t *class_retained;
	/* children lists, built on first use, each sorted by retained size:
	 * one array grouped by parent slot (slot nobj is HL_ROOT); a parent's
	 * range is found through a bitmap of the slots that have children and
	 * the count of set bits before each 64 slots (hl_dom_kids), so only
	 * the parents (about half the objects) take 4 bytes */
	uint64_t *kid_bits;    /* nobj / 64 + 1 words */
	uint32_t *kid_rank;    /* as many */
	uint32_t *kid_start;   /* nparents + 1 */
	uint32_t nparents;
	uint32_t walk_min;     /* objects from which hl_group_retained walks
				* on threads; 0: 1 << 16 (tests lower it) */
	uint32_t *children;
	/* blocks the dominator pass leaves, their pages resident, for the
	 * children lists to take instead of fresh memory (freed once those
	 * are built, or with the tree) */
	void *spare[2];
	size_t spare_len[2];
} hl_domtree;

#define HL_RET_BIG UINT32_MAX

/* The rank of slot p among the slots that have children. */
static inline uint32_t hl_dom_parent_rank(const hl_domtree *t, uint32_t p)
{
	return t->kid_rank[p >> 6] + (uint32_t)__builtin_popcountll(
		t->kid_bits[p >> 6] & (((uint64_t)1 << (p & 63)) - 1));
}

/* Children of slot p (an object, or nobj for the virtual root) are
 * t->children[*lo .. *hi), once hl_domtree_children has run. */
static inline void hl_dom_kids(const hl_domtree *t, uint32_t p, uint32_t *lo,
			       uint32_t *hi)
{
	uint32_t k;

	if (!hl_bit_get(t->kid_bits, p)) {
		*lo = *hi = 0;
		return;
	}
	k = hl_dom_parent_rank(t, p);
	*lo = t->kid_start[k];
	*hi = t->kid_start[k + 1];
}

/* Ask for what hl_dom_kids and hl_dom_retained will read of o (a hint). */
HL_ALWAYS_INLINE void hl_dom_ahead(const hl_domtree *t, uint32_t o)
{
	__builtin_prefetch(&t->kid_bits[o >> 6]);
	__builtin_prefetch(&t->kid_rank[o >> 6]);
	__builtin_prefetch(&t->ret[o]);
}

static inline uint64_t hl_dom_retained(const hl_domtree *t, uint32_t o)
{
	if (t->ret[o] != HL_RET_BIG)
		return (uint64_t)t->ret[o] << t->ret_shift;
	return hl_objsize_find(t->big, t->nbig, o);
}

/* Inbound references of reachable objects: from[start[o]..start[o+1]). */
typedef struct hl_inbound_idx {
	hl_eidx *start;
	uint32_t *from;
	void *pending;  /* a spill under way (hl_inbound_spill_start) */
} hl_inbound_idx;
hl_status hl_inbound_build(hl_inbound_idx *in, const hl_graph *g, hl_diag *d);
/* The same in two steps: the counts (and room for the sources), then the
 * sources placed, on up to `threads` threads.  A failure releases it.
 * spare: a malloc'd block to take as the room for the sources (memory
 * whose pages are there already), or NULL; taken or freed either way. */
hl_status hl_inbound_count(hl_inbound_idx *in, const hl_graph *g,
			   void *spare, hl_diag *d);
/* The counts in steps: _begin sets them up on an index without counts,
 * _sources counts and sums them up (0; -1 memory lacking, -2 too many),
 * and _end, given that result, makes the room for the sources (taking
 * spare) as hl_inbound_count: the room can wait for memory freed
 * meanwhile. */
hl_status hl_inbound_count_begin(hl_inbound_idx *in, const hl_graph *g,
				 hl_diag *d);
int hl_inbound_count_sources(hl_inbound_idx *in, const hl_graph *g);
hl_status hl_inbound_count_end(hl_inbound_idx *in, const hl_graph *g,
			       int counted, void *spare, hl_diag *d);
/* map: NULL, or each source's number to store instead of the object's
 * (the dominator pass stores DFS numbers); the lists stay in object
 * order either way. */
hl_status hl_inbound_fill(hl_inbound_idx *in, const hl_graph *g,
			  const uint32_t *map, unsigned threads, hl_diag *d);
/* The objects referring to o, each once, in object order: *out points
 * into the index or, for a GC-root class object (whose referrers by class
 * edge are not stored), into buf, valid until buf is used again.  0 (and
 * *out NULL) when out of memory. */
size_t hl_inbound_list(const hl_graph *g, const hl_inbound_idx *in,
		       uint32_t o, hl_vec *buf, const uint32_t **out);
void hl_inbound_release(hl_inbound_idx *in);
/* Move the index to the spill file (hl_spill), for phases that read little
 * of it: now, or (_start) on a thread of its own, which whatever reads
 * the index next waits for (hl_inbound_settle; hl_inbound_build and
 * hl_inbound_release do). */
void hl_inbound_spill(hl_inbound_idx *in, const hl_graph *g);
void hl_inbound_spill_start(hl_inbound_idx *in, const hl_graph *g);
void hl_inbound_settle(hl_inbound_idx *in);


/* Scratch space for searches from one object: a bitmap of the objects
 * met (an eighth of a byte an object, cleared by hl_scratch_get) and a
 * queue that grows with what the search meets, both kept for the next
 * search.  Queue items: an object and the position of the item it was
 * reached from (HL_NONE for the start). */
struct hl_qitem { uint32_t obj, from; };
typedef struct hl_scratch { uint64_t *seen; hl_vec queue; } hl_scratch;
int hl_scratch_get(hl_scratch *s, const hl_graph *g);
void hl_scratch_release(hl_scratch *s);
static inline int hl_scratch_meet(hl_scratch *s, uint32_t o)
{
	return hl_bit_claim(s->seen, o);
}

/*
 * Shortest paths from GC roots to target (breadth-first over inbound
 * references), one per root reached, at most max.  paths[k] is a list of
 * objects from the root to the target, stored in one array: path k is
 * objs[off[k]..off[k+1]).
 */
typedef struct hl_pathset {
	uint32_t *objs;
	size_t *off;
	size_t count;
} hl_pathset;
hl_status hl_paths_find(const hl_graph *g, const hl_inbound_idx *in,
			uint32_t target, size_t max, int all_refs,
			hl_scratch *ws, hl_pathset *out, hl_diag *d);
void hl_pathset_release(hl_pathset *p);

/* Semi-NCA over the reachable graph; see dominators.c.  Builds the
 * inbound index in first when it is not yet built (on a second thread,
 * during the DFS, when the graph has threads). */
hl_status hl_domtree_build(hl_domtree *t, hl_graph *g,
			   hl_inbound_idx *in, hl_diag *d,
			   hl_progress_fn progress, void *ctx);
hl_status hl_domtree_children(hl_domtree *t, const hl_graph *g, hl_diag *d);
void hl_domtree_release(hl_domtree *t);

/*
 * Retained size of groups of objects, MAT's "minimum retained size": for
 * each group, the sum of the retained sizes of its members that have no
 * member of the same group above them in the dominator tree.  An object's
 * group is map[class] (HL_NONE: none); a class object is a member of its
 * own class's group and of class_group (java.lang.Class's).  sums has
 * ngroups entries, zeroed by the caller.
 */
hl_status hl_group_retained(hl_domtree *t, const hl_graph *g, uint32_t ngroups,
			    const uint32_t *map, uint32_t class_group,
			    uint64_t *sums, hl_diag *d);


#endif
