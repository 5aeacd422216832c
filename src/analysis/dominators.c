/*
 * dominators.c - the dominator tree of the reachable graph (Semi-NCA).
 *
 * Graph: a virtual root (DFS number 0) whose successors are the GC-root
 * objects, and the objects' references as hl_refit yields them.  As in
 * MAT, a GC-root object's only predecessor is the virtual root: edges into
 * a root object are dropped, so every root is a top-level dominator, and an
 * object reached only through two or more roots gets the virtual root as
 * immediate dominator.
 *
 * Algorithm: Semi-NCA (Georgiadis, Tarjan, Werneck, "Finding dominators in
 * practice", 2004): semidominators as in Lengauer-Tarjan (simple version:
 * path compression, here by halving, unbalanced link), then each idom is
 * the nearest common ancestor of parent and semidominator found by
 * walking up the partially built tree.  Everything is iterative: the DFS
 * keeps its pending targets and their pushers on explicit stacks, path
 * compression walks in one pass, so depth (chains of millions of
 * objects) costs memory, never C stack.
 *
 * Memory, n reachable objects: successors are the graph's resolved edges,
 * predecessors the inbound index (built once, kept for paths and
 * referrers; its sources are DFS numbers while the semidominators are
 * computed, so pre[] is freed first), so the pass adds five u32 arrays
 * (20 bytes a reachable object) and the DFS's stacks, which grow only as
 * deep as they must.  The retained sizes and idom (4 bytes an object each)
 * take the place of freed ones; the rest are freed.
 */
#include "analysis/analysis.h"

#include <pthread.h>
#include <stdlib.h>

#define NIL UINT32_MAX

struct lt {
	uint32_t n;        /* DFS numbers 0..n; 0 is the virtual root */
	uint32_t *pre;     /* object -> DFS number, NIL if unreached */
	uint32_t *vertex;  /* DFS number -> object */
	uint32_t *parent, *anc;
	uint32_t *semi;    /* 8 bytes by DFS number: links, then sums */
	uint32_t slots;    /* entries of the arrays by DFS number */
};

/*
 * Iterative DFS from the virtual root, the way a walk with a stack of
 * pending targets goes: a vertex, once numbered, pushes every successor
 * not numbered yet (its class first, then its references), and the next
 * vertex is the top target that is still not numbered when popped.  That
 * is the recursive DFS taking successors in reverse order, so its tree is
 * a DFS tree; and it is fast: a vertex's successors are read in one go,
 * their look-ups independent of each other, where a stack of (vertex,
 * cursor) frames reads one successor per step and each step waits for the
 * one before.  The stack holds the pending targets, 4 bytes each; who
 * pushed a target is told by a second stack of (vertex, where its targets
 * start) pairs, as deep as the DFS: a target's pusher is the topmost pair
 * starting at or below it.  A bitmap (an eighth of a byte an object, small
 * enough to stay in cache) says which objects not to enter: those already
 * numbered, and the GC roots, whose only predecessor is the virtual root.
 * The arrays by DFS number have room for the slots given: finding more is
 * an error (-2), never an overrun.
 */
struct owner { uint32_t v, base; };

