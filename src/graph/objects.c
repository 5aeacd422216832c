/*
 * objects.c - the object table: dense numbers, id lookup, class and size.
 *
 * Objects are numbered in address (id) order: the scan's entries taken as
 * a merge of their runs of rising ids, as HotSpot writes them (idruns.c),
 * else radix sorted by id in place (skipped when already sorted),
 * duplicates dropped
 * with a warning (the first in file order is kept).  Lookups go through
 * a bucket table over the id range: bucket b holds the numbers of the ids
 * in [base + b << shift, base + (b+1) << shift), 16 to 32 per bucket on
 * average, so a lookup is one table read and a short binary search.  Ids
 * far from the rest only make one bucket longer; the search stays
 * logarithmic.  The ids themselves are kept while the graph is built (the
 * edge pass looks up every reference), then read from the records; while
 * they are, a dense heap's look-ups go through a bitmap of its ids instead
 * (build_idblocks).
 */
#include "graph/graph.h"

#include <stdio.h>
#include <stdlib.h>

static int is_sorted(const struct hl_objent *e, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (e[i - 1].id > e[i].id)
			return 0;
	return 1;
}

/*
 * While the graph is built, ids are looked up once per reference: on a
 * heap whose ids are dense (the ids' range, in units of the alignment, at
 * most 64 per object: 16 bytes per object or less), a bitmap over the range
 * in blocks of 64 ids, each block with the number of its first object,
 * answers in one block read where the buckets take a binary search over
 * a cache line or two of ids.  Freed with the ids; when the heap is sparse
 * or memory short, the buckets answer alone.
 */
static void build_idblocks(hl_graph *g)
{
	uint32_t n = g->nobj, i, first = g->synth0, rank;
	uint64_t units, nblk, b;

	if (!g->id32 || n <= first)
		return;
	units = (uint64_t)g->id32[n - 1] + 1;
	nblk = units / 64 + 1;
	if (nblk > (uint64_t)(n - first) + 1024)
		return; /* sparse: more than 64 possible ids an object */
	g->idblk = hl_calloc((size_t)nblk, sizeof(struct hl_idblock));
	if (!g->idblk)
		return;
	g->idblk_units = units;
	for (i = first; i < n; i++)
		g->idblk[g->id32[i] >> 6].bits |= (uint64_t)1 << (g->id32[i] & 63);
	for (b = 0, rank = first; b < nblk; b++) {
		g->idblk[b].rank = rank;
		rank += (uint32_t)__builtin_popcountll(g->idblk[b].bits);
	}
}

static hl_status build_buckets(hl_graph *g, hl_diag *d)
{
	uint32_t n = g->nobj, i, first = g->synth0;
	uint64_t range, b;
	unsigned shift = 0;

	g->bucket_base = first < n ? hl_graph_id(g, first) : 0;
	range = n > first ? hl_graph_id(g, n - 1) - g->bucket_base : 0;
	/* a bucket per 16 to 32 objects on average: a lookup's binary search
	 * then stays within a cache line or two of ids */
	while (shift < 63 && (range >> shift) > (uint64_t)n / 16 + 1)
		shift++;
	g->bucket_shift = shift;
	g->nbuckets = (uint32_t)((range >> shift) + 2);
	g->bucket = hl_malloc_array(g->nbuckets + 1, sizeof(uint32_t));
	if (!g->bucket)
		return hl_fail(d, HL_E_NOMEM, "out of memory for the id index");
	b = 0;
	for (i = first; i < n; i++) {
		uint64_t k = (hl_graph_id(g, i) - g->bucket_base) >> shift;

		while (b <= k)
			g->bucket[b++] = i;
	}
	while (b <= g->nbuckets)
		g->bucket[b++] = n;
	return HL_OK;
}

