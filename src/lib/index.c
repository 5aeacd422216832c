/*
 * index.c - the persistent index: everything hl_open and the dominator
 * pass compute, written once to a file and mapped by later runs, so that
 * a second command on the same dump parses nothing.
 *
 * Layout: a header (magic, format version, a hash of this build's struct
 * layouts, the dump's identity, the file size), a table of sections
 * (offset, length, XXH3 checksum), then the sections, 64-byte aligned:
 * first the scalars (the hl_hprof, hl_graph, hl_domtree and hl_inbound_idx
 * structs as they are, their pointers meaningless on disk), then every
 * array those structs point to.  On load the whole file is mapped
 * copy-on-write, every checksum is verified, lengths are checked against
 * the counts in the scalars, and the pointers are set into the mapping.
 * The file is written under a temporary name and renamed, so a crash never
 * leaves a half index; a stale, foreign or damaged index is refused (the
 * caller rebuilds it), never trusted.  The index is tied to this build and
 * machine (struct layouts, byte order): another build refuses it.
 */
#include "io/identity.h"
#include "lib/heap.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#define IDX_MAGIC "HLIDX\r\n\032"
#define IDX_VERSION 16
#define IDX_ALIGN 64
#define MAX_SECT 40

struct idx_header {
	char magic[8];
	uint32_t version, nsect;
	uint64_t layout, identity, total, table_sum;
};

struct idx_sect { uint64_t off, len, sum; };

struct idx_scalars {
	hl_hprof hp;
	hl_graph g;
	hl_domtree dom;
	hl_inbound_idx in;
	uint64_t warnings, log_len;
	unsigned dump_index;
};

/* A section: where its pointer lives and how long it must be. */
struct sect_ref { void **ptr; uint64_t len; };

uint64_t hl_index_layout(void)
{
	uint64_t v[8] = {
		sizeof(struct idx_scalars), sizeof(struct hl_class),
		sizeof(uint64_t), sizeof(struct hl_field),
		sizeof(struct hl_root), sizeof(struct hl_local),
		IDX_VERSION, 0x0102030405060708ull /* byte order */
	};

	return XXH3_64bits_withSeed(v, sizeof(v), XXH3_64bits(HL_VERSION_STRING,
						 sizeof(HL_VERSION_STRING)));
}

#define VEC(v) { &(v).data, (uint64_t)(v).len * (v).item }

