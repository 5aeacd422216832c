/*
 * roots.c - GC roots, and stack locals as references of their thread.
 *
 * As MAT does: a Java-frame, JNI-local, native-stack or thread-block root
 * whose thread serial names a ROOT_THREAD_OBJ becomes a reference from
 * that thread object to the local (so the thread retains what only its
 * stack holds) and is no GC root; when that thread object is absent from
 * the dump the local is dropped; when the serial is unknown it stays a
 * plain root.  Roots naming absent objects are counted and dropped.  A dump
 * with no sticky-class root at all gets every bootstrap class as a system
 * class root (MAT's fallback).  ART's UNREACHABLE records are counted but
 * root nothing.
 */
#include "graph/graph.h"

#include <stdlib.h>

static int cmp_u32pair(const void *a, const void *b)
{
	const uint32_t *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0];
}

static int cmp_local(const void *a, const void *b)
{
	const struct hl_local *x = a, *y = b;

	if (x->thread != y->thread)
		return x->thread < y->thread ? -1 : 1;
	return x->frame < y->frame ? -1 : x->frame > y->frame;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* serial -> thread object number; 0 = serial unknown, 1 = known but the
 * object is absent (*obj = HL_NONE), 2 = found. */
static int thread_of(const hl_graph *g, uint32_t serial, uint32_t *obj)
{
	uint32_t lo = 0, hi = g->nthreads;

	while (lo < hi) {
		uint32_t m = lo + (hi - lo) / 2;

		if (g->thread_serials[2 * m] == serial) {
			*obj = g->thread_serials[2 * m + 1];
			return *obj == HL_NONE ? 1 : 2;
		}
		if (g->thread_serials[2 * m] < serial)
			lo = m + 1;
		else
			hi = m;
	}
	return 0;
}

static hl_status index_threads(hl_graph *g, const struct hl_rootent *r,
			       size_t n, hl_diag *d)
{
	size_t i;

	g->thread_serials = hl_malloc_array(2 * n + 2, sizeof(uint32_t));
	if (!g->thread_serials)
		return hl_fail(d, HL_E_NOMEM, "out of memory for roots");
	for (i = 0; i < n; i++) {
		if (r[i].kind != HL_ROOT_THREAD_OBJ)
			continue;
		g->thread_serials[2 * g->nthreads] = r[i].thread;
		g->thread_serials[2 * g->nthreads + 1] = hl_graph_lookup(g, r[i].id);
		g->nthreads++;
	}
	if (g->nthreads > 1)
		qsort(g->thread_serials, g->nthreads, 2 * sizeof(uint32_t), cmp_u32pair);
	return HL_OK;
}

static int is_local_kind(int k)
{
	return k == HL_ROOT_JAVA_FRAME || k == HL_ROOT_JNI_LOCAL ||
	       k == HL_ROOT_NATIVE_STACK || k == HL_ROOT_THREAD_BLOCK;
}

/* Root every bootstrap class when the dump has no sticky-class root. */
static size_t fallback_system_roots(hl_graph *g, uint32_t *objs, size_t k)
{
	uint32_t c;

	for (c = 0; c < g->nclasses; c++)
		if (g->classes[c].obj != HL_NONE && !g->classes[c].loader_id &&
		    !g->classes[c].is_array)
			objs[k++] = g->classes[c].obj;
	return k;
}

hl_status hl_roots_build(hl_graph *g, const hl_scan *sc, hl_diag *d)
{
	const struct hl_rootent *r = sc->roots.data;
	size_t n = sc->roots.len, i, k = 0;
	hl_status st = index_threads(g, r, n, d);

	if (st != HL_OK)
		return st;
	g->roots = hl_calloc(n + 1, sizeof(*g->roots)); /* padding to the index */
	g->locals = hl_calloc(n + 1, sizeof(*g->locals));
	g->root_objs = hl_malloc_array(n + g->nclasses + 1, sizeof(uint32_t));
	if (!g->roots || !g->locals || !g->root_objs)
		return hl_fail(d, HL_E_NOMEM, "out of memory for roots");
	for (i = 0; i < n; i++) {
		uint32_t o = hl_graph_lookup(g, r[i].id), t = HL_NONE;
		int known;

		g->root_kinds[r[i].kind]++;
		if (o == HL_NONE) {
			g->dangling_roots++;
			continue;
		}
		known = is_local_kind(r[i].kind) ? thread_of(g, r[i].thread, &t) : 0;
		if (known == 2) {
			struct hl_local *l = &g->locals[g->nlocals++];

			l->thread = t;
			l->obj = o;
			l->frame = r[i].frame;
			l->kind = r[i].kind;
			g->flags[t] |= F_LOCALS;
		}
		if (known)
			continue;
		g->roots[g->nroots].obj = o;
		g->roots[g->nroots].thread = r[i].thread;
		g->roots[g->nroots].frame = r[i].frame;
		g->roots[g->nroots++].kind = r[i].kind;
		if (r[i].kind != HL_ROOT_UNREACHABLE)
			g->root_objs[k++] = o;
	}
	if (!g->root_kinds[HL_ROOT_STICKY_CLASS])
		k = fallback_system_roots(g, g->root_objs, k);
	if (g->nlocals > 1)
		qsort(g->locals, g->nlocals, sizeof(*g->locals), cmp_local);
	if (k > 1)
		qsort(g->root_objs, k, sizeof(uint32_t), cmp_u32);
	g->nroot_objs = 0;
	for (i = 0; i < k; i++)
		if (!g->nroot_objs || g->root_objs[g->nroot_objs - 1] != g->root_objs[i]) {
			g->root_objs[g->nroot_objs++] = g->root_objs[i];
			g->flags[g->root_objs[i]] |= F_ROOT;
		}
	if (g->dangling_roots)
		hl_warnf(d, "%llu GC roots name objects absent from the dump",
			 (unsigned long long)g->dangling_roots);
	return HL_OK;
}
