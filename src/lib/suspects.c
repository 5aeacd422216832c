/*
 * suspects.c - leak suspects: MAT's FindLeaksQuery/LeakHunterQuery, plus
 * the collections its 10% threshold misses.
 *
 * MAT's part: threshold = P% of the heap; single suspects are the
 * top-level dominators retaining more than it; the other top-level
 * dominators grouped by class make group suspects when together above it.
 * A single suspect's accumulation point: step to the largest dominated
 * child while child/parent >= 0.7 (at most 1000 steps).  A group's: the
 * members' shortest paths from GC roots (a breadth-first tree, weak and
 * finalizer links left out), descended while more than 80% of the sampled
 * members share the node, with the same 0.7 rule on the members' retained
 * sizes below each node.  For a JDK class, the first referrer outside
 * java.*, javax.*, jdk.*, sun.*, com.sun.* says whose it is.
 *
 * Beyond MAT: a collection with many elements of which few are distinct
 * (the config client's list of 2.7 million copies of 20 strings), and a
 * static collection far larger than the other static collections, are
 * reported whatever their share of the heap.
 */
#include "analysis/collections.h"
#include "analysis/values.h"
#include "lib/heap.h"

#include <stdio.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdlib.h>
#include <xxhash.h>

#define BIG_DROP 0.7
#define GROUP_SHARE 0.8
#define MAX_SAMPLE 10000
#define MAX_DEPTH 1000

struct finder {
	hl_vec census;         /* hl_suspect: collections counted already */
	hl_heap *h;
	const hl_graph *g;
	hl_domtree *t;
	const hl_suspect_options *opt;
	hl_vec out;            /* hl_suspect */
	uint32_t *bfs_parent;  /* shortest-path tree from the roots, lazily */
	hl_scratch ws;         /* for path and referrer searches */
};

static int jdk_name(const char *nm)
{
	return !strncmp(nm, "java.", 5) || !strncmp(nm, "javax.", 6) ||
	       !strncmp(nm, "jdk.", 4) || !strncmp(nm, "sun.", 4) ||
	       !strncmp(nm, "com.sun.", 8);
}

/* The class name that tells whose an object is: for a class object, the
 * class it describes. */
static const char *owner_name(const hl_graph *g, uint32_t o)
{
	if (hl_graph_kind(g, o) == K_CLASS)
		return hl_graph_class_name(g, hl_graph_off(g, o));
	return hl_graph_class_name(g, hl_graph_cls(g, o));
}

static int is_loader(const hl_graph *g, uint32_t o)
{
	return hl_graph_kind(g, o) == K_INSTANCE && g->cls_loader != HL_NONE &&
	       hl_is_subclass(g, hl_graph_cls(g, o), g->cls_loader);
}

static int is_thread(const hl_graph *g, uint32_t o)
{
	return hl_graph_kind(g, o) == K_INSTANCE && g->cls_thread != HL_NONE &&
	       hl_is_subclass(g, hl_graph_cls(g, o), g->cls_thread);
}

/* ---- accumulation points ---- */

static uint32_t big_drop(struct finder *f, uint32_t o)
{
	unsigned depth = 0;

	while (depth++ < MAX_DEPTH) {
		const hl_obj *kids;
		size_t n = hl_dominated(f->h, o, &kids);

		if (!n)
			return o;
		if ((double)hl_dom_retained(f->t, kids[0]) / (double)hl_dom_retained(f->t, o) < BIG_DROP)
			return o;
		o = kids[0];
	}
	return HL_NONE;
}

static int bfs_step(struct finder *f, hl_vec *q, uint32_t v, uint32_t t)
{
	if (t == HL_NONE || f->bfs_parent[t] != HL_NONE)
		return 0;
	f->bfs_parent[t] = v;
	return hl_vec_push(q, &t);
}

/* Breadth-first tree from all GC roots over strong references: the
 * resolved edges (class edge first, as hl_refit yields them), or the
 * decoded record for the few objects that may have a weak link.  The
 * queue holds the frontier only: its consumed head is cut off as it grows,
 * so it takes 4 bytes for each object of the widest level or two, not of
 * the heap. */
static hl_status bfs_tree(struct finder *f)
{
	const hl_graph *g = f->g;
	uint32_t i;
	size_t head = 0;
	uint8_t *ref_class;
	hl_vec q;
	int oom = 0;

	if (f->bfs_parent)
		return HL_OK;
	hl_vec_init(&q, sizeof(uint32_t));
	f->bfs_parent = hl_malloc_array(g->nobj + 1, sizeof(uint32_t));
	ref_class = hl_calloc(g->nclasses + 1, 1);
	if (!f->bfs_parent || !ref_class)
		goto oom;
	for (i = 0; i < g->nclasses; i++)
		ref_class[i] = (uint8_t)hl_graph_is_reference(g, i);
	memset(f->bfs_parent, 0xff, (size_t)g->nobj * sizeof(uint32_t));
	for (i = 0; i < g->nroot_objs && !oom; i++) {
		f->bfs_parent[g->root_objs[i]] = g->root_objs[i];
		oom = hl_vec_push(&q, &g->root_objs[i]);
	}
	while (head < q.len && !oom) {
		uint32_t v = HL_VEC_AT(&q, uint32_t, head++);
		hl_refit it;
		uint64_t id;
		hl_eidx e;

		if (head >= 65536 && head * 2 >= q.len) { /* cut the head off */
			memmove(q.data, (uint32_t *)q.data + head,
				(q.len - head) * sizeof(uint32_t));
			q.len -= head;
			head = 0;
		}
		if (!hl_graph_may_be_weak(g, v, ref_class)) {
			oom = bfs_step(f, &q, v, hl_graph_class_edge(g, v));
			for (e = g->edge_start[v]; e < g->edge_start[v + 1] && !oom; e++)
				oom = bfs_step(f, &q, v, g->edge_to[e]);
			continue;
		}
		hl_refit_init(&it, g, v);
		while (!oom && hl_refit_next(&it, &id))
			if (!hl_refit_weak(&it))
				oom = bfs_step(f, &q, v, hl_graph_lookup(g, id));
	}
	if (oom)
		goto oom;
	hl_vec_release(&q);
	free(ref_class);
	return HL_OK;
oom:
	hl_vec_release(&q);
	free(ref_class);
	free(f->bfs_parent);
	f->bfs_parent = NULL;
	return hl_fail(&f->h->diag, HL_E_NOMEM, "out of memory for paths");
}

struct tally { uint32_t node; uint64_t retained; };

static int cmp_tally(const void *a, const void *b)
{
	const struct tally *x = a, *y = b;

	return x->node < y->node ? -1 : x->node > y->node;
}