/* The arrays of a heap, in a fixed order, with the lengths its counts say. */
static unsigned sections(hl_heap *h, struct sect_ref *s)
{
	hl_hprof *hp = &h->hp;
	hl_graph *g = &h->g;
	hl_domtree *t = &h->dom;
	uint64_t n = g->nobj;
	unsigned k = 0;

	s[k++] = (struct sect_ref)VEC(hp->utf8);
	s[k++] = (struct sect_ref)VEC(hp->loadclass);
	s[k++] = (struct sect_ref)VEC(hp->frames);
	s[k++] = (struct sect_ref)VEC(hp->traces);
	s[k++] = (struct sect_ref)VEC(hp->heaprecs);
	s[k++] = (struct sect_ref)VEC(hp->dumps);
	s[k++] = (struct sect_ref){ (void **)&g->classes, (uint64_t)g->nclasses * sizeof(*g->classes) };
	s[k++] = (struct sect_ref){ (void **)&g->class_ids, (uint64_t)g->nclass_ids * sizeof(*g->class_ids) };
	s[k++] = (struct sect_ref)VEC(g->fields);
	s[k++] = (struct sect_ref)VEC(g->refs);
	s[k++] = (struct sect_ref)VEC(g->statics);
	s[k++] = (struct sect_ref){ (void **)&g->names.data, g->names.len };
	s[k++] = (struct sect_ref){ (void **)&g->offk, n ? hl_offk_size(n) : 0 };
	s[k++] = (struct sect_ref){ (void **)&g->cls, n * (g->cls_wide ? 4 : 2) };
	s[k++] = (struct sect_ref){ (void **)&g->size, n * sizeof(*g->size) };
	s[k++] = (struct sect_ref){ (void **)&g->size_big, g->nsize_big * sizeof(*g->size_big) };
	s[k++] = (struct sect_ref){ (void **)&g->flags, n };
	s[k++] = (struct sect_ref){ (void **)&g->bucket, ((uint64_t)g->nbuckets + 1) * sizeof(uint32_t) };
	s[k++] = (struct sect_ref){ (void **)&g->roots, (uint64_t)g->nroots * sizeof(*g->roots) };
	s[k++] = (struct sect_ref){ (void **)&g->root_objs, (uint64_t)g->nroot_objs * sizeof(uint32_t) };
	s[k++] = (struct sect_ref){ (void **)&g->locals, (uint64_t)g->nlocals * sizeof(*g->locals) };
	s[k++] = (struct sect_ref){ (void **)&g->thread_serials, 2 * (uint64_t)g->nthreads * sizeof(uint32_t) };
	s[k++] = (struct sect_ref){ (void **)&g->edge_start, (n + 1) * sizeof(hl_eidx) };
	s[k++] = (struct sect_ref){ (void **)&g->edge_to, g->nedges * sizeof(uint32_t) };
	s[k++] = (struct sect_ref){ (void **)&h->in.start, (n + 2) * sizeof(hl_eidx) };
	s[k++] = (struct sect_ref){ (void **)&h->in.from, 0 }; /* length below */
	s[k++] = (struct sect_ref){ (void **)&t->idom, n * sizeof(uint32_t) };
	s[k++] = (struct sect_ref){ (void **)&t->ret, n * sizeof(uint32_t) };
	s[k++] = (struct sect_ref){ (void **)&t->big, t->nbig * sizeof(*t->big) };
	s[k++] = (struct sect_ref){ (void **)&t->kid_bits, ((n + 1) / 64 + 1) * sizeof(uint64_t) };
	s[k++] = (struct sect_ref){ (void **)&t->kid_rank, ((n + 1) / 64 + 1) * sizeof(uint32_t) };
	s[k++] = (struct sect_ref){ (void **)&t->kid_start, ((uint64_t)t->nparents + 2) * sizeof(uint32_t) };
	s[k++] = (struct sect_ref){ (void **)&t->children, ((uint64_t)t->n + 1) * sizeof(uint32_t) };
	s[k++] = (struct sect_ref){ (void **)&t->class_retained, ((uint64_t)g->nclasses + 1) * sizeof(uint64_t) };
	s[k++] = (struct sect_ref){ (void **)&g->class_sums, ((uint64_t)g->nclasses * 4 + 1) * sizeof(uint64_t) };
	s[k++] = (struct sect_ref){ (void **)&h->diag.log, h->diag.log_len };
	return k;
}

/* The inbound index's length is known only once its start array is. */
static uint64_t inbound_len(const hl_heap *h)
{
	return h->in.start ? (uint64_t)h->in.start[h->g.nobj] * sizeof(uint32_t) : 0;
}

/* ---- writing ---- */

/*
 * The index is written while the command runs: once the dominator tree,
 * its children lists and the per-class sums exist, nothing changes the
 * heap's arrays until hl_close, so a second thread hashes and writes them
 * from a snapshot of the scalars, the section table and the diagnostics
 * log (which the command may still grow).  The writer has its own
 * diagnostics; hl_index_save_wait joins it and reports.  Kept reports
 * (reports.c) belong to a complete index: hl_report_put joins first.
 */
struct hl_idx_writer {
	pthread_t tid;
	int running, fd;
	hl_status st;
	hl_diag d;
	char tmp[4200], path[4096];
	struct idx_scalars sc;
	uint64_t identity;
	/* at: where the section is in the file already (a spilled array in
	 * the spill file handed over, see in_place), else NO_PLACE */
	struct { const void *p; uint64_t len, at; } s[MAX_SECT];
	unsigned n;
	uint64_t base; /* where the sections written go from */
	uint64_t total, in_place; /* the file's bytes; of them spilled */
	void *log;
};

