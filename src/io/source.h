/*
 * source.h - the bytes of a dump, read-only.
 *
 * A plain dump is mmap'd read-only and never written.  A gzip'd dump (found
 * by its magic bytes, not its name) is inflated member after member, which
 * covers both HotSpot's multi-member files (one member per 1 MiB block) and
 * ordinary single-stream gzip, into memory when small or into a temporary
 * file that is unlinked at creation (so no file is left behind whatever
 * happens), and that file is mapped.  A damaged or cut gzip stream keeps
 * what was inflated before the damage: the HPROF reader then sees a
 * truncated dump and reports it as such.
 *
 * HotSpot's members are independent, and the end of each one gives its
 * inflated size, so with threads > 1 a big enough file of many members is
 * inflated on threads, each member straight to its place in the output.
 * The result is the same bytes as inflating in order, or the attempt is
 * dropped and the file inflated in order: damage, cut files, false member
 * starts and anything else unplanned get the warnings they always got.
 */
#ifndef HL_SOURCE_H
#define HL_SOURCE_H

#include <stdint.h>

#include "util/util.h"

typedef struct hl_source {
	const uint8_t *data;   /* the HPROF bytes */
	uint64_t size;
	uint64_t file_size;    /* bytes on disk */
	int gzip;
	unsigned gzip_members;
	unsigned gzip_threads;   /* threads that inflated it (1: in order) */
	uint64_t gzip_damage_at; /* compressed offset of damage, 0 if none */
	void *map;             /* what to munmap (NULL: heap memory) */
	uint64_t map_size;
} hl_source;

/* threads: at most this many inflate a gzip'd dump (0 or 1: in order). */
hl_status hl_source_open(hl_source *s, const char *path, const char *tmpdir,
			 unsigned threads, hl_diag *d, hl_progress_fn progress,
			 void *ctx);
void hl_source_close(hl_source *s);

#endif
