/*
 * collections.c - elements of JDK collections and content keys.
 *
 * Recognised by class name along the super chain, so subclasses of
 * HashMap or ArrayList count too.  Element walks read the backing array
 * (elementData, elements, table) and follow hash chains through `next`
 * (HashMap.Node, Hashtable.Entry, ConcurrentHashMap.Node; a
 * ConcurrentHashMap TreeBin is entered through `first`).  Every walk is
 * bounded: chains stop after as many steps as there are objects.
 */
#include "analysis/collections.h"

#include <stdlib.h>
#include <xxhash.h>

#include "analysis/values.h"

static const struct { const char *name; enum hl_coll kind; } known[] = {
	{ "java.util.ArrayList", COLL_LIST },
	{ "java.util.Vector", COLL_LIST },
	{ "java.util.ArrayDeque", COLL_DEQUE },
	{ "java.util.HashMap", COLL_MAP },
	{ "java.util.Hashtable", COLL_MAP },
	{ "java.util.WeakHashMap", COLL_MAP },
	{ "java.util.concurrent.ConcurrentHashMap", COLL_MAP },
	{ "java.util.HashSet", COLL_SET },
};

const char *hl_coll_name(enum hl_coll k)
{
	switch (k) {
	case COLL_LIST: return "list";
	case COLL_DEQUE: return "deque";
	case COLL_MAP: return "map";
	case COLL_SET: return "set";
	case COLL_ARRAY: return "array";
	default: return "object";
	}
}

static enum hl_coll class_kind(const hl_graph *g, uint32_t cls)
{
	uint32_t c, steps = 0;
	size_t i;

	for (c = cls; c != HL_NONE && steps++ < 64; c = g->classes[c].super) {
		const char *nm = hl_graph_class_name(g, c);

		if (strncmp(nm, "java.util.", 10))
			continue;
		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (!strcmp(nm, known[i].name))
				return known[i].kind;
	}
	return COLL_NONE;
}

static int is_boxed(const char *nm)
{
	static const char *const boxes[] = {
		"java.lang.Integer", "java.lang.Long", "java.lang.Short",
		"java.lang.Byte", "java.lang.Character", "java.lang.Boolean",
		"java.lang.Double", "java.lang.Float",
	};
	size_t i;

	for (i = 0; i < sizeof(boxes) / sizeof(boxes[0]); i++)
		if (!strcmp(nm, boxes[i]))
			return 1;
	return 0;
}

#define BOXED 0x80 /* in the per-class cache: a boxed number class */

/* The per-class cache: collection kind, and BOXED; made once (NULL when
 * memory lacks: then each look-up works it out). */
void hl_coll_prepare(const hl_graph *g)
{
	uint8_t *k;
	uint32_t c;

	if (g->coll_kind || !(k = hl_malloc_array(g->nclasses + 1, 1)))
		return;
	for (c = 0; c < g->nclasses; c++)
		k[c] = (uint8_t)(class_kind(g, c) |
			(is_boxed(hl_graph_class_name(g, c)) ? BOXED : 0));
	k[g->nclasses] = 0;
	((hl_graph *)g)->coll_kind = k;
}

static unsigned class_info(const hl_graph *g, uint32_t cls)
{
	hl_coll_prepare(g);
	if (!g->coll_kind)
		return class_kind(g, cls) |
		       (is_boxed(hl_graph_class_name(g, cls)) ? BOXED : 0);
	return g->coll_kind[cls];
}

enum hl_coll hl_coll_kind(const hl_graph *g, uint32_t o)
{
	if (hl_graph_kind(g, o) == K_OBJ_ARRAY)
		return COLL_ARRAY;
	if (hl_graph_kind(g, o) != K_INSTANCE)
		return COLL_NONE;
	return (enum hl_coll)(class_info(g, hl_graph_cls(g, o)) & ~BOXED);
}

/*
 * Field positions by (class, name), remembered: the walks below ask the
 * same few names of the same few entry classes millions of times.  A
 * small direct-mapped cache; names are the literals of this file, so
 * their addresses identify them.
 */
