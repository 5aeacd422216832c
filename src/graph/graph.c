/*
 * graph.c - build the object graph from a scan, in stages:
 * classes -> reference size -> object index -> sizes -> classify -> roots
 * -> reachability.  Each stage lives in its own file; this one orders them.
 */
#include "graph/graph.h"

#include <stdlib.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

void hl_graph_drop_pages(const hl_graph *g)
{
	if (g->mapped)
		hl_drop_range(g->data, g->data_size);
	hl_spill_drop();
}

/* Pages of files mapped into the process, from /proc/self/statm (its
 * "shared" field); -1 when unknown.  The file is opened once and read
 * again from its start: a check costs one read, not three system calls
 * (24,000 checks made a 12.6-million-object scan 0.12 s longer). */
static long file_pages(void)
{
	static int shared_fd = -1;
	char buf[128];
	long size, resident, shared = -1;
	int fd = __atomic_load_n(&shared_fd, __ATOMIC_ACQUIRE), mine;
	ssize_t n;

	if (fd < 0) {
		mine = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
		if (mine < 0)
			return -1;
		fd = -1;
		if (__atomic_compare_exchange_n(&shared_fd, &fd, mine, 0,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			fd = mine;
		else
			close(mine); /* another thread's is there: fd */
	}
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (sscanf(buf, "%ld %ld %ld", &size, &resident, &shared) != 3)
		return -1;
	return shared;
}

void hl_graph_drop_check(const hl_graph *g)
{
	uint64_t spilled, limit, most, mem;
	long pages, pg;

	spilled = hl_spill_total();
	if (!g->mapped && !spilled)
		return;
	mem = hl_usable_memory();
	pg = sysconf(_SC_PAGESIZE);
	limit = (g->data_size + spilled) / 4;
	most = mem ? mem / 4 : (uint64_t)1 << 30;
	if (limit > most)
		limit = most;
	if (limit < ((uint64_t)64 << 20))
		limit = (uint64_t)64 << 20;
	pages = file_pages();
	if (pages >= 0 && (uint64_t)pages * (uint64_t)pg < limit)
		return;
	hl_graph_drop_pages(g);
}

void *hl_graph_spill_keep(hl_graph *g)
{
	void *old;

	g->offk = hl_spill_keep(g->offk, hl_offk_size(g->nobj), &old);
	g->size = hl_spill(g->size, (size_t)g->nobj * sizeof(uint16_t));
	return old;
}

void hl_graph_spill(hl_graph *g, unsigned what)
{
	size_t n = g->nobj;

	if (what & HL_SPILL_OBJECTS) {
		g->offk = hl_spill(g->offk, hl_offk_size(n));
		g->size = hl_spill(g->size, n * sizeof(uint16_t));
	}
	if (what & HL_SPILL_EDGES) {
		g->edge_start = hl_spill(g->edge_start, (n + 1) * sizeof(hl_eidx));
		g->edge_to = hl_spill(g->edge_to, g->nedges * sizeof(uint32_t));
		g->cls = hl_spill(g->cls, n * (g->cls_wide ? 4 : 2));
		g->flags = hl_spill(g->flags, n);
	}
}

uint64_t hl_objsize_find(const struct hl_objsize *v, uint64_t n, uint32_t o)
{
	uint64_t lo = 0, hi = n;

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (v[mid].obj < o)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo].obj == o ? v[lo].bytes : 0;
}

hl_status hl_graph_build(hl_graph *g, const hl_hprof *hp, hl_scan *sc,
			 hl_diag *d, hl_progress_fn progress, void *ctx,
			 int defer_reach)
{
	unsigned threads = g->threads;
	hl_status st;

	memset(g, 0, sizeof(*g));
	g->threads = threads;
	g->data = hp->data;
	g->mapped = hp->mapped;
	g->data_size = hp->size;
	g->idsize = hp->idsize;
	g->subrecords = sc->subrecords;
	hl_vec_init(&g->fields, sizeof(struct hl_field));
	hl_vec_init(&g->refs, sizeof(struct hl_reffield));
	hl_vec_init(&g->statics, sizeof(struct hl_static));
	st = hl_classes_build(g, hp, sc, d);
	if (st != HL_OK)
		return st;
	hl_sizes_detect_refs(g, sc);
	if (progress)
		progress(ctx, "graph", 0, 4);
	st = hl_objects_index(g, sc, d);
	if (st == HL_OK)
		st = hl_sizes_infer(g, d);
	if (st == HL_OK)
		st = hl_objects_classify(g, d);
	if (progress)
		progress(ctx, "graph", 2, 4);
	if (st == HL_OK)
		st = hl_roots_build(g, sc, d);
	if (st == HL_OK)
		st = hl_edges_build(g, g->threads, d);
	if (progress)
		progress(ctx, "graph", 3, 4);
	if (st == HL_OK && !defer_reach)
		st = hl_reach_mark(g, g->threads, d);
	if (progress)
		progress(ctx, "graph", 4, 4);
	/* the id lookups of the build are done: later ones read the ids from
	 * the records (the objects of a bucket lie together in the dump) */
	if (defer_reach && g->id32 && st == HL_OK)
		g->spare = g->id32; /* 4 bytes an object: the DFS's pre[] */
	else
		free(g->id32);
	free(g->id64);
	free(g->idblk);
	g->id32 = NULL;
	g->id64 = NULL;
	g->idblk = NULL;
	return st;
}

void hl_graph_release(hl_graph *g)
{
	free(g->classes);
	free(g->coll_kind);
	free(g->class_ids);
	free(g->class_slot);
	hl_vec_release(&g->fields);
	hl_vec_release(&g->refs);
	hl_vec_release(&g->statics);
	hl_strpool_release(&g->names);
	hl_spill_free(g->offk);
	free(g->id32);
	free(g->id64);
	free(g->idblk);
	free(g->spare);
	hl_spill_free(g->cls);
	hl_spill_free(g->size);
	free(g->size_big);
	hl_spill_free(g->flags);
	free(g->bucket);
	free(g->roots);
	free(g->root_objs);
	free(g->class_sums);
	free(g->locals);
	free(g->thread_serials);
	hl_spill_free(g->edge_start);
	hl_spill_free(g->edge_to);
	memset(g, 0, sizeof(*g));
}
