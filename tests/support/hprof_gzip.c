/*
 * hprof_gzip.c: gzip members for test HPROF files, with zlib's deflate in gzip
 * mode (window bits 15 + 16). See hprof_gzip.h for the two layouts.
 *
 * Each member is deflated on its own (a fresh z_stream), so members are
 * independent as in HotSpot's output; input is fed in chunks that fit zlib's
 * 32-bit counters, output grows by doubling.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "hprof_gzip.h"
#include "hw_internal.h"

#define HW_GZ_CHUNK ((size_t)1 << 30)

struct hw_gz_out {
	uint8_t *data;
	size_t len;
	size_t cap;
};

/* Runs deflate until it has consumed its input (or finished), growing out. */
static void hw_gz_pump(z_stream *zs, struct hw_gz_out *out, int flush)
{
	int rc;

	do {
		size_t room;

		hw_grow((void **)&out->data, &out->cap, hw_add(out->len, 65536), 1);
		room = out->cap - out->len;
		if (room > HW_GZ_CHUNK)
			room = HW_GZ_CHUNK;
		zs->next_out = out->data + out->len;
		zs->avail_out = (uInt)room;
		rc = deflate(zs, flush);
		if (rc == Z_STREAM_ERROR)
			hw_die("deflate failed");
		out->len += room - zs->avail_out;
	} while (zs->avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
}

static void hw_gz_member(struct hw_gz_out *out, const uint8_t *data, size_t n, int level,
			 const char *comment)
{
	z_stream zs;
	gz_header head;

	memset(&zs, 0, sizeof zs);
	if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		hw_die("deflateInit2 failed");
	if (comment) {
		memset(&head, 0, sizeof head);
		head.os = 3; /* Unix */
		head.comment = (Bytef *)comment;
		if (deflateSetHeader(&zs, &head) != Z_OK)
			hw_die("deflateSetHeader failed");
	}
	do {
		size_t take = n < HW_GZ_CHUNK ? n : HW_GZ_CHUNK;

		zs.next_in = (Bytef *)data;
		zs.avail_in = (uInt)take;
		data += take;
		n -= take;
		hw_gz_pump(&zs, out, n ? Z_NO_FLUSH : Z_FINISH);
	} while (n);
	deflateEnd(&zs);
}

uint8_t *hw_gzip_bytes(const void *data, size_t n, int level, size_t block_size, size_t *out_len)
{
	struct hw_gz_out out = { NULL, 0, 0 };
	const uint8_t *p = data;
	char comment[64];
	size_t off = 0;

	if (block_size == 0) {
		hw_gz_member(&out, p, n, level, NULL);
	} else {
		snprintf(comment, sizeof comment, "HPROF BLOCKSIZE=%zu", block_size);
		do {
			size_t take = n - off < block_size ? n - off : block_size;

			hw_gz_member(&out, p + off, take, level, off == 0 ? comment : NULL);
			off += take;
		} while (off < n);
	}
	*out_len = out.len;
	return out.data;
}

void hw_save_gzip(struct hw_writer *w, const char *path, int level, size_t block_size)
{
	size_t len;
	uint8_t *gz;

	hw_finish(w);
	gz = hw_gzip_bytes(hw_data(w), hw_size(w), level, block_size, &len);
	hw_write_file(path, gz, len);
	free(gz);
}