/* The node most paths have at `level` (among those through `through` at
 * level-1, or all when through is HL_NONE): its count and retained sum. */
static uint32_t best_at(const uint32_t *paths, const size_t *off, size_t n,
			size_t level, uint32_t through, struct tally *tmp,
			uint64_t *count, uint64_t *ret, const uint64_t *mret)
{
	size_t i, k = 0, run;
	uint32_t best = HL_NONE;

	*count = 0;
	*ret = 0;
	for (i = 0; i < n; i++) {
		size_t len = off[i + 1] - off[i];

		if (len <= level)
			continue;
		if (through != HL_NONE && paths[off[i] + level - 1] != through)
			continue;
		tmp[k].node = paths[off[i] + level];
		tmp[k++].retained = mret[i];
	}
	qsort(tmp, k, sizeof(*tmp), cmp_tally);
	for (i = 0; i < k; i += run) {
		uint64_t sum = 0;

		for (run = 0; i + run < k && tmp[i + run].node == tmp[i].node; run++)
			sum += tmp[i + run].retained;
		if (run > *count) {
			*count = run;
			*ret = sum;
			best = tmp[i].node;
		}
	}
	return best;
}

/* MAT's group accumulation point over the members' merged paths. */
static uint32_t group_point(struct finder *f, const uint32_t *members, size_t n)
{
	hl_vec paths;
	size_t *off = hl_calloc(n + 1, sizeof(size_t)), i, m = 0, level = 0;
	uint64_t *mret = hl_calloc(n + 1, sizeof(uint64_t));
	struct tally *tmp = hl_calloc(n + 1, sizeof(*tmp));
	uint32_t node, ap = HL_NONE, chain[MAX_DEPTH + 1];
	uint64_t count, ret;

	hl_vec_init(&paths, sizeof(uint32_t));
	if (!off || !mret || !tmp || bfs_tree(f) != HL_OK)
		goto out;
	for (i = 0; i < n; i++) { /* root-first path of each member */
		uint32_t x = members[i], k = 0;

		while (k <= MAX_DEPTH && x != HL_NONE) {
			chain[k++] = x;
			if (f->bfs_parent[x] == x)
				break;
			x = f->bfs_parent[x];
		}
		if (x == HL_NONE || k > MAX_DEPTH)
			continue;
		while (k)
			if (hl_vec_push(&paths, &chain[--k]))
				goto out;
		mret[m] = hl_dom_retained(f->t, members[i]);
		off[++m] = paths.len;
	}
	node = best_at(paths.data, off, m, 0, HL_NONE, tmp, &count, &ret, mret);
	while (node != HL_NONE && count > (uint64_t)(GROUP_SHARE * (double)m)) {
		uint64_t ccount, cret;
		uint32_t child = best_at(paths.data, off, m, level + 1, node, tmp,
					 &ccount, &cret, mret);

		if (child == HL_NONE || (double)cret / (double)ret < BIG_DROP) {
			ap = node;
			break;
		}
		node = child;
		count = ccount;
		ret = cret;
		level++;
	}
out:
	hl_vec_release(&paths);
	free(off);
	free(mret);
	free(tmp);
	return ap;
}

/* ---- who it belongs to ---- */

/* First referrer (breadth-first over inbound references) outside the JDK,
 * or a thread. */
static uint32_t find_referrer(struct finder *f, uint32_t start)
{
	const hl_graph *g = f->g;
	struct hl_qitem first = { start, HL_NONE };
	uint32_t head, found = HL_NONE;
	hl_vec *q = &f->ws.queue;
	const hl_obj *in;

	if (hl_inbound(f->h, start, &in), !f->h->in.start)
		return HL_NONE;
	if (hl_scratch_get(&f->ws, g) || hl_vec_push(q, &first))
		return HL_NONE;
	hl_scratch_meet(&f->ws, start);
	for (head = 0; head < q->len && head < 1000000 && found == HL_NONE; head++) {
		uint32_t v = HL_VEC_AT(q, struct hl_qitem, head).obj;
		size_t n = hl_inbound(f->h, v, &in), i;

		for (i = 0; i < n && found == HL_NONE; i++) {
			struct hl_qitem it = { in[i], head };

			if (!hl_scratch_meet(&f->ws, it.obj))
				continue;
			if (is_thread(g, it.obj) || is_loader(g, it.obj) ||
			    !jdk_name(owner_name(g, it.obj)))
				found = it.obj;
			else if (hl_vec_push(q, &it))
				return HL_NONE;
		}
	}
	return found;
}

/* ---- what a collection holds ---- */

struct counter {
	const hl_graph *g;
	uint64_t *keys;   /* 0 = empty slot */
	uint64_t *counts;
	uint32_t *example;
	uint32_t *first;  /* ordinal of the value's first appearance */
	uint64_t mask, distinct, total;
	int use_keys;     /* sets: count keys, maps: values */
	uint64_t stop_at; /* stop once this many distinct values are seen */
	int full;         /* the table could not grow */
	int *stop;        /* shared by the threads of one probe: set by the
			   * first that passes stop_at, read by all */
};

/* Double the census table (open addressing, linear probing). */
static int grow(struct counter *c)
{
	uint64_t slots = (c->mask + 1) * 2, i, j;
	uint64_t *keys = hl_calloc(slots, sizeof(uint64_t));
	uint64_t *counts = hl_calloc(slots, sizeof(uint64_t));
	uint32_t *example = hl_calloc(slots, sizeof(uint32_t));
	uint32_t *first = hl_calloc(slots, sizeof(uint32_t));

	if (!keys || !counts || !example || !first || slots > (1u << 27)) {
		free(keys);
		free(counts);
		free(example);
		free(first);
		return -1;
	}
	for (i = 0; i <= c->mask; i++) {
		if (!c->keys[i])
			continue;
		for (j = c->keys[i] & (slots - 1); keys[j]; j = (j + 1) & (slots - 1))
			;
		keys[j] = c->keys[i];
		counts[j] = c->counts[i];
		example[j] = c->example[i];
		first[j] = c->first[i];
	}
	free(c->keys);
	free(c->counts);
	free(c->example);
	free(c->first);
	c->keys = keys;
	c->counts = counts;
	c->example = example;
	c->first = first;
	c->mask = slots - 1;
	return 0;
}

/* Add n occurrences of key k (first seen at ordinal first, as object o). */
static void tally(struct counter *c, uint64_t k, uint64_t n, uint32_t o,
		  uint32_t first)
{
	uint64_t i;

	if (c->distinct * 2 >= c->mask && grow(c))
		c->full = 1;
	for (i = k & c->mask; c->keys[i] && c->keys[i] != k; i = (i + 1) & c->mask)
		;
	if (!c->keys[i]) {
		if (c->full)
			return; /* table full: stop counting new values */
		c->keys[i] = k;
		c->example[i] = o;
		c->first[i] = first;
		c->distinct++;
	}
	c->counts[i] += n;
}