static int dfs(struct lt *s, const hl_graph *g)
{
	uint32_t next = 1, r;
	int over = 0, oom = 0;
	uint64_t *skip = hl_calloc(((size_t)g->nobj + 63) / 64, sizeof(uint64_t));
	hl_vec todo, owners;

	if (!skip)
		return -1;
	hl_vec_init(&todo, sizeof(uint32_t));
	hl_vec_init(&owners, sizeof(struct owner));
	for (r = 0; r < g->nroot_objs; r++)
		hl_bit_set(skip, g->root_objs[r]);
	for (r = 0; r < g->nroot_objs && !over && !oom; r++) {
		uint32_t root = g->root_objs[r];
		struct owner top = { 0, 0 }; /* the virtual root pushed it */

		if (s->pre[root] != NIL)
			continue;
		if (hl_vec_push(&todo, &root) || hl_vec_push(&owners, &top)) {
			oom = 1;
			break;
		}
		while (todo.len) {
			size_t q = --todo.len, k;
			uint32_t t = HL_VEC_AT(&todo, uint32_t, q), v, c, *to;
			hl_eidx e, lo, hi;

			while (HL_VEC_AT(&owners, struct owner, owners.len - 1).base > q)
				owners.len--;
			top = HL_VEC_AT(&owners, struct owner, owners.len - 1);
			if (top.v && !hl_bit_claim(skip, t))
				continue; /* numbered since it was pushed */
			if (next >= s->slots) {
				over = 1; /* more than reachability found: refused */
				break;
			}
			if (q > 0) { /* next when t is a leaf, as most are */
				uint32_t u = HL_VEC_AT(&todo, uint32_t, q - 1);

				__builtin_prefetch(&g->edge_start[u]);
				__builtin_prefetch(&s->pre[u], 1);
				if (q > 1) { /* and its edges, the one after's rows */
					uint32_t u2 = HL_VEC_AT(&todo, uint32_t, q - 2);

					__builtin_prefetch(&g->edge_start[u2]);
					__builtin_prefetch(&skip[u2 >> 6]);
					hl_graph_ahead_cls(g, u2);
					__builtin_prefetch(&g->edge_to[g->edge_start[u]]);
				}
			}
			v = next++;
			s->pre[t] = v;
			s->vertex[v] = t;
			s->parent[v] = top.v;
			lo = g->edge_start[t];
			hi = g->edge_start[t + 1];
			if ((todo.len + (hi - lo) + 1 > todo.cap &&
			     (todo.len + (hi - lo) + 1 > UINT32_MAX ||
			      hl_vec_reserve(&todo, (size_t)(hi - lo) + 1))) ||
			    (owners.len == owners.cap && hl_vec_reserve(&owners, 1))) {
				oom = 1;
				break;
			}
			to = todo.data;
			k = todo.len;
			c = hl_graph_class_edge(g, t);
			if (c != HL_NONE && !hl_bit_get(skip, c))
				to[k++] = c;
			for (e = lo; e < hi; e++)
				if (!hl_bit_get(skip, g->edge_to[e]))
					to[k++] = g->edge_to[e];
			if (k > todo.len) {
				top = (struct owner){ v, (uint32_t)todo.len };
				HL_VEC_AT(&owners, struct owner, owners.len++) = top;
				todo.len = k;
			}
		}
		todo.len = 0;
		owners.len = 0;
	}
	hl_vec_release(&todo);
	hl_vec_release(&owners);
	free(skip);
	s->n = next - 1;
	return oom ? -1 : over ? -2 : 0;
}

/*
 * Link-eval with the vertices numbered: the loop of semi_nca() takes them
 * from the last DFS number down, so while it handles vertex i the linked
 * ones (those with an ancestor in the forest) are exactly those above i.
 * So "is x linked" is x > i, and nothing needs setting up front: an
 * unlinked vertex is its own semidominator candidate, and a vertex's link
 * is written when it is reached (the pages are touched one after the
 * other, not all at once at the start).  Eval is only ever asked for the
 * smallest semidominator on the path to the forest's root, so a link
 * keeps that number itself ("best"), beside the ancestor, where
 * Lengauer-Tarjan keep the vertex that has it (label): a compression step
 * reads one 8-byte link per vertex on the path, not four arrays.
 */
struct link { uint32_t anc, best; };

/*
 * The semidominator candidate that predecessor v offers to vertex i: v
 * itself when unlinked (an ancestor or an earlier branch), else the
 * smallest semidominator on the path from v up to its forest root (the
 * root excluded).  With path halving: each visited vertex's link is merged
 * with its parent's (their two segments of path become one, up to the
 * grandparent) and the walk goes on from the grandparent, so the visited
 * vertices' segments tile the path; one pass, no stack.
 */
static inline uint32_t offer(struct link *lk, uint32_t v, uint32_t i)
{
	uint32_t x = v, res = UINT32_MAX;

	if (v <= i)
		return v;
	do {
		uint32_t a = lk[x].anc;

		if (a > i) {
			if (lk[a].best < lk[x].best)
				lk[x].best = lk[a].best;
			lk[x].anc = lk[a].anc;
		}
		if (lk[x].best < res)
			res = lk[x].best;
		x = lk[x].anc;
	} while (x > i);
	return res;
}

