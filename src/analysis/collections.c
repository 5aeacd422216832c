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

/* The per-class cache: collection kind, and BOXED. */
static unsigned class_info(const hl_graph *g, uint32_t cls)
{
	if (!g->coll_kind) { /* a cache of the graph's, filled once */
		uint8_t *k = hl_malloc_array(g->nclasses + 1, 1);
		uint32_t c;

		if (!k)
			return class_kind(g, cls) |
			       (is_boxed(hl_graph_class_name(g, cls)) ? BOXED : 0);
		for (c = 0; c < g->nclasses; c++)
			k[c] = (uint8_t)(class_kind(g, c) |
				(is_boxed(hl_graph_class_name(g, c)) ? BOXED : 0));
		((hl_graph *)g)->coll_kind = k;
	}
	return g->coll_kind[cls];
}

enum hl_coll hl_coll_kind(const hl_graph *g, uint32_t o)
{
	if (hl_graph_kind(g, o) == K_OBJ_ARRAY)
		return COLL_ARRAY;
	if (hl_graph_kind(g, o) != K_INSTANCE)
		return COLL_NONE;
	return (enum hl_coll)(class_info(g, g->cls[o]) & ~BOXED);
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

	if (o == HL_NONE || !find_cached(g, g->cls[o], name, &f) ||
	    f.type != T_OBJECT || !hl_field_read(g, o, &f, &v) || !v)
		return HL_NONE;
	return hl_graph_ref_at(g, o, f.offset, v);
}

static uint64_t int_field(const hl_graph *g, uint32_t o,
			  const char *name)
{
	struct hl_fieldpos f;
	uint64_t v = 0;

	if (find_cached(g, g->cls[o], name, &f) && f.type == T_INT)
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

static uint64_t walk_array(const hl_graph *g, uint32_t a, uint64_t limit,
			   hl_elem_fn fn, void *ctx)
{
	uint64_t n = array_len(g, a), i, count = 0;
	const uint32_t *elems;

	if (a == HL_NONE)
		return 0;
	if (limit >= n && (elems = array_edges(g, a, &n)) != NULL) {
		for (i = 0; i < n; i++)
			if (count++, fn(ctx, elems[i], HL_NONE))
				break;
		return count;
	}
	if (limit < n)
		n = limit;
	for (i = 0; i < n; i++) {
		uint32_t e = array_at(g, a, i);

		if (e != HL_NONE) {
			count++;
			if (fn(ctx, e, HL_NONE))
				break;
		}
	}
	return count;
}

/* Entries of a hash table: each bucket's chain through `next`. */
static uint64_t walk_table(const hl_graph *g, uint32_t map,
			   int keys_only, hl_elem_fn fn, void *ctx)
{
	uint32_t table = ref_field(g, map, "table"), last_cls = HL_NONE;
	uint64_t n = array_len(g, table), i, count = 0, budget = g->nobj;
	const uint32_t *heads = table != HL_NONE ? array_edges(g, table, &n) : NULL;
	int tree_bin = 0;

	for (i = 0; i < n && budget; i++) {
		uint32_t e = heads ? heads[i] : array_at(g, table, i);

		if (e != HL_NONE && g->cls[e] != last_cls) {
			last_cls = g->cls[e];
			tree_bin = strstr(hl_graph_class_name(g, last_cls), "TreeBin") != NULL;
		}
		if (e != HL_NONE && tree_bin)
			e = ref_field(g, e, "first");
		while (e != HL_NONE && budget--) {
			uint32_t k = HL_NONE, v = HL_NONE;

			/* only what is counted: a set's keys, a map's values */
			if (keys_only) {
				k = ref_field(g, e, "key");
			} else { /* ConcurrentHashMap.Node calls it val */
				v = ref_field(g, e, "value");
				if (v == HL_NONE)
					v = ref_field(g, e, "val");
			}
			count++;
			if (fn(ctx, v, k)) {
				budget = 0;
				break;
			}
			e = ref_field(g, e, "next");
		}
	}
	return count;
}

uint64_t hl_coll_each(const hl_graph *g, uint32_t o,
		      hl_elem_fn fn, void *ctx)
{
	switch (hl_coll_kind(g, o)) {
	case COLL_LIST:
		return walk_array(g, ref_field(g, o, "elementData"),
				  int_field(g, o, "size"), fn, ctx);
	case COLL_DEQUE:
		return walk_array(g, ref_field(g, o, "elements"), UINT64_MAX,
				  fn, ctx);
	case COLL_MAP:
		return walk_table(g, o, 0, fn, ctx);
	case COLL_SET: {
		uint32_t m = ref_field(g, o, "map");

		return m == HL_NONE ? 0 : walk_table(g, m, 1, fn, ctx);
	}
	case COLL_ARRAY:
		return walk_array(g, o, UINT64_MAX, fn, ctx);
	default:
		return 0;
	}
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
	if (g->cls[o] == g->cls_string && hl_graph_kind(g, o) == K_INSTANCE &&
	    hl_string_raw(g, o, &data, &len, &enc))
		return XXH3_64bits_withSeed(data, len, 10 + enc);
	if (hl_graph_kind(g, o) == K_INSTANCE && (class_info(g, g->cls[o]) & BOXED)) {
		struct hl_fieldpos f;
		uint64_t v[2] = { g->cls[o], 0 };

		if (find_cached(g, g->cls[o], "value", &f))
			hl_field_read(g, o, &f, &v[1]);
		return XXH3_64bits_withSeed(v, sizeof(v), 2);
	}
	return XXH3_64bits_withSeed(&g->ent[o].id, sizeof(uint64_t), 3);
}
