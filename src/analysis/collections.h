/*
 * collections.h - what a JDK collection holds, read from the dump.
 */
#ifndef HL_COLLECTIONS_H
#define HL_COLLECTIONS_H

#include "graph/graph.h"

enum hl_coll {
	COLL_NONE, COLL_LIST,   /* ArrayList, Vector: elementData + size */
	COLL_DEQUE,             /* ArrayDeque: elements */
	COLL_MAP,               /* HashMap, LinkedHashMap, Hashtable,
				 * ConcurrentHashMap, WeakHashMap: table */
	COLL_SET,               /* HashSet, LinkedHashSet: map */
	COLL_ARRAY              /* Object[] and other object arrays */
};

/* Make the graph's per-class cache of collection kinds now: lookups made
 * on several threads at once must find it made. */
void hl_coll_prepare(const hl_graph *g);
/* Which collection an object is (by its class or a JDK super class). */
enum hl_coll hl_coll_kind(const hl_graph *g, uint32_t o);
const char *hl_coll_name(enum hl_coll k);

/* Called per element: for maps the value (key HL_NONE: not read), for sets
 * the element as key (value HL_NONE), for lists and arrays the element as
 * value; returns nonzero to stop the walk. */
typedef int (*hl_elem_fn)(void *ctx, uint32_t value, uint32_t key);
/*
 * Walk the elements; returns how many were visited (entries for maps).  A
 * walk is bounded by the sizes in the dump: a damaged chain cannot loop
 * forever.
 */
uint64_t hl_coll_each(const hl_graph *g, uint32_t o,
		      hl_elem_fn fn, void *ctx);
/* Part k of parts of the walk (elements, or hash buckets, split into
 * equal ranges): the parts in order visit what the whole walk visits, so
 * threads can walk them at once (the caches this file uses are per
 * thread; call hl_coll_prepare before starting them). */
uint64_t hl_coll_each_part(const hl_graph *g, uint32_t o, unsigned k,
			   unsigned parts, hl_elem_fn fn, void *ctx);
/* The array a collection keeps its elements (or buckets) in; an array is
 * its own.  HL_NONE when it has none. */
uint32_t hl_coll_backing(const hl_graph *g, uint32_t o);
/* Whether a list's, deque's or array's elements lie scattered over the
 * heap (hl_scattered), 4096 of them or more: read from its backing
 * array, nothing gathered.  0 for other collections. */
int hl_coll_scattered(const hl_graph *g, uint32_t o);
/* Element count from the size field (or array length) without walking. */
uint64_t hl_coll_size(const hl_graph *g, uint32_t o);
/*
 * A 64-bit key of an object's content: equal strings (by text) and equal
 * boxed numbers (by class and value) get equal keys; any other object its
 * identity.
 */
uint64_t hl_content_key(const hl_graph *g, uint32_t o);

#endif
