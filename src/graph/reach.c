/*
 * reach.c - reachability from the GC roots, iteratively, on threads.
 *
 * A depth-first walk over the resolved edges (plus each object's implicit
 * class edge) with explicit stacks of object numbers; an object is marked
 * when pushed (an atomic test-and-set of its flag), so it is pushed once,
 * and chains of millions of objects cost memory, never C stack.
 *
 * With several threads each walks from its own stack; a thread whose stack
 * runs dry takes work from a shared pool, which the others fill with half
 * of their stack when it grows long, or as soon as someone waits.  The
 * marked set and the sums do not depend on who marked what, so the result
 * is the same for any number of threads.  The pool holds at most every
 * object once: its room is the single stack a one-thread walk needs.
 */
#include "graph/graph.h"

#include <pthread.h>
#include <stdlib.h>

#define LOCAL_CAP 4096   /* a thread's own stack */
#define CHUNK 256        /* taken from the pool at a time */

struct pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint32_t *items;
	uint64_t len;
	unsigned idle, threads;
	int done;
	unsigned hungry;     /* threads waiting: read without the lock */
};

struct walker {
	hl_graph *g;
	struct pool *pool;
	uint32_t stack[LOCAL_CAP];
	uint32_t sp;
	uint64_t objs, bytes;
};

/* Mark t; nonzero when this call marked it (push it). */
static inline int mark(hl_graph *g, uint32_t t)
{
	if (t == HL_NONE ||
	    (__atomic_load_n(&g->flags[t], __ATOMIC_RELAXED) & F_REACHABLE))
		return 0;
	return !(__atomic_fetch_or(&g->flags[t], F_REACHABLE, __ATOMIC_RELAXED) &
		 F_REACHABLE);
}

/* Move the older half of the stack to the pool. */
static void give(struct walker *w)
{
	struct pool *p = w->pool;
	uint32_t half = w->sp / 2;

	pthread_mutex_lock(&p->mu);
	memcpy(p->items + p->len, w->stack, half * sizeof(uint32_t));
	p->len += half;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	memmove(w->stack, w->stack + half, (w->sp - half) * sizeof(uint32_t));
	w->sp -= half;
}

static inline void push(struct walker *w, uint32_t t)
{
	if (!mark(w->g, t))
		return;
	if (w->sp == LOCAL_CAP)
		give(w);
	w->stack[w->sp++] = t;
}

/* Refill the stack from the pool; 0 when all the work is done. */
static int take(struct walker *w)
{
	struct pool *p = w->pool;
	uint64_t n;

	pthread_mutex_lock(&p->mu);
	while (!p->len && !p->done) {
		if (++p->idle == p->threads) { /* nobody holds work: done */
			p->done = 1;
			pthread_cond_broadcast(&p->cv);
			break;
		}
		__atomic_add_fetch(&p->hungry, 1, __ATOMIC_RELAXED);
		pthread_cond_wait(&p->cv, &p->mu);
		__atomic_sub_fetch(&p->hungry, 1, __ATOMIC_RELAXED);
		p->idle--;
	}
	if (p->done) {
		pthread_mutex_unlock(&p->mu);
		return 0;
	}
	n = p->len < CHUNK ? p->len : CHUNK;
	p->len -= n;
	memcpy(w->stack, p->items + p->len, n * sizeof(uint32_t));
	w->sp = (uint32_t)n;
	pthread_mutex_unlock(&p->mu);
	return 1;
}

static void *walk(void *arg)
{
	struct walker *w = arg;
	hl_graph *g = w->g;

	do {
		while (w->sp) {
			uint32_t o = w->stack[--w->sp];
			hl_eidx e;

			w->objs++;
			w->bytes += hl_graph_shallow(g, o);
			push(w, hl_graph_class_edge(g, o));
			for (e = g->edge_start[o]; e < g->edge_start[o + 1]; e++)
				push(w, g->edge_to[e]);
			if (w->sp > 64 && __atomic_load_n(&w->pool->hungry, __ATOMIC_RELAXED))
				give(w); /* someone waits: share */
		}
	} while (take(w));
	return NULL;
}

hl_status hl_reach_mark(hl_graph *g, unsigned threads, hl_diag *d)
{
	unsigned n = threads < 1 ? 1 : threads > 16 ? 16 : threads, k;
	struct walker *w = hl_calloc(n, sizeof(*w));
	struct pool p;
	pthread_t tid[16];
	uint32_t i;

	memset(&p, 0, sizeof(p));
	p.items = hl_malloc_array((size_t)g->nobj + 1, sizeof(uint32_t));
	if (!w || !p.items) {
		free(w);
		free(p.items);
		return hl_fail(d, HL_E_NOMEM, "out of memory for reachability");
	}
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	p.threads = n;
	/* the roots start in the pool: each object is there at most once */
	for (i = 0; i < g->nroot_objs; i++)
		if (mark(g, g->root_objs[i]))
			p.items[p.len++] = g->root_objs[i];
	for (k = 0; k < n; k++) {
		w[k].g = g;
		w[k].pool = &p;
	}
	for (k = 1; k < n; k++)
		if (pthread_create(&tid[k], NULL, walk, &w[k])) {
			tid[k] = 0;
			pthread_mutex_lock(&p.mu);
			p.threads--; /* one fewer to wait for */
			pthread_mutex_unlock(&p.mu);
		}
	walk(&w[0]);
	for (k = 1; k < n; k++)
		if (tid[k])
			pthread_join(tid[k], NULL);
	for (k = 0; k < n; k++) {
		g->reachable_objs += w[k].objs;
		g->reachable_bytes += w[k].bytes;
	}
	for (i = 0; i < g->nobj; i++)
		if (!(g->flags[i] & F_REACHABLE))
			g->unreachable_bytes += hl_graph_shallow(g, i);
	pthread_cond_destroy(&p.cv);
	pthread_mutex_destroy(&p.mu);
	free(p.items);
	free(w);
	g->reached = 1;
	return HL_OK;
}