#define NO_PLACE UINT64_MAX

/* A section's checksum, taken in steps of 16 MiB.  Writing (fd >= 0):
 * each step is written at off + its place, and dropped behind when the
 * section is a spilled array (written, an index does not hold the whole
 * analysis resident).  Loading (fd < 0): p is the read-only index
 * mapping, and its pages are dropped behind the hash, so that checking a
 * big index does not make all of it resident; a command maps back in only
 * what it reads.  Nonzero on a write error. */
static int section_pass(const uint8_t *p, uint64_t len, int fd, uint64_t off,
			uint64_t *sum)
{
	const uint64_t step = (uint64_t)16 << 20; /* a multiple of any page */
	XXH3_state_t *st;
	uint64_t done;
	int err = 0;

	if (len < 2 * 4096 || !(st = XXH3_createState())) {
		*sum = len ? XXH3_64bits(p, len) : 0;
		return len && fd >= 0 ? hl_write_at(fd, p, len, off) : 0;
	}
	XXH3_64bits_reset(st);
	for (done = 0; done < len && !err; done += step) {
		uint64_t n = len - done < step ? len - done : step;

		XXH3_64bits_update(st, p + done, n);
		if (fd < 0) {
			hl_drop_range(p + done, n);
			continue;
		}
		err = hl_write_at(fd, p + done, n, off + done);
		hl_spill_drop_range(p + done, n);
	}
	*sum = XXH3_64bits_digest(st);
	XXH3_freeState(st);
	return err;
}

static hl_status write_index(struct hl_idx_writer *w)
{
	struct idx_sect tab[MAX_SECT + 1];
	struct idx_header hd;
	unsigned n = w->n, k;
	uint64_t off;

	off = hl_round_up(w->base, IDX_ALIGN);
	tab[0] = (struct idx_sect){ off, sizeof(w->sc), XXH3_64bits(&w->sc, sizeof(w->sc)) };
	if (hl_write_at(w->fd, &w->sc, sizeof(w->sc), off))
		goto werr;
	off = hl_round_up(off + sizeof(w->sc), IDX_ALIGN);
	for (k = 0; k < n; k++) {
		if (w->s[k].at != NO_PLACE) { /* there already: its sum only */
			tab[k + 1] = (struct idx_sect){ w->s[k].at, w->s[k].len, 0 };
			(void)section_pass(w->s[k].p, w->s[k].len, -1, 0,
					   &tab[k + 1].sum);
			w->in_place += w->s[k].len;
			continue;
		}
		tab[k + 1] = (struct idx_sect){ off, w->s[k].len, 0 };
		if (section_pass(w->s[k].p, w->s[k].len, w->fd, off, &tab[k + 1].sum))
			goto werr;
		off = hl_round_up(off + w->s[k].len, IDX_ALIGN);
	}
	memset(&hd, 0, sizeof(hd));
	memcpy(hd.magic, IDX_MAGIC, 8);
	hd.version = IDX_VERSION;
	hd.nsect = n + 1;
	hd.layout = hl_index_layout();
	hd.identity = w->identity;
	hd.total = off;
	hd.table_sum = XXH3_64bits(tab, (n + 1) * sizeof(struct idx_sect));
	if (hl_write_at(w->fd, &hd, sizeof(hd), 0) ||
	    hl_write_at(w->fd, tab, (n + 1) * sizeof(struct idx_sect), sizeof(hd)) ||
	    ftruncate(w->fd, (off_t)off))
		goto werr;
	w->total = off;
	return HL_OK;
werr:
	return hl_fail(&w->d, HL_E_IO, "cannot write the index '%s': %s", w->tmp,
		       strerror(errno));
}

