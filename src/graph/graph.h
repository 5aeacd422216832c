/*
 * graph.h - the object graph: classes, objects, roots, references.
 *
 * Built from the pass-1 scan: every instance, array and class object gets a
 * dense object number in address order (the synthetic "<system class
 * loader>" at address 0 is number 0 when present, as in MAT).  Storage is
 * struct-of-arrays indexed by that number, sized once:
 *   offk[]  record offset, kind in the top 2 of 48 bits (for class
 *           objects the class number instead of the offset)  6 bytes
 *   id32[]  while the graph is built (then the ids are read from the
 *           records): id, as (id - id_base) >> id_shift when every id fits so
 *           (heaps spanning up to 2^32 alignment units)      4 bytes
 *           or id64[] (8 bytes) when they do not
 *   cls[]   class number: 2 bytes, or 4 (cls_wide) when there are
 *           65,535 classes or more; read with hl_graph_cls  2 bytes
 *   size[]  shallow size in units of 1 << size_shift bytes   2 bytes
 *           (the alignment), or HL_SIZE_BIG: then in size_big[]
 *   flags[] reachable, root, has-locals                      1 byte
 * plus a bucket index over the sorted ids for id -> number lookups.
 * References are not stored here: hl_refit decodes them from the record on
 * demand, in MAT's order (class first, then fields/elements/statics, then
 * a thread's stack locals).
 */
#ifndef HL_GRAPH_H
#define HL_GRAPH_H

#include "hprof/hprof.h"

#define HL_SIZE_BIG UINT16_MAX

/* An object's size too big for its compact array (shallow or retained),
 * in a list sorted by object. */
struct hl_objsize { uint64_t obj, bytes; };
/* The bytes of object o in such a list; 0 when it is not there. */
uint64_t hl_objsize_find(const struct hl_objsize *v, uint64_t n, uint32_t o);

/* Positions in the edge arrays (outbound and inbound references): 32 bits,
 * 4 bytes an object less than 64; a dump with more than 4,294,967,295
 * references (100 GB and more) is refused with a message. */
typedef uint32_t hl_eidx;
#define HL_EIDX_MAX UINT32_MAX

enum { F_REACHABLE = 1, F_ROOT = 2, F_LOCALS = 4, F_SYNTH = 8 };

/* A reference field of an instance layout: byte offset and field index. */
struct hl_reffield { uint32_t offset, field; };
/* An instance field: name (UTF8 id and name pool offset), offset in its
 * class's own data, basic type. */
struct hl_field { uint64_t name_id; uint32_t name, offset; uint8_t type; };
/* A static field: name pool offset, type, file offset of its value. */
struct hl_static { uint64_t value_off; uint32_t name; uint8_t type; };

struct hl_class {
	uint64_t id;          /* class object id; 0 for a synthetic class */
	uint64_t off;         /* CLASS_DUMP record offset (tag byte), 0 if none */
	uint64_t loader_id;
	uint32_t obj;         /* object number of the class object, HL_NONE */
	uint32_t super;       /* class number, HL_NONE */
	uint32_t name;        /* offset in the name pool */
	uint32_t fields, nfields;   /* own instance fields in g->fields */
	uint32_t refs, nrefs;       /* full layout's reference fields in g->refs */
	uint32_t data_size;   /* bytes of field data of a full instance */
	uint32_t statics, nstatics; /* in g->statics */
	uint32_t shallow;     /* instance shallow size (size model) */
	uint32_t class_shallow; /* shallow size of the class object */
	uint8_t elem_type;    /* array classes: element type; 0 otherwise */
	uint8_t is_array;
};

/* A stack local: thread object and the local's object, frame number. */
struct hl_local { uint32_t thread, obj, frame; uint8_t kind; };

/* A resolved GC root record. */
struct hl_root { uint32_t obj; uint32_t thread; uint32_t frame; uint8_t kind; };

