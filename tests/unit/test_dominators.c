/*
 * test_dominators.c: the dominator tree and retained sizes, against MAT's
 * definition.
 *
 * (a) Random graphs (fixed seed, 1..60 nodes, self loops, cycles, diamonds,
 *     shared and per-node classes, statics, custom class loaders, roots of
 *     many kinds, thread-local roots, unreachable islands) are written as
 *     HPROF, opened, and every object's hl_idom is compared with a brute-force
 *     dominator computation over the reference graph the test rebuilds from
 *     what it wrote, with MAT's edges (instance -> class, class -> Class,
 *     super, loader, statics, array -> array class, thread -> its stack
 *     locals) and MAT's root rule (edges into GC-root objects dropped; with no
 *     sticky-class root, every non-array bootstrap class is a root).  Retained
 *     sizes and hl_dominated lists are checked against the same brute force,
 *     every object's referrers against the outbound references (every
 *     fourth graph with its inbound index built before the dominator pass),
 *     and every class's retained size against the topmost members' sum
 *     (every other graph walked on threads, the tree cut into pieces).
 * (b) Heaps whose dominator tree is known by construction.
 * (c) The deep-chain (2,000,000 nodes) and deep-stack (5000 frames) dumps of
 *     tests/tools/mkcrafted: no recursion may overflow the C stack.
 *
 * Why: every retained size, the dominator report and leak suspects rest on
 * this tree; Semi-NCA and its iterative DFS are easy to get subtly wrong,
 * and the brute force ("w is unreachable without v") cannot be.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <inttypes.h>
#include <sys/wait.h>

#include "hprof_builder.h"
#include "lib/heap.h"
#include "unit_util.h"

/* ---- a fixed-seed PRNG (splitmix64) ---- */

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static unsigned rng_below(unsigned n)
{
	return n ? (unsigned)(rng_next() % n) : 0;
}

static int rng_percent(unsigned p)
{
	return rng_below(100) < p;
}

/* ---- the reference graph as the test knows it ---- */

#define MAX_OBJS 256
#define MAX_EDGES 4096

struct model {
	uint32_t n;
	uint64_t id[MAX_OBJS];
	uint8_t root[MAX_OBJS];
	uint32_t nedges;
	uint32_t from[MAX_EDGES], to[MAX_EDGES];
};

static uint32_t model_index(const struct model *m, uint64_t id)
{
	uint32_t i;

	for (i = 0; i < m->n; i++)
		if (m->id[i] == id)
			return i;
	fail_msg("model: no object 0x%" PRIx64, id);
	return 0;
}

static void model_object(struct model *m, uint64_t id)
{
	assert_true(m->n < MAX_OBJS);
	m->id[m->n++] = id;
}

/* An edge to `to` (an id; the synthetic system loader is id 0). */
static void model_edge(struct model *m, uint64_t from, uint64_t to)
{
	assert_true(m->nedges < MAX_EDGES);
	m->from[m->nedges] = model_index(m, from);
	m->to[m->nedges++] = model_index(m, to);
}

/* A reference field or element: null is no edge. */
static void model_ref(struct model *m, uint64_t from, uint64_t to)
{
	if (to)
		model_edge(m, from, to);
}

static void model_root(struct model *m, uint64_t id)
{
	m->root[model_index(m, id)] = 1;
}

/* ---- brute-force dominators ---- */

struct brute {
	uint32_t n;                       /* objects; vertex n is the virtual root */
	uint8_t reach[MAX_OBJS];
	uint8_t dom[MAX_OBJS][MAX_OBJS];  /* dom[w][v]: v dominates w */
	uint32_t idom[MAX_OBJS];          /* model index, or HL_ROOT / HL_NONE */
	uint32_t start[MAX_OBJS + 2];
	uint32_t adj[MAX_EDGES + MAX_OBJS];
};

/* Successor lists: virtual root -> roots; no edge into a root object. */
static void brute_adjacency(struct brute *b, const struct model *m)
{
	uint32_t count[MAX_OBJS + 1] = { 0 }, i, v;

	for (i = 0; i < m->nedges; i++)
		if (!m->root[m->to[i]])
			count[m->from[i]]++;
	for (v = 0; v < m->n; v++)
		count[m->n] += m->root[v];
	b->start[0] = 0;
	for (v = 0; v <= m->n; v++)
		b->start[v + 1] = b->start[v] + count[v];
	memset(count, 0, sizeof count);
	for (i = 0; i < m->nedges; i++)
		if (!m->root[m->to[i]])
			b->adj[b->start[m->from[i]] + count[m->from[i]]++] = m->to[i];
	for (v = 0; v < m->n; v++)
		if (m->root[v])
			b->adj[b->start[m->n] + count[m->n]++] = v;
}

/* Vertices reachable from the virtual root without passing through `skip`. */
static void brute_reach(const struct brute *b, uint32_t skip, uint8_t *seen)
{
	uint32_t stack[MAX_OBJS + 1], sp = 0, e;

	memset(seen, 0, MAX_OBJS + 1);
	seen[b->n] = 1;
	stack[sp++] = b->n;
	while (sp) {
		uint32_t v = stack[--sp];

		for (e = b->start[v]; e < b->start[v + 1]; e++) {
			uint32_t t = b->adj[e];

			if (t != skip && !seen[t]) {
				seen[t] = 1;
				stack[sp++] = t;
			}
		}
	}
}

/* idom(w): the strict dominator that every other strict dominator dominates. */
static uint32_t brute_idom_of(const struct brute *b, uint32_t w)
{
	uint32_t d, d2;

	for (d = 0; d < b->n; d++) {
		int all = 1;

		if (d == w || !b->dom[w][d])
			continue;
		for (d2 = 0; d2 < b->n && all; d2++)
			if (d2 != w && b->dom[w][d2] && !b->dom[d][d2])
				all = 0;
		if (all)
			return d;
	}
	return HL_ROOT;
}

static void brute_compute(struct brute *b, const struct model *m)
{
	uint8_t seen[MAX_OBJS + 1];
	uint32_t v, w;

	memset(b, 0, sizeof *b);
	b->n = m->n;
	brute_adjacency(b, m);
	brute_reach(b, UINT32_MAX, seen);
	memcpy(b->reach, seen, m->n);
	for (v = 0; v < m->n; v++) {
		if (!b->reach[v])
			continue;
		brute_reach(b, v, seen);
		for (w = 0; w < m->n; w++)
			if (b->reach[w] && (w == v || !seen[w]))
				b->dom[w][v] = 1;
	}
	for (w = 0; w < m->n; w++)
		b->idom[w] = b->reach[w] ? brute_idom_of(b, w) : HL_NONE;
}