static int count_one(void *ctx, uint32_t value, uint32_t key)
{
	struct counter *c = ctx;
	uint32_t o = c->use_keys ? key : value;

	if (c->stop && __atomic_load_n(c->stop, __ATOMIC_RELAXED))
		return 1;
	c->total++;
	tally(c, hl_content_key(c->g, o) | 1, 1, o, (uint32_t)c->total);
	if (c->distinct > c->stop_at) {
		if (c->stop)
			__atomic_store_n(c->stop, 1, __ATOMIC_RELAXED);
		return 1;
	}
	return 0;
}

static void value_text(const hl_heap *h, uint32_t o, char *buf, size_t len)
{
	const hl_graph *g = &h->g;
	hl_field_value fv;

	if (o == HL_NONE) {
		snprintf(buf, len, "null");
	} else if (hl_graph_cls(g, o) == g->cls_string) {
		hl_string_value(h, o, 100, buf, len);
	} else if (hl_object_field(h, o, "value", &fv) && fv.type != HL_T_OBJECT) {
		hl_format_value(fv.type, fv.bits, buf, len);
	} else {
		snprintf(buf, len, "%s@0x%llx", hl_graph_class_name(g, hl_graph_cls(g, o)),
			 (unsigned long long)hl_graph_id(g, o));
	}
}

static void top_values(struct finder *f, struct counter *c, hl_suspect *s)
{
	unsigned k;

	s->ntop = 0;
	for (k = 0; k < 5; k++) {
		uint64_t i, best = UINT64_MAX;

		for (i = 0; i <= c->mask; i++)
			if (c->keys[i] && c->counts[i] &&
			    (best == UINT64_MAX || c->counts[i] > c->counts[best] ||
			     (c->counts[i] == c->counts[best] &&
			      c->first[i] < c->first[best])))
				best = i;
		if (best == UINT64_MAX)
			break;
		s->top[k].count = c->counts[best];
		s->top[k].example = c->example[best];
		value_text(f->h, c->example[best], s->top[k].text, sizeof(s->top[k].text));
		c->counts[best] = 0;
		s->ntop++;
	}
}

static int census(struct finder *f, uint32_t o, hl_suspect *s,
		  uint64_t stop_at);
static int full_census(struct finder *f, uint32_t o, hl_suspect *s);

/* Fill the holder fields of s from collection o, counting it only once. */
static int describe(struct finder *f, uint32_t o, hl_suspect *s)
{
	size_t i;

	for (i = 0; i < f->census.len; i++) {
		const hl_suspect *c = &HL_VEC_AT(&f->census, hl_suspect, i);

		if (c->holder == o) {
			s->holder = o;
			s->holder_kind = c->holder_kind;
			s->elements = c->elements;
			s->distinct = c->distinct;
			memcpy(s->top, c->top, sizeof(s->top));
			s->ntop = c->ntop;
			return 1;
		}
	}
	if (!full_census(f, o, s))
		return 0;
	hl_vec_push(&f->census, s);
	return 1;
}

/* A full census gathers (first-seen ordinal | element) of every element,
 * then their content keys (content_keys), and radix-sorts them on the
 * keys: runs of equal keys are the distinct values, each run's first
 * entry its first appearance.  Sequential memory access, unlike a hash
 * table as large as the collection. */
struct gather {
	const hl_graph *g;
	hl_vec ents;      /* struct hl_objent: id = key, offk = ordinal << 32 | obj */
	int use_keys;
	int oom;
};

/* The element, in walk order; its content key comes after the walk
 * (key_run). */
static int gather_one(void *ctx, uint32_t value, uint32_t key)
{
	struct gather *ga = ctx;
	uint32_t o = ga->use_keys ? key : value;
	struct hl_objent e;

	e.id = 0;
	e.offk = ((uint64_t)ga->ents.len << 32) | o;
	if (hl_vec_push(&ga->ents, &e)) {
		ga->oom = 1;
		return 1;
	}
	return 0;
}

/* Insert a run into the five most frequent (count desc, first seen asc). */
static void keep_top(struct hl_value_count *top, uint64_t *first, unsigned *n,
		     uint64_t count, uint64_t ord, uint32_t obj)
{
	unsigned i = *n < 5 ? (*n)++ : 5;

	while (i > 0 && (top[i - 1].count < count ||
			 (top[i - 1].count == count && first[i - 1] > ord))) {
		if (i < 5) {
			top[i] = top[i - 1];
			first[i] = first[i - 1];
		}
		i--;
	}
	if (i < 5) {
		top[i].count = count;
		top[i].example = obj;
		first[i] = ord;
	}
}

/* How many threads walk collection o: g->threads (at most 8) for big
 * collections, one for the others. */
static unsigned walk_threads(const struct finder *f, uint32_t o)
{
	unsigned n = f->g->threads ? f->g->threads : 1;

	if (hl_coll_size(f->g, o) < 50000)
		return 1;
	return n > 8 ? 8 : n;
}

/* One thread's part of a walk. */
struct walk_part {
	const hl_graph *g;
	uint32_t coll;
	unsigned k, parts;
	hl_elem_fn fn;
	void *ctx;
	uint64_t visited;
	hl_dropper drop;
};

/* Each element through the part's own function; the first part drops the
 * dump's pages from the process when too many are mapped
 * (hl_graph_drop_step), as a census of millions reads records all over the
 * dump (they stay in the page cache; the other parts map back in what they
 * still read). */
static int walk_elem(void *arg, uint32_t value, uint32_t key)
{
	struct walk_part *p = arg;

	if (p->k == 0)
		hl_graph_drop_step(p->g, &p->drop);
	return p->fn(p->ctx, value, key);
}

static void *walk_run(void *arg)
{
	struct walk_part *p = arg;

	p->visited = hl_coll_each_part(p->g, p->coll, p->k, p->parts,
				       walk_elem, p);
	return NULL;
}

/* Walk collection o in n parts at once, part k calling fn with ctx[k];
 * visited[k]: the elements part k visited.  The parts in order are one
 * whole walk (hl_coll_each_part). */
static void walk_parallel(const hl_graph *g, uint32_t o, unsigned n,
			  hl_elem_fn fn, void **ctx, uint64_t *visited)
{
	struct walk_part p[8];
	unsigned k;

	for (k = 0; k < n; k++)
		p[k] = (struct walk_part){ g, o, k, n, fn, ctx[k], 0, { 0 } };
	hl_run_jobs(walk_run, p, sizeof(p[0]), n);
	for (k = 0; k < n; k++)
		visited[k] = p[k].visited;
}

