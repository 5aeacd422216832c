/*
 * mkbig.c - a gzip'd dump that inflates past heaplens' 64 MiB in-memory
 * limit, for the signal test (tests/cli/signals.sh).
 *
 *   hlfz_mkbig OUT.hprof.gz [NODES]
 *
 * NODES linked instances (default 1,500,000, about 60 MiB of records, so
 * that parsing and the dominator tree take a second or two) and a 16 MiB
 * byte[] of zeros, gzip'd at level 1 as HotSpot does (one member per MiB).
 * heaplens inflates it into an unlinked temporary file in --tmpdir.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hprof_builder.h"
#include "hprof_gzip.h"

int main(int argc, char **argv)
{
	struct hw_writer *w;
	struct hw_jdk jdk;
	uint64_t node, first, pad, n = 1500000, i;
	uint8_t *zeros;
	const size_t zn = (size_t)16 << 20;

	if (argc < 2 || argc > 3 || argv[1][0] == '-') {
		fputs("usage: hlfz_mkbig OUT.hprof.gz [NODES]\n", stderr);
		return 2;
	}
	if (argc == 3)
		n = strtoull(argv[2], NULL, 10);
	zeros = calloc(zn, 1);
	if (!zeros || !n)
		return 1;
	w = hw_new();
	hw_header(w, "JAVA PROFILE 1.0.2", 8, UINT64_C(1700000000000));
	hw_set_segment_limit(w, (size_t)1 << 20);
	hw_jdk_define(w, &jdk);
	node = hw_node_class(w, "com/example/Big", 1);
	hw_class_dump_all(w);
	first = hw_alloc_block(w, 24, n);
	hw_root_jni_global(w, first, 0);
	for (i = 0; i < n; i++)
		hw_node(w, node, first + 24 * i,
			(uint64_t[]){ i + 1 < n ? first + 24 * (i + 1) : 0 });
	pad = hw_alloc(w, zn + 32);
	hw_prim_array(w, pad, 0, HW_BYTE, (uint32_t)zn, zeros);
	hw_root_jni_global(w, pad, 0);
	hw_heap_dump_end(w);
	hw_save_gzip(w, argv[1], 1, (size_t)1 << 20);
	hw_free(w);
	free(zeros);
	return 0;
}
