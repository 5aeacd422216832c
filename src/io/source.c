/*
 * source.c - map a dump read-only, or inflate a gzip'd one (see source.h).
 *
 * Two ways to inflate, one result.  In order (inflate_all): member after
 * member through one z_stream; this alone words the warnings about damage,
 * cut files and trailing bytes.  On threads (inflate_parallel), for
 * HotSpot's files of many independent members: the members are found
 * without inflating (a member starts with 1f 8b 08 FLG and the four bytes
 * before the next one are its inflated size, ISIZE), so each member's place
 * in the output is known before any is inflated, and the threads inflate
 * members straight to their places.  Any doubt (a false start found inside
 * compressed data, a member that does not end exactly where and at the size
 * planned, a bad CRC, bytes after the last member) throws the attempt away
 * and inflates in order from the start: a plan is kept only when every
 * member checked, which is exactly the case where inflating in order gives
 * the same bytes and no warning.
 */
#include "io/source.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* Inflated output stays in memory up to this size, then goes to a file. */
#define MEM_LIMIT ((uint64_t)64 << 20)
#define CHUNK (1u << 20)
/* Inflating on threads: only for inputs this big, on at most this many. */
#define PAR_MIN_INPUT ((uint64_t)4 << 20)
#define PAR_MAX_THREADS 16
#define MEMBER_MIN 20        /* 10 header + 2 deflate + 8 trailer bytes */
#define RATIO_MAX 1032       /* deflate cannot inflate more per byte */
#define PROGRESS_STEP ((uint64_t)16 << 20)

struct sink {
	uint8_t *mem;
	uint64_t len, cap;
	int fd;              /* temporary file once MEM_LIMIT is passed */
	const char *tmpdir;
};

static int open_tmp(const char *tmpdir)
{
	if (!tmpdir || !*tmpdir)
		tmpdir = getenv("TMPDIR");
	if (!tmpdir || !*tmpdir)
		tmpdir = "/tmp";
	return hl_tmpfile(tmpdir);
}

static hl_status sink_put(struct sink *k, const uint8_t *p, uint64_t n,
			  hl_diag *d)
{
	if (k->fd < 0 && k->len + n > MEM_LIMIT) {
		k->fd = open_tmp(k->tmpdir);
		if (k->fd < 0)
			return hl_fail(d, HL_E_IO,
				       "cannot create a temporary file in '%s': %s",
				       k->tmpdir ? k->tmpdir : "$TMPDIR",
				       strerror(errno));
		if (hl_write_at(k->fd, k->mem, k->len, 0))
			goto werr;
		free(k->mem);
		k->mem = NULL;
	}
	if (k->fd >= 0) {
		if (hl_write_at(k->fd, p, n, k->len))
			goto werr;
		k->len += n;
		return HL_OK;
	}
	if (k->len + n > k->cap) {
		uint64_t cap = k->cap ? k->cap * 2 : CHUNK;
		uint8_t *m;

		while (cap < k->len + n)
			cap *= 2;
		m = realloc(k->mem, cap);
		if (!m)
			return hl_fail(d, HL_E_NOMEM, "out of memory inflating");
		k->mem = m;
		k->cap = cap;
	}
	memcpy(k->mem + k->len, p, n);
	k->len += n;
	return HL_OK;
werr:
	return hl_fail(d, HL_E_IO, "cannot write the inflated dump: %s",
		       strerror(errno));
}

/* Inflate every gzip member of in[0..n) into k.  Damage is remembered,
 * not fatal: what came before it is kept. */