typedef struct hl_graph {
	const uint8_t *data;
	uint64_t data_size;
	int mapped;          /* data is a file mapping (hl_hprof.mapped) */
	unsigned idsize, refsize, align, header;
	int compressed;

	/* classes */
	struct hl_class *classes;
	uint32_t nclasses;
	struct hl_objent *class_ids; /* (id, class number) sorted by id */
	uint32_t nclass_ids;
	/* class_ids' positions by a hash of the id, open addressing, HL_NONE
	 * where empty (class_mask + 1 slots); NULL in a graph read from an
	 * index, which looks ids up in class_ids by halves */
	uint32_t *class_slot, class_mask;
	hl_vec fields;      /* struct hl_field */
	hl_vec refs;        /* struct hl_reffield */
	hl_vec statics;     /* struct hl_static */
	hl_strpool names;
	uint32_t cls_class, cls_object, cls_string, cls_loader, cls_thread;
	uint32_t cls_reference, cls_finalizer;
	uint32_t prim_class[12];   /* by element type */
	uint8_t *coll_kind;        /* per class, filled by collections.c */
	/* per class: reachable objects and their shallow bytes, then the
	 * unreachable ones (4 per class), when computed (histogram.c); kept
	 * in the index, so that a histogram from it reads no object */
	uint64_t *class_sums;

	/* objects */
	uint8_t *offk;      /* 6 bytes an object, little-endian; see hl_graph_offk */
	uint32_t *id32;     /* ids, compressed (or id64) */
	uint64_t *id64;
	struct hl_idblock *idblk; /* with id32, on a dense heap: see objects.c */
	/* the ids' block, its pages resident, left by a build that defers
	 * reachability (the dominator pass follows) for that pass's first
	 * array to take instead of fresh memory; freed with the graph */
	void *spare;
	uint64_t idblk_units;
	uint64_t id_base;
	unsigned id_shift, id_wide, synth0; /* synth0: object 0 is the
					     * synthetic loader, id 0 */
	void *cls;          /* uint16_t, or uint32_t when cls_wide */
	unsigned cls_wide;
	uint16_t *size;
	struct hl_objsize *size_big; /* sorted by object */
	uint64_t nsize_big;
	unsigned size_shift;
	uint8_t *flags;
	uint32_t nobj;
	uint32_t *bucket;   /* bucket index over ids */
	unsigned bucket_shift;
	uint64_t bucket_base;
	uint32_t nbuckets;
	uint64_t counts[4];

	/* roots */
	struct hl_root *roots;     /* resolved root records */
	uint32_t nroots;
	uint64_t root_kinds[HL_ROOT_KIND_COUNT];
	uint32_t *root_objs;       /* distinct root objects, ascending */
	uint32_t nroot_objs;
	struct hl_local *locals;   /* sorted by thread object */
	uint32_t nlocals;
	uint32_t *thread_serials;  /* (serial, obj) pairs, sorted */
	uint32_t nthreads;

	/* outbound references but the class edge, resolved (edges.c) */
	hl_eidx *edge_start;       /* nobj + 1 */
	uint32_t *edge_to;
	uint64_t nedges;
	unsigned threads;

	uint64_t subrecords;       /* heap sub-records of the dump */
	uint64_t dangling;         /* references to absent ids */
	uint64_t dangling_roots;
	uint64_t reachable_objs, reachable_bytes, unreachable_bytes;
	int reached;               /* reachability marked (hl_reach_mark) */
} hl_graph;

/* The id index of a dense heap while the graph is built: a bit for each
 * possible id (id_base + k << id_shift) in blocks of 64, each with the
 * number of the first object it holds, so a look-up is one block. */
struct hl_idblock { uint32_t rank, pad; uint64_t bits; };

/* Build the graph from the scan (which it consumes), and mark what is
 * reachable unless defer_reach (the dominator pass does it then, beside
 * its DFS: see hl_domtree_build). */
hl_status hl_graph_build(hl_graph *g, const hl_hprof *hp, hl_scan *sc,
			 hl_diag *d, hl_progress_fn progress, void *ctx,
			 int defer_reach);
void hl_graph_release(hl_graph *g);

/* Sort 16-byte entries by id, then by their second word, in place (radix,
 * on up to `threads` threads: the same result for any number); nonzero
 * when out of memory. */
int hl_sort_entries(struct hl_objent *e, size_t n, unsigned threads);
/* class-object id -> class number, HL_NONE when absent. */
uint32_t hl_graph_find_class(const hl_graph *g, uint64_t id);
/* id -> object number, HL_NONE when absent. */
uint32_t hl_graph_lookup(const hl_graph *g, uint64_t id);
/* Shallow size of an array from its record (tag byte first). */
uint64_t hl_graph_array_size(const hl_graph *g, const uint8_t *r);
static inline const char *hl_graph_class_name(const hl_graph *g, uint32_t c)
{
	return g->names.data + g->classes[c].name;
}
/* Class c's reference fields (its and its supers', in layout order),
 * c->nrefs of them; NULL when it has none (refs.data is NULL when no
 * class has any: no arithmetic on it then). */