struct fslot { uint32_t cls; const char *name; int found; struct hl_fieldpos pos; };
static _Thread_local struct fslot fcache[256];
static _Thread_local const hl_graph *fcache_graph;

static int find_cached(const hl_graph *g, uint32_t cls,
		       const char *name, struct hl_fieldpos *out)
{
	struct fslot *sl = &fcache[(cls * 31u + (uint32_t)(uintptr_t)name / 8) & 255];

	if (fcache_graph != g) {
		memset(fcache, 0, sizeof(fcache));
		fcache_graph = g;
	}
	if (sl->name != name || sl->cls != cls) {
		sl->cls = cls;
		sl->name = name;
		sl->found = hl_field_find(g, cls, name, &sl->pos);
	}
	*out = sl->pos;
	return sl->found;
}

/* Object number held by a reference field of o, HL_NONE if null/absent. */
static uint32_t ref_field(const hl_graph *g, uint32_t o,
			  const char *name)
{
	struct hl_fieldpos f;
	uint64_t v;

	if (o == HL_NONE || !find_cached(g, hl_graph_cls(g, o), name, &f) ||
	    f.type != T_OBJECT || !hl_field_read(g, o, &f, &v) || !v)
		return HL_NONE;
	return hl_graph_ref_at(g, o, f.offset, v);
}

static uint64_t int_field(const hl_graph *g, uint32_t o,
			  const char *name)
{
	struct hl_fieldpos f;
	uint64_t v = 0;

	if (find_cached(g, hl_graph_cls(g, o), name, &f) && f.type == T_INT)
		hl_field_read(g, o, &f, &v);
	return (uint64_t)(int32_t)v < (1ull << 31) ? v : 0;
}

static uint64_t array_len(const hl_graph *g, uint32_t a)
{
	if (a == HL_NONE || hl_graph_kind(g, a) != K_OBJ_ARRAY)
		return 0;
	return hl_be32(g->data + hl_graph_record(g, a) + 1 + g->idsize + 4);
}

static uint32_t array_at(const hl_graph *g, uint32_t a, uint64_t i)
{
	const uint8_t *r = g->data + hl_graph_record(g, a);
	uint64_t v = hl_beid(r + 1 + 2 * g->idsize + 8 + i * g->idsize, g->idsize);

	return v ? hl_graph_lookup(g, v) : HL_NONE;
}

/* The non-null elements of a whole object array, in order, straight from
 * the resolved edges: *n is their number, or NULL when some element was
 * dangling (dropped from the edges) and the array must be read instead. */
static const uint32_t *array_edges(const hl_graph *g, uint32_t a, uint64_t *n)
{
	const uint8_t *r = g->data + hl_graph_record(g, a) + 1 + 2 * g->idsize + 8;
	uint64_t len = array_len(g, a), i, nonnull = 0;

	if (!g->edge_to)
		return NULL;
	for (i = 0; i < len; i++)
		nonnull += hl_beid(r + i * g->idsize, g->idsize) != 0;
	if (nonnull != g->edge_start[a + 1] - g->edge_start[a])
		return NULL;
	*n = nonnull;
	return g->edge_to + g->edge_start[a];
}

/* Part k of parts of a range of n items: [*lo, *hi). */
struct part { unsigned k, n; };

static void slice(struct part p, uint64_t n, uint64_t *lo, uint64_t *hi)
{
	*lo = n * p.k / p.n;
	*hi = n * (p.k + 1) / p.n;
}

static uint64_t walk_array(const hl_graph *g, uint32_t a, uint64_t limit,
			   struct part p, hl_elem_fn fn, void *ctx)
{
	uint64_t n = array_len(g, a), i, lo, hi, count = 0;
	const uint32_t *elems;