/*
 * Semidominators, predecessors read from the inbound index, its sources
 * DFS numbers for the pass (placed so by the fill, or renumber()ed when
 * the index was there before): a GC-root object's
 * only predecessor is the virtual root (0); the roots are the vertices
 * whose DFS parent is the virtual root, as no other edge enters them.
 * The links live in the semi block (8 bytes a vertex), the semidominators
 * in anc[]; then the NCA step turns anc[] into the immediate dominators in
 * place (a vertex's semidominator is read just before its idom is
 * written; the walk up reads the idoms of smaller numbers, done already).
 */
static void semi_nca(struct lt *s, const hl_inbound_idx *in)
{
	struct link *lk = (struct link *)(void *)s->semi;
	uint32_t i, n = s->n, *sd = s->anc;

	for (i = n; i >= 1; i--) {
		uint32_t best = i;

		/* the predecessors of the vertices to come, ahead of time:
		 * where the lists start 16 vertices on, then their first
		 * entries 8 on (whose starts came by now); nearer, a vertex of
		 * one predecessor (most) is handled before they arrive */
		if (i > 16)
			__builtin_prefetch(&in->start[s->vertex[i - 16]]);
		if (i > 8)
			__builtin_prefetch(&in->from[in->start[s->vertex[i - 8]]]);
		if (s->parent[i] == 0) {
			best = 0;
		} else {
			uint32_t w = s->vertex[i];
			hl_eidx e, end = in->start[w + 1];

			for (e = in->start[w]; e < end; e++) {
				uint32_t v = in->from[e], c;

				if (e + 1 < end && in->from[e + 1] > i)
					__builtin_prefetch(&lk[in->from[e + 1]]);
				c = offer(lk, v, i);
				if (c < best)
					best = c;
			}
		}
		sd[i] = best;
		lk[i] = (struct link){ s->parent[i], best };
	}
	sd[0] = 0;
	for (i = 1; i <= n; i++) {
		uint32_t x = s->parent[i];

		while (x > sd[i])
			x = sd[x];
		sd[i] = x;
	}
}

static int cmp_big(const void *a, const void *b)
{
	const struct hl_objsize *x = a, *y = b;

	return x->obj < y->obj ? -1 : x->obj > y->obj;
}

/* Retained sizes, summed by DFS number (a node's idom has a smaller
 * number, so one pass from the last number down adds each subtree into
 * its dominator) in the block of the links, then stored 4 bytes an
 * object in an array that takes parent's place; idom by object takes the
 * block's. */
static hl_status finish(hl_domtree *t, struct lt *s, const hl_graph *g,
			hl_diag *d)
{
	uint64_t *acc = (uint64_t *)(void *)s->semi, bits = 0;
	uint64_t cap = t->ret_cap ? t->ret_cap : HL_RET_BIG;
	uint32_t i, *ret, *idom;
	hl_vec big;

	t->n = s->n;
	ret = s->parent; /* not needed any more: by object, room for ret */
	s->parent = NULL;
	acc[0] = 0;
	for (i = 1; i <= s->n; i++) {
		acc[i] = hl_graph_shallow(g, s->vertex[i]);
		bits |= acc[i];
	}
	for (i = s->n; i >= 1; i--)
		acc[s->anc[i]] += acc[i];
	t->total = acc[0];
	t->ret_shift = bits ? (unsigned)__builtin_ctzll(bits) : 0;
	if (t->ret_shift > 31)
		t->ret_shift = 31;
	memset(ret, 0, (size_t)g->nobj * sizeof(uint32_t));
	hl_vec_init(&big, sizeof(struct hl_objsize));
	for (i = 1; i <= s->n; i++) {
		uint64_t r = acc[i] >> t->ret_shift;
		struct hl_objsize b = { s->vertex[i], acc[i] };

		ret[s->vertex[i]] = r < cap ? (uint32_t)r : HL_RET_BIG;
		if (r >= cap && hl_vec_push(&big, &b)) {
			hl_vec_release(&big);
			free(ret);
			return hl_fail(d, HL_E_NOMEM, "out of memory for retained sizes");
		}
	}
	if (2 * ((size_t)s->n + 2) >= (size_t)g->nobj + 1) {
		/* the block of the links (two entries a vertex and the
		 * virtual root, and one spare), trimmed to the objects */
		uint32_t *fit = realloc(s->semi, ((size_t)g->nobj + 1) * sizeof(uint32_t));

		idom = fit ? fit : s->semi;
	} else {
		free(s->semi);
		idom = hl_malloc_array((size_t)g->nobj + 1, sizeof(uint32_t));
	}
	s->semi = NULL;
	if (!idom) {
		hl_vec_release(&big);
		free(ret);
		return hl_fail(d, HL_E_NOMEM, "out of memory for dominators");
	}
	for (i = 0; i < g->nobj; i++)
		idom[i] = HL_NONE;
	for (i = 1; i <= s->n; i++)
		idom[s->vertex[i]] = s->anc[i] ? s->vertex[s->anc[i]] : HL_ROOT;
	if (big.len > 1) /* big.data is NULL when there is none */
		qsort(big.data, big.len, sizeof(struct hl_objsize), cmp_big);
	t->idom = idom;
	t->ret = ret;
	t->big = big.data;
	t->nbig = big.len;
	return HL_OK;
}

