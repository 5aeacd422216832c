/*
 * fuzz_open.c - libFuzzer target: any bytes, as a dump, through hl_open
 * and every query (exercise.c).
 *
 * The library reads dumps by path, so the input is written to a memfd and
 * opened as /proc/self/fd/N: no file on disk, nothing added to the API.
 * The memfd is made once and rewritten for each input.  gzip'd inputs
 * (1f 8b) are inflated like any other; keep -max_len small (16 KiB) so a
 * deflate bomb stays within -malloc_limit_mb.
 *
 *   fuzz_open -max_len=16384 -malloc_limit_mb=128 -timeout=10 CORPUS...
 *
 * Inputs found to crash are kept in tests/fuzz/crashes/ and replayed by
 * hlfz_replay in every test run.
 */
#include "exercise.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd = -1;
static char path[64];

static int write_input(const uint8_t *data, size_t size)
{
	size_t done = 0;

	if (memfd < 0) {
		memfd = memfd_create("heaplens-fuzz", MFD_CLOEXEC);
		if (memfd < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	}
	if (ftruncate(memfd, 0) != 0)
		return -1;
	while (done < size) {
		ssize_t w = pwrite(memfd, data + done, size - done, (off_t)done);

		if (w <= 0)
			return -1;
		done += (size_t)w;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hlfz_result r;

	if (write_input(data, size))
		abort();
	hlfz_exercise(path, NULL, &r);
	/* A query failing on a dump that opened is a bug; so is running out
	 * of memory on an input of a few KiB. */
	if (r.worst != HL_OK || r.open_status == HL_E_NOMEM ||
	    r.strict_status == HL_E_NOMEM) {
		fprintf(stderr, "fuzz_open: %s: %s (%s)\n",
			r.worst_call ? r.worst_call : "hl_open",
			hl_strerror(r.worst ? r.worst : HL_E_NOMEM), r.message);
		abort();
	}
	return 0;
}
