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
	hl_vec inbuf;              /* hl_inbound's merged lists */
	unsigned dump_index;
	hl_progress_fn progress;
	hl_warn_fn note;
	void *ctx;
	/* the persistent index (index.c) */
	uint64_t identity;         /* of the dump file, mtime included */
	uint64_t fingerprint;      /* of its content (size, sampled blocks) */
	char index_path[4096];     /* "" when indexes are not used */
	void *index_map;           /* the mapped index, when loaded */
	int index_saved;           /* written by this run */
	struct hl_idx_writer *writer; /* writing it meanwhile (index.c) */
	uint64_t index_size;
	uint64_t index_bytes, index_in_place; /* written by this run */
};

int hl_index_load(hl_heap *h);
/* Wait until an index being written is complete (or failed); its status
 * stays for hl_index_save_wait. */
void hl_index_join(hl_heap *h);
/* Retained size per class into h->dom.class_retained (once). */
hl_status hl_class_retained(hl_heap *h);
/* Counts and shallow sizes per class into h->g.class_sums (once). */
hl_status hl_class_sums(hl_heap *h);
void hl_index_detach(hl_heap *h);
/* Hash of this build's on-disk layouts (index and reports). */
uint64_t hl_index_layout(void);
/* The directory part of path ("." when none). */
void hl_dir_of(const char *path, char *out, size_t len);
/* An O_TMPFILE in path's directory (-1 when not possible), and naming it
 * (a no-op for a file opened by name); nonzero on error. */
int hl_unnamed_open(const char *path);
int hl_unnamed_name(int fd, const char *name);
/* Replace path with head then body, whole or not at all (an unnamed or
 * temporary file renamed over it); nonzero on error (errno set). */
int hl_replace_file(const char *path, const void *head, size_t hlen,
		    const void *body, size_t blen);

/* Reports kept beside the index (reports.c), by kind and options key: a
 * copy of the payload (free it) or NULL; keeping one is best effort. */
enum { HL_REPORT_SUSPECTS = 1, HL_REPORT_STRING_DUPS = 2,
       HL_REPORT_GROUP_RETAINED = 3 };
void *hl_report_get(hl_heap *h, unsigned kind, uint64_t key, size_t *len);
void hl_report_put(hl_heap *h, unsigned kind, uint64_t key, const void *p,
		   size_t len);
/* Their encodings (report_codec.c); decoding checks every value against
 * the heap and returns nonzero when one does not fit. */
void *hl_suspects_encode(const hl_suspect *s, size_t n, size_t *len);
int hl_suspects_decode(const hl_heap *h, const void *p, size_t len,
		       hl_suspect **out, size_t *n);
void *hl_dups_encode(const hl_string_dups *d, size_t *len);
int hl_dups_decode(const hl_heap *h, const void *p, size_t len,
		   hl_string_dups *out);

#endif