/* The inbound index's counts, on a second thread while the DFS runs;
 * first reachability when it is not marked yet (the DFS does not read
 * it, the counts do).  Then the object table goes to the spill file, its
 * record offsets' memory kept for the sources: done by whichever thread
 * is free first (on a big dump the counting outlasts the DFS), once
 * reachability has read the sizes. */
struct inbound_job {
	hl_inbound_idx *in;
	hl_graph *g;
	hl_diag d;
	hl_status st;
	int reach;
	void *spare;      /* the record offsets' memory, for the sources */
	int spill_taken;  /* the object table's spill is done or under way */
	int counted;      /* hl_inbound_count_sources's result */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int marked;       /* reachability is marked */
};

/* The object table to the spill file, unless another thread took it. */
static void take_spill(struct inbound_job *j)
{
	if (!__atomic_exchange_n(&j->spill_taken, 1, __ATOMIC_ACQ_REL))
		j->spare = hl_graph_spill_keep(j->g);
}

static void *inbound_run(void *arg)
{
	struct inbound_job *j = arg;

	if (j->reach) {
		hl_status st = hl_reach_mark(j->g, 1, &j->d);

		if (j->st == HL_OK)
			j->st = st;
	}
	pthread_mutex_lock(&j->lock);
	j->marked = 1;
	pthread_cond_signal(&j->cond);
	pthread_mutex_unlock(&j->lock);
	if (j->st == HL_OK)
		j->counted = hl_inbound_count_sources(j->in, j->g);
	take_spill(j);
	return NULL;
}

/* from[e] = map[from[e]] over the inbound index, on the graph's threads:
 * object numbers to DFS numbers (map pre) before the semidominators, when
 * the index was built before the pass, and back (map vertex) after. */
#define RENUM_AHEAD 16

struct renum_job { uint32_t *from; const uint32_t *map; size_t lo, hi; };

static void *renum_run(void *arg)
{
	struct renum_job *j = arg;
	size_t e;

	for (e = j->lo; e < j->hi; e++) { /* the map's entries ahead */
		if (e + RENUM_AHEAD < j->hi)
			__builtin_prefetch(&j->map[j->from[e + RENUM_AHEAD]]);
		j->from[e] = j->map[j->from[e]];
	}
	return NULL;
}

static void renumber(const hl_inbound_idx *in, const hl_graph *g,
		     const uint32_t *map)
{
	size_t len = in->start[g->nobj];
	unsigned k, n = hl_parts(g->threads, len, (uint64_t)1 << 16, 64);
	struct renum_job job[64];

	for (k = 0; k < n; k++)
		job[k] = (struct renum_job){ in->from, map, len * k / n,
					     len * (k + 1) / n };
	hl_run_jobs(renum_run, job, sizeof(job[0]), n);
}

/* The inbound sources back to object numbers, on a second thread while
 * the retained sizes are summed, which read neither; then the index goes
 * to the spill file (read again only by path and referrer searches) on a
 * thread of its own, which its next reader waits for. */
struct back_job { hl_inbound_idx *in; hl_graph *g; const uint32_t *vertex; };

