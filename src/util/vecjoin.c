/*
 * vecjoin.c - appending one big vector to another by moving its pages.
 *
 * The threaded passes (reading, references) each fill a vector of their
 * own, joined in order afterwards.  Copying hundreds of megabytes costs
 * the copy and, worse, a first touch of as much fresh memory, which on a
 * virtual machine is several times slower than the copy itself.  Here the
 * whole pages of the appended vector are moved into place with mremap
 * instead: the page tables change, the data stays where it is in memory.
 *
 * mremap moves pages only to the same offset within a page (within a huge
 * page, to keep huge pages whole), so the source is first shifted inside
 * its own buffer to the destination's offset: a copy within memory that is
 * already resident, several times faster than a first touch.  The partial
 * pages at both ends are copied.  The moved range of the source is mapped
 * anew (empty pages, not touched), so its buffer stays whole for free().
 * Any refusal (no mremap, memory lacking) falls back to a plain copy.
 */
#include "util/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define ALIGN ((uintptr_t)2 << 20) /* a huge page: moved whole */
#define MOVE_MIN ((size_t)16 << 20) /* below this, copying is as cheap */

#ifdef MREMAP_FIXED
/* Move [src, src + len) onto [dst, dst + len), both ALIGN-aligned, and
 * map fresh pages where the source was.  0 when done; else nothing moved. */
static int move_pages(uint8_t *src, uint8_t *dst, size_t len)
{
	if (mremap(src, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, dst) == MAP_FAILED)
		return -1;
	if (mmap(src, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) {
		/* the source's hole cannot be filled: move the pages back */
		if (mremap(dst, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, src) == MAP_FAILED)
			abort(); /* neither way: the process's memory is lost */
		return -1;
	}
	return 0;
}
#endif

int hl_vec_append(hl_vec *to, hl_vec *from)
{
	size_t bytes = from->len * from->item;
	uint8_t *dst;

	if (!from->len)
		return 0;
	if (hl_vec_reserve(to, from->len))
		return -1;
	dst = (uint8_t *)to->data + to->len * to->item;
#ifdef MREMAP_FIXED
	if (bytes >= MOVE_MIN && from->item == to->item &&
	    !hl_vec_reserve(from, (ALIGN + from->item - 1) / from->item)) {
		/* shift the source to the destination's offset in a huge page */
		uint8_t *base = from->data;
		size_t shift = ((uintptr_t)dst - (uintptr_t)base) & (ALIGN - 1);
		uint8_t *src = base + shift;
		size_t head = (ALIGN - ((uintptr_t)dst & (ALIGN - 1))) & (ALIGN - 1);
		size_t whole = (bytes - head) & ~(size_t)(ALIGN - 1);

		if (head < bytes && whole) {
			memmove(src, base, bytes);
			if (move_pages(src + head, dst + head, whole))
				memcpy(dst + head, src + head, whole);
			memcpy(dst, src, head);
			memcpy(dst + head + whole, src + head + whole,
			       bytes - head - whole);
			to->len += from->len;
			return 0;
		}
	}
#endif
	memcpy(dst, from->data, bytes);
	to->len += from->len;
	return 0;
}