/* The writer's work: the file, then its name. */
static hl_status write_out(struct hl_idx_writer *w)
{
	hl_status st = write_index(w);

	if (st == HL_OK && hl_unnamed_name(w->fd, w->tmp))
		st = hl_fail(&w->d, HL_E_IO, "cannot name the index '%s': %s",
			     w->tmp, strerror(errno));
	if (close(w->fd) && st == HL_OK)
		st = hl_fail(&w->d, HL_E_IO, "cannot write the index '%s': %s",
			     w->tmp, strerror(errno));
	w->fd = -1;
	if (st == HL_OK && rename(w->tmp, w->path))
		st = hl_fail(&w->d, HL_E_IO, "cannot rename the index to '%s': %s",
			     w->path, strerror(errno));
	if (st != HL_OK)
		unlink(w->tmp);
	return st;
}

static void *writer_run(void *arg)
{
	struct hl_idx_writer *w = arg;

	w->st = write_out(w);
	return NULL;
}

/* An O_TMPFILE in the index's directory, -1 when not possible. */
int hl_unnamed_open(const char *path)
{
	char dir[4096];

	hl_dir_of(path, dir, sizeof(dir));
	return hl_tmpfile_unnamed(dir, 0644);
}

/* Give an O_TMPFILE its name (a no-op for a file that has one). */
int hl_unnamed_name(int fd, const char *name)
{
	char proc[64];
	struct stat sb;

	if (fstat(fd, &sb) < 0)
		return -1;
	if (sb.st_nlink > 0)
		return 0; /* opened by name */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	unlink(name);
	return linkat(AT_FDCWD, proc, AT_FDCWD, name, AT_SYMLINK_FOLLOW);
}

int hl_replace_file(const char *path, const void *head, size_t hlen,
		    const void *body, size_t blen)
{
	char tmp[4300];
	int fd, bad;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	fd = hl_unnamed_open(path);
	if (fd < 0)
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	bad = hl_write_at(fd, head, hlen, 0) ||
	      (blen && hl_write_at(fd, body, blen, hlen)) ||
	      hl_unnamed_name(fd, tmp);
	bad |= close(fd) != 0;
	if (!bad && rename(tmp, path))
		bad = 1;
	if (bad)
		unlink(tmp);
	return bad ? -1 : 0;
}

static hl_status start(hl_heap *h, int thread);

/* Clear what in the scalars belongs to one process only, as written to an
 * index and as read from one: the build's ids (read from the records
 * after it), spare blocks, a spill under way. */
static void own_nothing(hl_graph *g, hl_domtree *t, hl_inbound_idx *in)
{
	g->id32 = NULL;
	g->id64 = NULL;
	g->idblk = NULL;
	g->spare = NULL;
	g->class_slot = NULL;
	g->class_mask = 0;
	memset(t->spare, 0, sizeof(t->spare));
	memset(t->spare_len, 0, sizeof(t->spare_len));
	in->pending = NULL;
}

hl_status hl_index_save_start(hl_heap *h, char *err, size_t len)
{
	hl_diag keep = h->diag;
	hl_status st;

	/* a failure here is the index's, not the heap's: report it in err
	 * and leave the heap's first error as it was */
	h->diag.status = HL_OK;
	h->diag.strict = 0;
	st = start(h, h->g.threads > 1);
	if (st != HL_OK && err && len)
		snprintf(err, len, "%s", h->diag.msg);
	keep.warnings = h->diag.warnings; /* and their log, maybe moved */
	keep.log = h->diag.log;
	keep.log_len = h->diag.log_len;
	h->diag = keep;
	return st;
}

/* The heap's record of a writer's success. */
static void saved(hl_heap *h, const struct hl_idx_writer *w)
{
	if (w->st != HL_OK)
		return;
	h->index_saved = 1;
	h->index_bytes = w->total;
	h->index_in_place = w->in_place;
}