/* Gather collection o on up to 8 threads, and join the parts in order,
 * renumbering first-seen ordinals as one walk would. */
static int gather_all(struct finder *f, uint32_t o, int use_keys,
		      struct gather *all, uint64_t *visited)
{
	struct gather ga[8];
	void *ctx[8];
	uint64_t seen[8], i;
	unsigned n = walk_threads(f, o), k;
	int oom;

	for (k = 0; k < n; k++) {
		ga[k] = (struct gather){ f->g, { 0 }, use_keys, 0 };
		hl_vec_init(&ga[k].ents, sizeof(struct hl_objent));
		ctx[k] = &ga[k];
	}
	walk_parallel(f->g, o, n, gather_one, ctx, seen);
	*all = ga[0];
	oom = all->oom;
	*visited = seen[0];
	for (k = 1; k < n; k++) {
		struct hl_objent *e = ga[k].ents.data;
		uint64_t base = all->ents.len; /* entries before this part */

		oom |= ga[k].oom;
		*visited += seen[k];
		for (i = 0; i < ga[k].ents.len; i++)
			e[i].offk += base << 32;
		if (!oom && ga[k].ents.len &&
		    !hl_vec_reserve(&all->ents, ga[k].ents.len)) {
			memcpy((struct hl_objent *)all->ents.data + all->ents.len, e,
			       ga[k].ents.len * sizeof(*e));
			all->ents.len += ga[k].ents.len;
		} else if (ga[k].ents.len) {
			oom = 1;
		}
		hl_vec_release(&ga[k].ents);
	}
	all->oom = oom;
	return !oom;
}

/*
 * The content keys of gathered elements [lo, hi), in one pass over the
 * array: the elements are all over the heap and each key is a few
 * dependent random reads (the object's row of the object table, its
 * edges, its record, a String's array), so the rows of the element 16
 * ahead and the edges and record of the element 8 ahead are asked for
 * before they are needed.  The first part drops the dump's pages from the
 * process as walk_elem does.
 */
struct key_part {
	const hl_graph *g;
	struct hl_objent *e;
	size_t lo, hi;
	int drops;
};

static void *key_run(void *arg)
{
	struct key_part *p = arg;
	const hl_graph *g = p->g;
	struct hl_objent *e = p->e;
	hl_dropper drop = { 0 };
	size_t j;

	for (j = p->lo; j < p->hi; j++) {
		if (j + 16 < p->hi)
			hl_graph_ahead_rows(g, (uint32_t)e[j + 16].offk);
		if (j + 8 < p->hi)
			hl_graph_ahead_record(g, (uint32_t)e[j + 8].offk);
		if (p->drops)
			hl_graph_drop_step(g, &drop);
		e[j].id = hl_content_key(g, (uint32_t)e[j].offk);
	}
	return NULL;
}

/* Whether gathered elements lie scattered over the heap, as G1 leaves a
 * table's values (hl_scattered). */
static int ents_scattered(const struct hl_objent *e, size_t n)
{
	hl_scatter sc = { 0 };
	size_t i;

	for (i = 0; i < n; i++)
		hl_scatter_add(&sc, (uint32_t)e[i].offk);
	return n >= 4096 && hl_scattered(&sc);
}

static void content_keys(const struct finder *f, uint32_t o, hl_vec *ents)
{
	struct key_part p[8];
	unsigned n = walk_threads(f, o), k;
	struct hl_objent *e = ents->data;
	size_t i;

	/* scattered elements in object order, so that their records are
	 * read in the dump's order (or near it) and their pages dropped
	 * behind; the sort by key that follows puts the keys in one order
	 * whatever this one (by key, then first sight) */
	if (ents_scattered(e, ents->len)) {
		for (i = 0; i < ents->len; i++)
			e[i].id = (uint32_t)e[i].offk;
		(void)hl_sort_entries(e, ents->len, f->g->threads);
	}

	for (k = 0; k < n; k++)
		p[k] = (struct key_part){ f->g, ents->data, ents->len * k / n,
					  ents->len * (k + 1) / n, k == 0 };
	hl_run_jobs(key_run, p, sizeof(p[0]), n);
}

static int full_census(struct finder *f, uint32_t o, hl_suspect *s)
{
	enum hl_coll kind = hl_coll_kind(f->g, o);
	struct gather ga;
	const struct hl_objent *e;
	uint64_t first[5], i, run;
	unsigned k;

	if (kind == COLL_NONE)
		return 0;
	if (!gather_all(f, o, kind == COLL_SET, &ga, &s->elements)) {
		hl_vec_release(&ga.ents);
		return 0;
	}
	e = ga.ents.data;
	s->distinct = 0;
	s->ntop = 0;
	if (kind == COLL_SET && ga.ents.len == hl_coll_size(f->g, o)) {
		/* a set's elements are distinct (equal ones are one element),
		 * each once, the first five first: no keys, no sort, unless
		 * the walk and the set's size disagree (a damaged heap) */
		s->distinct = ga.ents.len;
		for (i = 0; i < ga.ents.len && s->ntop < 5; i++)
			keep_top(s->top, first, &s->ntop, 1, i, (uint32_t)e[i].offk);
		ga.ents.len = 0;
	} else {
		content_keys(f, o, &ga.ents);
		if (hl_sort_entries(ga.ents.data, ga.ents.len, f->g->threads)) {
			hl_vec_release(&ga.ents);
			return 0;
		}
	}
	for (i = 0; i < ga.ents.len; i += run) {
		for (run = 1; i + run < ga.ents.len && e[i + run].id == e[i].id; run++)
			;
		s->distinct++;
		keep_top(s->top, first, &s->ntop, run, e[i].offk >> 32,
			 (uint32_t)e[i].offk);
	}
	for (k = 0; k < s->ntop; k++)
		value_text(f->h, s->top[k].example, s->top[k].text,
			   sizeof(s->top[k].text));
	s->holder = o;
	s->holder_kind = hl_coll_name(kind);
	hl_vec_release(&ga.ents);
	return 1;
}

static int counter_init(struct counter *c, const hl_graph *g, int use_keys,
			uint64_t stop_at, int *stop)
{
	memset(c, 0, sizeof(*c));
	c->g = g;
	c->use_keys = use_keys;
	c->stop_at = stop_at;
	c->stop = stop;
	c->mask = 1023; /* grows as distinct values come */
	c->keys = hl_calloc(c->mask + 1, sizeof(uint64_t));
	c->counts = hl_calloc(c->mask + 1, sizeof(uint64_t));
	c->example = hl_calloc(c->mask + 1, sizeof(uint32_t));
	c->first = hl_calloc(c->mask + 1, sizeof(uint32_t));
	return c->keys && c->counts && c->example && c->first ? 0 : -1;
}