/* ---- comparing the library with the brute force ---- */

static void describe(const hl_heap *h, const struct model *m, uint32_t i)
{
	hl_obj o = ut_find(h, m->id[i]);

	print_message("    object %u id 0x%" PRIx64 " %s%s\n", i, m->id[i],
		      hl_class_name(h, hl_object_class(h, o)), m->root[i] ? " (root)" : "");
}

static void dump_model(const hl_heap *h, const struct model *m)
{
	uint32_t i;

	for (i = 0; i < m->n; i++)
		describe(h, m, i);
	for (i = 0; i < m->nedges; i++)
		print_message("    edge %u -> %u\n", m->from[i], m->to[i]);
}

static hl_obj expected_idom(const hl_heap *h, const struct model *m, const struct brute *b,
			    uint32_t i)
{
	if (b->idom[i] == HL_NONE || b->idom[i] == HL_ROOT)
		return b->idom[i];
	return ut_find(h, m->id[b->idom[i]]);
}

static uint64_t expected_retained(const hl_heap *h, const struct model *m,
				  const struct brute *b, uint32_t v)
{
	uint64_t sum = 0;
	uint32_t w;

	for (w = 0; w < m->n; w++)
		if (b->dom[w][v])
			sum += hl_object_shallow(h, ut_find(h, m->id[w]));
	return sum;
}

/* hl_dominated(parent) must hold exactly `want` objects, each with that
 * idom, sorted by retained size, largest first. */
static int check_children(hl_heap *h, hl_obj parent, size_t want)
{
	const hl_obj *kids;
	size_t n = hl_dominated(h, parent, &kids), i;

	if (n != want)
		return 0;
	for (i = 0; i < n; i++) {
		if (hl_idom(h, kids[i]) != parent)
			return 0;
		if (i && hl_retained(h, kids[i - 1]) < hl_retained(h, kids[i]))
			return 0;
	}
	return 1;
}

/* Reachability and immediate dominator of object i. */
static int compare_idom(const hl_heap *h, const struct model *m, const struct brute *b,
			uint32_t i)
{
	hl_obj o = ut_find(h, m->id[i]), want = expected_idom(h, m, b, i), got = hl_idom(h, o);

	if (got == want && hl_object_reachable(h, o) == b->reach[i])
		return 1;
	print_message("  idom of object %u: got %u, expected %u (reachable %d/%d)\n", i, got,
		      want, hl_object_reachable(h, o), b->reach[i]);
	return 0;
}

/* Retained size and dominated list of reachable object i. */
static int compare_subtree(hl_heap *h, const struct model *m, const struct brute *b, uint32_t i)
{
	hl_obj o = ut_find(h, m->id[i]);
	uint64_t want = expected_retained(h, m, b, i);
	size_t kids = 0;
	uint32_t w;

	if (hl_retained(h, o) != want) {
		print_message("  retained of object %u: got %" PRIu64 ", expected %" PRIu64 "\n", i,
			      hl_retained(h, o), want);
		return 0;
	}
	for (w = 0; w < m->n; w++)
		kids += b->idom[w] == i;
	if (!check_children(h, o, kids)) {
		print_message("  hl_dominated(object %u) is not its %zu children by retained size\n",
			      i, kids);
		return 0;
	}
	return 1;
}

static void mismatch(const hl_heap *h, const struct model *m, const char *what)
{
	print_message("  in %s\n", what);
	dump_model(h, m);
	fail();
}

/* Compares every object; prints the model on the first mismatch. */
static void compare_heap(hl_heap *h, const struct model *m, const struct brute *b,
			 const char *what)
{
	size_t top = 0;
	uint32_t i;

	assert_int_equal(hl_compute_dominators(h), HL_OK);
	assert_true(hl_has_dominators(h));
	if (hl_object_count(h) != m->n)
		fail_msg("%s: %u objects in the heap, %u in the model", what, hl_object_count(h), m->n);
	for (i = 0; i < m->n; i++)
		if (!compare_idom(h, m, b, i))
			mismatch(h, m, what);
	for (i = 0; i < m->n; i++) {
		if (!b->reach[i])
			continue;
		top += b->idom[i] == HL_ROOT;
		if (!compare_subtree(h, m, b, i))
			mismatch(h, m, what);
	}
	if (!check_children(h, HL_ROOT, top))
		fail_msg("%s: hl_dominated(HL_ROOT) is not the %zu top-level dominators", what, top);
}

/* ---- (a) random graphs ---- */

#define MAX_NODES 60
#define MAX_K 4

enum { NODE_INSTANCE, NODE_OBJ_ARRAY, NODE_INT_ARRAY };

struct gnode {
	int kind;
	uint32_t cls;
	uint64_t id;
	uint32_t nrefs;
	int refs[MAX_K + 1]; /* node index, -1 null */
};

struct gclass {
	uint64_t id;
	unsigned k;
	int loader;          /* node index of a custom loader, -1 bootstrap */
	int statics[2];      /* node index, -1 null */
	unsigned nstatics;
	int sticky;
};

struct groot {
	uint8_t tag;
	int node;            /* node index; -1: a class (cls) */
	uint32_t cls;
	uint32_t serial;
};

struct graph {
	uint32_t id_size;
	uint32_t nn, nc, nr;
	struct gnode node[MAX_NODES];
	struct gclass cls[MAX_NODES];
	struct groot root[32];
	int thread;           /* node index of the thread object, -1 none */
	int sticky_jdk;
	uint64_t object, klass, loader, obj_array, int_array;
};

#define THREAD_SERIAL 7
#define NO_THREAD_SERIAL 99

static int random_target(uint32_t i, uint32_t nn)
{
	unsigned r = rng_below(100);

	if (r < 15)
		return -1;
	if (r < 25)
		return (int)i;
	if (r < 65)
		return (int)((i + 1 + rng_below(3)) % nn);
	return (int)rng_below(nn);
}

static void gen_classes(struct graph *g)
{
	unsigned mode = rng_below(3), i;

	g->nc = mode == 0 ? 1 : mode == 1 ? g->nn : 1 + rng_below(4);
	for (i = 0; i < g->nc; i++) {
		struct gclass *c = &g->cls[i];

		c->k = rng_below(MAX_K + 1);
		c->loader = rng_percent(15) ? (int)rng_below(g->nn) : -1;
		c->nstatics = rng_percent(25) ? 1 + rng_below(2) : 0;
		c->statics[0] = random_target(i, g->nn);
		c->statics[1] = random_target(i + 7, g->nn);
	}
}