static hl_status inflate_all(hl_source *s, const uint8_t *in, uint64_t n,
			     struct sink *k, hl_diag *d, hl_progress_fn progress,
			     void *ctx)
{
	z_stream z;
	uint8_t *out = malloc(CHUNK);
	uint64_t pos = 0, next_report = 0;
	hl_status st = HL_OK;
	int rc = Z_OK;

	if (!out)
		return hl_fail(d, HL_E_NOMEM, "out of memory inflating");
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		free(out);
		return hl_fail(d, HL_E_NOMEM, "cannot start zlib");
	}
	s->gzip_members = 1;
	while (st == HL_OK) {
		if (z.avail_in == 0) {
			uint64_t left = n - pos;

			if (left == 0)
				break;
			z.next_in = (Bytef *)(in + pos);
			z.avail_in = left > (1u << 30) ? (1u << 30) : (uInt)left;
			pos += z.avail_in;
		}
		z.next_out = out;
		z.avail_out = CHUNK;
		rc = inflate(&z, Z_NO_FLUSH);
		if (CHUNK - z.avail_out)
			st = sink_put(k, out, CHUNK - z.avail_out, d);
		if (progress && pos - z.avail_in >= next_report) {
			progress(ctx, "inflating", pos - z.avail_in, n);
			next_report = pos - z.avail_in + (16u << 20);
		}
		if (rc == Z_STREAM_END) {
			uint64_t at = pos - z.avail_in;

			if (at >= n)
				break;
			if (n - at < 2 || in[at] != 0x1f || in[at + 1] != 0x8b) {
				hl_warnf(d, "offset %llu: %llu bytes after the last gzip member ignored",
					 (unsigned long long)at,
					 (unsigned long long)(n - at));
				break;
			}
			inflateReset(&z);
			s->gzip_members++;
			rc = Z_OK;
		} else if (rc == Z_BUF_ERROR && z.avail_in == 0 && pos >= n) {
			break; /* input ended inside a member */
		} else if (rc != Z_OK && rc != Z_BUF_ERROR) {
			s->gzip_damage_at = pos - z.avail_in;
			hl_warnf(d, "offset %llu: damaged gzip data (%s); keeping the %llu bytes inflated before it",
				 (unsigned long long)s->gzip_damage_at,
				 z.msg ? z.msg : "zlib error",
				 (unsigned long long)k->len);
			break;
		}
	}
	if (st == HL_OK && rc != Z_STREAM_END && !s->gzip_damage_at) {
		s->gzip_damage_at = n;
		hl_warnf(d, "offset %llu: gzip data ends inside a member (file cut short?)",
			 (unsigned long long)n);
	}
	inflateEnd(&z);
	free(out);
	return st;
}

static hl_status map_sink(hl_source *s, struct sink *k, hl_diag *d)
{
	s->size = k->len;
	if (k->fd < 0) {
		s->data = k->mem;
		s->map = NULL;
		return HL_OK;
	}
	if (k->len == 0) {
		close(k->fd);
		s->data = (const uint8_t *)"";
		return HL_OK;
	}
	s->map = mmap(NULL, k->len, PROT_READ, MAP_PRIVATE, k->fd, 0);
	close(k->fd);
	if (s->map == MAP_FAILED) {
		s->map = NULL;
		return hl_fail(d, HL_E_IO, "cannot map the inflated dump: %s",
			       strerror(errno));
	}
	s->map_size = k->len;
	s->data = s->map;
	return HL_OK;
}

/* ---- inflating on threads ---- */

/* The members of a gzip file and where each one inflates to. */
struct plan {
	const uint8_t *in;
	uint64_t n;          /* compressed bytes */
	uint64_t *at;        /* member i is in[at[i] .. at[i + 1]) */
	uint64_t *off;       /* and inflates to [off[i] .. off[i + 1]) */
	uint64_t count;      /* members: at[count] = n, off[count] = total */
	uint8_t *mem;        /* the output in memory, or */
	int fd;              /* in the temporary file */
	uint64_t next;       /* the next member to take (atomic) */
	uint64_t done;       /* compressed bytes inflated, checked (atomic) */
	int failed;          /* a member was not as planned (atomic) */
};

struct worker {
	struct plan *p;
	hl_progress_fn progress; /* the calling thread's worker only */
	void *ctx;
};

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

/* Could a member start at p, whose 0x1f is known (10 bytes readable)?
 * Deflate, and no reserved flag (zlib refuses those). */
static int maybe_member(const uint8_t *p)
{
	return p[1] == 0x8b && p[2] == 8 && !(p[3] & 0xe0);
}

/* FLG, MTIME, XFL and OS: what one producer's members share. */
static uint64_t header_key(const uint8_t *p)
{
	uint64_t key = 0;
	unsigned i;

	for (i = 3; i < 10; i++)
		key = key << 8 | p[i];
	return key;
}

