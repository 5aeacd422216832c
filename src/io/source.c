/*
 * source.c - map a dump read-only, or inflate a gzip'd one (see source.h).
 */
#include "io/source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* Inflated output stays in memory up to this size, then goes to a file. */
#define MEM_LIMIT ((uint64_t)64 << 20)
#define CHUNK (1u << 20)

struct sink {
	uint8_t *mem;
	uint64_t len, cap;
	int fd;              /* temporary file once MEM_LIMIT is passed */
	const char *tmpdir;
};

static int open_tmp(const char *tmpdir)
{
	char path[4096];
	int fd;

	if (!tmpdir || !*tmpdir)
		tmpdir = getenv("TMPDIR");
	if (!tmpdir || !*tmpdir)
		tmpdir = "/tmp";
#ifdef O_TMPFILE
	fd = open(tmpdir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
#endif
	snprintf(path, sizeof(path), "%s/heaplens-XXXXXX", tmpdir);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path); /* gone at once: nothing left behind on a crash */
	return fd;
}

static int write_all(int fd, const uint8_t *p, uint64_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n > (1u << 30) ? (1u << 30) : n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (uint64_t)w;
	}
	return 0;
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
		if (write_all(k->fd, k->mem, k->len))
			goto werr;
		free(k->mem);
		k->mem = NULL;
	}
	if (k->fd >= 0) {
		if (write_all(k->fd, p, n))
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
			 hl_diag *d, hl_progress_fn progress, void *ctx)
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
		madvise(s->map, s->map_size, MADV_SEQUENTIAL);
		st = inflate_all(s, raw, s->file_size, &k, d, progress, ctx);
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

void hl_source_release_pages(hl_source *s)
{
	if (s->map && s->map_size)
		madvise(s->map, s->map_size, MADV_DONTNEED);
}

void hl_source_close(hl_source *s)
{
	if (s->map)
		munmap(s->map, s->map_size);
	else if (s->gzip && s->size)
		free((void *)s->data);
	memset(s, 0, sizeof(*s));
}