static void gen_nodes(struct graph *g)
{
	uint32_t i, j;

	for (i = 0; i < g->nn; i++) {
		struct gnode *n = &g->node[i];
		unsigned r = rng_below(100);

		n->kind = r < 80 ? NODE_INSTANCE : r < 95 ? NODE_OBJ_ARRAY : NODE_INT_ARRAY;
		n->cls = g->nc == g->nn ? i : rng_below(g->nc);
		n->nrefs = n->kind == NODE_INSTANCE ? g->cls[n->cls].k :
			   n->kind == NODE_OBJ_ARRAY ? rng_below(MAX_K + 1) : 0;
		for (j = 0; j < n->nrefs; j++)
			n->refs[j] = random_target(i, g->nn);
	}
}

static void gen_add_root(struct graph *g, uint8_t tag, int node, uint32_t serial)
{
	struct groot *r = &g->root[g->nr++];

	r->tag = tag;
	r->node = node;
	r->serial = serial;
}

/* A random node that is an instance (threads are instances), or -1. */
static int random_instance(const struct graph *g)
{
	uint32_t start = rng_below(g->nn), i;

	for (i = 0; i < g->nn; i++)
		if (g->node[(start + i) % g->nn].kind == NODE_INSTANCE)
			return (int)((start + i) % g->nn);
	return -1;
}

static void gen_roots(struct graph *g)
{
	static const uint8_t plain[] = {
		HW_ROOT_UNKNOWN, HW_ROOT_JNI_GLOBAL, HW_ROOT_MONITOR_USED, HW_ROOT_INTERNED_STRING,
		HW_ROOT_VM_INTERNAL, HW_ROOT_FINALIZING, HW_ROOT_DEBUGGER,
		HW_ROOT_REFERENCE_CLEANUP, HW_ROOT_JAVA_FRAME, HW_ROOT_NATIVE_STACK,
	};
	static const uint8_t local[] = {
		HW_ROOT_JAVA_FRAME, HW_ROOT_JNI_LOCAL, HW_ROOT_NATIVE_STACK, HW_ROOT_THREAD_BLOCK,
	};
	unsigned n = rng_below(6), i, mode = rng_below(3);

	for (i = 0; i < n; i++)
		gen_add_root(g, plain[rng_below(sizeof plain)], (int)rng_below(g->nn), NO_THREAD_SERIAL);
	g->thread = rng_percent(40) ? random_instance(g) : -1;
	if (g->thread >= 0) {
		gen_add_root(g, HW_ROOT_THREAD_OBJ, g->thread, THREAD_SERIAL);
		for (i = 1 + rng_below(3); i > 0; i--)
			gen_add_root(g, local[rng_below(sizeof local)], (int)rng_below(g->nn),
				     THREAD_SERIAL);
	}
	if (rng_percent(20))
		gen_add_root(g, HW_UNREACHABLE, (int)rng_below(g->nn), 0);
	/* sticky classes: none (MAT's fallback), all, or some */
	g->sticky_jdk = mode == 1 || (mode == 2 && rng_percent(50));
	for (i = 0; i < g->nc; i++)
		g->cls[i].sticky = mode == 1 || (mode == 2 && rng_percent(50));
}

static void gen_graph(struct graph *g)
{
	memset(g, 0, sizeof *g);
	g->id_size = rng_percent(25) ? 4 : 8;
	g->nn = 1 + rng_below(MAX_NODES);
	gen_classes(g);
	gen_nodes(g);
	gen_roots(g);
}

/* ---- writing a random graph ---- */

static uint64_t ref_id(const struct graph *g, int node)
{
	return node < 0 ? 0 : g->node[node].id;
}

static void write_classes(struct hw_writer *w, struct graph *g)
{
	char name[32];
	uint32_t i, k;

	g->object = hw_class_define(w, 0, "java/lang/Object", 0, 0, NULL);
	g->klass = hw_class_define(w, 0, "java/lang/Class", g->object, 0, NULL);
	g->loader = hw_class_define(w, 0, "java/lang/ClassLoader", g->object, 0, NULL);
	g->obj_array = hw_class_define(w, 0, "[Ljava/lang/Object;", g->object, 0, NULL);
	g->int_array = hw_class_define(w, 0, "[I", g->object, 0, NULL);
	for (i = 0; i < g->nc; i++) {
		snprintf(name, sizeof name, "g/N%u", i);
		g->cls[i].id = hw_node_class(w, name, g->cls[i].k);
	}
	for (i = 0; i < g->nn; i++) {
		struct gnode *n = &g->node[i];
		size_t bytes = n->kind == NODE_INSTANCE ? hw_instance_size_guess(w, g->cls[n->cls].id) :
			       hw_array_size_guess(w, n->kind == NODE_OBJ_ARRAY ? HW_OBJECT : HW_INT,
						   n->nrefs ? n->nrefs : 2);

		n->id = hw_alloc(w, bytes);
	}
	for (i = 0; i < g->nc; i++) {
		for (k = 0; k < g->cls[i].nstatics; k++) {
			snprintf(name, sizeof name, "s%u", k);
			hw_class_add_static(w, g->cls[i].id, name, hw_v_obj(ref_id(g, g->cls[i].statics[k])));
		}
		if (g->cls[i].loader >= 0)
			hw_class_set_loader(w, g->cls[i].id, ref_id(g, g->cls[i].loader));
	}
}

static void write_roots(struct hw_writer *w, const struct graph *g)
{
	uint32_t i;

	if (g->sticky_jdk) {
		hw_root_sticky_class(w, g->object);
		hw_root_sticky_class(w, g->klass);
		hw_root_sticky_class(w, g->obj_array);
	}
	for (i = 0; i < g->nc; i++)
		if (g->cls[i].sticky)
			hw_root_sticky_class(w, g->cls[i].id);
	for (i = 0; i < g->nr; i++)
		hw_root(w, g->root[i].tag, ref_id(g, g->root[i].node), g->root[i].serial, 1);
}

static void write_node(struct hw_writer *w, const struct graph *g, const struct gnode *n)
{
	static const int32_t ints[2] = { 1, 2 };
	uint64_t refs[MAX_K + 1];
	uint32_t j;

	for (j = 0; j < n->nrefs; j++)
		refs[j] = ref_id(g, n->refs[j]);
	if (n->kind == NODE_INSTANCE)
		hw_node(w, g->cls[n->cls].id, n->id, refs);
	else if (n->kind == NODE_OBJ_ARRAY)
		hw_obj_array(w, n->id, 0, g->obj_array, n->nrefs, refs);
	else
		hw_prim_array(w, n->id, 0, HW_INT, 2, ints);
}

