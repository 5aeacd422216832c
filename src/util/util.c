/*
 * util.c - diagnostics, growable arrays and string pools (see util.h).
 */
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

hl_status hl_fail(hl_diag *d, hl_status st, const char *fmt, ...)
{
	va_list ap;

	if (d->status != HL_OK)
		return d->status;
	d->status = st;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	return st;
}

void hl_warnf(hl_diag *d, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	d->warnings++;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (d->strict) {
		hl_fail(d, HL_E_FORMAT, "%s (--strict)", buf);
		return;
	}
	hl_diag_log(d, buf);
	if (d->warn)
		d->warn(d->ctx, buf);
}

void hl_diag_log(hl_diag *d, const char *msg)
{
	size_t n = strlen(msg) + 1;
	char *p;

	if (d->log_len + n > HL_LOG_MAX)
		return;
	p = realloc(d->log, d->log_len + n);
	if (!p)
		return;
	memcpy(p + d->log_len, msg, n);
	d->log = p;
	d->log_len += n;
}

void hl_vec_init(hl_vec *v, size_t item)
{
	v->data = NULL;
	v->len = v->cap = 0;
	v->item = item;
}

void hl_vec_release(hl_vec *v)
{
	free(v->data);
	v->data = NULL;
	v->len = v->cap = 0;
}

int hl_vec_reserve(hl_vec *v, size_t n)
{
	size_t need, cap;

	if (__builtin_add_overflow(v->len, n, &need))
		return -1;
	if (need <= v->cap)
		return 0;
	cap = v->cap ? v->cap : 64;
	while (cap < need) {
		if (__builtin_mul_overflow(cap, 2, &cap))
			return -1;
	}
	if (__builtin_mul_overflow(cap, v->item, &need) ||
	    hl_resize(&v->data, need))
		return -1;
	v->cap = cap;
	return 0;
}

/*
 * Big arrays (object tables, edges, dominator arrays) are read at random:
 * ask for transparent huge pages, which cut TLB misses and page faults
 * (one fault per 2 MiB instead of per 4 KiB) where the kernel gives them
 * on request (transparent_hugepage "madvise" mode); the kernel backs only
 * the whole huge pages inside with them.  The advice covers every page
 * the block touches: a big block is a mapping of its own, and advice on
 * part of it would split it in two (mremap, which realloc uses to grow
 * it in place, refuses a range over two mappings, and realloc would copy
 * it instead).  Failure is harmless.
 */
#define HL_HUGE_MIN ((size_t)8 << 20)

void hl_advise_huge(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
	uintptr_t a, b, pg;

	if (!p || bytes < HL_HUGE_MIN)
		return;
	pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	a = (uintptr_t)p & ~(pg - 1);
	b = ((uintptr_t)p + bytes + pg - 1) & ~(pg - 1);
	if (b > a)
		(void)madvise((void *)a, b - a, MADV_HUGEPAGE);
#else
	(void)p;
	(void)bytes;
#endif
}

#define HL_BEHIND_MAX ((uint64_t)256 << 20)

void hl_behind_init(hl_behind *b, const uint8_t *base)
{
	b->base = base;
	b->lo = UINT64_MAX;
	b->hi = 0;
	b->count = 0;
}

void hl_populate(void *p, size_t bytes)
{
#ifdef MADV_POPULATE_WRITE
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE), step = (uintptr_t)16 << 20;
	uintptr_t a = ((uintptr_t)p + pg - 1) & ~(pg - 1);
	uintptr_t e = ((uintptr_t)p + bytes) & ~(pg - 1);

	for (; p && a < e; a += step) /* in steps: the first come first */
		if (madvise((void *)a, e - a < step ? e - a : step,
			    MADV_POPULATE_WRITE))
			break; /* not supported here: nothing lost */
#else
	(void)p;
	(void)bytes;
#endif
}