	if (a == HL_NONE)
		return 0;
	if (limit >= n && (elems = array_edges(g, a, &n)) != NULL) {
		slice(p, n, &lo, &hi);
		for (i = lo; i < hi; i++) {
			/* what fn reads of the element (its content key) */
			if (i + 16 < hi)
				hl_graph_ahead_rows(g, elems[i + 16]);
			if (i + 8 < hi)
				hl_graph_ahead_record(g, elems[i + 8]);
			if (count++, fn(ctx, elems[i], HL_NONE))
				break;
		}
		return count;
	}
	if (limit < n)
		n = limit;
	slice(p, n, &lo, &hi);
	for (i = lo; i < hi; i++) {
		uint32_t e = array_at(g, a, i);

		if (e != HL_NONE) {
			count++;
			if (fn(ctx, e, HL_NONE))
				break;
		}
	}
	return count;
}

/* Where an entry class keeps key, value (or val) and next among its
 * reference fields (indexes into its flattened reference list), cached for
 * the last entry class seen. */
struct entry_layout { uint32_t cls; int key, value, next; };

static int ref_index(const hl_graph *g, const struct hl_class *c,
		     const char *name)
{
	const struct hl_reffield *rf = hl_graph_reffields(g, c);
	const struct hl_field *f = g->fields.data;
	uint32_t i;

	for (i = 0; i < c->nrefs; i++)
		if (!strcmp(g->names.data + f[rf[i].field].name, name))
			return (int)i;
	return -1;
}

static void entry_layout(const hl_graph *g, uint32_t cls, struct entry_layout *l)
{
	const struct hl_class *c = &g->classes[cls];

	l->cls = cls;
	l->key = ref_index(g, c, "key");
	l->value = ref_index(g, c, "value");
	if (l->value < 0)
		l->value = ref_index(g, c, "val"); /* ConcurrentHashMap.Node */
	l->next = ref_index(g, c, "next");
}

/*
 * An entry's key, value and next in one read of its record: the targets
 * of its non-null reference fields are its resolved edges in order, so a
 * field's rank among them is its place there (looked up by id instead when
 * the counts disagree, after a dangling reference).
 */
static void entry_refs(const hl_graph *g, uint32_t e, struct entry_layout *l,
		       uint32_t *key, uint32_t *value, uint32_t *next)
{
	const struct hl_class *c;
	const struct hl_reffield *rf;
	const uint8_t *r;
	uint64_t ids[3] = { 0, 0, 0 }, id;
	uint32_t i, nbytes, rank = 0, at[3] = { 0, 0, 0 }, *out[3] = { key, value, next };
	unsigned idsz = g->idsize, k;
	int want[3];

	*key = *value = *next = HL_NONE;
	if (hl_graph_kind(g, e) != K_INSTANCE || (g->flags[e] & F_SYNTH))
		return;
	if (hl_graph_cls(g, e) != l->cls)
		entry_layout(g, hl_graph_cls(g, e), l);
	want[0] = l->key;
	want[1] = l->value;
	want[2] = l->next;
	c = &g->classes[hl_graph_cls(g, e)];
	rf = hl_graph_reffields(g, c);
	r = hl_inst_data(g->data + hl_graph_off(g, e), idsz, &nbytes);
	for (i = 0; i < c->nrefs; i++) {
		if ((uint64_t)rf[i].offset + idsz > nbytes ||
		    !(id = hl_beid(r + rf[i].offset, idsz)))
			continue;
		for (k = 0; k < 3; k++)
			if (want[k] == (int)i) {
				ids[k] = id;
				at[k] = rank;
			}
		rank++;
	}
	for (k = 0; k < 3; k++) {
		if (!ids[k])
			continue;
		if (rank == g->edge_start[e + 1] - g->edge_start[e] &&
		    !(g->flags[e] & F_LOCALS))
			*out[k] = g->edge_to[g->edge_start[e] + at[k]];
		else
			*out[k] = hl_graph_lookup(g, ids[k]);
	}
}

/*
 * A big table's walk with its entries' records read in object order.  The
 * table's order is the hash's: its entries lie all over the heap, and
 * reading their records in that order maps the dump's pages at random.
 * Where the collector copied the entries in the table's order (a serial
 * young collection copies what the table refers to in order) that is
 * near the dump's order; where it did not (G1's parallel evacuation), a
 * census of a million entries read the whole dump at random, dropping and
 * mapping its pages again and again: 27 s against 1.3 s on a 600 MB dump
 * made under G1.  So level by level: the chains' heads, then the entries
 * they point to, and so on, each level's records read in object number
 * order (the dump's order, or near it), the pages dropped behind; then
 * the elements go to fn in the table's order, head by head, each chain
 * from its head, as the plain walk hands them.  -1 (nothing handed) when
 * memory lacks or the chains hold more entries than there are objects (a
 * cycle in a damaged heap): the caller walks in the table's order then.
 */