/* Objects in a shuffled order: readers must not rely on address order. */
static void write_nodes(struct hw_writer *w, const struct graph *g)
{
	uint32_t order[MAX_NODES], i;

	for (i = 0; i < g->nn; i++)
		order[i] = i;
	for (i = g->nn; i > 1; i--) {
		uint32_t j = rng_below(i), t = order[i - 1];

		order[i - 1] = order[j];
		order[j] = t;
	}
	for (i = 0; i < g->nn; i++)
		write_node(w, g, &g->node[order[i]]);
}

static void write_graph(struct graph *g, const char *path)
{
	struct hw_writer *w = hw_new();

	hw_header(w, "JAVA PROFILE 1.0.2", g->id_size, 0);
	write_classes(w, g);
	hw_class_dump_all(w);
	write_roots(w, g);
	write_nodes(w, g);
	hw_heap_dump_end(w);
	hw_save(w, path);
	hw_free(w);
}

/* ---- the graph MAT builds from that dump ---- */

static void model_class(struct model *m, const struct graph *g, uint64_t id, uint64_t super,
			int loader)
{
	model_edge(m, id, g->klass);
	if (super)
		model_edge(m, id, super);
	model_edge(m, id, ref_id(g, loader)); /* 0: the system class loader object */
}

static void model_objects(struct model *m, const struct graph *g)
{
	uint32_t i;

	model_object(m, 0);
	model_object(m, g->object);
	model_object(m, g->klass);
	model_object(m, g->loader);
	model_object(m, g->obj_array);
	model_object(m, g->int_array);
	for (i = 0; i < g->nc; i++)
		model_object(m, g->cls[i].id);
	for (i = 0; i < g->nn; i++)
		model_object(m, g->node[i].id);
}

static void model_class_edges(struct model *m, const struct graph *g)
{
	uint32_t i, k;

	model_edge(m, 0, g->loader);
	model_class(m, g, g->object, 0, -1);
	model_class(m, g, g->klass, g->object, -1);
	model_class(m, g, g->loader, g->object, -1);
	model_class(m, g, g->obj_array, g->object, -1);
	model_class(m, g, g->int_array, g->object, -1);
	for (i = 0; i < g->nc; i++) {
		model_class(m, g, g->cls[i].id, g->object, g->cls[i].loader);
		for (k = 0; k < g->cls[i].nstatics; k++)
			model_ref(m, g->cls[i].id, ref_id(g, g->cls[i].statics[k]));
	}
}

static void model_node_edges(struct model *m, const struct graph *g)
{
	uint32_t i, j;

	for (i = 0; i < g->nn; i++) {
		const struct gnode *n = &g->node[i];
		uint64_t cls = n->kind == NODE_INSTANCE ? g->cls[n->cls].id :
			       n->kind == NODE_OBJ_ARRAY ? g->obj_array : g->int_array;

		model_edge(m, n->id, cls);
		for (j = 0; j < n->nrefs; j++)
			model_ref(m, n->id, ref_id(g, n->refs[j]));
	}
}

static int is_local_tag(uint8_t tag)
{
	return tag == HW_ROOT_JAVA_FRAME || tag == HW_ROOT_JNI_LOCAL ||
	       tag == HW_ROOT_NATIVE_STACK || tag == HW_ROOT_THREAD_BLOCK;
}

/* Roots, and locals of the thread as its references; the fallback when no
 * sticky-class root exists. */
static void model_roots(struct model *m, const struct graph *g)
{
	int sticky = g->sticky_jdk;
	uint32_t i;

	if (g->sticky_jdk) {
		model_root(m, g->object);
		model_root(m, g->klass);
		model_root(m, g->obj_array);
	}
	for (i = 0; i < g->nc; i++)
		if (g->cls[i].sticky)
			model_root(m, g->cls[i].id), sticky = 1;
	for (i = 0; i < g->nr; i++) {
		const struct groot *r = &g->root[i];

		if (r->tag == HW_UNREACHABLE)
			continue;
		if (is_local_tag(r->tag) && r->serial == THREAD_SERIAL)
			model_ref(m, g->node[g->thread].id, ref_id(g, r->node));
		else
			model_root(m, ref_id(g, r->node));
	}
	if (sticky)
		return;
	model_root(m, g->object);
	model_root(m, g->klass);
	model_root(m, g->loader);
	for (i = 0; i < g->nc; i++)
		if (g->cls[i].loader < 0)
			model_root(m, g->cls[i].id);
}

static void model_graph(struct model *m, const struct graph *g)
{
	memset(m, 0, sizeof *m);
	model_objects(m, g);
	model_class_edges(m, g);
	model_node_edges(m, g);
	model_roots(m, g);
}

struct dom_state {
	char dir[UT_PATH_MAX];
	char path[UT_PATH_MAX];
	struct model m;
	struct brute b;
	struct graph g;
};

static int dom_setup(void **state)
{
	struct dom_state *s = calloc(1, sizeof *s);

	if (!s)
		return -1;
	ut_tmpdir_make(s->dir, sizeof s->dir);
	ut_join(s->path, sizeof s->path, s->dir, "g.hprof");
	*state = s;
	return 0;
}

static int dom_teardown(void **state)
{
	struct dom_state *s = *state;

	ut_tmpdir_remove(s->dir);
	free(s);
	return 0;
}

#define RANDOM_GRAPHS 400

/* Every class's retained size (the histogram's) against the brute force
 * of unit_util.h. */
static int check_class_retained(hl_heap *h)
{
	hl_histogram t;
	size_t i;
	int ok = 1;

	assert_int_equal(hl_histogram_build(h, HL_BY_CLASS, 0, &t), HL_OK);
	for (i = 0; i < t.count; i++) {
		uint64_t want = ut_topmost_sum(h, t.rows[i].cls);

		if (t.rows[i].retained != want) {
			print_message("  class %s: retained %" PRIu64 ", topmost members %" PRIu64 "\n",
				      t.rows[i].name, t.rows[i].retained, want);
			ok = 0;
		}
	}
	hl_histogram_free(&t);
	return ok;
}

/* Every object's referrers after the dominator pass, which builds the
 * inbound index with DFS numbers as sources and turns them back into
 * object numbers: the reachable objects whose outbound references include
 * it, each once, in object order. */
