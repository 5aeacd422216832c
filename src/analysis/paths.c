/*
 * paths.c - shortest paths from GC roots to an object.
 *
 * A breadth-first walk backwards over inbound references from the target:
 * the first time the walk meets a GC-root object, the chain of parents
 * from it to the target is a shortest path from that root.  Walking goes
 * on until max roots are met, so the paths come nearest root first.  Links
 * MAT leaves out (Reference.referent, Finalizer.unfinalized) are not
 * followed unless asked: an object held only weakly then has no path.
 * Memory: two arrays of one u32 per object, the caller's scratch space
 * when given (reused across queries), else for this query only.
 */
#include "analysis/analysis.h"

#include <stdlib.h>

/* Is every reference from u to v one that paths leave out? */
static int weak_only(const hl_graph *g, uint32_t u, uint32_t v)
{
	hl_refit it;
	uint64_t id, vid = hl_graph_id(g, v);
	int seen = 0;

	if (hl_graph_kind(g, u) == K_INSTANCE) {
		uint32_t c;

		for (c = hl_graph_cls(g, u); c != HL_NONE && c != g->cls_reference;
		     c = g->classes[c].super)
			;
		if (c == HL_NONE)
			return 0;
	} else if (hl_graph_kind(g, u) != K_CLASS ||
		   hl_graph_off(g, u) != g->cls_finalizer) {
		return 0;
	}
	hl_refit_init(&it, g, u);
	while (hl_refit_next(&it, &id))
		if (id == vid) {
			if (!hl_refit_weak(&it))
				return 0;
			seen = 1;
		}
	return seen;
}

static int add_path(hl_pathset *p, const uint32_t *parent, uint32_t root,
		    uint32_t target, hl_vec *objs)
{
	uint32_t x = root;

	p->off[p->count] = objs->len;
	for (;;) {
		if (hl_vec_push(objs, &x))
			return -1;
		if (x == target)
			break;
		x = parent[x];
	}
	p->count++;
	p->off[p->count] = objs->len;
	return 0;
}

int hl_scratch_get(hl_scratch *s, const hl_graph *g)
{
	if (!s->a)
		s->a = hl_malloc_array((size_t)g->nobj + 1, sizeof(uint32_t));
	if (!s->b)
		s->b = hl_malloc_array((size_t)g->nobj + 1, sizeof(uint32_t));
	return s->a && s->b ? 0 : -1;
}

void hl_scratch_release(hl_scratch *s)
{
	free(s->a);
	free(s->b);
	s->a = s->b = NULL;
}

hl_status hl_paths_find(const hl_graph *g, const hl_inbound_idx *in,
			uint32_t target, size_t max, int all_refs,
			hl_scratch *ws, hl_pathset *out, hl_diag *d)
{
	hl_scratch own = { NULL, NULL }, *sp = ws ? ws : &own;
	uint32_t *parent, *queue, head = 0, tail = 0;
	hl_vec objs;
	int oom = 0;

	hl_vec_init(&objs, sizeof(uint32_t));
	memset(out, 0, sizeof(*out));
	out->off = hl_calloc(max + 2, sizeof(size_t));
	if (hl_scratch_get(sp, g) || !out->off)
		goto fail;
	parent = sp->a;
	queue = sp->b;
	memset(parent, 0xff, (size_t)g->nobj * sizeof(uint32_t));
	parent[target] = target;
	queue[tail++] = target;
	while (head < tail && out->count < max && !oom) {
		uint32_t v = queue[head++];
		uint64_t e;

		if (g->flags[v] & F_ROOT) {
			oom = add_path(out, parent, v, target, &objs);
			continue;
		}
		for (e = in->start[v]; e < in->start[v + 1]; e++) {
			uint32_t u = in->from[e];

			if (parent[u] != HL_NONE)
				continue;
			if (!all_refs && weak_only(g, u, v))
				continue;
			parent[u] = v;
			queue[tail++] = u;
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