#define ORDERED_MIN 4096 /* heads: below this, the table's order */

/* an entry (its key once its record is read), its head's index */
struct chain { uint32_t e, head; };

/* Whether the heads are scattered over the heap (hl_scattered). */
static int scattered(const uint32_t *heads, uint64_t n)
{
	hl_scatter sc = { 0 };
	uint64_t i;

	for (i = 0; i < n; i++)
		hl_scatter_add(&sc, heads[i]);
	return hl_scattered(&sc);
}

/* Level [a, b) of the chains: each entry's record read in object order,
 * its key put in place of the entry, its value in val, the entries it
 * points to appended as the next level, in head order.  0, or -1 when
 * memory lacks. */
static int read_level(const hl_graph *g, hl_vec *ch, hl_vec *val, size_t a,
		      size_t b, struct entry_layout *lay)
{
	struct hl_objent *order = hl_malloc_array(b - a, sizeof(*order));
	uint32_t *next = hl_malloc_array(b - a, sizeof(*next)), k, v;
	struct chain *c = ch->data;
	hl_behind behind;
	size_t j;
	int fail = !order || !next || hl_vec_reserve(val, b - val->len);

	for (j = a; j < b && !fail; j++)
		order[j - a] = (struct hl_objent){ c[j].e, j - a };
	if (!fail)
		fail = hl_sort_entries(order, b - a, 1);
	if (!fail)
		val->len = b;
	/* the pages read dropped behind (the other parts map back in what
	 * they still read) */
	hl_behind_init(&behind, g->mapped ? g->data : NULL);
	for (j = 0; j < b - a && !fail; j++) {
		size_t x = (size_t)order[j].offk;
		uint32_t e = (uint32_t)order[j].id;

		if (j + 16 < b - a)
			hl_graph_ahead_rows(g, (uint32_t)order[j + 16].id);
		if (j + 8 < b - a) {
			size_t y = (size_t)order[j + 8].offk;

			hl_graph_ahead_record(g, (uint32_t)order[j + 8].id);
			/* where its results go: the table's order, at random */
			__builtin_prefetch(&c[a + y], 1);
			__builtin_prefetch(&HL_VEC_AT(val, uint32_t, a + y), 1);
			__builtin_prefetch(&next[y], 1);
		}
		if (hl_graph_kind(g, e) == K_INSTANCE)
			hl_behind_note(&behind, hl_graph_off(g, e));
		entry_refs(g, e, lay, &k, &v, &next[x]);
		c[a + x].e = k; /* the entry is not needed any more */
		HL_VEC_AT(val, uint32_t, a + x) = v;
	}
	hl_behind_flush(&behind);
	for (j = a; j < b && !fail; j++) /* ch->data may move: no c here */
		if (next[j - a] != HL_NONE)
			fail = HL_VEC_PUSH(ch, struct chain, ((struct chain){
				next[j - a], HL_VEC_AT(ch, struct chain, j).head }));
	free(order);
	free(next);
	return fail ? -1 : 0;
}

