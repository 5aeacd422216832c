/*
 * exercise.h - run every query of the library over one dump, as the
 * commands do, for the fuzz target and its replay driver.
 *
 * hlfz_exercise() opens a dump (every dump of a multi-dump file, up to
 * three), then calls what info, histogram, dominators, suspects, path,
 * show, threads and strings call, on a bounded sample of objects, so one
 * input costs milliseconds.  Nothing is printed.  A damaged dump must give
 * an error status or a partial heap, never a crash, a hang or an
 * allocation out of proportion to the input: the caller checks the last
 * with a memory limit (the replay driver) or libFuzzer's -malloc_limit_mb.
 */
#ifndef HLFZ_EXERCISE_H
#define HLFZ_EXERCISE_H

#include <stdint.h>

#include "heaplens/heaplens.h"

struct hlfz_result {
	hl_status open_status;   /* hl_open without --strict (first dump) */
	hl_status strict_status; /* hl_open with --strict */
	hl_status worst;         /* first query status that is not HL_OK,
				  * HL_E_NOOBJECT, HL_E_USAGE or HL_E_FORMAT
				  * (a refusal of a hostile dump) */
	const char *worst_call;  /* the call that returned it */
	unsigned dumps;          /* dumps analysed */
	uint64_t objects;        /* objects of the first dump analysed */
	uint64_t warnings;       /* warnings of the non-strict open */
	uint64_t dangling_refs, truncated_bytes;
	char message[512];       /* hl_errmsg of the non-strict open */
	char strict_message[512];
};

/*
 * Open path with and without strict, and exercise every query on each
 * dump that opens.  tmpdir: where a gzip'd dump is inflated (NULL:
 * $TMPDIR).  Returns r->open_status.
 */
hl_status hlfz_exercise(const char *path, const char *tmpdir,
			struct hlfz_result *r);

#endif