static int check_inbound(hl_heap *h)
{
	uint32_t n = hl_object_count(h), t, x;
	hl_ref refs[64];

	for (t = 0; t < n; t++) {
		const hl_obj *got;
		size_t k = 0, m = hl_inbound(h, t, &got), i;

		for (x = 0; x < n; x++) {
			size_t r = hl_outbound(h, x, refs, 64);

			assert_true(r <= 64);
			if (!hl_object_reachable(h, x))
				continue;
			for (i = 0; i < r && refs[i].obj != t; i++)
				;
			if (i == r)
				continue;
			if (k >= m || got[k] != x)
				return 0;
			k++;
		}
		if (k != m)
			return 0;
	}
	return 1;
}

static void test_random_graphs(void **state)
{
	struct dom_state *s = *state;
	unsigned i, reachable = 0, top = 0;
	char what[64];

	rng_state = UINT64_C(20240601);
	for (i = 0; i < RANDOM_GRAPHS; i++) {
		hl_heap *h;
		uint32_t k;

		gen_graph(&s->g);
		write_graph(&s->g, s->path);
		model_graph(&s->m, &s->g);
		brute_compute(&s->b, &s->m);
		h = ut_open(s->path);
		/* every third graph stores most retained sizes in the list of
		 * those too big for 4 bytes (as 32 GB and more would be) */
		if (i % 3 == 2)
			h->dom.ret_cap = 1 + (i * 7) % 40;
		/* every fourth graph has its inbound index before the
		 * dominator pass (as after a path search), which then
		 * renumbers its sources instead of building it */
		if (i % 4 == 1) {
			const hl_obj *from;

			hl_inbound(h, 0, &from);
			assert_false(hl_has_dominators(h));
		}
		snprintf(what, sizeof what, "random graph %u (%u nodes, cap %u%s)", i,
			 s->g.nn, h->dom.ret_cap, i % 4 == 1 ? ", inbound first" : "");
		compare_heap(h, &s->m, &s->b, what);
		if (!check_inbound(h))
			mismatch(h, &s->m, what);
		/* every other graph's class retained sizes on 2 to 6 threads,
		 * the tree cut into pieces however small it is */
		if (i % 2 == 0) {
			h->dom.walk_min = 1;
			h->g.threads = 2 + i % 5;
		}
		if (!check_class_retained(h))
			mismatch(h, &s->m, what);
		for (k = 0; k < s->m.n; k++) {
			reachable += s->b.reach[k];
			top += s->b.idom[k] == HL_ROOT;
		}
		hl_close(h);
	}
	print_message("  %u graphs, %u reachable objects, %u top-level dominators\n",
		      RANDOM_GRAPHS, reachable, top);
}

/* ---- (b) known by construction ---- */

/* Every JDK class a sticky-class root, as HotSpot writes them. */
static void root_jdk_classes(struct hw_writer *w, const struct hw_jdk *jdk)
{
	size_t t;

	hw_root_sticky_class(w, jdk->object);
	hw_root_sticky_class(w, jdk->klass);
	hw_root_sticky_class(w, jdk->string);
	hw_root_sticky_class(w, jdk->class_loader);
	hw_root_sticky_class(w, jdk->thread);
	hw_root_sticky_class(w, jdk->object_array);
	for (t = 0; t < 12; t++)
		if (jdk->prim_array[t])
			hw_root_sticky_class(w, jdk->prim_array[t]);
}

static hl_heap *finish_and_open(struct hw_writer *w, const char *path)
{
	hl_heap *h;

	hw_heap_dump_end(w);
	hw_save(w, path);
	hw_free(w);
	h = ut_open(path);
	assert_int_equal(hl_compute_dominators(h), HL_OK);
	return h;
}

static struct hw_writer *new_heap(struct hw_jdk *jdk)
{
	struct hw_writer *w = hw_new();

	hw_header(w, "JAVA PROFILE 1.0.2", 8, 0);
	hw_jdk_define(w, jdk);
	return w;
}

static hl_obj idom_of(const hl_heap *h, uint64_t id)
{
	return hl_idom(h, ut_find(h, id));
}

static uint64_t retained_of(const hl_heap *h, uint64_t id)
{
	return hl_retained(h, ut_find(h, id));
}

static uint64_t shallow_of(const hl_heap *h, uint64_t id)
{
	return hl_object_shallow(h, ut_find(h, id));
}

#define LIST_N 100

/* A linked list from one root: each node dominates the rest; the tail's
 * edge back to the (root) head changes nothing. */
static void test_linked_list(void **state)
{
	struct dom_state *s = *state;
	struct hw_jdk jdk;
	struct hw_writer *w = new_heap(&jdk);
	uint64_t link = hw_node_class(w, "k/Link", 1), ids[LIST_N];
	const hl_obj *kids;
	hl_heap *h;
	int i;

	hw_class_dump_all(w);
	root_jdk_classes(w, &jdk);
	hw_root_sticky_class(w, link);
	for (i = 0; i < LIST_N; i++)
		ids[i] = hw_alloc(w, 24);
	hw_root_jni_global(w, ids[0], 1);
	for (i = 0; i < LIST_N; i++)
		hw_node(w, link, ids[i], &ids[(i + 1) % LIST_N]);
	h = finish_and_open(w, s->path);
	assert_int_equal(idom_of(h, ids[0]), HL_ROOT);
	for (i = 1; i < LIST_N; i++)
		assert_int_equal(idom_of(h, ids[i]), ut_find(h, ids[i - 1]));
	for (i = 0; i < LIST_N; i++)
		assert_int_equal(retained_of(h, ids[i]), (uint64_t)(LIST_N - i) * 24);
	assert_int_equal(hl_dominated(h, ut_find(h, ids[LIST_N - 2]), &kids), 1);
	assert_int_equal(kids[0], ut_find(h, ids[LIST_N - 1]));
	assert_int_equal(hl_dominated(h, ut_find(h, ids[LIST_N - 1]), &kids), 0);
	hl_close(h);
}

/* A chain deeper than the threaded group walk cuts (CUT_DEPTH, 64): 100
 * Link nodes, then one Tail.  On threads the walk cuts the chain's first
 * nodes out and walks the rest as one piece: Tail's retained size, which
 * only that piece finds, and Link's, which the first cut finds. */