static int64_t walk_ordered(const hl_graph *g, const uint32_t *heads,
			    uint64_t n, int keys_only, hl_elem_fn fn, void *ctx)
{
	struct entry_layout lay = { HL_NONE, -1, -1, -1 };
	uint32_t last_cls = HL_NONE;
	hl_vec ch, val, ends;
	size_t a, b, d, *at = NULL;
	uint64_t i, count = 0;
	int tree_bin = 0, fail = 0;

	hl_vec_init(&ch, sizeof(struct chain));
	hl_vec_init(&val, sizeof(uint32_t));
	hl_vec_init(&ends, sizeof(size_t));
	for (i = 0; i < n && !fail; i++) {
		uint32_t e = heads[i];

		if (i + 16 < n) /* the heads lie all over the heap */
			hl_graph_ahead_cls(g, heads[i + 16]);
		if (hl_graph_cls(g, e) != last_cls) {
			last_cls = hl_graph_cls(g, e);
			tree_bin = strstr(hl_graph_class_name(g, last_cls), "TreeBin") != NULL;
		}
		if (tree_bin)
			e = ref_field(g, e, "first");
		if (e != HL_NONE)
			fail = HL_VEC_PUSH(&ch, struct chain, ((struct chain){ e, (uint32_t)i }));
	}
	for (a = 0; !fail && (b = ch.len) > a; a = b) /* level [a, b) */
		fail = b > g->nobj || hl_vec_push(&ends, &b) ||
		       read_level(g, &ch, &val, a, b, &lay);
	at = fail ? NULL : hl_malloc_array(ends.len + 1, sizeof(size_t));
	if (at) { /* level d: [at[d], its end); each head's chain, in order */
		const struct chain *c = ch.data;
		const size_t *end = ends.data;

		for (d = 0; d < ends.len; d++)
			at[d] = d ? end[d - 1] : 0;
		for (i = 0; i < n; i++) {
			for (d = 0; d < ends.len && at[d] < end[d] &&
				    c[at[d]].head == i; d++) {
				size_t x = at[d]++;

				count++;
				if (fn(ctx, keys_only ? HL_NONE : HL_VEC_AT(&val, uint32_t, x),
				       keys_only ? c[x].e : HL_NONE)) {
					i = n;
					break;
				}
			}
		}
	}
	fail = !at;
	free(at);
	hl_vec_release(&ch);
	hl_vec_release(&val);
	hl_vec_release(&ends);
	return fail ? -1 : (int64_t)count;
}

/* Entries of a hash table: each bucket's chain through `next`. */
static uint64_t walk_table(const hl_graph *g, uint32_t map, int keys_only,
			   struct part p, hl_elem_fn fn, void *ctx)
{
	uint32_t table = ref_field(g, map, "table"), last_cls = HL_NONE;
	uint64_t n = array_len(g, table), i, lo, hi, count = 0, budget = g->nobj;
	const uint32_t *heads = table != HL_NONE ? array_edges(g, table, &n) : NULL;
	struct entry_layout lay = { HL_NONE, -1, -1, -1 };
	int tree_bin = 0;

	slice(p, n, &lo, &hi);
	if (heads && hi - lo >= ORDERED_MIN && scattered(heads + lo, hi - lo)) {
		int64_t r = walk_ordered(g, heads + lo, hi - lo, keys_only, fn, ctx);

		if (r >= 0)
			return (uint64_t)r;
	}
	for (i = lo; i < hi && budget; i++) {
		uint32_t e = heads ? heads[i] : array_at(g, table, i);

		if (heads && i + 16 < hi) /* the entries, all over the heap */
			hl_graph_ahead_rows(g, heads[i + 16]);
		if (heads && i + 8 < hi)
			hl_graph_ahead_record(g, heads[i + 8]);
		if (e != HL_NONE && hl_graph_cls(g, e) != last_cls) {
			last_cls = hl_graph_cls(g, e);
			tree_bin = strstr(hl_graph_class_name(g, last_cls), "TreeBin") != NULL;
		}
		if (e != HL_NONE && tree_bin)
			e = ref_field(g, e, "first");
		while (e != HL_NONE && budget--) {
			uint32_t k, v, nx;

			entry_refs(g, e, &lay, &k, &v, &nx);
			/* only what is counted: a set's keys, a map's values */
			count++;
			if (fn(ctx, keys_only ? HL_NONE : v, keys_only ? k : HL_NONE)) {
				budget = 0;
				break;
			}
			e = nx;
		}
	}
	return count;
}