static void counter_release(struct counter *c)
{
	free(c->keys);
	free(c->counts);
	free(c->example);
	free(c->first);
}

/*
 * census() of a list, deque or array whose elements lie scattered over the
 * heap (as when a list is filled from a map's values under G1): counting
 * them in list order read their records at random, mapping and dropping
 * the dump's pages again and again (11.4 s for 2 million on a 179 MB
 * dump).  So the elements are gathered, their keys computed in object
 * order (content_keys), and the keys counted in list order as one walk
 * counts them, stopping at the same element.  0 when the elements are
 * not scattered (hl_coll_scattered, asked before anything is gathered: a
 * list made under G1 in its allocation order is reordered only locally,
 * and a walk reads it in order, or near it) or memory lacks: census()
 * counts them as it walks then.
 */
static int census_scattered(struct finder *f, uint32_t o, enum hl_coll kind,
			    hl_suspect *s, uint64_t stop_at)
{
	struct gather ga;
	struct counter c;
	struct hl_objent *e;
	uint64_t visited, i, total = 0;
	int done = 0;

	if (!hl_coll_scattered(f->g, o))
		return 0;
	if (!gather_all(f, o, 0, &ga, &visited)) {
		hl_vec_release(&ga.ents);
		return 0;
	}
	if (counter_init(&c, f->g, 0, stop_at, NULL)) { /* its arrays too */
		counter_release(&c);
		hl_vec_release(&ga.ents);
		return 0;
	}
	content_keys(f, o, &ga.ents);
	e = ga.ents.data;
	for (i = 0; i < ga.ents.len; i++) { /* back in list order */
		uint64_t key = e[i].id;

		e[i].id = e[i].offk;
		e[i].offk = key;
	}
	if (!hl_sort_entries(e, ga.ents.len, f->g->threads)) {
		for (i = 0; i < ga.ents.len; i++) {
			total++;
			tally(&c, e[i].offk | 1, 1, (uint32_t)e[i].id, (uint32_t)total);
			if (c.distinct > stop_at)
				break;
		}
		s->holder = o;
		s->holder_kind = hl_coll_name(kind);
		s->elements = total;
		s->distinct = c.distinct > stop_at ? stop_at + 1 : c.distinct;
		if (c.distinct <= stop_at)
			top_values(f, &c, s);
		done = 1;
	}
	counter_release(&c);
	hl_vec_release(&ga.ents);
	return done;
}

/*
 * A probe: count the elements of collection o and their distinct values,
 * stopping (an incomplete census) once more than stop_at distinct values
 * are seen.  Big collections are split over threads, each with its own
 * table, all stopping when one passes stop_at (the whole then has more
 * too); the tables are merged in walk order, so the counts and first
 * appearances are those of a single walk.
 */
static int census(struct finder *f, uint32_t o, hl_suspect *s,
		  uint64_t stop_at)
{
	enum hl_coll kind = hl_coll_kind(f->g, o);
	unsigned n = walk_threads(f, o), k;
	struct counter c[8];
	void *ctx[8];
	uint64_t seen[8], base, i;
	int stop = 0, ok = 1;

	if (kind == COLL_NONE)
		return 0;
	if (census_scattered(f, o, kind, s, stop_at))
		return 1;
	for (k = 0; k < n; k++) {
		ok &= !counter_init(&c[k], f->g, kind == COLL_SET, stop_at, &stop);
		ctx[k] = &c[k];
	}
	if (ok) {
		walk_parallel(f->g, o, n, count_one, ctx, seen);
		s->holder = o;
		s->holder_kind = hl_coll_name(kind);
		s->elements = seen[0];
		for (k = 1, base = c[0].total; k < n; k++) {
			s->elements += seen[k];
			for (i = 0; i <= c[k].mask && !stop; i++)
				if (c[k].keys[i])
					tally(&c[0], c[k].keys[i], c[k].counts[i],
					      c[k].example[i],
					      (uint32_t)(base + c[k].first[i]));
			base += c[k].total;
		}
		s->distinct = stop ? stop_at + 1 : c[0].distinct;
		if (!stop)
			top_values(f, &c[0], s);
	}
	for (k = 0; k < n; k++)
		counter_release(&c[k]);
	return s->holder != HL_NONE;
}

/* The collection nearest the accumulation point: it, or a dominator of it
 * up to three levels up when it is a backing array or an entry; and when
 * that collection backs another (a HashSet's map), the outer one. */
static void describe_point(struct finder *f, uint32_t ap, hl_suspect *s)
{
	uint32_t x = ap, k, p;

	for (k = 0; k < 4 && x != HL_NONE && x != HL_ROOT; k++) {
		enum hl_coll kind = hl_coll_kind(f->g, x);

		if (kind != COLL_NONE && kind != COLL_ARRAY) {
			p = f->t->idom[x];
			if (s->path_len >= 2 && s->path[s->path_len - 1] == x)
				p = s->path[s->path_len - 2]; /* who holds it */
			if (p != HL_ROOT && p != HL_NONE &&
			    hl_coll_kind(f->g, p) != COLL_NONE &&
			    hl_coll_kind(f->g, p) != COLL_ARRAY)
				x = p;
			describe(f, x, s);
			return;
		}
		x = f->t->idom[x];
	}
	if (hl_coll_kind(f->g, ap) == COLL_ARRAY)
		describe(f, ap, s);
}

/* ---- explanations ---- */

