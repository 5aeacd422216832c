/*
 * util.h - small helpers shared by every stage of the library.
 *
 * - hl_diag: the first error wins and carries context; warnings are counted
 *   and forwarded to the caller's callback (the library never prints).
 * - Overflow-checked arithmetic for every size that comes from the file.
 * - Big-endian loads from the mapped dump (HPROF is big-endian throughout).
 * - hl_vec: a growable array of fixed-size items, grown by doubling; one
 *   allocation per phase, never one per object.
 */
#ifndef HL_UTIL_H
#define HL_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "heaplens/heaplens.h"

typedef struct hl_diag {
	hl_status status;      /* first error, HL_OK if none */
	char msg[512];         /* its message */
	uint64_t warnings;     /* warnings so far */
	hl_warn_fn warn;
	void *ctx;
	int strict;            /* a warning is an error (HL_E_FORMAT) */
	char *log;             /* the warnings' texts, NUL-separated (kept for
				* the persistent index); at most HL_LOG_MAX */
	size_t log_len;
} hl_diag;

#define HL_LOG_MAX 65536

/* Record an error unless one is already recorded; returns the status kept. */
hl_status hl_fail(hl_diag *d, hl_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Keep a warning's text in d->log. */
void hl_diag_log(hl_diag *d, const char *msg);
/* Count a warning and pass it to the callback. */
void hl_warnf(hl_diag *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* a + b and a * b, returning nonzero on overflow. */
static inline int hl_add_ovf(uint64_t a, uint64_t b, uint64_t *r)
{
	return __builtin_add_overflow(a, b, r);
}
static inline int hl_mul_ovf(uint64_t a, uint64_t b, uint64_t *r)
{
	return __builtin_mul_overflow(a, b, r);
}

static inline uint16_t hl_be16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}
static inline uint32_t hl_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}
static inline uint64_t hl_be64(const uint8_t *p)
{
	return ((uint64_t)hl_be32(p) << 32) | hl_be32(p + 4);
}
/* An identifier of 4 or 8 bytes. */
static inline uint64_t hl_beid(const uint8_t *p, unsigned idsize)
{
	return idsize == 8 ? hl_be64(p) : hl_be32(p);
}

static inline uint64_t hl_round_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

typedef struct hl_vec {
	void *data;
	size_t len, cap, item;
} hl_vec;

void hl_vec_init(hl_vec *v, size_t item);
void hl_vec_release(hl_vec *v);
/* Make room for n more items; returns nonzero when memory is lacking. */
int hl_vec_reserve(hl_vec *v, size_t n);
/* Append the items of from (same item size) to; from keeps its items only
 * when the result is nonzero (memory lacking), and is to be released
 * either way.  Big vectors' pages are moved, not copied (vecjoin.c). */
int hl_vec_append(hl_vec *to, hl_vec *from);
/* Append one item (copied from p); returns nonzero when memory is lacking. */
static inline int hl_vec_push(hl_vec *v, const void *p)
{
	if (v->len == v->cap && hl_vec_reserve(v, 1))
		return -1;
	memcpy((char *)v->data + v->len * v->item, p, v->item);
	v->len++;
	return 0;
}
#define HL_VEC_AT(v, type, i) (((type *)(v)->data)[i])
/* hl_vec_push of a value of a known type, copied inline (hl_vec_push's
 * copy of v->item bytes is a call): 0, or -1 when memory lacks.  v is
 * evaluated more than once. */
#define HL_VEC_PUSH(v, type, val)                                          \
	((v)->len == (v)->cap && hl_vec_reserve((v), 1) ? -1 :             \
	 (((type *)(v)->data)[(v)->len++] = (val), 0))

/* realloc *p to bytes: 0 done (*p the new block), -1 memory lacking (*p
 * left as it was, still the caller's). */