uint64_t hl_coll_each_part(const hl_graph *g, uint32_t o, unsigned k,
			   unsigned parts, hl_elem_fn fn, void *ctx)
{
	struct part p = { k, parts ? parts : 1 };

	switch (hl_coll_kind(g, o)) {
	case COLL_LIST:
		return walk_array(g, ref_field(g, o, "elementData"),
				  int_field(g, o, "size"), p, fn, ctx);
	case COLL_DEQUE:
		return walk_array(g, ref_field(g, o, "elements"), UINT64_MAX,
				  p, fn, ctx);
	case COLL_MAP:
		return walk_table(g, o, 0, p, fn, ctx);
	case COLL_SET: {
		uint32_t m = ref_field(g, o, "map");

		return m == HL_NONE ? 0 : walk_table(g, m, 1, p, fn, ctx);
	}
	case COLL_ARRAY:
		return walk_array(g, o, UINT64_MAX, p, fn, ctx);
	default:
		return 0;
	}
}

uint64_t hl_coll_each(const hl_graph *g, uint32_t o, hl_elem_fn fn, void *ctx)
{
	return hl_coll_each_part(g, o, 0, 1, fn, ctx);
}

uint32_t hl_coll_backing(const hl_graph *g, uint32_t o)
{
	switch (hl_coll_kind(g, o)) {
	case COLL_LIST: return ref_field(g, o, "elementData");
	case COLL_DEQUE: return ref_field(g, o, "elements");
	case COLL_MAP: return ref_field(g, o, "table");
	case COLL_SET: {
		uint32_t m = ref_field(g, o, "map");

		return m == HL_NONE ? HL_NONE : ref_field(g, m, "table");
	}
	case COLL_ARRAY: return o;
	default: return HL_NONE;
	}
}

int hl_coll_scattered(const hl_graph *g, uint32_t o)
{
	enum hl_coll kind = hl_coll_kind(g, o);
	uint32_t a = hl_coll_backing(g, o);
	const uint32_t *elems;
	uint64_t n;

	if ((kind != COLL_LIST && kind != COLL_DEQUE && kind != COLL_ARRAY) ||
	    a == HL_NONE)
		return 0;
	elems = array_edges(g, a, &n);
	return elems && n >= ORDERED_MIN && scattered(elems, n);
}

uint64_t hl_coll_size(const hl_graph *g, uint32_t o)
{
	switch (hl_coll_kind(g, o)) {
	case COLL_LIST:
		return int_field(g, o, "size") ? int_field(g, o, "size")
			: int_field(g, o, "elementCount");
	case COLL_DEQUE:
		return array_len(g, ref_field(g, o, "elements"));
	case COLL_MAP:
		return int_field(g, o, "size") ? int_field(g, o, "size")
			: int_field(g, o, "count") ? int_field(g, o, "count")
			: array_len(g, ref_field(g, o, "table"));
	case COLL_SET: {
		uint32_t m = ref_field(g, o, "map");

		return m == HL_NONE ? 0 : int_field(g, m, "size");
	}
	case COLL_ARRAY:
		return array_len(g, o);
	default:
		return 0;
	}
}

uint64_t hl_content_key(const hl_graph *g, uint32_t o)
{
	const uint8_t *data;
	uint64_t len;
	unsigned enc;

	if (o == HL_NONE)
		return 0;
	/* a String by its encoded bytes: within one dump a text has one
	 * encoding, so equal bytes and encoding mean equal text */
	if (hl_graph_cls(g, o) == g->cls_string && hl_graph_kind(g, o) == K_INSTANCE &&
	    hl_string_raw(g, o, &data, &len, &enc))
		return XXH3_64bits_withSeed(data, len, 10 + enc);
	if (hl_graph_kind(g, o) == K_INSTANCE && (class_info(g, hl_graph_cls(g, o)) & BOXED)) {
		struct hl_fieldpos f;
		uint64_t v[2] = { hl_graph_cls(g, o), 0 };

		if (find_cached(g, hl_graph_cls(g, o), "value", &f))
			hl_field_read(g, o, &f, &v[1]);
		return XXH3_64bits_withSeed(v, sizeof(v), 2);
	}
	{
		uint64_t id = hl_graph_id(g, o);

		return XXH3_64bits_withSeed(&id, sizeof(id), 3);
	}
}