/* Offsets 0, then every place in (0, n) where a member could start (room
 * for it and for a member before), into v.  More than max: -1.  n is at
 * least PAR_MIN_INPUT. */
static int find_starts(const uint8_t *in, uint64_t n, hl_vec *v, size_t max)
{
	const uint8_t *p = in + MEMBER_MIN, *last = in + n - MEMBER_MIN;
	uint64_t at = 0;

	if (hl_vec_push(v, &at))
		return -1;
	while (p <= last) {
		const uint8_t *q = memchr(p, 0x1f, (size_t)(last - p) + 1);

		if (!q)
			break;
		if (maybe_member(q)) {
			at = (uint64_t)(q - in);
			if (v->len >= max || hl_vec_push(v, &at))
				return -1;
		}
		p = q + 1;
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The header most starts after the first have (the longest run of equal
 * keys once sorted): HotSpot's members but the first all share one, while
 * a false start inside the data has random bytes there.  -1: no memory. */
static int common_header(const uint8_t *in, const uint64_t *at, size_t len,
			 uint64_t *key)
{
	uint64_t *k = hl_malloc_array(len, sizeof(uint64_t));
	size_t i, run = 0, best = 0;

	if (!k)
		return -1;
	for (i = 1; i < len; i++)
		k[i - 1] = header_key(in + at[i]);
	qsort(k, len - 1, sizeof(uint64_t), cmp_u64);
	*key = 0;
	for (i = 0; i + 1 < len; i++) {
		run = i && k[i] == k[i - 1] ? run + 1 : 1;
		if (run > best) {
			best = run;
			*key = k[i];
		}
	}
	free(k);
	return 0;
}

/* Keep the starts with the common header, each a member's length past the
 * one kept before; returns how many are kept (the first, 0, always). */
static size_t keep_starts(const uint8_t *in, uint64_t *at, size_t len)
{
	size_t i, kept = 1;
	uint64_t key;

	if (common_header(in, at, len, &key))
		return 1; /* too few to plan: inflated in order */
	for (i = 1; i < len; i++)
		if (header_key(in + at[i]) == key &&
		    at[i] - at[kept - 1] >= MEMBER_MIN)
			at[kept++] = at[i];
	return kept;
}

/* Each member's inflated size is the ISIZE ending the bytes before the
 * next start: output offsets, checked against what deflate can do, and
 * the total against the caller's sanity cap. */
static int plan_sizes(struct plan *p, uint64_t cap)
{
	uint64_t i;

	p->off = hl_malloc_array((size_t)p->count + 1, sizeof(uint64_t));
	if (!p->off)
		return -1;
	p->off[0] = 0;
	for (i = 0; i < p->count; i++) {
		uint64_t len = p->at[i + 1] - p->at[i], most;
		uint64_t size = le32(p->in + p->at[i + 1] - 4);

		if (len > UINT_MAX || hl_mul_ovf(len, RATIO_MAX, &most) ||
		    size > most || hl_add_ovf(p->off[i], size, &p->off[i + 1]))
			return -1;
	}
	return p->off[p->count] && p->off[p->count] <= cap ? 0 : -1;
}

/* Find the members of in[0..n) and their places; -1 when they cannot be
 * planned (too few members for two threads, sizes that do not fit). */
static int plan_members(struct plan *p)
{
	size_t max = (size_t)(p->n >> 8) + 64; /* a candidate per 256 bytes */
	uint64_t cap;
	hl_vec v;

	hl_vec_init(&v, sizeof(uint64_t));
	if (find_starts(p->in, p->n, &v, max)) {
		hl_vec_release(&v);
		return -1;
	}
	v.len = keep_starts(p->in, v.data, v.len);
	if (v.len < 4 || hl_vec_push(&v, &p->n)) {
		hl_vec_release(&v);
		return -1;
	}
	p->at = v.data; /* the plan owns it now */
	p->count = v.len - 1;
	if (hl_mul_ovf(p->n, 64, &cap) || hl_add_ovf(cap, CHUNK, &cap))
		return -1;
	return plan_sizes(p, cap);
}

/* Inflate member i to its place (memory, or buf then the file); 1 when it
 * ends exactly at its last byte with the planned size and a good CRC. */
static int inflate_member(struct plan *p, uint64_t i, z_stream *z, uint8_t *buf)
{
	uint64_t want = p->off[i + 1] - p->off[i], got = 0;
	int rc;

	if (inflateReset(z) != Z_OK)
		return 0;
	z->next_in = (Bytef *)(p->in + p->at[i]);
	z->avail_in = (uInt)(p->at[i + 1] - p->at[i]); /* planned <= UINT_MAX */
	do {
		uint64_t room = want - got; /* <= UINT32_MAX: an ISIZE */
		uint64_t made;

		if (!p->mem && room > CHUNK)
			room = CHUNK;
		z->next_out = p->mem ? p->mem + p->off[i] + got : buf;
		z->avail_out = (uInt)room;
		rc = inflate(z, Z_NO_FLUSH);
		made = room - z->avail_out;
		if (!p->mem && made &&
		    hl_write_at(p->fd, buf, made, p->off[i] + got))
			return 0;
		got += made;
	} while (rc == Z_OK); /* Z_OK: progress was made; more may come */
	return rc == Z_STREAM_END && z->avail_in == 0 && got == want;
}

/* A thread's loop: take the next member until none is left or one fails. */
static void *inflate_members(void *arg)
{
	struct worker *w = arg;
	struct plan *p = w->p;
	uint64_t next_report = PROGRESS_STEP;
	uint8_t *buf = NULL;
	z_stream z;

	memset(&z, 0, sizeof(z));
	if ((!p->mem && !(buf = malloc(CHUNK))) ||
	    inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		__atomic_store_n(&p->failed, 1, __ATOMIC_RELAXED);
		free(buf);
		return NULL;
	}
	while (!__atomic_load_n(&p->failed, __ATOMIC_RELAXED)) {
		uint64_t i = __atomic_fetch_add(&p->next, 1, __ATOMIC_RELAXED);
		uint64_t done;

		if (i >= p->count)
			break;
		if (!inflate_member(p, i, &z, buf)) {
			__atomic_store_n(&p->failed, 1, __ATOMIC_RELAXED);
			break;
		}
		done = __atomic_add_fetch(&p->done, p->at[i + 1] - p->at[i],
					  __ATOMIC_RELAXED);
		if (w->progress && done >= next_report) {
			w->progress(w->ctx, "inflating", done, p->n);
			next_report = done + PROGRESS_STEP;
		}
	}
	inflateEnd(&z);
	free(buf);
	return NULL;
}

/* The output: memory up to MEM_LIMIT as in order, else the temporary
 * file, written where each member goes. */
static int plan_output(struct plan *p, const char *tmpdir)
{
	uint64_t total = p->off[p->count];

	if (total <= MEM_LIMIT) {
		p->mem = malloc(total);
		return p->mem ? 0 : -1;
	}
	p->fd = open_tmp(tmpdir);
	return p->fd >= 0 ? 0 : -1;
}

/* The calling thread is one of the workers; a thread that cannot be
 * started leaves its share to the others. */
static int run_workers(struct plan *p, unsigned threads,
		       hl_progress_fn progress, void *ctx)
{
	struct worker w[PAR_MAX_THREADS];
	pthread_t tid[PAR_MAX_THREADS];
	unsigned t, made = 0;

	for (t = 0; t < threads; t++) {
		w[t].p = p;
		w[t].progress = t ? NULL : progress;
		w[t].ctx = ctx;
	}
	if (progress)
		progress(ctx, "inflating", 0, p->n);
	for (t = 1; t < threads; t++)
		if (pthread_create(&tid[t], NULL, inflate_members, &w[t]) == 0)
			made |= 1u << t;
	inflate_members(&w[0]);
	for (t = 1; t < threads; t++)
		if (made & (1u << t))
			pthread_join(tid[t], NULL);
	if (p->failed || p->done != p->n)
		return -1;
	/* the last members may be empty: the file ends where planned */
	return p->fd < 0 || ftruncate(p->fd, (off_t)p->off[p->count]) == 0 ?
		0 : -1;
}

/*
 * Inflate in[0..n) on threads when its members can be planned: 1 when done
 * (the output in k, as the sink in order would hold it), 0 when the caller
 * must inflate in order: then nothing is kept and no warning was given
 * (the progress of "inflating" starts again).
 */
static int inflate_parallel(hl_source *s, const uint8_t *in, uint64_t n,
			    unsigned threads, struct sink *k,
			    hl_progress_fn progress, void *ctx)
{
	struct plan p;
	int ok;

	if (threads > PAR_MAX_THREADS)
		threads = PAR_MAX_THREADS;
	if (threads < 2 || n < PAR_MIN_INPUT)
		return 0;
	memset(&p, 0, sizeof(p));
	p.in = in;
	p.n = n;
	p.fd = -1;
	ok = plan_members(&p) == 0;
	if (ok && threads > p.count / 2) /* two members a thread at least */
		threads = (unsigned)(p.count / 2);
	ok = ok && plan_output(&p, k->tmpdir) == 0 &&
	     run_workers(&p, threads, progress, ctx) == 0;
	if (ok) {
		k->mem = p.mem;
		k->len = k->cap = p.off[p.count];
		k->fd = p.fd;
		s->gzip_members = (unsigned)p.count;
		s->gzip_threads = threads;
	} else {
		free(p.mem); /* dropped before inflating again */
		if (p.fd >= 0)
			close(p.fd);
	}
	free(p.at);
	free(p.off);
	return ok;
}

static hl_status open_fd(const char *path, int *fd, struct stat *sb, hl_diag *d)
{
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return hl_fail(d, errno == ENOENT ? HL_E_NOTFOUND : HL_E_IO,
			       "cannot open: %s", strerror(errno));
	if (fstat(*fd, sb) < 0)
		return hl_fail(d, HL_E_IO, "cannot stat: %s", strerror(errno));
	if (S_ISDIR(sb->st_mode))
		return hl_fail(d, HL_E_ISDIR, "is a directory");
	if (!S_ISREG(sb->st_mode))
		return hl_fail(d, HL_E_IO, "not a regular file");
	return HL_OK;
}

hl_status hl_source_open(hl_source *s, const char *path, const char *tmpdir,
			 unsigned threads, hl_diag *d, hl_progress_fn progress,
			 void *ctx)
{
	struct stat sb;
	const uint8_t *raw;
	hl_status st;
	int fd = -1;

	memset(s, 0, sizeof(*s));
	s->data = (const uint8_t *)"";
	st = open_fd(path, &fd, &sb, d);
	if (st != HL_OK)
		goto out;
	s->file_size = (uint64_t)sb.st_size;
	if (s->file_size == 0)
		goto out;
	s->map = mmap(NULL, s->file_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (s->map == MAP_FAILED) {
		s->map = NULL;
		st = hl_fail(d, HL_E_IO, "cannot map: %s", strerror(errno));
		goto out;
	}
	s->map_size = s->file_size;
	raw = s->map;
	if (s->file_size >= 2 && raw[0] == 0x1f && raw[1] == 0x8b) {
		struct sink k = { NULL, 0, 0, -1, tmpdir };

		s->gzip = 1;
		if (!inflate_parallel(s, raw, s->file_size, threads, &k,
				      progress, ctx)) {
			s->gzip_threads = 1;
			madvise(s->map, s->map_size, MADV_SEQUENTIAL);
			st = inflate_all(s, raw, s->file_size, &k, d, progress,
					 ctx);
		}
		munmap(s->map, s->map_size);
		s->map = NULL;
		if (st == HL_OK)
			st = map_sink(s, &k, d);
		else if (k.fd >= 0)
			close(k.fd);
		if (st != HL_OK)
			free(k.mem);
	} else {
		s->data = raw;
		s->size = s->file_size;
	}
out:
	if (fd >= 0)
		close(fd);
	return st;
}

void hl_source_close(hl_source *s)
{
	if (s->map)
		munmap(s->map, s->map_size);
	else if (s->gzip && s->size)
		free((void *)s->data);
	memset(s, 0, sizeof(*s));
}