int hl_resize(void **p, size_t bytes);
/* A block of bytes for a new array: spare (a malloc'd block whose pages
 * are there already, on this machine's kind far cheaper than fresh ones)
 * resized when it can be, else fresh memory (spare freed); NULL when
 * memory lacks.  spare may be NULL. */
void *hl_reuse(void *spare, size_t bytes);
/* calloc/malloc with an overflow-checked count. */
void *hl_calloc(size_t n, size_t size);
/*
 * Release-behind for a read-only file mapping (the dump): the pages of
 * [lo, hi) are dropped from this process (they stay in the page cache and
 * come back on access), so that resident memory is what the analysis
 * holds, not the dump.  A pass notes the offsets it read and flushes every
 * so many; ranges that are not compact (records read out of file order)
 * are left alone.  base NULL: nothing is released (data not mapped).
 */
typedef struct hl_behind {
	const uint8_t *base;
	uint64_t lo, hi;
	uint32_t count;
} hl_behind;
void hl_behind_init(hl_behind *b, const uint8_t *base);
void hl_behind_flush(hl_behind *b);
static inline void hl_behind_note(hl_behind *b, uint64_t off)
{
	if (off < b->lo)
		b->lo = off;
	if (off > b->hi)
		b->hi = off;
	if (++b->count >= 65536 || b->hi - b->lo >= ((uint64_t)64 << 20))
		hl_behind_flush(b);
}
/* Ask for transparent huge pages over a big block (no-op when small). */
void hl_advise_huge(void *p, size_t bytes);
/* Fault in the pages of [p, p+bytes) ahead of their first writes (where
 * the kernel can: MADV_POPULATE_WRITE, Linux 5.14), keeping what is there:
 * another thread may be writing the block meanwhile.  Fresh memory is
 * slow to touch on some virtual machines; a second core can take that. */
void hl_populate(void *p, size_t bytes);
/* Drop the whole pages inside [p, p + len) of a read-only file mapping
 * from the process (they stay in the page cache and come back on access). */
void hl_drop_range(const void *p, uint64_t len);

/* Write len bytes at offset off of fd, whole (in pieces of at most 1 GiB,
 * retried when interrupted); nonzero on error (errno set). */
int hl_write_at(int fd, const void *p, uint64_t len, uint64_t off);

/* Run fn on each of n jobs (job k at (char *)jobs + k * size): job 0 on
 * this thread, the others on threads of their own (up to HL_JOBS_MAX; the
 * rest, and those whose thread cannot start, here afterwards); returns
 * when all are done. */
#define HL_JOBS_MAX 64
void hl_run_jobs(void *(*fn)(void *), void *jobs, size_t size, unsigned n);
/* How many parts a pass over n items takes on `threads` threads: one when
 * there are fewer than min items (threads would cost more than they save),
 * else one a thread, at most max. */
static inline unsigned hl_parts(unsigned threads, uint64_t n, uint64_t min,
				unsigned max)
{
	if (threads < 2 || n < min)
		return 1;
	return threads > max ? max : threads;
}

/* An unnamed temporary file in dir (O_TMPFILE, or created and unlinked at
 * once: nothing is left behind on a crash); -1 on failure (errno set). */
int hl_tmpfile(const char *dir);
/* Only an O_TMPFILE (which can be given a name later: linkat), with that
 * mode; -1 when the file system (or the kernel) has none. */
int hl_tmpfile_unnamed(const char *dir, unsigned mode);

/* Spilling (spill.c): move a malloc'd array of len bytes to an unnamed
 * temporary file mapped shared, so that its pages can leave the process
 * (hl_spill_drop) and come back on access.  Returns the new address (p is
 * freed), or p itself when it was not spilled (small, spilling off or not
 * possible).  Arrays that may have been spilled are freed with
 * hl_spill_free (free() for the others).  hl_spill_total: bytes spilled
 * and not freed.  While hl_spill runs, no thread may read or write the
 * array: its pages leave as they are written. */