/* Wait for the writer; the heap keeps it (and its status) for
 * hl_index_save_wait. */
static void join(hl_heap *h)
{
	struct hl_idx_writer *w = h->writer;

	if (!w || !w->running)
		return;
	pthread_join(w->tid, NULL);
	w->running = 0;
	saved(h, w);
}

hl_status hl_index_save_wait(hl_heap *h, char *err, size_t len)
{
	struct hl_idx_writer *w = h->writer;
	hl_status st;

	if (!w)
		return HL_OK;
	join(h);
	st = w->st;
	if (st != HL_OK && err && len)
		snprintf(err, len, "%s", w->d.msg);
	free(w->log);
	free(w->d.log);
	free(w);
	h->writer = NULL;
	return st;
}

void hl_index_join(hl_heap *h)
{
	join(h);
}

hl_status hl_index_save(hl_heap *h, char *err, size_t len)
{
	hl_status st = hl_index_save_start(h, err, len);

	return st != HL_OK ? st : hl_index_save_wait(h, err, len);
}

/*
 * The spill file as the index's file, when it is on the index's file
 * system (see hl_spill_handover): the arrays spilled meanwhile, most of
 * the index's bytes, are sections already, and only the rest is written
 * (on a 600 MB dump, 420 of the index's 600 MB are not written twice into
 * fresh page cache).  0 when taken: w->fd is the file, f its parts.
 */
/* The process's umask, read without changing it (another thread may be
 * creating files); 022 when /proc does not say. */
static mode_t current_umask(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned mask = 022;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Umask: %o", &mask) == 1)
			break;
	if (f)
		fclose(f);
	return (mode_t)mask;
}

static int take_spill_file(struct hl_idx_writer *w, struct hl_spill_file *f)
{
	char dir[4096];
	struct stat sb;

	_Static_assert(sizeof(struct idx_header) + (MAX_SECT + 1) *
		       sizeof(struct idx_sect) <= HL_SPILL_HEAD,
		       "the index's header fits before the spilled arrays");
	hl_dir_of(w->path, dir, sizeof(dir));
	if (stat(dir, &sb) || hl_spill_handover((uint64_t)sb.st_dev, f))
		return -1;
	/* as a file opened anew would be (the spill file was made 0600) */
	(void)fchmod(f->fd, 0644 & ~current_umask());
	w->fd = f->fd;
	w->base = f->end;
	return 0;
}

/* Compute what the index holds, open its file and snapshot what goes in;
 * then write it, on a thread of its own when thread is set. */