static void test_deep_walk_pieces(void **state)
{
	struct dom_state *s = *state;
	struct hw_jdk jdk;
	struct hw_writer *w = new_heap(&jdk);
	uint64_t link = hw_node_class(w, "k/Link", 1), tail = hw_node_class(w, "k/Tail", 0);
	uint64_t ids[LIST_N + 1];
	unsigned threads;
	hl_heap *h;
	int i;

	hw_class_dump_all(w);
	root_jdk_classes(w, &jdk);
	hw_root_sticky_class(w, link);
	hw_root_sticky_class(w, tail);
	for (i = 0; i <= LIST_N; i++)
		ids[i] = hw_alloc(w, 24);
	hw_root_jni_global(w, ids[0], 1);
	for (i = 0; i < LIST_N; i++)
		hw_node(w, link, ids[i], &ids[i + 1]);
	hw_node(w, tail, ids[LIST_N], NULL);
	h = finish_and_open(w, s->path);
	h->dom.walk_min = 1;
	for (threads = 1; threads <= 3; threads++) {
		hl_histogram t;
		size_t k;
		unsigned seen = 0;

		h->g.threads = threads;
		free(h->dom.class_retained);
		h->dom.class_retained = NULL;
		assert_int_equal(hl_histogram_build(h, HL_BY_CLASS, 0, &t), HL_OK);
		for (k = 0; k < t.count; k++) {
			assert_int_equal(t.rows[k].retained, ut_topmost_sum(h, t.rows[k].cls));
			if (!strcmp(t.rows[k].name, "k.Tail"))
				seen += t.rows[k].retained == hl_object_shallow(h, ut_find(h, ids[LIST_N]));
			if (!strcmp(t.rows[k].name, "k.Link"))
				seen += t.rows[k].retained == retained_of(h, ids[0]);
		}
		assert_int_equal(seen, 2);
		hl_histogram_free(&t);
	}
	hl_close(h);
}

/* hl_dominated(o) holds n objects in decreasing retained size, ties in
 * increasing object number. */
static void check_order(const hl_heap *h, hl_obj o, size_t n)
{
	const hl_obj *kids;
	size_t i;

	assert_int_equal(hl_dominated((hl_heap *)h, o, &kids), n);
	for (i = 1; i < n; i++) {
		uint64_t a = hl_retained(h, kids[i - 1]), b = hl_retained(h, kids[i]);

		if (a < b || (a == b && kids[i - 1] >= kids[i]))
			fail_msg("child %zu of %zu out of order: %" PRIu64 " (object %u) before %"
				 PRIu64 " (object %u)", i, n, a, kids[i - 1], b, kids[i]);
	}
}

/* Long children lists (more than 16) are sorted by a stable radix sort on
 * the sizes, by their comparison when a retained size does not fit 4
 * bytes: one Object[] root holding n byte[] of a few lengths (many ties),
 * their addresses in an order unrelated to their sizes, and lengths that
 * differ in their second and third bytes too (a pass per varying byte). */
static void test_long_children_lists(void **state)
{
	static const uint32_t sizes[] = { 20, 6000, 300, 5000, 4096 };
	struct dom_state *s = *state;
	unsigned v;

	for (v = 0; v < 2 * sizeof(sizes) / sizeof(sizes[0]); v++) {
		uint32_t n = sizes[v / 2], i;
		struct hw_jdk jdk;
		struct hw_writer *w = new_heap(&jdk);
		uint64_t arr, *ids = malloc(n * sizeof(uint64_t));
		static const uint8_t bytes[70000];
		hl_heap *h;

		assert_non_null(ids);
		hw_class_dump_all(w);
		root_jdk_classes(w, &jdk);
		arr = hw_alloc(w, 16 + 8 * (size_t)n);
		for (i = 0; i < n; i++)
			ids[i] = hw_alloc(w, 64);
		hw_root_jni_global(w, arr, 1);
		hw_obj_array(w, arr, 0, jdk.object_array, n, ids);
		for (i = 0; i < n; i++)
			hw_prim_array(w, ids[i], 0, HW_BYTE,
				      (i * 37u) % 7 * 8 + (i % 3) * 30000, bytes);
		free(ids);
		hw_heap_dump_end(w);
		hw_save(w, s->path);
		hw_free(w);
		h = ut_open(s->path);
		if (v % 2) /* most sizes too big for the 4-byte form */
			h->dom.ret_cap = 3;
		assert_int_equal(hl_compute_dominators(h), HL_OK);
		check_order(h, ut_find(h, arr), n);
		hl_close(h);
	}
}

#define MAP_N 5

/* A map whose values a second root also holds: the values become
 * top-level dominators, the map keeps its table, entries and keys. */
static void test_map_shared_values(void **state)
{
	struct dom_state *s = *state;
	struct hw_jdk jdk;
	struct hw_writer *w = new_heap(&jdk);
	uint64_t map_c = hw_node_class(w, "k/Map", 1), item = hw_node_class(w, "k/Item", 0);
	uint64_t entry_c = hw_node_class(w, "k/Entry", 2);
	uint64_t map, table, other, e[MAP_N], k[MAP_N], v[MAP_N], want;
	hl_heap *h;
	int i;

	hw_class_dump_all(w);
	root_jdk_classes(w, &jdk);
	hw_root_sticky_class(w, map_c);
	hw_root_sticky_class(w, item);
	hw_root_sticky_class(w, entry_c);
	map = hw_alloc(w, 24);
	table = hw_alloc(w, 64);
	other = hw_alloc(w, 64);
	hw_root_jni_global(w, map, 1);
	hw_root_monitor_used(w, other);
	hw_node(w, map_c, map, &table);
	for (i = 0; i < MAP_N; i++) {
		uint64_t kv[2];

		e[i] = hw_alloc(w, 32), k[i] = hw_alloc(w, 16), v[i] = hw_alloc(w, 16);
		kv[0] = k[i], kv[1] = v[i];
		hw_node(w, entry_c, e[i], kv);
		hw_node(w, item, k[i], NULL);
		hw_node(w, item, v[i], NULL);
	}
	hw_obj_array(w, table, 0, jdk.object_array, MAP_N, e);
	hw_obj_array(w, other, 0, jdk.object_array, MAP_N, v);
	h = finish_and_open(w, s->path);

	assert_int_equal(idom_of(h, map), HL_ROOT);
	assert_int_equal(idom_of(h, other), HL_ROOT);
	assert_int_equal(idom_of(h, table), ut_find(h, map));
	want = shallow_of(h, map) + shallow_of(h, table);
	for (i = 0; i < MAP_N; i++) {
		assert_int_equal(idom_of(h, e[i]), ut_find(h, table));
		assert_int_equal(idom_of(h, k[i]), ut_find(h, e[i]));
		assert_int_equal(idom_of(h, v[i]), HL_ROOT);
		want += shallow_of(h, e[i]) + shallow_of(h, k[i]);
	}
	assert_int_equal(retained_of(h, map), want);
	assert_int_equal(retained_of(h, other), shallow_of(h, other));
	hl_close(h);
}