static void *back_run(void *arg)
{
	struct back_job *j = arg;
	struct renum_job r = { j->in->from, j->vertex, 0, j->in->start[j->g->nobj] };

	renum_run(&r);
	return NULL;
}

/* The second thread's part of the semidominator step: the edges to the
 * spill file, then the links' pages faulted in from the low numbers up
 * (the loop writes them from the high numbers down): no more is resident
 * at any time than at the loop's end, once the edges have gone. */
struct spill_job { hl_graph *g; void *links; size_t len; };

static void *spill_run(void *arg)
{
	struct spill_job *j = arg;

	hl_graph_spill(j->g, HL_SPILL_EDGES);
	hl_populate(j->links, j->len);
	return NULL;
}

static void lt_release(struct lt *s)
{
	free(s->pre);
	free(s->vertex);
	free(s->parent);
	free(s->semi);
	free(s->anc);
}

hl_status hl_domtree_build(hl_domtree *t, hl_graph *g,
			   hl_inbound_idx *in, hl_diag *d,
			   hl_progress_fn progress, void *ctx)
{
	struct lt s = { 0 };
	/* by object: m entries; by DFS number: the reachable objects and the
	 * virtual root (an unreachable object costs no room there), or all
	 * of them while reachability is not marked */
	size_t m = (size_t)g->nobj + 2, r;
	struct inbound_job job;
	struct back_job back;
	struct spill_job spill;
	pthread_t tid;
	hl_status st;
	uint32_t o;
	int oom, joined = 1, fill;

	if (t->done)
		return HL_OK;
	if (progress)
		progress(ctx, "dominators", 0, 4);
	/* reachability is marked beside the DFS, on the inbound index's
	 * thread; without one, first */
	memset(&job, 0, sizeof(job));
	job.reach = !g->reached;
	if (job.reach && (g->threads <= 1 || in->start)) {
		st = hl_reach_mark(g, g->threads, d);
		if (st != HL_OK)
			return st;
		job.reach = 0;
	}
	r = (job.reach ? (size_t)g->nobj : (size_t)g->reachable_objs) + 2;
	s.slots = (uint32_t)(r - 1);
	/* pre[] in the ids' block the graph build left, when there is one:
	 * its pages are there already */
	s.pre = hl_reuse(g->spare, m * sizeof(uint32_t));
	g->spare = NULL;
	s.vertex = hl_malloc_array(r, sizeof(uint32_t));
	/* by object too: retained sizes take its place (hl_malloc_array maps
	 * memory on first touch, so the room past r costs nothing before) */
	s.parent = hl_malloc_array(m, sizeof(uint32_t));
	if (!s.pre || !s.vertex || !s.parent) {
		st = hl_fail(d, HL_E_NOMEM, "out of memory for dominators");
		goto out;
	}
	for (o = 0; o < g->nobj; o++)
		s.pre[o] = NIL;
	s.vertex[0] = HL_ROOT;
	/* the DFS needs only the outbound edges: the inbound index, which the
	 * next step needs, is built meanwhile when there are threads */
	job.in = in;
	job.g = g;
	/* neither pass reads the record offsets; sizes only at the end (and
	 * reachability: when it runs beside the DFS, the object table is
	 * spilled once it is done, see inbound_run) */
	fill = !in->start; /* else built already, for paths or referrers */
	if (!job.reach && fill) /* the record offsets' memory: the sources' */
		job.spare = hl_graph_spill_keep(g);
	else if (!job.reach)
		hl_graph_spill(g, HL_SPILL_OBJECTS);
	job.spill_taken = !job.reach;
	pthread_mutex_init(&job.lock, NULL);
	pthread_cond_init(&job.cond, NULL);
	if (fill)
		job.st = hl_inbound_count_begin(in, g, &job.d);
	if (fill && g->threads > 1 &&
	    pthread_create(&tid, NULL, inbound_run, &job) == 0)
		joined = 0;
	oom = dfs(&s, g);
	if (!joined) { /* the spill, when the counting is not there yet */
		pthread_mutex_lock(&job.lock);
		while (!job.marked)
			pthread_cond_wait(&job.cond, &job.lock);
		pthread_mutex_unlock(&job.lock);
		take_spill(&job);
		pthread_join(tid, NULL);
	} else if (fill) {
		inbound_run(&job);
	}
	pthread_mutex_destroy(&job.lock);
	pthread_cond_destroy(&job.cond);
	if (job.st == HL_OK && fill)
		job.st = hl_inbound_count_end(in, g, job.counted, job.spare, &job.d);
	else
		free(job.spare);
	job.spare = NULL;
	/* the sources placed as DFS numbers, which the semidominators read:
	 * pre[] read in object order, where renumbering them after would
	 * read it at random */
	if (job.st == HL_OK && fill)
		job.st = hl_inbound_fill(in, g, s.pre, g->threads, &job.d);
	if (job.st != HL_OK) {
		st = hl_fail(d, job.st, "%s", job.d.msg);
		goto out;
	}
	if (oom == -1) {
		st = hl_fail(d, HL_E_NOMEM, "out of memory for dominators");
		goto drop;
	}
	/* the same objects as reachability: the inbound index's sources */
	if (oom || s.n != g->reachable_objs) {
		st = hl_fail(d, HL_E_STATE, "the dominator search reached %s%u objects, "
			     "reachability %llu", oom ? "more than " : "", s.n,
			     (unsigned long long)g->reachable_objs);
		goto drop;
	}
	if (progress)
		progress(ctx, "dominators", 2, 4);
	/* the predecessors in DFS numbers (filled so, or renumbered): pre[]
	 * is not needed any more, nor are the outbound edges until the
	 * dominators are known */
	if (!fill)
		renumber(in, g, s.pre);
	s.anc = s.pre; /* its room, already mapped: no page to clear again */
	s.pre = NULL;
	/* to the spill file on a second thread: the semidominators read
	 * neither (and touch their pages one after the other) */
	r = (size_t)g->reachable_objs + 2;
	s.semi = hl_malloc_array(r, 2 * sizeof(uint32_t)); /* the links */
	spill = (struct spill_job){ g, s.semi, s.semi ? r * 2 * sizeof(uint32_t) : 0 };
	joined = 1;
	if (g->threads > 1 && pthread_create(&tid, NULL, spill_run, &spill) == 0)
		joined = 0;
	else
		hl_graph_spill(g, HL_SPILL_EDGES);
	oom = !s.semi; /* s.anc is pre's block */
	if (!oom)
		semi_nca(&s, in);
	if (!joined)
		pthread_join(tid, NULL);
	if (oom) {
		hl_inbound_release(in); /* in DFS numbers: built again on use */
		st = hl_fail(d, HL_E_NOMEM, "out of memory for dominators");
		goto out;
	}
	if (progress)
		progress(ctx, "dominators", 3, 4);
	back = (struct back_job){ in, g, s.vertex };
	if (g->threads > 1 && pthread_create(&tid, NULL, back_run, &back) == 0) {
		st = finish(t, &s, g, d);
		pthread_join(tid, NULL);
		hl_inbound_spill_start(in, g);
	} else {
		st = finish(t, &s, g, d);
		back_run(&back);
		hl_inbound_spill(in, g);
	}
	if (st == HL_OK) {
		t->done = 1;
		/* two blocks by DFS number whose pages are there: for the
		 * children lists, built next by most commands */
		t->spare[0] = s.vertex;
		t->spare_len[0] = ((size_t)g->reachable_objs + 2) * sizeof(uint32_t);
		t->spare[1] = s.anc;
		t->spare_len[1] = m * sizeof(uint32_t);
		s.vertex = s.anc = NULL;
	}
	if (progress)
		progress(ctx, "dominators", 4, 4);
	goto out;
drop:
	if (fill) /* its sources are DFS numbers: built again on use */
		hl_inbound_release(in);
out:
	lt_release(&s);
	return st;
}

void hl_domtree_release(hl_domtree *t)
{
	free(t->idom);
	free(t->ret);
	free(t->big);
	free(t->kid_bits);
	free(t->kid_rank);
	free(t->kid_start);
	free(t->children);
	free(t->class_retained);
	free(t->spare[0]);
	free(t->spare[1]);
	memset(t, 0, sizeof(*t));
}
