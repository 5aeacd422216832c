/*
 * heap.c - hl_open/hl_close and the accessors of the public API.
 *
 * hl_open runs the stages in order: source (map or inflate) -> pass 0
 * (framing) -> choice of dump -> pass 1 (scan) -> graph.  Each stage frees
 * what the next no longer needs (the scan's arrays move into the graph).
 */
#include "io/identity.h"
#include "lib/heap.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

const char *hl_strerror(hl_status st)
{
	switch (st) {
	case HL_OK: return "success";
	case HL_E_IO: return "input/output error";
	case HL_E_NOTFOUND: return "no such file";
	case HL_E_ISDIR: return "is a directory";
	case HL_E_FORMAT: return "not a valid HPROF dump";
	case HL_E_TRUNCATED: return "truncated dump";
	case HL_E_GZIP: return "damaged gzip data";
	case HL_E_UNSUPPORTED: return "unsupported dump";
	case HL_E_MULTIDUMP: return "several dumps in one file";
	case HL_E_NOMEM: return "out of memory";
	case HL_E_USAGE: return "bad argument";
	case HL_E_NOOBJECT: return "no such object";
	case HL_E_STATE: return "analysis not run";
	}
	return "unknown status";
}

/* The directory part of path ("." when none). */
void hl_dir_of(const char *path, char *out, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(out, len, ".");
	else if (slash == path)
		snprintf(out, len, "/");
	else
		snprintf(out, len, "%.*s", (int)(slash - path), path);
}

/* mkdir -p of a cache directory, one level under an existing parent. */
static int cache_dir(char *out, size_t len)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char parent[4096];

	if (xdg && *xdg)
		snprintf(parent, sizeof(parent), "%s", xdg);
	else if (home && *home)
		snprintf(parent, sizeof(parent), "%s/.cache", home);
	else
		return -1;
	mkdir(parent, 0755);
	if ((size_t)snprintf(out, len, "%s/heaplens", parent) >= len)
		return -1;
	mkdir(out, 0755);
	return access(out, W_OK);
}

/* Where the index of this dump lives: DIR/NAME.ID[.dumpN].hlidx with
 * --index-dir, else DUMP[.dumpN].hlidx when the dump's directory is
 * writable, else the same name as with --index-dir under
 * $XDG_CACHE_HOME/heaplens ($HOME/.cache/heaplens).  "" when nowhere. */
static void index_place(hl_heap *h, const char *path, const hl_open_options *opt)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	char dir[4096], suffix[32];
	int n = 0;

	if (opt->dump_index)
		snprintf(suffix, sizeof(suffix), ".dump%d.hlidx", opt->dump_index);
	else
		snprintf(suffix, sizeof(suffix), ".hlidx");
	h->index_path[0] = '\0';
	hl_dir_of(path, dir, sizeof(dir));
	if (opt->index_dir)
		snprintf(dir, sizeof(dir), "%s", opt->index_dir);
	else if (access(dir, W_OK) == 0)
		n = snprintf(h->index_path, sizeof(h->index_path), "%s%s", path, suffix);
	else if (cache_dir(dir, sizeof(dir)))
		return;
	if (!h->index_path[0])
		n = snprintf(h->index_path, sizeof(h->index_path), "%s/%s.%016llx%s",
			     dir, base, (unsigned long long)h->identity, suffix);
	if (n < 0 || (size_t)n >= sizeof(h->index_path))
		h->index_path[0] = '\0'; /* too long: no index */
}

static hl_status choose_dump(hl_heap *h, int want)
{
	unsigned n = (unsigned)h->hp.dumps.len, i;
	char list[256];
	size_t used = 0;

	if (want < 0 || (want > 0 && (unsigned)want > n))
		return hl_fail(&h->diag, HL_E_USAGE,
			       "--dump %d: the file holds %u heap dump%s", want,
			       n, n == 1 ? "" : "s");
	if (want > 0) {
		h->dump_index = (unsigned)want - 1;
		return HL_OK;
	}
	if (n <= 1)
		return HL_OK;
	for (i = 0; i < n && used < sizeof(list) - 40; i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used,
			"%s%u at offset %llu", i ? ", " : "", i + 1,
			(unsigned long long)HL_VEC_AT(&h->hp.dumps,
				struct hl_dumpspan, i).offset);
	return hl_fail(&h->diag, HL_E_MULTIDUMP,
		       "the file holds %u heap dumps (%s); choose one with --dump N",
		       n, list);
}