static hl_status start(hl_heap *h, int thread)
{
	struct sect_ref s[MAX_SECT];
	struct hl_spill_file spilled;
	struct hl_idx_writer *w;
	hl_status st;
	unsigned k;

	if (!h->index_path[0])
		return hl_fail(&h->diag, HL_E_USAGE, "no place for an index");
	if (h->index_map || h->writer || h->index_saved)
		return HL_OK; /* loaded from there, or written already */
	st = hl_compute_dominators(h);
	if (st == HL_OK)
		st = hl_domtree_children(&h->dom, &h->g, &h->diag);
	if (st == HL_OK)
		st = hl_class_retained(h);
	if (st == HL_OK)
		st = hl_class_sums(h);
	if (st != HL_OK)
		return st;
	hl_inbound_settle(&h->in); /* its arrays where they will stay */
	w = calloc(1, sizeof(*w));
	if (!w)
		return hl_fail(&h->diag, HL_E_NOMEM, "out of memory for the index");
	snprintf(w->path, sizeof(w->path), "%s", h->index_path);
	snprintf(w->tmp, sizeof(w->tmp), "%s.tmp.%ld", h->index_path, (long)getpid());
	/* an unnamed file first, so that an interrupted run leaves nothing;
	 * named (then renamed over the index) only once complete */
	w->base = sizeof(struct idx_header) + (MAX_SECT + 1) * sizeof(struct idx_sect);
	if (take_spill_file(w, &spilled)) {
		spilled.nparts = 0;
		w->fd = hl_unnamed_open(h->index_path);
	}
	if (w->fd < 0)
		w->fd = open(w->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		st = hl_fail(&h->diag, HL_E_IO, "cannot create the index '%s': %s",
			     w->tmp, strerror(errno));
		free(w);
		return st;
	}
	w->n = sections(h, s);
	/* the log may grow while the command runs: a copy of it now */
	if (h->diag.log_len && !(w->log = malloc(h->diag.log_len))) {
		close(w->fd);
		unlink(w->tmp);
		free(w);
		return hl_fail(&h->diag, HL_E_NOMEM, "out of memory for the index");
	}
	if (h->diag.log_len)
		memcpy(w->log, h->diag.log, h->diag.log_len);
	for (k = 0; k < w->n; k++) {
		unsigned i;

		w->s[k].p = *s[k].ptr;
		w->s[k].len = s[k].len;
		w->s[k].at = NO_PLACE;
		if (s[k].ptr == (void **)&h->in.from)
			w->s[k].len = inbound_len(h);
		else if (s[k].ptr == (void **)&h->diag.log)
			w->s[k].p = w->log;
		for (i = 0; i < spilled.nparts && w->s[k].len; i++)
			if (spilled.parts[i].p == w->s[k].p &&
			    spilled.parts[i].len >= w->s[k].len)
				w->s[k].at = spilled.parts[i].off;
	}
	w->sc.hp = h->hp;
	w->sc.g = h->g;
	w->sc.dom = h->dom;
	w->sc.in = h->in;
	own_nothing(&w->sc.g, &w->sc.dom, &w->sc.in);
	w->sc.warnings = h->diag.warnings;
	w->sc.log_len = h->diag.log_len;
	w->sc.dump_index = h->dump_index;
	w->identity = h->identity;
	hl_graph_drop_pages(&h->g); /* what the reports read of dump and spill */
	h->writer = w;
	if (thread && pthread_create(&w->tid, NULL, writer_run, w) == 0) {
		w->running = 1;
		return HL_OK;
	}
	w->st = write_out(w);
	saved(h, w);
	return HL_OK; /* its status waits for hl_index_save_wait */
}

/* ---- loading ---- */

/*
 * The stamp of a verified index: once every checksum of an index file has
 * been verified, INDEX.ok records that file's identity as the file system
 * sees it (device, inode, size, modification and change times, which any
 * write or rename moves).  While it matches, later runs verify only the
 * header, the section table and the small sections, so that opening a
 * big index costs no pass over it (git trusts its index's stat data the
 * same way); a file written to since is verified in full again.
 */
#define STAMP_MAGIC "HLIDXOK\n"
#define QUICK_MAX ((uint64_t)1 << 20)

static uint64_t stamp_value(const struct stat *sb, uint64_t identity)
{
	uint64_t v[9] = {
		(uint64_t)sb->st_dev, (uint64_t)sb->st_ino, (uint64_t)sb->st_size,
		(uint64_t)sb->st_mtim.tv_sec, (uint64_t)sb->st_mtim.tv_nsec,
		(uint64_t)sb->st_ctim.tv_sec, (uint64_t)sb->st_ctim.tv_nsec,
		identity, hl_index_layout()
	};

	return XXH3_64bits(v, sizeof(v));
}