static void say(hl_suspect *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(hl_suspect *s, const char *fmt, ...)
{
	size_t n = strlen(s->why);
	va_list ap;

	if (n >= sizeof(s->why) - 2)
		return;
	if (n)
		s->why[n++] = ' ';
	va_start(ap, fmt);
	vsnprintf(s->why + n, sizeof(s->why) - n, fmt, ap);
	va_end(ap);
}

static int path_has(const hl_graph *g, const hl_suspect *s, const char *cls)
{
	size_t i;

	for (i = 0; i < s->path_len; i++)
		if (!strcmp(owner_name(g, s->path[i]), cls) ||
		    !strcmp(hl_graph_class_name(g, hl_graph_cls(g, s->path[i])), cls))
			return 1;
	return 0;
}

/* How many class loaders define a class of this name. */
static unsigned loaders_of(const hl_graph *g, uint32_t cls)
{
	const char *nm = hl_graph_class_name(g, cls);
	unsigned n = 0;
	uint32_t c;

	for (c = 0; c < g->nclass_ids; c++)
		if (!strcmp(hl_graph_class_name(g, c), nm))
			n++;
	return n;
}

static void explain(struct finder *f, hl_suspect *s)
{
	const hl_graph *g = f->g;
	uint32_t c = hl_graph_kind(g, s->obj) == K_CLASS ?
		(uint32_t)hl_graph_off(g, s->obj) : s->cls;
	unsigned n;

	if (path_has(g, s, "java.io.DeleteOnExitHook"))
		say(s, "java.io.DeleteOnExitHook keeps every path given to File.deleteOnExit() until the JVM exits: a long-running process calling it for each temporary file grows without bound; delete temporary files explicitly instead.");
	if (path_has(g, s, "java.lang.ThreadLocal$ThreadLocalMap"))
		say(s, "It is held through a ThreadLocal value on a thread; pool threads live as long as the pool, so a value set and never removed (ThreadLocal.remove) keeps its class loader and every static of that loader's classes alive.");
	if (path_has(g, s, "java.lang.ref.Finalizer"))
		say(s, "It is held by the finalizer queue: objects with finalize() wait there until the finalizer thread runs them; a backlog means finalization is slower than allocation.");
	if (c != HL_NONE && c < g->nclass_ids && (n = loaders_of(g, c)) > 1)
		say(s, "The class %s is loaded by %u class loaders: an application redeployed without its old loaders being released keeps one copy per deployment.",
		    hl_graph_class_name(g, c), n);
}

/* ---- putting suspects together ---- */

static hl_status finish(struct finder *f, hl_suspect *s)
{
	uint32_t target = s->accumulation != HL_NONE ? s->accumulation : s->obj;
	hl_pathset ps;
	hl_status st;

	s->referrer = HL_NONE;
	st = hl_inbound_build(&f->h->in, f->g, &f->h->diag);
	if (st != HL_OK)
		return st;
	st = hl_paths_find(f->g, &f->h->in, target, 1, 0, &f->ws, &ps,
			   &f->h->diag);
	if (st != HL_OK)
		return st;
	if (ps.count) {
		s->path = ps.objs;
		s->path_len = ps.off[1];
		ps.objs = NULL;
	}
	hl_pathset_release(&ps);
	/* whose is it: asked of the accumulation point when there is one
	 * inside the suspect, else of the suspect; a thread or a class
	 * loader names itself */
	if (s->accumulation != HL_NONE && s->accumulation != s->obj &&
	    !is_thread(f->g, s->accumulation))
		target = s->accumulation;
	else
		target = s->obj;
	if (jdk_name(owner_name(f->g, target)) && !is_thread(f->g, target) &&
	    !is_loader(f->g, target))
		s->referrer = find_referrer(f, target);
	if (s->holder == HL_NONE && s->accumulation != HL_NONE)
		describe_point(f, s->accumulation, s);
	if (is_thread(f->g, s->obj))
		s->thread = s->obj;
	explain(f, s);
	return HL_OK;
}

static hl_suspect *push(struct finder *f, int kind, uint32_t obj, uint64_t retained)
{
	hl_suspect s;

	memset(&s, 0, sizeof(s));
	s.kind = kind;
	s.obj = obj;
	s.cls = hl_graph_cls(f->g, obj);
	s.retained = retained;
	s.accumulation = s.referrer = s.thread = s.holder = HL_NONE;
	s.static_owner = HL_NONE;
	if (hl_vec_push(&f->out, &s))
		return NULL;
	return &HL_VEC_AT(&f->out, hl_suspect, f->out.len - 1);
}

static hl_status mat_suspects(struct finder *f, uint64_t threshold)
{
	const hl_obj *top;
	size_t n = hl_dominated(f->h, HL_ROOT, &top), i = 0, k;
	uint64_t *sum = hl_calloc(f->g->nclasses + 1, sizeof(uint64_t));
	uint32_t *members = NULL;
	hl_status st = HL_OK;

	if (!sum)
		return hl_fail(&f->h->diag, HL_E_NOMEM, "out of memory");
	for (; i < n && hl_dom_retained(f->t, top[i]) > threshold; i++) {
		hl_suspect *s = push(f, HL_SUSPECT_SINGLE, top[i], hl_dom_retained(f->t, top[i]));

		if (!s)
			goto oom;
		s->accumulation = big_drop(f, top[i]);
	}
	for (k = i; k < n; k++)
		sum[hl_graph_cls(f->g, top[k])] += hl_dom_retained(f->t, top[k]);
	members = hl_malloc_array(n + 1, sizeof(uint32_t));
	if (!members)
		goto oom;
	for (k = 0; k < f->g->nclasses; k++) {
		size_t m = 0, j;
		hl_suspect *s;

		if (sum[k] <= threshold)
			continue;
		for (j = i; j < n; j++)
			if (hl_graph_cls(f->g, top[j]) == k && m < MAX_SAMPLE)
				members[m++] = top[j];
		s = push(f, HL_SUSPECT_GROUP, members[0], sum[k]);
		if (!s)
			goto oom;
		s->cls = (uint32_t)k;
		for (j = i, s->members = 0; j < n; j++)
			s->members += hl_graph_cls(f->g, top[j]) == k;
		s->accumulation = group_point(f, members, m);
	}
	free(sum);
	free(members);
	return st;
oom:
	free(sum);
	free(members);
	return hl_fail(&f->h->diag, HL_E_NOMEM, "out of memory for suspects");
}

/* Is a at most three dominator-tree steps below b, through collections
 * and arrays only (a set and its map, a list and its array)? */
static int below(const struct finder *f, uint32_t a, uint32_t b)
{
	int k;

	for (k = 0; k < 4 && a != HL_NONE && a != HL_ROOT; k++) {
		if (a == b)
			return 1;
		a = f->t->idom[a];
		if (a == HL_NONE || a == HL_ROOT ||
		    hl_coll_kind(f->g, a) == COLL_NONE)
			return a == b;
	}
	return 0;
}

/* Is this collection already described by a suspect (the same memory:
 * the suspect, its accumulation point or its holder, a few dominator
 * steps apart)? */
static hl_suspect *reported(struct finder *f, uint32_t o)
{
	size_t i, k;

	for (i = 0; i < f->out.len; i++) {
		hl_suspect *s = &HL_VEC_AT(&f->out, hl_suspect, i);
		uint32_t mine[3] = { s->obj, s->accumulation, s->holder };

		if (s->obj == o)
			return s;
		for (k = 1; k < 3; k++)
			if (mine[k] != HL_NONE &&
			    (below(f, mine[k], o) || below(f, o, mine[k])))
				return s;
	}
	return NULL;
}

/* A census taken already, or NULL. */
static const hl_suspect *census_of(const struct finder *f, uint32_t o)
{
	size_t i;

	for (i = 0; i < f->census.len; i++)
		if (HL_VEC_AT(&f->census, hl_suspect, i).holder == o)
			return &HL_VEC_AT(&f->census, hl_suspect, i);
	return NULL;
}

/* A backing array or entry table of a collection is not reported alone. */
static int owned(struct finder *f, uint32_t o)
{
	uint32_t p = f->t->idom[o];

	return hl_coll_kind(f->g, o) == COLL_ARRAY && p != HL_ROOT &&
	       p != HL_NONE && hl_coll_kind(f->g, p) != COLL_NONE &&
	       hl_coll_kind(f->g, p) != COLL_ARRAY;
}

/*
 * The few-distinct rule in two steps.  The scan (fd_scan_run) finds the
 * lists, deques and arrays of at least min_elements elements that are
 * not a collection's backing array, and probes each (a census that stops
 * once the values are too many to matter); it needs the dominator tree
 * but none of MAT's suspects, so it runs on a thread of its own while
 * those are found and described.  The report (few_distinct) then takes
 * the candidates in object order, a full census where MAT's suspects took
 * one, and reports the collections of few distinct values.
 */
struct fd_cand { uint32_t o; int probed; hl_suspect probe; };

struct fd_scan {
	struct finder *f;
	hl_vec cands;    /* struct fd_cand, in object order */
	int oom, started;
	pthread_t tid;
};

static void *fd_scan_run(void *arg)
{
	struct fd_scan *sc = arg;
	struct finder *f = sc->f;
	const hl_graph *g = f->g;
	/* backing arrays counted already: lists sharing one array (a hostile
	 * dump can make thousands) are counted once */
	uint8_t *seen = hl_calloc((size_t)g->nobj / 8 + 1, 1);
	hl_dropper drop = { 0 };
	uint32_t o;

	if (!seen) {
		sc->oom = 1;
		return NULL;
	}
	for (o = 0; o < g->nobj && !sc->oom; o++) {
		struct fd_cand c;
		uint64_t size;
		uint32_t back;

		if (!(g->flags[o] & F_REACHABLE))
			continue;
		if (hl_graph_kind(g, o) != K_INSTANCE && hl_graph_kind(g, o) != K_OBJ_ARRAY)
			continue;
		/* lists, deques and arrays: a map's values may repeat by
		 * design (a HashSet's map holds one value), a set's cannot */
		switch (hl_coll_kind(g, o)) {
		case COLL_LIST: case COLL_DEQUE: case COLL_ARRAY: break;
		default: continue;
		}
		hl_graph_drop_step(g, &drop); /* records read all over */
		size = hl_coll_size(g, o);
		if (size < f->opt->min_elements || owned(f, o))
			continue;
		back = hl_coll_backing(g, o);
		if (back != HL_NONE) {
			if (seen[back / 8] & (1u << (back % 8)))
				continue;
			seen[back / 8] |= (uint8_t)(1u << (back % 8));
		}
		memset(&c, 0, sizeof(c));
		c.o = o;
		c.probe.holder = HL_NONE;
		/* a probe may stop once the values are too many to matter */
		c.probed = census(f, o, &c.probe, (uint64_t)((double)size *
				  f->opt->max_distinct_percent / 100.0) + 1);
		if (hl_vec_push(&sc->cands, &c))
			sc->oom = 1;
	}
	free(seen);
	return NULL;
}

/* Start the scan: on a thread when there are threads, else in few_distinct. */
static void fd_scan_start(struct fd_scan *sc, struct finder *f)
{
	memset(sc, 0, sizeof(*sc));
	sc->f = f;
	hl_vec_init(&sc->cands, sizeof(struct fd_cand));
	hl_coll_prepare(f->g); /* before two threads look kinds up */
	sc->started = f->g->threads > 1 &&
		      pthread_create(&sc->tid, NULL, fd_scan_run, sc) == 0;
}

static void fd_scan_end(struct fd_scan *sc)
{
	if (sc->started)
		pthread_join(sc->tid, NULL);
	sc->started = 0;
	hl_vec_release(&sc->cands);
}

static hl_status few_distinct(struct finder *f, struct fd_scan *sc)
{
	hl_status st = HL_OK;
	size_t i;

	if (sc->started)
		pthread_join(sc->tid, NULL);
	else
		fd_scan_run(sc);
	sc->started = 0;
	if (sc->oom)
		return hl_fail(&f->h->diag, HL_E_NOMEM, "out of memory");
	for (i = 0; i < sc->cands.len && st == HL_OK; i++) {
		const struct fd_cand *c = &HL_VEC_AT(&sc->cands, struct fd_cand, i);
		uint32_t o = c->o;
		hl_suspect probe, *s;

		if (census_of(f, o))
			probe = *census_of(f, o);
		else if (c->probed)
			probe = c->probe;
		else
			continue;
		if (probe.elements < f->opt->min_elements ||
		    (double)probe.distinct * 100.0 >=
		    (double)probe.elements * f->opt->max_distinct_percent)
			continue;
		s = reported(f, o);
		if (!s) {
			s = push(f, HL_SUSPECT_FEW_DISTINCT, o, hl_dom_retained(f->t, o));
			if (!s) {
				st = hl_fail(&f->h->diag, HL_E_NOMEM, "out of memory");
				break;
			}
			s->accumulation = o;
		}
		memcpy(s->top, probe.top, sizeof(s->top));
		s->ntop = probe.ntop;
		s->holder = o;
		s->holder_kind = probe.holder_kind;
		s->elements = probe.elements;
		s->distinct = probe.distinct;
		say(s, "Flagged because this %s holds %llu elements of which only %llu are distinct (%.3f%%): it grows with repeated equal values, which is what a cache or registry that adds on every call does.",
		    probe.holder_kind, (unsigned long long)probe.elements,
		    (unsigned long long)probe.distinct,
		    100.0 * (double)probe.distinct / (double)probe.elements);
	}
	return st;
}

struct statref { uint32_t coll, owner; uint64_t retained; char field[96]; };

static int cmp_statref(const void *a, const void *b)
{
	const struct statref *x = a, *y = b;

	return x->retained > y->retained ? -1 : x->retained < y->retained;
}

/* Static collections far larger than their peers. */
static hl_status static_outliers(struct finder *f, uint64_t total)
{
	const hl_graph *g = f->g;
	hl_vec v;
	uint32_t c;
	size_t i, n;

	hl_vec_init(&v, sizeof(struct statref));
	for (c = 0; c < g->nclass_ids; c++) {
		uint32_t o = g->classes[c].obj;
		hl_refit it;
		uint64_t id;

		if (o == HL_NONE || !(g->flags[o] & F_REACHABLE))
			continue;
		hl_refit_init(&it, g, o);
		while (hl_refit_next(&it, &id)) {
			struct statref r;
			enum hl_coll k;

			if (it.label != REF_STATIC)
				continue;
			r.coll = hl_graph_lookup(g, id);
			if (r.coll == HL_NONE)
				continue;
			k = hl_coll_kind(g, r.coll);
			if (k == COLL_NONE || k == COLL_ARRAY)
				continue;
			r.owner = o;
			r.retained = hl_dom_retained(f->t, r.coll);
			hl_refit_label(&it, r.field, sizeof(r.field));
			if (hl_vec_push(&v, &r))
				goto oom;
		}
	}
	n = v.len;
	if (n > 1) /* v.data is NULL when there is none: qsort wants non-NULL */
		qsort(v.data, n, sizeof(struct statref), cmp_statref);
	for (i = 0; n >= 5 && i < 3; i++) {
		struct statref *r = &HL_VEC_AT(&v, struct statref, i);
		uint64_t median = HL_VEC_AT(&v, struct statref, n / 2).retained;
		hl_suspect *s;

		if (r->retained * 100 < total || r->retained < 10 * (median ? median : 1))
			break;
		s = reported(f, r->coll);
		if (!s) {
			s = push(f, HL_SUSPECT_STATIC, r->coll, r->retained);
			if (!s)
				goto oom;
			s->accumulation = big_drop(f, r->coll);
			describe(f, r->coll, s);
		}
		if (s->static_owner == HL_NONE) { /* the biggest, when several */
			s->static_owner = r->owner;
			snprintf(s->static_field, sizeof(s->static_field), "%s", r->field);
		}
		/* the kind of this field's collection: a suspect found before
		 * (the class holding it, say) may describe another one */
		say(s, "Flagged because the static field %s.%s holds a %s retaining %llu bytes, %.0f times the median of the %zu static collections in the dump.",
		    owner_name(g, r->owner), r->field, hl_coll_name(hl_coll_kind(g, r->coll)),
		    (unsigned long long)r->retained,
		    (double)r->retained / (double)(median ? median : 1), n);
	}
	hl_vec_release(&v);
	return HL_OK;
oom:
	hl_vec_release(&v);
	return hl_fail(&f->h->diag, HL_E_NOMEM, "out of memory");
}

/* Few-distinct collections first (the likeliest leaks, whatever their
 * size), then MAT's suspects and the static outliers by retained size. */
static int cmp_suspect(const void *a, const void *b)
{
	const hl_suspect *x = a, *y = b;
	int fx = x->kind == HL_SUSPECT_FEW_DISTINCT, fy = y->kind == HL_SUSPECT_FEW_DISTINCT;

	if (fx != fy)
		return fy - fx;
	if (x->retained != y->retained)
		return x->retained > y->retained ? -1 : 1;
	return x->kind - y->kind;
}

static hl_status compute(hl_heap *h, const hl_suspect_options *opt,
			 hl_suspect **out, size_t *count);

/* The options as the key of a kept report. */
static uint64_t options_key(const hl_suspect_options *opt)
{
	uint64_t v[3];

	memcpy(&v[0], &opt->threshold_percent, sizeof(double));
	v[1] = opt->min_elements;
	memcpy(&v[2], &opt->max_distinct_percent, sizeof(double));
	return XXH3_64bits(v, sizeof(v));
}

hl_status hl_find_suspects(hl_heap *h, const hl_suspect_options *opt,
			   hl_suspect **out, size_t *count)
{
	static const hl_suspect_options defaults = { 10.0, 100000, 1.0 };
	uint64_t key;
	size_t len;
	void *kept;
	hl_status st;

	*out = NULL;
	*count = 0;
	if (!opt)
		opt = &defaults;
	if (!h->dom.done)
		return hl_fail(&h->diag, HL_E_STATE, "suspects need the dominator tree");
	/* computed once per dump and options, then read back */
	key = options_key(opt);
	kept = hl_report_get(h, HL_REPORT_SUSPECTS, key, &len);
	if (kept) {
		int bad = hl_suspects_decode(h, kept, len, out, count);

		free(kept);
		if (!bad)
			return HL_OK;
	}
	st = compute(h, opt, out, count);
	if (st == HL_OK && h->index_path[0]) {
		kept = hl_suspects_encode(*out, *count, &len);
		if (kept)
			hl_report_put(h, HL_REPORT_SUSPECTS, key, kept, len);
		free(kept);
	}
	return st;
}

static hl_status compute(hl_heap *h, const hl_suspect_options *opt,
			 hl_suspect **out, size_t *count)
{
	struct finder f = { { 0 }, h, &h->g, &h->dom, opt, { 0 }, NULL,
			    { NULL, { 0 } } };
	uint64_t total = hl_total_heap(h);
	struct fd_scan scan;
	hl_status st;
	size_t i;

	f.opt = opt;
	hl_vec_init(&f.out, sizeof(hl_suspect));
	hl_vec_init(&f.census, sizeof(hl_suspect));
	fd_scan_start(&scan, &f); /* meanwhile, the few-distinct candidates */
	/* the census walks read records all over the dump: its pages are
	 * dropped from the process after each step (they stay cached) */
	st = hl_domtree_children(&h->dom, &h->g, &h->diag);
	if (st == HL_OK)
		st = mat_suspects(&f, (uint64_t)(opt->threshold_percent * (double)total / 100.0));
	hl_graph_drop_pages(&h->g);
	for (i = 0; st == HL_OK && i < f.out.len; i++) {
		st = finish(&f, &HL_VEC_AT(&f.out, hl_suspect, i));
		hl_graph_drop_pages(&h->g);
	}
	if (st == HL_OK) {
		size_t before = f.out.len;

		st = few_distinct(&f, &scan);
		hl_graph_drop_pages(&h->g);
		if (st == HL_OK)
			st = static_outliers(&f, total);
		hl_graph_drop_pages(&h->g);
		for (i = before; st == HL_OK && i < f.out.len; i++) {
			st = finish(&f, &HL_VEC_AT(&f.out, hl_suspect, i));
			hl_graph_drop_pages(&h->g);
		}
	}
	fd_scan_end(&scan);
	free(f.bfs_parent);
	hl_scratch_release(&f.ws);
	hl_vec_release(&f.census);
	if (st != HL_OK) {
		hl_suspects_free(f.out.data, f.out.len);
		return st;
	}
	if (f.out.len > 1) /* f.out.data is NULL when nothing was found */
		qsort(f.out.data, f.out.len, sizeof(hl_suspect), cmp_suspect);
	*out = f.out.data;
	*count = f.out.len;
	return HL_OK;
}

void hl_suspects_free(hl_suspect *s, size_t count)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < count; i++)
		free((void *)s[i].path);
	free(s);
}