void hl_drop_range(const void *p, uint64_t len)
{
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t a = ((uintptr_t)p + pg - 1) & ~(pg - 1);
	uintptr_t e = ((uintptr_t)p + len) & ~(pg - 1);

	if (p && e > a)
		(void)madvise((void *)a, e - a, MADV_DONTNEED);
}

void hl_behind_flush(hl_behind *b)
{
	/* whole pages inside [lo, hi): the page of hi is still read */
	if (b->base && b->hi > b->lo && b->hi - b->lo <= HL_BEHIND_MAX)
		hl_drop_range(b->base + b->lo, b->hi - b->lo);
	b->lo = UINT64_MAX;
	b->hi = 0;
	b->count = 0;
}

int hl_resize(void **p, size_t bytes)
{
	void *q = realloc(*p, bytes ? bytes : 1);

	if (!q)
		return -1;
	hl_advise_huge(q, bytes);
	*p = q;
	return 0;
}

void *hl_reuse(void *spare, size_t bytes)
{
	if (spare && !hl_resize(&spare, bytes))
		return spare;
	free(spare);
	return hl_malloc_array(bytes, 1);
}

void *hl_calloc(size_t n, size_t size)
{
	void *p;

	if (n == 0 || size == 0)
		return calloc(1, 1);
	p = calloc(n, size);
	hl_advise_huge(p, n * size);
	return p;
}

void *hl_malloc_array(size_t n, size_t size)
{
	size_t bytes;
	void *p;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	p = malloc(bytes ? bytes : 1);
	hl_advise_huge(p, bytes);
	return p;
}

size_t hl_strpool_add(hl_strpool *p, const char *s, size_t len)
{
	size_t need, off = p->len;

	if (__builtin_add_overflow(p->len, len + 1, &need))
		return SIZE_MAX;
	if (need > p->cap) {
		size_t cap = p->cap ? p->cap : 4096;
		char *d;

		while (cap < need)
			cap *= 2;
		d = realloc(p->data, cap);
		if (!d)
			return SIZE_MAX;
		p->data = d;
		p->cap = cap;
	}
	memcpy(p->data + off, s, len);
	p->data[off + len] = '\0';
	p->len = need;
	return off;
}

void hl_strpool_release(hl_strpool *p)
{
	free(p->data);
	p->data = NULL;
	p->len = p->cap = 0;
}

int hl_write_at(int fd, const void *p, uint64_t len, uint64_t off)
{
	const uint8_t *b = p;

	while (len) {
		ssize_t w = pwrite(fd, b, len > ((uint64_t)1 << 30) ? (size_t)1 << 30 : (size_t)len,
				   (off_t)off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w == 0)
			errno = ENOSPC; /* nothing written: no room */
		if (w <= 0)
			return -1;
		b += w;
		off += (uint64_t)w;
		len -= (uint64_t)w;
	}
	return 0;
}

int hl_tmpfile_unnamed(const char *dir, unsigned mode)
{
#ifdef O_TMPFILE
	return open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, (mode_t)mode);
#else
	(void)dir;
	(void)mode;
	errno = EOPNOTSUPP;
	return -1;
#endif
}

int hl_tmpfile(const char *dir)
{
	char path[4096];
	int fd = hl_tmpfile_unnamed(dir, 0600);

	if (fd >= 0)
		return fd;
	if ((size_t)snprintf(path, sizeof(path), "%s/heaplens-XXXXXX", dir) >=
	    sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path); /* gone at once: nothing left behind on a crash */
	return fd;
}

void hl_run_jobs(void *(*fn)(void *), void *jobs, size_t size, unsigned n)
{
	pthread_t tid[HL_JOBS_MAX];
	int started[HL_JOBS_MAX] = { 0 };
	unsigned k;

	for (k = 1; k < n && k < HL_JOBS_MAX; k++)
		started[k] = !pthread_create(&tid[k], NULL, fn, (char *)jobs + k * size);
	if (n)
		fn(jobs);
	for (k = 1; k < n; k++) {
		if (k < HL_JOBS_MAX && started[k])
			pthread_join(tid[k], NULL);
		else
			fn((char *)jobs + k * size);
	}
}
