/*
 * heap.h - the handle behind the public hl_heap: one dump, its stages.
 */
#ifndef HL_HEAP_H
#define HL_HEAP_H

#include "analysis/analysis.h"
#include "graph/graph.h"
#include "hprof/hprof.h"
#include "io/source.h"

struct hl_heap {
	hl_diag diag;
	hl_source src;
	hl_hprof hp;
	hl_graph g;
	hl_domtree dom;
	hl_inbound_idx in;
	unsigned dump_index;
	hl_progress_fn progress;
	hl_warn_fn note;
	void *ctx;
	/* the persistent index (index.c) */
	uint64_t identity;         /* of the dump file, mtime included */
	uint64_t fingerprint;      /* of its content (size, sampled blocks) */
	char index_path[4096];     /* "" when indexes are not used */
	void *index_map;           /* the mapped index, when loaded */
	uint64_t index_size;
};

int hl_index_load(hl_heap *h);
/* Retained size per class into h->dom.class_retained (once). */
hl_status hl_class_retained(hl_heap *h);
void hl_index_detach(hl_heap *h);

#endif
