/*
 * reports.c - reports kept beside the persistent index.
 *
 * Some reports (leak suspects, duplicate strings) walk collections and
 * string contents all over the dump, which the index does not hold, so
 * they would take seconds on every run.  Once computed, their results are
 * kept in a small file next to the index (INDEX.reports) and read back by
 * later runs on the same dump, options included.
 *
 * Layout: a header (magic, version, a hash of this build's layouts, the
 * dump's identity, the size of what follows and its XXH3 checksum), then
 * entries: (kind, key, length) and that many bytes of payload, 8-byte
 * aligned.  The payload is the report's own encoding (report_codec.c),
 * checked again when decoded.  Like the index, the file is written under
 * an unnamed or temporary name and renamed; a stale, foreign or damaged
 * file is ignored and replaced, never trusted.  Failures to write are not
 * errors: the report was computed, it is only not kept.
 */
#include "lib/heap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#define REP_MAGIC "HLREP\r\n\032"
#define REP_VERSION 1
#define REP_MAX_FILE ((uint64_t)1 << 30)
#define REP_MAX_ENTRIES 32

struct rep_header {
	char magic[8];
	uint32_t version, nentries;
	uint64_t layout, identity, body, sum;
};

struct rep_entry { uint32_t kind, pad; uint64_t key, len; };

static uint64_t rep_layout(void)
{
	uint64_t v[4] = { hl_index_layout(), sizeof(hl_suspect),
			  sizeof(hl_string_group), REP_VERSION };

	return XXH3_64bits(v, sizeof(v));
}

static void rep_path(const hl_heap *h, char *buf, size_t len)
{
	snprintf(buf, len, "%s.reports", h->index_path);
}

/* The whole file when it is ours and intact (body: after the header). */
static uint8_t *rep_read(const hl_heap *h, struct rep_header *hd)
{
	char path[4200];
	struct stat sb;
	uint8_t *body = NULL;
	int fd;

	if (!h->index_path[0] || (!h->index_map && !h->index_saved))
		return NULL; /* reports live beside an index only */
	rep_path(h, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &sb) < 0 || (uint64_t)sb.st_size < sizeof(*hd) ||
	    (uint64_t)sb.st_size > REP_MAX_FILE ||
	    pread(fd, hd, sizeof(*hd), 0) != (ssize_t)sizeof(*hd) ||
	    memcmp(hd->magic, REP_MAGIC, 8) || hd->version != REP_VERSION ||
	    hd->layout != rep_layout() || hd->identity != h->identity ||
	    hd->body != (uint64_t)sb.st_size - sizeof(*hd) ||
	    hd->nentries > REP_MAX_ENTRIES)
		goto out;
	body = malloc(hd->body ? hd->body : 1);
	if (!body || pread(fd, body, hd->body, sizeof(*hd)) != (ssize_t)hd->body ||
	    XXH3_64bits(body, hd->body) != hd->sum) {
		free(body);
		body = NULL;
	}
out:
	close(fd);
	return body;
}

/* Walk the entries of a checked body: the k-th entry and its payload, or
 * -1 when the body does not hold that many well-formed entries. */
static int rep_entry_at(const uint8_t *body, uint64_t size, uint32_t k,
			struct rep_entry *e, const uint8_t **payload)
{
	uint64_t off = 0;
	uint32_t i;

	for (i = 0;; i++) {
		if (size - off < sizeof(*e))
			return -1;
		memcpy(e, body + off, sizeof(*e));
		off += sizeof(*e);
		/* the payload and its padding, whole (put_entry copies both) */
		if (e->len > size - off || hl_round_up(e->len, 8) > size - off)
			return -1;
		if (i == k) {
			*payload = body + off;
			return 0;
		}
		off += hl_round_up(e->len, 8);
	}
}

void *hl_report_get(hl_heap *h, unsigned kind, uint64_t key, size_t *len)
{
	struct rep_header hd;
	struct rep_entry e;
	const uint8_t *p;
	uint8_t *body = rep_read(h, &hd), *copy = NULL;
	uint32_t k;

	if (!body)
		return NULL;
	for (k = 0; k < hd.nentries; k++) {
		if (rep_entry_at(body, hd.body, k, &e, &p))
			break;
		if (e.kind == kind && e.key == key) {
			copy = malloc(e.len ? e.len : 1);
			if (copy) {
				memcpy(copy, p, e.len);
				*len = e.len;
			}
			break;
		}
	}
	free(body);
	return copy;
}

/* Append one entry to buf at *off (buf large enough). */
static void put_entry(uint8_t *buf, uint64_t *off, const struct rep_entry *e,
		      const void *payload)
{
	memcpy(buf + *off, e, sizeof(*e));
	*off += sizeof(*e);
	memcpy(buf + *off, payload, e->len);
	memset(buf + *off + e->len, 0, hl_round_up(e->len, 8) - e->len);
	*off += hl_round_up(e->len, 8);
}

void hl_report_put(hl_heap *h, unsigned kind, uint64_t key, const void *p,
		   size_t len)
{
	struct rep_header old, hd;
	struct rep_entry e;
	char path[4200];
	const uint8_t *q;
	uint8_t *body, *buf;
	uint64_t size, off = 0;
	uint32_t k, first = 0;

	hl_index_join(h); /* reports belong to a complete index */
	if (!h->index_path[0] || (!h->index_map && !h->index_saved) ||
	    len > REP_MAX_FILE / 2)
		return;
	body = rep_read(h, &old);
	if (!body)
		old.nentries = 0, old.body = 0;
	/* keep the newest entries but this one's old value */
	if (old.nentries >= REP_MAX_ENTRIES)
		first = old.nentries - REP_MAX_ENTRIES + 1;
	size = old.body + sizeof(e) + hl_round_up(len, 8);
	buf = malloc(size);
	if (!buf) {
		free(body);
		return;
	}
	memset(&hd, 0, sizeof(hd));
	for (k = first; k < old.nentries; k++) {
		if (rep_entry_at(body, old.body, k, &e, &q))
			break;
		if (e.kind == kind && e.key == key)
			continue;
		put_entry(buf, &off, &e, q);
		hd.nentries++;
	}
	e = (struct rep_entry){ kind, 0, key, len };
	put_entry(buf, &off, &e, p);
	hd.nentries++;
	memcpy(hd.magic, REP_MAGIC, 8);
	hd.version = REP_VERSION;
	hd.layout = rep_layout();
	hd.identity = h->identity;
	hd.body = off;
	hd.sum = XXH3_64bits(buf, off);
	rep_path(h, path, sizeof(path));
	if (hl_replace_file(path, &hd, sizeof(hd), buf, hd.body) && h->note) {
		char msg[4400];

		snprintf(msg, sizeof(msg), "cannot keep the report beside the index '%s': %s",
			 h->index_path, strerror(errno));
		h->note(h->ctx, msg);
	}
	free(buf);
	free(body);
}
