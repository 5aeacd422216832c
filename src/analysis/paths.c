/*
 * paths.c - shortest paths from GC roots to an object.
 *
 * A breadth-first walk backwards over inbound references from the target:
 * the first time the walk meets a GC-root object, the chain of parents
 * from it to the target is a shortest path from that root.  Walking goes
 * on until max roots are met, so the paths come nearest root first.  Links
 * MAT leaves out (Reference.referent, Finalizer.unfinalized) are not
 * followed unless asked: an object held only weakly then has no path.
 * Memory: a bitmap of the objects met and a queue of 8 bytes an object
 * met, the caller's scratch space when given (kept across queries), else
 * for this query only.
 */
#include "analysis/analysis.h"

#include <stdlib.h>

/* Is every reference from u to v one that paths leave out? */
static int weak_only(const hl_graph *g, uint32_t u, uint32_t v)
{
	hl_refit it;
	uint64_t id, vid = hl_graph_id(g, v);
	int seen = 0;

	if (!hl_graph_may_be_weak(g, u, NULL))
		return 0;
	hl_refit_init(&it, g, u);
	while (hl_refit_next(&it, &id))
		if (id == vid) {
			if (!hl_refit_weak(&it))
				return 0;
			seen = 1;
		}
	return seen;
}

/* The path from the root at queue item k back to the target. */
static int add_path(hl_pathset *p, const struct hl_qitem *q, uint32_t k,
		    hl_vec *objs)
{
	p->off[p->count] = objs->len;
	for (; k != HL_NONE; k = q[k].from)
		if (hl_vec_push(objs, &q[k].obj))
			return -1;
	p->count++;
	p->off[p->count] = objs->len;
	return 0;
}

int hl_scratch_get(hl_scratch *s, const hl_graph *g)
{
	size_t words = (size_t)g->nobj / 64 + 1;

	if (!s->queue.item)
		hl_vec_init(&s->queue, sizeof(struct hl_qitem));
	s->queue.len = 0;
	if (!s->seen)
		s->seen = hl_malloc_array(words, sizeof(uint64_t));
	if (!s->seen)
		return -1;
	memset(s->seen, 0, words * sizeof(uint64_t));
	return 0;
}

void hl_scratch_release(hl_scratch *s)
{
	free(s->seen);
	s->seen = NULL;
	if (s->queue.item)
		hl_vec_release(&s->queue);
}

hl_status hl_paths_find(const hl_graph *g, const hl_inbound_idx *in,
			uint32_t target, size_t max, int all_refs,
			hl_scratch *ws, hl_pathset *out, hl_diag *d)
{
	hl_scratch own, *sp = ws ? ws : &own;
	struct hl_qitem start = { target, HL_NONE };
	uint32_t head;
	hl_vec objs;
	int oom = 0;

	memset(&own, 0, sizeof(own));
	hl_vec_init(&objs, sizeof(uint32_t));
	memset(out, 0, sizeof(*out));
	out->off = hl_calloc(max + 2, sizeof(size_t));
	if (hl_scratch_get(sp, g) || !out->off || hl_vec_push(&sp->queue, &start))
		goto fail;
	hl_scratch_meet(sp, target);
	for (head = 0; head < sp->queue.len && out->count < max && !oom; head++) {
		uint32_t v = HL_VEC_AT(&sp->queue, struct hl_qitem, head).obj;
		hl_eidx e;

		if (g->flags[v] & F_ROOT) {
			oom = add_path(out, sp->queue.data, head, &objs);
			continue;
		}
		for (e = in->start[v]; e < in->start[v + 1] && !oom; e++) {
			struct hl_qitem it = { in->from[e], head };

			if (hl_bit_get(sp->seen, it.obj))
				continue;
			if (!all_refs && weak_only(g, it.obj, v))
				continue;
			hl_scratch_meet(sp, it.obj);
			oom = hl_vec_push(&sp->queue, &it);
		}
	}
	if (oom)
		goto fail;
	hl_scratch_release(&own);
	out->objs = objs.data;
	return HL_OK;
fail:
	hl_scratch_release(&own);
	hl_vec_release(&objs);
	hl_pathset_release(out);
	return hl_fail(d, HL_E_NOMEM, "out of memory for paths");
}

void hl_pathset_release(hl_pathset *p)
{
	free(p->objs);
	free(p->off);
	memset(p, 0, sizeof(*p));
}