/* An object held only by a static field is dominated by its class. */
static void test_static_field_owner(void **state)
{
	struct dom_state *s = *state;
	struct hw_jdk jdk;
	struct hw_writer *w = new_heap(&jdk);
	uint64_t holder = hw_node_class(w, "k/Holder", 0), item = hw_node_class(w, "k/Item", 1);
	uint64_t x = hw_alloc(w, 24), y = hw_alloc(w, 24);
	hl_heap *h;

	hw_class_add_static(w, holder, "INSTANCE", hw_v_obj(x));
	hw_class_dump_all(w);
	root_jdk_classes(w, &jdk);
	hw_root_sticky_class(w, holder);
	hw_root_sticky_class(w, item);
	hw_node(w, item, x, &y);
	hw_node(w, item, y, NULL);
	h = finish_and_open(w, s->path);
	assert_int_equal(idom_of(h, holder), HL_ROOT);
	assert_int_equal(idom_of(h, x), ut_find(h, holder));
	assert_int_equal(idom_of(h, y), ut_find(h, x));
	/* class object: one 8-byte static -> 8 */
	assert_int_equal(shallow_of(h, holder), 8);
	assert_int_equal(retained_of(h, holder), 8 + 24 + 24);
	hl_close(h);
}

/* An array referenced twice (a diamond) belongs to the common dominator;
 * a root referenced by another object stays top-level. */
static void test_diamond_and_root_edges(void **state)
{
	struct dom_state *s = *state;
	struct hw_jdk jdk;
	struct hw_writer *w = new_heap(&jdk);
	uint64_t two = hw_node_class(w, "k/Two", 2), one = hw_node_class(w, "k/One", 1);
	uint64_t a = hw_alloc(w, 32), b = hw_alloc(w, 24), c = hw_alloc(w, 24);
	uint64_t arr = hw_alloc(w, 32), d = hw_alloc(w, 24), r2 = hw_alloc(w, 24), r3 = hw_alloc(w, 24);
	uint64_t bc[2] = { b, c }, ar[2] = { d, r2 }, none = 0;
	hl_heap *h;

	hw_class_dump_all(w);
	root_jdk_classes(w, &jdk);
	hw_root_sticky_class(w, two);
	hw_root_sticky_class(w, one);
	hw_root_jni_global(w, a, 1);
	hw_root_java_frame(w, r2, 42, 0); /* no such thread: a plain root */
	hw_node(w, two, a, bc);
	hw_node(w, one, b, &arr);
	hw_node(w, one, c, &arr);
	hw_obj_array(w, arr, 0, jdk.object_array, 2, ar);
	hw_node(w, one, d, &none);
	hw_node(w, one, r2, &r3);
	hw_node(w, one, r3, &a);
	h = finish_and_open(w, s->path);
	assert_int_equal(idom_of(h, a), HL_ROOT);
	assert_int_equal(idom_of(h, b), ut_find(h, a));
	assert_int_equal(idom_of(h, c), ut_find(h, a));
	assert_int_equal(idom_of(h, arr), ut_find(h, a));
	assert_int_equal(idom_of(h, d), ut_find(h, arr));
	assert_int_equal(idom_of(h, r2), HL_ROOT);
	assert_int_equal(idom_of(h, r3), ut_find(h, r2));
	assert_int_equal(retained_of(h, a), shallow_of(h, a) + 24 + 24 + shallow_of(h, arr) + 24);
	hl_close(h);
}

/* Stack locals of a thread with a ROOT_THREAD_OBJ are its references, not
 * roots; a local of an unknown thread serial stays a root. */
static void test_thread_locals(void **state)
{
	struct dom_state *s = *state;
	struct hw_jdk jdk;
	struct hw_writer *w = new_heap(&jdk);
	uint64_t item = hw_node_class(w, "k/Item", 0), t, l[5];
	const hl_obj *kids;
	uint64_t want;
	hl_heap *h;
	hl_info info;
	int i;

	hw_class_dump_all(w);
	root_jdk_classes(w, &jdk);
	hw_root_sticky_class(w, item);
	t = hw_alloc(w, 24);
	for (i = 0; i < 5; i++)
		l[i] = hw_alloc(w, 16);
	hw_root_thread_obj(w, t, 3, 0);
	hw_root_java_frame(w, l[0], 3, 0);
	hw_root_jni_local(w, l[1], 3, 1);
	hw_root_native_stack(w, l[2], 3);
	hw_root_thread_block(w, l[3], 3);
	hw_root_java_frame(w, l[4], 42, 0);
	hw_thread_object(w, &jdk, t, "worker");
	for (i = 0; i < 5; i++)
		hw_node(w, item, l[i], NULL);
	h = finish_and_open(w, s->path);
	hl_get_info(h, &info);
	assert_int_equal(info.roots[HL_ROOT_JAVA_FRAME], 2);
	assert_int_equal(info.roots[HL_ROOT_THREAD_OBJ], 1);
	/* 14 JDK classes + Item, the thread, l[4] */
	assert_int_equal(info.root_objects, 15 + 2);
	assert_int_equal(idom_of(h, t), HL_ROOT);
	want = shallow_of(h, t);
	for (i = 0; i < 4; i++) {
		assert_int_equal(idom_of(h, l[i]), ut_find(h, t));
		want += shallow_of(h, l[i]);
	}
	assert_int_equal(idom_of(h, l[4]), HL_ROOT);
	/* the thread's name String and its byte[] are the other children */
	assert_int_equal(hl_dominated(h, ut_find(h, t), &kids), 5);
	for (i = 0; i < 5; i++)
		if (hl_object_kind(h, kids[i]) == HL_INSTANCE &&
		    !strcmp(hl_class_name(h, hl_object_class(h, kids[i])), "java.lang.String"))
			want += hl_retained(h, kids[i]);
	assert_int_equal(retained_of(h, t), want);
	hl_close(h);
}

/* No sticky-class root at all: every non-array class of the bootstrap
 * loader is a root; a class of a custom loader is owned by its only
 * instance, and the loader by the class. */