static int stamp_matches(const hl_heap *h, const struct stat *sb)
{
	char path[4200], buf[16];
	uint64_t v;
	int fd, ok = 0;

	snprintf(path, sizeof(path), "%s.ok", h->index_path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (read(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf) &&
	    !memcmp(buf, STAMP_MAGIC, 8)) {
		memcpy(&v, buf + 8, sizeof(v));
		ok = v == stamp_value(sb, h->identity);
	}
	close(fd);
	return ok;
}

/* Best effort: without a stamp the next run verifies in full again.  A
 * file changed in the last two seconds is not stamped: its times could
 * still move within the file system's clock tick (git's "racy" case). */
static void stamp_write(const hl_heap *h, const struct stat *sb)
{
	char path[4200], buf[16];
	uint64_t v = stamp_value(sb, h->identity);
	time_t now = time(NULL);

	if (now - sb->st_mtime < 2 || now - sb->st_ctime < 2)
		return;
	snprintf(path, sizeof(path), "%s.ok", h->index_path);
	memcpy(buf, STAMP_MAGIC, 8);
	memcpy(buf + 8, &v, sizeof(v));
	(void)hl_replace_file(path, buf, sizeof(buf), NULL, 0);
}

/* Check the mapped index; returns NULL when it is usable, else why not.
 * quick: the content checksums of big sections are not verified (the
 * index was verified before and has not been written to since). */
static const char *check(const uint8_t *m, uint64_t size, uint64_t identity,
			 int quick, const struct idx_sect **tab_out)
{
	const struct idx_header *hd = (const void *)m;
	const struct idx_sect *tab;
	uint32_t k;

	if (size < sizeof(*hd) || memcmp(hd->magic, IDX_MAGIC, 8))
		return "is not a heaplens index";
	if (hd->version != IDX_VERSION || hd->layout != hl_index_layout())
		return "was written by another version of heaplens";
	if (hd->identity != identity)
		return "is stale: the dump has changed";
	if (hd->total != size || hd->nsect < 2 || hd->nsect > MAX_SECT + 1 ||
	    sizeof(*hd) + hd->nsect * sizeof(*tab) > size)
		return "is damaged (size)";
	tab = (const void *)(m + sizeof(*hd));
	if (XXH3_64bits(tab, hd->nsect * sizeof(*tab)) != hd->table_sum)
		return "is damaged (section table)";
	for (k = 0; k < hd->nsect; k++) {
		if (tab[k].off > size || tab[k].len > size - tab[k].off ||
		    tab[k].off % IDX_ALIGN)
			return "is damaged (section bounds)";
		if (quick && tab[k].len > QUICK_MAX)
			continue;
		if (tab[k].len) {
			uint64_t sum;

			(void)section_pass(m + tab[k].off, tab[k].len, -1, 0, &sum);
			if (sum != tab[k].sum)
				return "is damaged (checksum)";
		}
	}
	if (tab[0].len != sizeof(struct idx_scalars))
		return "is damaged (scalars)";
	*tab_out = tab;
	return NULL;
}

/* Point the heap's arrays into the mapping; NULL or why not. */
static const char *attach(hl_heap *h, uint8_t *m, const struct idx_sect *tab,
			  uint32_t nsect)
{
	const struct idx_scalars *sc = (const void *)(m + tab[0].off);
	struct sect_ref s[MAX_SECT];
	unsigned n, k;

	h->hp = sc->hp;
	h->g = sc->g;
	h->dom = sc->dom;
	h->in = sc->in;
	own_nothing(&h->g, &h->dom, &h->in);
	h->dump_index = sc->dump_index;
	h->diag.log_len = sc->log_len;
	n = sections(h, s);
	if (n + 1 != nsect)
		return "is damaged (sections)";
	for (k = 0; k < n; k++) {
		if (s[k].ptr == (void **)&h->in.from) /* needs in.start first */
			s[k].len = inbound_len(h);
		if (s[k].len != tab[k + 1].len)
			return "is damaged (lengths)";
		*s[k].ptr = s[k].len ? m + tab[k + 1].off : NULL;
	}
	/* vectors own no spare room; caches start empty */
	h->hp.utf8.cap = h->hp.utf8.len;
	h->hp.loadclass.cap = h->hp.loadclass.len;
	h->hp.frames.cap = h->hp.frames.len;
	h->hp.traces.cap = h->hp.traces.len;
	h->hp.heaprecs.cap = h->hp.heaprecs.len;
	h->hp.dumps.cap = h->hp.dumps.len;
	h->g.fields.cap = h->g.fields.len;
	h->g.refs.cap = h->g.refs.len;
	h->g.statics.cap = h->g.statics.len;
	h->g.names.cap = h->g.names.len;
	h->g.coll_kind = NULL;
	h->hp.data = h->g.data = h->src.data;
	h->hp.size = h->g.data_size = h->src.size;
	h->hp.mapped = h->g.mapped = h->src.map != NULL;
	return NULL;
}

/* The warnings of the first analysis, given again as if parsed now.  The
 * first `skip` of them came from opening the file (gzip damage), which
 * this run did again and warned about already. */
static void replay(hl_heap *h, const uint8_t *m, const struct idx_sect *tab,
		   uint64_t skip)
{
	const struct idx_sect *lg = &tab[((const struct idx_header *)m)->nsect - 1];
	const char *p = (const char *)m + lg->off, *end = p + lg->len;
	char line[512];

	while (p < end && lg->len && end[-1] == '\0') {
		snprintf(line, sizeof(line), "%s", p);
		if (skip)
			skip--;
		else
			hl_warnf(&h->diag, "%s", line);
		p += strlen(p) + 1;
	}
}

int hl_index_load(hl_heap *h)
{
	const struct idx_sect *tab = NULL;
	const char *why = NULL;
	struct stat sb;
	uint8_t *m;
	char *log = h->diag.log; /* what opening the file logged */
	size_t log_len = h->diag.log_len;
	uint64_t seen = h->diag.warnings;
	int fd = open(h->index_path, O_RDONLY | O_CLOEXEC), quick;

	if (fd < 0)
		return 0; /* none yet */
	if (fstat(fd, &sb) < 0 || sb.st_size < (off_t)sizeof(struct idx_header)) {
		close(fd);
		why = "is damaged (size)";
		goto refuse;
	}
	m = mmap(NULL, (size_t)sb.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return 0;
	quick = stamp_matches(h, &sb);
	why = check(m, (uint64_t)sb.st_size, h->identity, quick, &tab);
	if (!why && !quick)
		stamp_write(h, &sb);
	if (!why)
		why = attach(h, m, tab, ((const struct idx_header *)m)->nsect);
	if (why) {
		h->diag.log = log;
		h->diag.log_len = log_len;
		memset(&h->hp, 0, sizeof(h->hp));
		memset(&h->g, 0, sizeof(h->g));
		memset(&h->dom, 0, sizeof(h->dom));
		memset(&h->in, 0, sizeof(h->in));
		munmap(m, (size_t)sb.st_size);
		goto refuse;
	}
	h->index_map = m;
	h->index_size = (uint64_t)sb.st_size;
	h->diag.log = log;
	h->diag.log_len = log_len;
	replay(h, m, tab, seen);
	return 1;
refuse:
	if (h->note) {
		char msg[4400];

		snprintf(msg, sizeof(msg), "index '%s' %s; rebuilding it",
			 h->index_path, why);
		h->note(h->ctx, msg);
	}
	return 0;
}

/* Forget the pointers into the mapping before the ordinary release. */
void hl_index_detach(hl_heap *h)
{
	struct sect_ref s[MAX_SECT];
	char *log = h->diag.log; /* the replayed log is the heap's own */
	unsigned n, k;

	if (!h->index_map)
		return;
	n = sections(h, s);
	for (k = 0; k < n; k++)
		*s[k].ptr = NULL;
	h->diag.log = log;
	munmap(h->index_map, h->index_size);
	h->index_map = NULL;
}

int hl_index_loaded(const hl_heap *h)
{
	return h->index_map != NULL;
}

const char *hl_index_path(const hl_heap *h)
{
	return h->index_path;
}

uint64_t hl_index_written(const hl_heap *h, uint64_t *in_place)
{
	*in_place = h->index_in_place;
	return h->index_bytes;
}