void *hl_spill(void *p, size_t len);
/* As hl_spill, but p's memory is not given back: when spilled, *old is p
 * (its pages resident, its data a copy of the spilled array's), a block
 * for the next big array to take instead of fresh memory, freed with
 * free(); NULL when not spilled. */
void *hl_spill_keep(void *p, size_t len, void **old);
void hl_spill_free(void *p);
void hl_spill_drop(void);
/* Drop the pages of [p, p+len) when it lies in a spilled array (else
 * nothing: an array in anonymous memory has no other copy). */
void hl_spill_drop_range(const void *p, size_t len);
uint64_t hl_spill_total(void);
/* The directory to spill to before $TMPDIR, /var/tmp and /tmp (--tmpdir);
 * NULL for none.  Copied. */
void hl_spill_dir(const char *dir);
/* The directory of the index to be written, tried after hl_spill_dir's,
 * only for an O_TMPFILE (see hl_spill_handover) and only while its file
 * system has need bytes free; NULL for none. */
void hl_spill_index_dir(const char *dir, uint64_t need);

/*
 * The spill file handed over to become the persistent index: the arrays
 * spilled so far are in it at their offsets (parts), its first
 * HL_SPILL_HEAD bytes are free for a header, and nothing past end is
 * used.  0 when handed over: out->fd is the caller's to write and close,
 * the parts are never punched out of it (freeing them only unmaps them),
 * and the next spill starts another file.  -1 (nothing changed) when
 * there is no such file, it is not an O_TMPFILE (no name can be given to
 * it), a spill is under way, or it is not on device dev.
 */
#define HL_SPILL_HEAD 4096
#define HL_SPILL_PARTS 64
struct hl_spill_part { const void *p; size_t len; uint64_t off; };
struct hl_spill_file {
	int fd;
	unsigned nparts;
	uint64_t end;
	struct hl_spill_part parts[HL_SPILL_PARTS];
};
int hl_spill_handover(uint64_t dev, struct hl_spill_file *out);

/* Bitmaps of 64-bit words: bit i of b. */
static inline int hl_bit_get(const uint64_t *b, uint64_t i)
{
	return (int)((b[i >> 6] >> (i & 63)) & 1);
}
static inline void hl_bit_set(uint64_t *b, uint64_t i)
{
	b[i >> 6] |= (uint64_t)1 << (i & 63);
}
/* Set bit i; 1 when it was clear (the first to claim it). */
static inline int hl_bit_claim(uint64_t *b, uint64_t i)
{
	uint64_t m = (uint64_t)1 << (i & 63);

	if (b[i >> 6] & m)
		return 0;
	b[i >> 6] |= m;
	return 1;
}
void *hl_malloc_array(size_t n, size_t size);

/* Append-only string storage: offsets stay valid when it grows. */
typedef struct hl_strpool {
	char *data;
	size_t len, cap;
} hl_strpool;
/* Append len bytes plus a NUL; returns the offset or SIZE_MAX on failure. */
size_t hl_strpool_add(hl_strpool *p, const char *s, size_t len);
void hl_strpool_release(hl_strpool *p);

/* What this process may use (limits.c): the online CPUs narrowed by its
 * affinity and a cgroup CPU quota (rounded up), at least 1; the physical
 * memory narrowed by a cgroup memory limit. */
unsigned hl_usable_cpus(void);
uint64_t hl_usable_memory(void);
/* The cgroup limits seen from self_cgroup (a /proc/self/cgroup) under
 * root (a /sys/fs/cgroup): CPUs (0: none) and bytes (0: none).  And the
 * parsers of cpu.max ("QUOTA PERIOD" or "max PERIOD") and memory.max. */
void hl_cgroup_limits(const char *self_cgroup, const char *root,
		      unsigned *cpus, uint64_t *mem);
unsigned hl_cpu_max_parse(const char *s);
uint64_t hl_mem_max_parse(const char *s);

#endif