uint32_t hl_graph_lookup(const hl_graph *g, uint64_t id)
{
	uint64_t k, key;
	uint32_t lo, hi;

	if (id == 0 || id < g->bucket_base || g->nobj <= g->synth0)
		return id == 0 && g->synth0 ? 0 : HL_NONE;
	if (g->idblk) { /* one block: its bit, and those before it */
		uint64_t rel = id - g->id_base, bit;
		const struct hl_idblock *blk;

		if (id < g->id_base || (rel & (((uint64_t)1 << g->id_shift) - 1)) ||
		    (rel >>= g->id_shift) >= g->idblk_units)
			return HL_NONE;
		blk = &g->idblk[rel >> 6];
		bit = (uint64_t)1 << (rel & 63);
		if (!(blk->bits & bit))
			return HL_NONE;
		return blk->rank + (uint32_t)__builtin_popcountll(blk->bits & (bit - 1));
	}
	k = (id - g->bucket_base) >> g->bucket_shift;
	if (k >= g->nbuckets)
		return HL_NONE;
	lo = g->bucket[k];
	hi = g->bucket[k + 1];
	key = id;
	if (g->id32) { /* compare compressed ids */
		uint64_t rel = id - g->id_base;

		if (id < g->id_base || (rel & (((uint64_t)1 << g->id_shift) - 1)) ||
		    (rel >> g->id_shift) > UINT32_MAX)
			return HL_NONE;
		key = rel >> g->id_shift;
	}
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		/* after the build, the ids are read from the records */
		uint64_t m = g->id64 ? g->id64[mid] : g->id32 ? g->id32[mid] :
			hl_graph_id(g, mid);

		if (m == key)
			return mid;
		if (m < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return HL_NONE;
}

/* The synthetic <system class loader> object at address 0, as in MAT:
 * an instance of the first java.lang.ClassLoader, when there is one. */
static int add_system_loader(const hl_graph *g, hl_scan *sc)
{
	struct hl_objent e = { 0, (uint64_t)K_INSTANCE << 56 };

	if (g->cls_loader == HL_NONE)
		return 0;
	return hl_vec_push(&sc->objs, &e);
}

/*
 * The sorted entries become two arrays: the offsets (a new array) and the
 * ids, packed in place into the entries' own memory, which then shrinks:
 * 4 bytes an id when every id is base + (k << shift) with k < 2^32 (a heap
 * spanning up to 2^32 alignment units), else 8.
 */
void hl_objects_id_form(hl_graph *g, uint32_t n, unsigned first,
			uint64_t base, uint64_t bits, uint64_t max)
{
	unsigned shift = 0;

	while (shift < 8 && bits && !(bits & ((uint64_t)1 << shift)))
		shift++;
	g->synth0 = first;
	g->id_base = base;
	g->id_shift = shift;
	g->id_wide = n > first && ((max - base) >> shift) > UINT32_MAX;
}

static int split_entries(hl_graph *g, hl_scan *sc)
{
	struct hl_objent *e = sc->objs.data;
	uint32_t n = g->nobj, i, first = n && e[0].id == 0 ? 1 : 0;
	uint64_t base = first < n ? e[first].id : 0, bits = 0;
	void *shrunk;

	g->offk = hl_malloc_array(hl_offk_size(n), 1);
	if (!g->offk)
		return -1;
	memset(g->offk + hl_offk_size(n) - 2, 0, 2);
	for (i = 0; i < n; i++) {
		hl_graph_set_offk(g, i, HL_ENT_KIND(&e[i]), HL_ENT_OFF(&e[i]));
		if (i >= first)
			bits |= e[i].id - base;
	}
	hl_objects_id_form(g, n, first, base, bits, n ? e[n - 1].id : 0);
	if (g->id_wide) {
		uint64_t *id = (uint64_t *)(void *)e;

		for (i = 0; i < n; i++) /* id[i] lies at or before e[i] */
			id[i] = e[i].id;
	} else {
		uint32_t *id = (uint32_t *)(void *)e;

		for (i = 0; i < n; i++)
			id[i] = i < first ? 0 : (uint32_t)((e[i].id - base) >> g->id_shift);
	}
	shrunk = realloc(e, ((size_t)n + 1) * (g->id_wide ? 8 : 4));
	if (shrunk)
		e = shrunk;
	if (g->id_wide)
		g->id64 = (uint64_t *)(void *)e;
	else
		g->id32 = (uint32_t *)(void *)e;
	sc->objs.data = NULL; /* now owned by the graph */
	sc->objs.len = sc->objs.cap = 0;
	return 0;
}

/* Scan order of an entry: its record's offset; the synthetic loader
 * (offset 0) was added after the scan, so it comes last. */
static inline uint64_t scan_order(const struct hl_objent *e)
{
	uint64_t off = e->offk & HL_OFF_MASK;

	return off ? off : UINT64_MAX;
}

static int cmp_ent(const void *a, const void *b)
{
	const struct hl_objent *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	if (scan_order(x) != scan_order(y))
		return scan_order(x) < scan_order(y) ? -1 : 1;
	return 0;
}

/* Ties by the whole second word (hl_sort_entries). */
static int cmp_ent_offk(const void *a, const void *b)
{
	const struct hl_objent *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->offk < y->offk ? -1 : x->offk > y->offk;
}

typedef int (*cmp_fn)(const void *, const void *);

static void small_sort(struct hl_objent *e, size_t n, cmp_fn cmp)
{
	size_t i, j;

	if (n > 32) {
		qsort(e, n, sizeof(*e), cmp);
		return;
	}
	for (i = 1; i < n; i++) {
		struct hl_objent x = e[i];

		for (j = i; j > 0 && cmp(&e[j - 1], &x) > 0; j--)
			e[j] = e[j - 1];
		e[j] = x;
	}
}

struct bucket { size_t lo, n; int level; };

/* The radix levels: the id's varying bytes, high to low. */
struct levels { int shift[8], n; };

/* Sort the bucket bk: a comparison sort when small or at the last level,
 * else permute it by one byte and push its buckets of 2 or more. */
static void sort_bucket(struct hl_objent *e, struct bucket bk,
			const struct levels *lv, struct bucket *stack, size_t *sp,
			cmp_fn cmp)
{
	struct hl_objent *a = e + bk.lo;
	size_t count[256] = { 0 }, head[256], tail[256], pos = 0, i;
	unsigned sh, k;

	if (bk.n <= 64 || bk.level >= lv->n) {
		small_sort(a, bk.n, cmp);
		return;
	}
	sh = (unsigned)lv->shift[bk.level];
	for (i = 0; i < bk.n; i++)
		count[(a[i].id >> sh) & 0xff]++;
	for (k = 0; k < 256; k++) {
		head[k] = pos;
		pos += count[k];
		tail[k] = pos;
	}
	for (k = 0; k < 256; k++) {
		while (head[k] < tail[k]) {
			struct hl_objent x = a[head[k]];
			unsigned d = (unsigned)((x.id >> sh) & 0xff);

			while (d != k) { /* carry x to its bucket */
				struct hl_objent y = a[head[d]];

				a[head[d]++] = x;
				x = y;
				d = (unsigned)((x.id >> sh) & 0xff);
			}
			a[head[k]++] = x;
		}
	}
	for (k = 0, pos = 0; k < 256; pos += count[k], k++)
		if (count[k] > 1)
			stack[(*sp)++] = (struct bucket){ bk.lo + pos, count[k],
							  bk.level + 1 };
}

/* A thread's share of the buckets, each sorted to the end. */
struct sorter {
	struct hl_objent *e;
	const struct levels *lv;
	struct bucket *stack;
	size_t sp;
	cmp_fn cmp;
};

static void *sorter_run(void *arg)
{
	struct sorter *w = arg;

	while (w->sp) {
		struct bucket bk = w->stack[--w->sp];

		sort_bucket(w->e, bk, w->lv, w->stack, &w->sp, w->cmp);
	}
	return NULL;
}

static int cmp_bucket_size(const void *a, const void *b)
{
	const struct bucket *x = a, *y = b;

	return x->n > y->n ? -1 : x->n < y->n;
}

#define SORT_THREADS 16

/*
 * Sort in place (no second table: on a big dump that is gigabytes of
 * fresh memory): MSD radix sort on the id's varying bytes, one byte a
 * level, each bucket permuted in place by cycles (American flag sort), with
 * explicit stacks of buckets (no recursion); small buckets and the last
 * level end in a comparison sort, cmp, which orders equal ids: for the
 * object table by record offset (cmp_ent), so equal ids (a damaged dump)
 * end in file order, the order pass 1 saw them, and the first one is kept.
 * With threads: the buckets larger than a quarter of a thread's share are
 * split first, then the others are dealt out, largest first, to the
 * thread with the least so far; each sorts its own (disjoint ranges: the
 * result does not depend on the number of threads).
 */
static int sort_in_place(struct hl_objent *e, size_t n, cmp_fn cmp,
			 unsigned threads)
{
	uint64_t diff = 0;
	struct levels lv = { { 0 }, 0 };
	struct sorter w[SORT_THREADS];
	size_t per, sp = 0, i, load[SORT_THREADS] = { 0 };
	struct bucket *stack;
	unsigned k, t;
	int b, oom = 0;

	for (i = 1; i < n; i++)
		diff |= e[i].id ^ e[0].id;
	for (b = 56; b >= 0; b -= 8) /* the varying bytes, high to low */
		if ((diff >> b) & 0xff)
			lv.shift[lv.n++] = b;
	threads = hl_parts(threads, n, (uint64_t)1 << 20, SORT_THREADS);
	/* a sorter's stack: at most 255 buckets pushed per level, plus one;
	 * the buckets split first: at most 4 * threads per level (each more
	 * than a quarter of a share, disjoint within a level) */
	per = (size_t)lv.n * 256 + 1;
	stack = hl_malloc_array(per * (threads == 1 ? 1 : 4 * threads + 1),
				sizeof(*stack));
	if (!stack)
		return -1;
	stack[sp++] = (struct bucket){ 0, n, 0 };
	if (threads == 1) {
		struct sorter one = { e, &lv, stack, sp, cmp };

		sorter_run(&one);
		free(stack);
		return 0;
	}
	for (;;) { /* split the big buckets */
		size_t big = 0;
		struct bucket bk;

		for (i = 1; i < sp; i++)
			if (stack[i].n > stack[big].n)
				big = i;
		if (!sp || stack[big].n <= n / threads / 4)
			break;
		bk = stack[big];
		stack[big] = stack[--sp];
		sort_bucket(e, bk, &lv, stack, &sp, cmp);
	}
	qsort(stack, sp, sizeof(*stack), cmp_bucket_size);
	for (k = 0; k < threads; k++) {
		w[k] = (struct sorter){ e, &lv, hl_malloc_array(sp + per, sizeof(*stack)),
					0, cmp };
		oom |= !w[k].stack;
	}
	for (i = 0; i < sp && !oom; i++) { /* deal them out */
		for (t = 0, k = 1; k < threads; k++)
			if (load[k] < load[t])
				t = k;
		load[t] += stack[i].n;
		w[t].stack[w[t].sp++] = stack[i];
	}
	if (oom) { /* sort them here, with the stack they are in */
		struct sorter one = { e, &lv, stack, sp, cmp };

		sorter_run(&one);
	} else {
		hl_run_jobs(sorter_run, w, sizeof(w[0]), threads);
	}
	for (k = 0; k < threads; k++)
		free(w[k].stack);
	free(stack);
	return 0;
}

int hl_sort_entries(struct hl_objent *e, size_t n, unsigned threads)
{
	return n > 1 ? sort_in_place(e, n, cmp_ent_offk, threads) : 0;
}

hl_status hl_objects_index(hl_graph *g, hl_scan *sc, hl_diag *d)
{
	struct hl_objent *e;
	size_t n, i, k = 0;

	if (add_system_loader(g, sc))
		return hl_fail(d, HL_E_NOMEM, "out of memory");
	e = sc->objs.data;
	n = sc->objs.len;
	if (n > UINT32_MAX - 16)
		return hl_fail(d, HL_E_UNSUPPORTED, "%zu objects: more than 2^32",
			       n);
	if (g->data_size > HL_OFFK_MAX_OFF)
		return hl_fail(d, HL_E_UNSUPPORTED, "the dump is larger than %llu bytes: too large for heaplens",
			       (unsigned long long)HL_OFFK_MAX_OFF);
	switch (hl_objects_from_runs(g, sc)) {
	case 1:
		goto indexed; /* disjoint runs of rising ids (idruns.c) */
	case -1:
		return hl_fail(d, HL_E_NOMEM, "out of memory for the object table");
	}
	if (!is_sorted(e, n) && sort_in_place(e, n, cmp_ent, g->threads))
		return hl_fail(d, HL_E_NOMEM, "out of memory sorting objects");
	for (i = 0; i < n; i++)
		if (!k || e[k - 1].id != e[i].id)
			e[k++] = e[i];
	if (k < n)
		hl_warnf(d, "%zu objects with an id seen before ignored", n - k);
	g->nobj = (uint32_t)k;
	if (split_entries(g, sc))
		return hl_fail(d, HL_E_NOMEM, "out of memory for the object table");
indexed:
	build_idblocks(g);
	return build_buckets(g, d);
}

/* A made-up class for objects whose class is not in the dump. */
static uint32_t unknown_class(hl_graph *g)
{
	static const char name[] = "<unknown class>";
	uint32_t i;
	size_t off;

	for (i = g->nclass_ids; i < g->nclasses; i++)
		if (!strcmp(hl_graph_class_name(g, i), name))
			return i;
	off = hl_strpool_add(&g->names, name, sizeof(name) - 1);
	if (off == SIZE_MAX)
		return HL_NONE;
	i = g->nclasses++;
	memset(&g->classes[i], 0, sizeof(g->classes[i]));
	g->classes[i].obj = HL_NONE;
	g->classes[i].super = HL_NONE;
	g->classes[i].name = (uint32_t)off;
	g->classes[i].shallow = g->header;
	return i;
}

struct classify {
	uint64_t last_id;
	uint32_t last_cls;
	uint64_t unknown, badsize;
	hl_vec big;   /* struct hl_objsize: sizes too big for g->size */
	int oom;
	int quiet;    /* count damage, neither warn nor add a class */
	uint64_t counts[4];
	hl_graph *g;  /* a part's objects: [lo, hi) */
	uint32_t lo, hi;
	hl_diag *d;   /* for the warnings, when not quiet */
};

static uint32_t class_of_id(hl_graph *g, struct classify *cx, uint64_t id,
			    uint32_t o, hl_diag *d)
{
	uint32_t c;

	if (id == cx->last_id && cx->last_cls != HL_NONE)
		return cx->last_cls;
	c = hl_graph_find_class(g, id);
	if (c == HL_NONE && cx->quiet) {
		cx->unknown++;
		return HL_NONE;
	}
	if (c == HL_NONE) {
		if (cx->unknown++ < 3)
			hl_warnf(d, "offset %llu: %s 0x%llx: class 0x%llx is not in the dump",
				 (unsigned long long)hl_graph_off(g, o),
				 hl_subtag_name(g->data[hl_graph_off(g, o)]),
				 (unsigned long long)hl_graph_id(g, o),
				 (unsigned long long)id);
		return unknown_class(g);
	}
	cx->last_id = id;
	cx->last_cls = c;
	return c;
}

static void classify_one(hl_graph *g, struct classify *cx, uint32_t o,
			 hl_diag *d)
{
	const uint8_t *r = g->data + hl_graph_off(g, o);
	unsigned id = g->idsize;
	uint64_t sz;
	uint32_t c;

	switch (hl_graph_kind(g, o)) {
	case K_INSTANCE:
		if (o == 0 && g->synth0) { /* system loader */
			c = g->cls_loader;
			g->flags[o] |= F_SYNTH;
		} else {
			c = class_of_id(g, cx, hl_beid(r + 1 + id + 4, id),
					o, d);
			if (c != HL_NONE && c < g->nclass_ids &&
			    hl_be32(r + 1 + 2 * id + 4) !=
			    g->classes[c].data_size && cx->badsize++ < 3 &&
			    !cx->quiet)
				hl_warnf(d, "offset %llu: INSTANCE_DUMP 0x%llx: %u field bytes, its class layout says %u",
					 (unsigned long long)hl_graph_off(g, o),
					 (unsigned long long)hl_graph_id(g, o),
					 hl_be32(r + 1 + 2 * id + 4),
					 g->classes[c].data_size);
		}
		sz = c == HL_NONE ? g->header : g->classes[c].shallow;
		break;
	case K_OBJ_ARRAY:
		c = class_of_id(g, cx, hl_beid(r + 1 + id + 8, id), o, d);
		sz = hl_graph_array_size(g, r);
		break;
	case K_PRIM_ARRAY:
		c = g->prim_class[r[1 + id + 8] < 12 ? r[1 + id + 8] : 0];
		sz = hl_graph_array_size(g, r);
		break;
	default: /* K_CLASS */
		c = hl_graph_find_class(g, hl_graph_id(g, o));
		g->classes[c].obj = o;
		hl_graph_set_offk(g, o, K_CLASS, c);
		sz = g->classes[c].class_shallow;
		c = g->cls_class;
		break;
	}
	hl_graph_set_cls(g, o, c == HL_NONE ? g->cls_class : c);
	if (!(sz & (((uint64_t)1 << g->size_shift) - 1)) &&
	    (sz >> g->size_shift) < HL_SIZE_BIG) {
		g->size[o] = (uint16_t)(sz >> g->size_shift);
	} else {
		struct hl_objsize big = { o, sz };

		g->size[o] = HL_SIZE_BIG;
		if (hl_vec_push(&cx->big, &big))
			cx->oom = 1;
	}
	cx->counts[hl_graph_kind(g, o)]++;
}

/* As MAT does, a class whose loader object is not in the dump is taken to
 * be loaded by the bootstrap loader (the synthetic <system class loader>).
 * Like any dangling reference, this is normal, not damage: no warning. */
static void orphan_loaders(hl_graph *g)
{
	uint32_t c;

	for (c = 0; c < g->nclass_ids; c++)
		if (g->classes[c].loader_id &&
		    hl_graph_lookup(g, g->classes[c].loader_id) == HL_NONE)
			g->classes[c].loader_id = 0;
}

/* Classify a range of objects, dropping the dump's pages behind. */
static void *classify_range(void *arg)
{
	struct classify *cx = arg;
	hl_graph *g = cx->g;
	uint32_t o;
	hl_behind b;

	hl_behind_init(&b, g->mapped ? g->data : NULL);
	for (o = cx->lo; o < cx->hi; o++) {
		if (hl_graph_kind(g, o) != K_CLASS)
			hl_behind_note(&b, hl_graph_off(g, o));
		classify_one(g, cx, o, cx->d);
	}
	hl_behind_flush(&b);
	return NULL;
}

#define CLASSIFY_PARTS 16

/*
 * On threads, one range of objects each, quietly: when no part met damage
 * (an unknown class, a field byte count that disagrees with the class),
 * the parts' counts and big sizes (in object order) are joined; otherwise
 * the whole table is classified again on one thread, which warns about the
 * first damage in object order and adds <unknown class>, as always (every
 * write of the quiet pass is made again the same way).
 */
static int classify_parallel(hl_graph *g)
{
	struct classify cx[CLASSIFY_PARTS];
	unsigned n = hl_parts(g->threads, g->nobj, (uint64_t)1 << 20, CLASSIFY_PARTS), k, j;
	uint64_t damage = 0, total = 0;
	int oom = 0, joined;

	if (n < 2)
		return 0;
	for (k = 0; k < n; k++) {
		memset(&cx[k], 0, sizeof(cx[k]));
		cx[k].last_cls = HL_NONE;
		cx[k].quiet = 1;
		cx[k].g = g;
		cx[k].lo = (uint32_t)((uint64_t)g->nobj * k / n);
		cx[k].hi = (uint32_t)((uint64_t)g->nobj * (k + 1) / n);
		hl_vec_init(&cx[k].big, sizeof(struct hl_objsize));
	}
	hl_run_jobs(classify_range, cx, sizeof(cx[0]), n);
	for (k = 0; k < n; k++) {
		damage += cx[k].unknown + cx[k].badsize;
		oom |= cx[k].oom;
		total += cx[k].big.len;
	}
	joined = !damage && !oom &&
		 (cx[0].big.len == total ||
		  !hl_vec_reserve(&cx[0].big, (size_t)(total - cx[0].big.len)));
	if (joined) {
		for (k = 1; k < n; k++) { /* the big sizes, in object order */
			if (!cx[k].big.len)
				continue;
			memcpy((struct hl_objsize *)cx[0].big.data + cx[0].big.len,
			       cx[k].big.data, cx[k].big.len * sizeof(struct hl_objsize));
			cx[0].big.len += cx[k].big.len;
		}
		for (k = 0; k < n; k++)
			for (j = 0; j < 4; j++)
				g->counts[j] += cx[k].counts[j];
		g->size_big = cx[0].big.data;
		g->nsize_big = cx[0].big.len;
		cx[0].big.data = NULL;
	}
	for (k = 0; k < n; k++)
		hl_vec_release(&cx[k].big);
	return joined;
}

hl_status hl_objects_classify(hl_graph *g, hl_diag *d)
{
	struct classify cx;
	unsigned j;

	memset(&cx, 0, sizeof(cx));
	cx.last_cls = HL_NONE;

	/* classification may add one class, <unknown class> */
	g->cls_wide = g->nclasses + 1 >= UINT16_MAX;
	g->cls = hl_malloc_array(g->nobj, g->cls_wide ? sizeof(uint32_t) : sizeof(uint16_t));
	g->size = hl_malloc_array(g->nobj, sizeof(uint16_t));
	g->flags = hl_calloc(g->nobj, 1);
	if (!g->cls || !g->size || !g->flags)
		return hl_fail(d, HL_E_NOMEM, "out of memory for the object table");
	/* every size is a multiple of the alignment: a power of two of it */
	g->size_shift = (unsigned)__builtin_ctz(g->align ? g->align : 1);
	if (classify_parallel(g)) {
		orphan_loaders(g);
		return HL_OK;
	}
	hl_vec_init(&cx.big, sizeof(struct hl_objsize));
	cx.g = g;
	cx.lo = 0;
	cx.hi = g->nobj;
	cx.d = d;
	classify_range(&cx);
	for (j = 0; j < 4; j++)
		g->counts[j] += cx.counts[j];
	g->size_big = cx.big.data;
	g->nsize_big = cx.big.len;
	if (cx.oom)
		return hl_fail(d, HL_E_NOMEM, "out of memory for the object table");
	orphan_loaders(g);
	if (cx.unknown > 3)
		hl_warnf(d, "%llu objects in all have a class that is not in the dump",
			 (unsigned long long)cx.unknown);
	if (cx.badsize > 3)
		hl_warnf(d, "%llu instances in all have a field byte count that disagrees with their class",
			 (unsigned long long)cx.badsize);
	return HL_OK;
}