hl_status hl_open(const char *path, const hl_open_options *opt, hl_heap **out)
{
	hl_open_options none = { 0 };
	hl_heap *h = calloc(1, sizeof(*h));
	hl_scan sc;
	hl_status st;
	unsigned threads;

	*out = h;
	if (!h)
		return HL_E_NOMEM;
	hl_vec_init(&h->inbuf, sizeof(uint32_t));
	if (!opt)
		opt = &none;
	threads = opt->threads ? opt->threads : hl_usable_cpus();
	h->diag.warn = opt->warn;
	h->diag.ctx = opt->ctx;
	h->progress = opt->progress;
	h->ctx = opt->ctx;
	if (opt->tmpdir && *opt->tmpdir)
		hl_spill_dir(opt->tmpdir);
	st = hl_source_open(&h->src, path, opt->tmpdir,
			    threads,
			    &h->diag, opt->progress, opt->ctx);
	h->note = opt->note;
	h->diag.strict = opt->strict; /* from here on, a warning is an error */
	if (st == HL_OK) { /* the dump's fingerprint: for the index and reports */
		hl_diag quiet = { 0 };

		hl_file_identity(path, &h->fingerprint, &h->identity, &quiet);
	}
	/* --strict parses: an index would replay its warnings, not re-check */
	if (st == HL_OK && opt->use_index && !opt->strict && h->identity) {
		index_place(h, path, opt);
		if (h->index_path[0] && hl_index_load(h))
			return h->diag.status; /* the rest comes from the index */
		if (h->index_path[0]) {
			/* the index to come: spilled arrays go where it
			 * will be, so that the spill file can become it
			 * (hl_spill_handover), if the dump's size (about
			 * what its index takes) is free there */
			char dir[4096];

			hl_dir_of(h->index_path, dir, sizeof(dir));
			hl_spill_index_dir(dir, h->src.size);
		}
	}
	if (st == HL_OK && h->src.gzip_damage_at && opt->strict)
		st = hl_fail(&h->diag, HL_E_GZIP,
			     "offset %llu: damaged or cut gzip data",
			     (unsigned long long)h->src.gzip_damage_at);
	if (st == HL_OK && h->diag.status == HL_OK)
		st = hl_hprof_frame(&h->hp, &h->src, opt->strict, &h->diag);
	if (st == HL_OK && h->diag.status == HL_OK)
		st = choose_dump(h, opt->dump_index);
	if (st == HL_OK)
		st = h->diag.status;
	if (st != HL_OK)
		return st;
	h->g.threads = threads;
	st = hl_hprof_scan(&h->hp, h->dump_index, opt->strict, &sc, &h->diag,
			   h->g.threads, opt->progress, opt->ctx);
	if (sc.truncated_at && !h->hp.truncated_at) {
		h->hp.truncated_at = sc.truncated_at;
		h->hp.truncated_bytes = sc.truncated_bytes;
	}
	if (st == HL_OK && h->diag.status == HL_OK)
		st = hl_graph_build(&h->g, &h->hp, &sc, &h->diag, opt->progress,
				    opt->ctx, opt->dominators);
	hl_scan_release(&sc);
	if (st == HL_OK)
		hl_graph_drop_pages(&h->g); /* read again only as needed */
	if (st == HL_OK && h->diag.status == HL_OK && opt->dominators)
		st = hl_compute_dominators(h);
	return st != HL_OK ? st : h->diag.status;
}

void hl_close(hl_heap *h)
{
	if (!h)
		return;
	hl_index_save_wait(h, NULL, 0);
	hl_index_detach(h);
	free(h->diag.log);
	hl_domtree_release(&h->dom);
	hl_inbound_release(&h->in);
	hl_vec_release(&h->inbuf);
	hl_graph_release(&h->g);
	hl_hprof_release(&h->hp);
	hl_source_close(&h->src);
	free(h);
}

const char *hl_errmsg(const hl_heap *h)
{
	if (!h)
		return "out of memory";
	return h->diag.status == HL_OK ? "" : h->diag.msg;
}

const char *hl_root_kind_name(int kind)
{
	static const char *const names[HL_ROOT_KIND_COUNT] = {
		"Unknown", "Native Static", "Native Local", "Java Local",
		"Native Stack", "System Class", "Thread Block", "Busy Monitor",
		"Thread", "Interned String", "Finalizing", "Debugger",
		"Reference Cleanup", "VM Internal", "JNI Monitor", "Unreachable"
	};

	return kind >= 0 && kind < HL_ROOT_KIND_COUNT ? names[kind] : "?";
}

void hl_get_info(const hl_heap *h, hl_info *o)
{
	const hl_graph *g = &h->g;

	memset(o, 0, sizeof(*o));
	memcpy(o->version, h->hp.version, sizeof(o->version));
	o->id_size = h->hp.idsize;
	o->timestamp_ms = h->hp.timestamp;
	o->file_size = h->src.file_size;
	o->fingerprint = h->fingerprint;
	o->data_size = h->src.size;
	o->gzip = h->src.gzip;
	o->gzip_members = h->src.gzip_members;
	o->dump_count = (unsigned)h->hp.dumps.len;
	o->dump_index = h->hp.dumps.len ? h->dump_index + 1 : 0;
	memcpy(o->record_count, h->hp.record_count, sizeof(o->record_count));
	o->heap_records = g->subrecords;
	o->classes = g->nclass_ids;
	o->instances = g->counts[K_INSTANCE];
	o->object_arrays = g->counts[K_OBJ_ARRAY];
	o->primitive_arrays = g->counts[K_PRIM_ARRAY];
	o->class_objects = g->counts[K_CLASS];
	o->objects = g->nobj;
	memcpy(o->roots, g->root_kinds, sizeof(o->roots));
	o->root_objects = g->nroot_objs;
	o->reachable_objects = g->reachable_objs;
	o->reachable_bytes = g->reachable_bytes;
	o->unreachable_objects = g->nobj - g->reachable_objs;
	o->unreachable_bytes = g->unreachable_bytes;
	o->compressed_refs = g->compressed;
	o->ref_size = g->refsize;
	o->alignment = g->align;
	o->header_size = g->header;
	o->dangling_refs = g->dangling + g->dangling_roots;
	o->warnings = h->diag.warnings;
	o->truncated_bytes = h->hp.truncated_bytes;
	o->truncated_at = h->hp.truncated_at;
}

unsigned hl_dump_list(const hl_heap *h, uint64_t *offsets, uint64_t *records,
		      unsigned max)
{
	unsigned i, n = (unsigned)h->hp.dumps.len;

	for (i = 0; i < n && i < max; i++) {
		const struct hl_dumpspan *s = &HL_VEC_AT(&h->hp.dumps,
			struct hl_dumpspan, i);

		offsets[i] = s->offset;
		records[i] = s->count;
	}
	return n;
}