static inline const struct hl_reffield *hl_graph_reffields(const hl_graph *g,
							   const struct hl_class *c)
{
	return c->nrefs ? (const struct hl_reffield *)g->refs.data + c->refs : NULL;
}
/* offk: 48 bits an object, the kind in the top 2, the offset (or a class
 * object's class number) in the other 46 (dumps up to 64 TiB).  Read
 * with one unaligned 8-byte load: the array has 2 spare bytes at its end. */
#define HL_OFFK_BYTES 6
#define HL_OFFK_OFF_BITS 46
#define HL_OFFK_MAX_OFF ((UINT64_C(1) << HL_OFFK_OFF_BITS) - 1)
static inline size_t hl_offk_size(uint64_t n)
{
	return (size_t)n * HL_OFFK_BYTES + 2;
}
static inline uint64_t hl_graph_offk(const hl_graph *g, uint32_t o)
{
	const uint8_t *p = g->offk + (size_t)o * HL_OFFK_BYTES;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v & ((UINT64_C(1) << 48) - 1);
#else
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
		(uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40;
#endif
}
static inline void hl_graph_set_offk(hl_graph *g, uint32_t o, unsigned kind,
				     uint64_t off)
{
	uint8_t *p = g->offk + (size_t)o * HL_OFFK_BYTES;
	uint64_t v = off | (uint64_t)kind << HL_OFFK_OFF_BITS;
	unsigned k;

	for (k = 0; k < HL_OFFK_BYTES; k++)
		p[k] = (uint8_t)(v >> (8 * k));
}
static inline uint32_t hl_graph_cls(const hl_graph *g, uint32_t o)
{
	return g->cls_wide ? ((const uint32_t *)g->cls)[o] :
		((const uint16_t *)g->cls)[o];
}
static inline void hl_graph_set_cls(hl_graph *g, uint32_t o, uint32_t c)
{
	if (g->cls_wide)
		((uint32_t *)g->cls)[o] = c;
	else
		((uint16_t *)g->cls)[o] = (uint16_t)c;
}
static inline unsigned hl_graph_kind(const hl_graph *g, uint32_t o)
{
	return (unsigned)(hl_graph_offk(g, o) >> HL_OFFK_OFF_BITS);
}
/* The offset of an object's record, or a class object's class number. */
static inline uint64_t hl_graph_off(const hl_graph *g, uint32_t o)
{
	return hl_graph_offk(g, o) & HL_OFFK_MAX_OFF;
}
/* Offset of an object's record (its tag byte); 0 for class objects. */
static inline uint64_t hl_graph_record(const hl_graph *g, uint32_t o)
{
	return hl_graph_kind(g, o) == K_CLASS ?
		g->classes[hl_graph_off(g, o)].off : hl_graph_off(g, o);
}
/* An object's id: from id32/id64 while the graph is built, then (they are
 * freed) from its record, where the id follows the tag byte, or for a
 * class object from its class. */
static inline uint64_t hl_graph_id(const hl_graph *g, uint32_t o)
{
	if (g->id64)
		return g->id64[o];
	if (o == 0 && g->synth0)
		return 0;
	if (g->id32)
		return g->id_base + ((uint64_t)g->id32[o] << g->id_shift);
	if (hl_graph_kind(g, o) == K_CLASS)
		return g->classes[hl_graph_off(g, o)].id;
	return hl_beid(g->data + hl_graph_off(g, o) + 1, g->idsize);
}
/* An instance's field data (*len bytes) in its INSTANCE_DUMP record r:
 * tag, id, stack serial, class id, length, data. */
static inline const uint8_t *hl_inst_data(const uint8_t *r, unsigned idsz,
					  uint32_t *len)
{
	*len = hl_be32(r + 1 + 2 * idsz + 4);
	return r + 1 + 2 * idsz + 8;
}
/* An OBJ_ARRAY_DUMP record's elements (*n ids): tag, id, stack serial,
 * length, array class id, elements. */
static inline const uint8_t *hl_objarr_data(const uint8_t *r, unsigned idsz,
					    uint32_t *n)
{
	*n = hl_be32(r + 1 + idsz + 4);
	return r + 1 + 2 * idsz + 8;
}
static inline uint64_t hl_graph_shallow(const hl_graph *g, uint32_t o)
{
	if (g->size[o] != HL_SIZE_BIG)
		return (uint64_t)g->size[o] << g->size_shift;
	return hl_objsize_find(g->size_big, g->nsize_big, o);
}

/* Stages of the build, in their own files. */
hl_status hl_classes_build(hl_graph *g, const hl_hprof *hp, hl_scan *sc,
			   hl_diag *d);
hl_status hl_objects_index(hl_graph *g, hl_scan *sc, hl_diag *d);
/* The object table (nobj, offk, packed ids) from the scan's entries when
 * they are runs of rising ids that merge into few pieces (idruns.c): 1
 * done (the entries released), 0 not so, -1 out of memory (both leaving
 * everything as it was). */
int hl_objects_from_runs(hl_graph *g, hl_scan *sc);
/* Packed ids' form: synthetic object 0 (first), base, alignment (from
 * bits, where a set bit is one the ids differ in), and whether 4 bytes an
 * id will do. */
void hl_objects_id_form(hl_graph *g, uint32_t n, unsigned first,
			uint64_t base, uint64_t bits, uint64_t max);
void hl_sizes_detect_refs(hl_graph *g, const hl_scan *sc);
hl_status hl_sizes_infer(hl_graph *g, hl_diag *d);
hl_status hl_objects_classify(hl_graph *g, hl_diag *d);
hl_status hl_roots_build(hl_graph *g, const hl_scan *sc, hl_diag *d);
hl_status hl_edges_build(hl_graph *g, unsigned threads, hl_diag *d);
/* Target of the reference field at byte offset `offset` of instance o,
 * whose raw value is id (not 0), read from the resolved edges when they
 * line up, else looked up. */
uint32_t hl_graph_ref_at(const hl_graph *g, uint32_t o, uint32_t offset,
			 uint64_t id);
/* Mark the reachable objects (F_REACHABLE) and sum them, on up to
 * `threads` threads; sets g->reached. */
hl_status hl_reach_mark(hl_graph *g, unsigned threads, hl_diag *d);
/* [*lo, *hi): thread object o's stack locals in g->locals. */
void hl_graph_locals(const hl_graph *g, uint32_t o, uint32_t *lo, uint32_t *hi);
/* Drop the mapped dump's pages from the process (they stay in the page
 * cache and come back on access): for walks that read records all over
 * the dump, every so many steps; a no-op when the dump is in memory. */
void hl_graph_drop_pages(const hl_graph *g);
/* For walks that read records all over the dump: call at every step;
 * every 512 steps it reads how much of mapped files the process holds
 * (/proc/self/statm), and drops the dump's pages and the spilled arrays'
 * (hl_spill) when that is a quarter of both or more, within 64 MB and a
 * quarter of the machine's memory.  Not less: a random read maps up to
 * 64 KB around it, and what a walk reads again after a drop is mapped
 * again; on the 5.4 GB benchmark dump a 1 GB limit made the suspects'
 * census 1.8 times slower than the 2.1 GB this gives (13.5 s against
 * 7.7 s). */
typedef struct hl_dropper { unsigned steps; } hl_dropper;
void hl_graph_drop_check(const hl_graph *g);
static inline void hl_graph_drop_step(const hl_graph *g, hl_dropper *dr)
{
	if (!(++dr->steps & 511))
		hl_graph_drop_check(g);
}

/*
 * Whether a walk over objects in a given order reads the dump at random
 * (as a hash table's entries, or a list filled from one, lie under G1):
 * one step in eight or more jumps further than HL_SCATTER_NEAR objects
 * (some 32 to 64 KB of records) from the one before.  Collectors that
 * copy in parallel reorder the objects locally (a list made under G1 in
 * its allocation order has one step in five going back, all near); such
 * a walk reads the dump in order, or near it, and is not scattered.
 */
#define HL_SCATTER_NEAR 1024
typedef struct hl_scatter { uint32_t prev; uint64_t n, far; } hl_scatter;
static inline void hl_scatter_add(hl_scatter *s, uint32_t o)
{
	if (s->n++)
		s->far += (o > s->prev ? o - s->prev : s->prev - o) > HL_SCATTER_NEAR;
	s->prev = o;
}
static inline int hl_scattered(const hl_scatter *s)
{
	return s->n && s->far * 8 >= s->n;
}

/* Move per-object arrays a pass will not read to the spill file (see
 * hl_spill): HL_SPILL_OBJECTS the record offsets and shallow sizes,
 * HL_SPILL_EDGES the outbound edges, classes and flags.  They stay
 * readable and writable where they are; only their memory changes. */
enum { HL_SPILL_OBJECTS = 1, HL_SPILL_EDGES = 2 };
void hl_graph_spill(hl_graph *g, unsigned what);
/* hl_graph_spill(g, HL_SPILL_OBJECTS), keeping the record offsets' memory
 * (hl_spill_keep): returned for the next big array to take (realloc'd to
 * its size), NULL when they were not spilled. */
void *hl_graph_spill_keep(hl_graph *g);

/*
 * For loops over objects all over the heap, each a few dependent random
 * reads: ask for object o's rows of the object table (record offset,
 * class, edges' start) some steps before it is handled, then for its
 * record and edges (which need those rows) a few steps later.  Hints
 * only: nothing is read, o may be HL_NONE.  Always inlined: a call, with
 * no effect the compiler can see, is dropped as a whole.
 */
#define HL_ALWAYS_INLINE static inline __attribute__((always_inline))
HL_ALWAYS_INLINE void hl_graph_ahead_cls(const hl_graph *g, uint32_t o)
{
	__builtin_prefetch(g->cls_wide ? (const void *)((const uint32_t *)g->cls + o)
			   : (const void *)((const uint16_t *)g->cls + o));
}
HL_ALWAYS_INLINE void hl_graph_ahead_rows(const hl_graph *g, uint32_t o)
{
	if (o == HL_NONE)
		return;
	__builtin_prefetch(g->offk + (size_t)o * HL_OFFK_BYTES);
	__builtin_prefetch(&g->edge_start[o]);
	hl_graph_ahead_cls(g, o);
}
HL_ALWAYS_INLINE void hl_graph_ahead_record(const hl_graph *g, uint32_t o)
{
	if (o == HL_NONE || hl_graph_kind(g, o) == K_CLASS)
		return;
	__builtin_prefetch(g->data + hl_graph_off(g, o));
	__builtin_prefetch(&g->edge_to[g->edge_start[o]]);
}

/* Ask for the id index's entry that looking up id will read (a hint). */
HL_ALWAYS_INLINE void hl_graph_ahead_lookup(const hl_graph *g, uint64_t id)
{
	uint64_t rel = id - g->id_base;

	if (g->idblk) {
		rel >>= g->id_shift;
		if (id >= g->id_base && rel < g->idblk_units)
			__builtin_prefetch(&g->idblk[rel >> 6]);
	} else if (g->bucket && id >= g->bucket_base &&
		   ((id - g->bucket_base) >> g->bucket_shift) < g->nbuckets) {
		__builtin_prefetch(&g->bucket[(id - g->bucket_base) >> g->bucket_shift]);
	}
}

/* The class object an object refers to, HL_NONE when its class has none. */
static inline uint32_t hl_graph_class_edge(const hl_graph *g, uint32_t o)
{
	return g->classes[hl_graph_cls(g, o)].obj;
}

/*
 * Reference iterator: yields the ids an object refers to, in MAT's order.
 * label: REF_CLASS, REF_FIELD (index into g->fields for instance fields),
 * REF_ELEMENT (array index), REF_SUPER, REF_LOADER, REF_STATIC (static
 * index), REF_LOCAL (root kind in label_index's high bits: index into
 * g->locals).  Ids may be dangling; null references are skipped.
 */
enum { REF_CLASS, REF_FIELD, REF_ELEMENT, REF_SUPER, REF_LOADER, REF_STATIC,
       REF_LOCAL };

typedef struct hl_refit {
	const hl_graph *g;
	uint32_t obj;
	int stage;
	const uint8_t *p, *end;    /* current data */
	uint64_t i, n;             /* position in the current list */
	const struct hl_reffield *rf;
	uint32_t cls;
	int label;
	uint64_t label_index;
} hl_refit;

void hl_refit_init(hl_refit *it, const hl_graph *g, uint32_t obj);
/* Next referenced id (never 0 except the bootstrap loader); 0 at the end. */
int hl_refit_next(hl_refit *it, uint64_t *id);
/* Name of the reference just yielded ("value", "[3]", "<class>"...). */
char *hl_refit_label(const hl_refit *it, char *buf, size_t len);
/* Is it a link MAT leaves out of paths (Reference.referent,
 * Finalizer.unfinalized)? */
int hl_refit_weak(const hl_refit *it);
/* Is class c java.lang.ref.Reference or one of its subclasses? */
int hl_graph_is_reference(const hl_graph *g, uint32_t c);
/* Can object o have such a link: an instance of a Reference class, or
 * Finalizer's class object?  is_ref: per class, hl_graph_is_reference
 * computed ahead for walks over many objects; NULL to compute it now. */
int hl_graph_may_be_weak(const hl_graph *g, uint32_t o, const uint8_t *is_ref);

#endif