static void test_no_sticky_fallback(void **state)
{
	struct dom_state *s = *state;
	struct hw_jdk jdk;
	struct hw_writer *w = new_heap(&jdk);
	uint64_t custom = hw_node_class(w, "k/Custom", 1), plain = hw_node_class(w, "k/Plain", 0);
	uint64_t inst = hw_alloc(w, 24), loader = hw_alloc(w, 16), p = hw_alloc(w, 16);
	size_t t;
	hl_heap *h;

	hw_class_set_loader(w, custom, loader);
	hw_class_dump_all(w);
	hw_root_jni_global(w, inst, 1);
	hw_node(w, custom, inst, &p);
	hw_node(w, plain, p, NULL);
	hw_instance_dump(w, loader, 0, jdk.class_loader, NULL, 0);
	h = finish_and_open(w, s->path);
	assert_int_equal(idom_of(h, jdk.object), HL_ROOT);
	assert_int_equal(idom_of(h, jdk.string), HL_ROOT);
	assert_int_equal(idom_of(h, jdk.thread), HL_ROOT);
	assert_int_equal(idom_of(h, plain), HL_ROOT);
	for (t = 0; t < 12; t++)
		if (jdk.prim_array[t])
			assert_false(hl_object_reachable(h, ut_find(h, jdk.prim_array[t])));
	assert_int_equal(idom_of(h, jdk.object_array), HL_NONE);
	assert_int_equal(idom_of(h, custom), ut_find(h, inst));
	assert_int_equal(idom_of(h, loader), ut_find(h, custom));
	assert_int_equal(idom_of(h, p), ut_find(h, inst));
	assert_int_equal(idom_of(h, 0), HL_ROOT); /* the system loader: many classes */
	assert_int_equal(retained_of(h, inst), 24 + 0 + 16 + 16);
	hl_close(h);
}

/* ---- (c) deep graphs from mkcrafted ---- */

static void run_mkcrafted(const char *dir, const char *name)
{
	char tool[UT_PATH_MAX];
	int status, fd;
	pid_t pid;

	ut_join(tool, sizeof tool, ut_env_dir("HL_BUILD"), "tests/mkcrafted");
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, 1);
		execl(tool, tool, dir, name, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("%s %s %s failed (status %d)", tool, dir, name, status);
}

#define CHAIN_N 2000000u

/* The 2,000,000-node list: the head retains everything; walking down the
 * dominator tree and back up the idom chain both take CHAIN_N - 1 steps. */
static void test_deep_chain(void **state)
{
	struct dom_state *s = *state;
	char path[UT_PATH_MAX];
	const hl_obj *kids;
	hl_obj head, o;
	uint64_t node_size, steps = 0;
	unsigned threads;
	hl_heap *h;

	run_mkcrafted(s->dir, "deep-chain");
	h = ut_open(ut_join(path, sizeof path, s->dir, "deep-chain.hprof"));
	assert_int_equal(hl_compute_dominators(h), HL_OK);
	assert_true(hl_dominated(h, HL_ROOT, &kids) >= 1);
	head = kids[0]; /* the largest top-level dominator */
	assert_string_equal(hl_class_name(h, hl_object_class(h, head)), "com.example.ChainNode");
	node_size = hl_object_shallow(h, head);
	assert_int_equal(node_size, 24);
	assert_int_equal(hl_retained(h, head), (uint64_t)CHAIN_N * node_size);
	for (o = head; hl_dominated(h, o, &kids) == 1; o = kids[0])
		steps++;
	assert_int_equal(steps, CHAIN_N - 1);
	assert_int_equal(hl_retained(h, o), node_size);
	for (steps = 0; hl_idom(h, o) != HL_ROOT; o = hl_idom(h, o))
		steps++;
	assert_int_equal(o, head);
	assert_int_equal(steps, CHAIN_N - 1);
	/* the class's retained size is the head's, on threads too: the walk
	 * cuts the chain, the heaviest piece, down to its depth limit */
	for (threads = 1; threads <= 3; threads++) {
		hl_histogram t;
		size_t i;

		h->g.threads = threads;
		free(h->dom.class_retained);
		h->dom.class_retained = NULL;
		assert_int_equal(hl_histogram_build(h, HL_BY_CLASS, 0, &t), HL_OK);
		for (i = 0; i < t.count; i++)
			if (t.rows[i].cls == hl_object_class(h, head))
				assert_int_equal(t.rows[i].retained, (uint64_t)CHAIN_N * node_size);
		hl_histogram_free(&t);
	}
	hl_close(h);
	unlink(path);
}

/* 5000 Java-frame roots of one thread: all locals hang under the thread. */
static void test_deep_stack(void **state)
{
	struct dom_state *s = *state;
	char path[UT_PATH_MAX];
	const hl_obj *kids;
	uint64_t want = 0;
	hl_obj thread = HL_NONE, o;
	size_t n, i, locals = 0;
	hl_heap *h;
	hl_info info;

	run_mkcrafted(s->dir, "deep-stack");
	h = ut_open(ut_join(path, sizeof path, s->dir, "deep-stack.hprof"));
	assert_int_equal(hl_compute_dominators(h), HL_OK);
	hl_get_info(h, &info);
	assert_int_equal(info.roots[HL_ROOT_JAVA_FRAME], 5000);
	for (o = 0; o < hl_object_count(h); o++)
		if (hl_object_kind(h, o) == HL_INSTANCE &&
		    !strcmp(hl_class_name(h, hl_object_class(h, o)), "java.lang.Thread"))
			thread = o;
	assert_int_not_equal(thread, HL_NONE);
	assert_int_equal(hl_idom(h, thread), HL_ROOT);
	n = hl_dominated(h, thread, &kids);
	assert_int_equal(n, 5001); /* 5000 locals and the name String */
	for (i = 0; i < n; i++) {
		locals += !strcmp(hl_class_name(h, hl_object_class(h, kids[i])), "com.example.Deep$Local");
		want += hl_retained(h, kids[i]);
	}
	assert_int_equal(locals, 5000);
	assert_int_equal(hl_retained(h, thread), want + hl_object_shallow(h, thread));
	hl_close(h);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_random_graphs, dom_setup, dom_teardown),
		cmocka_unit_test_setup_teardown(test_linked_list, dom_setup, dom_teardown),
		cmocka_unit_test_setup_teardown(test_deep_walk_pieces, dom_setup, dom_teardown),
		cmocka_unit_test_setup_teardown(test_long_children_lists, dom_setup, dom_teardown),
		cmocka_unit_test_setup_teardown(test_map_shared_values, dom_setup, dom_teardown),
		cmocka_unit_test_setup_teardown(test_static_field_owner, dom_setup, dom_teardown),
		cmocka_unit_test_setup_teardown(test_diamond_and_root_edges, dom_setup, dom_teardown),
		cmocka_unit_test_setup_teardown(test_thread_locals, dom_setup, dom_teardown),
		cmocka_unit_test_setup_teardown(test_no_sticky_fallback, dom_setup, dom_teardown),
		cmocka_unit_test_setup_teardown(test_deep_chain, dom_setup, dom_teardown),
		cmocka_unit_test_setup_teardown(test_deep_stack, dom_setup, dom_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
