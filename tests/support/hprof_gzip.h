/*
 * hprof_gzip.h: gzip output for test HPROF files, the two ways producers write
 * it: one ordinary gzip stream, or HotSpot's sequence of independent gzip
 * members, one per block of the uncompressed dump, the first carrying the header
 * comment "HPROF BLOCKSIZE=<block size>".
 *
 * Kept apart from hprof_writer.h so that only the programs that compress need
 * zlib: link them with -lz. Errors abort, as everywhere in the test writer.
 */
#ifndef HEAPLENS_TESTS_HPROF_GZIP_H
#define HEAPLENS_TESTS_HPROF_GZIP_H

#include <stddef.h>
#include <stdint.h>

#include "hprof_writer.h"

/*
 * Compresses n bytes at level (0..9, -1 default). block_size 0: one gzip
 * member; otherwise one member per block_size bytes, HotSpot style. Returns a
 * malloc'd buffer of *out_len bytes, which the caller frees.
 */
uint8_t *hw_gzip_bytes(const void *data, size_t n, int level, size_t block_size, size_t *out_len);

/* hw_finish(w), then saves the output gzip-compressed as hw_gzip_bytes would. */
void hw_save_gzip(struct hw_writer *w, const char *path, int level, size_t block_size);

#endif
