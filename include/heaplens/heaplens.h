/*
 * heaplens.h - public API of the heaplens library.
 *
 * heaplens reads a JVM heap dump (HPROF, optionally gzip'd), builds a compact
 * object graph and answers MAT's questions about it: histogram, dominator
 * tree, retained sizes.  Everything the command-line tool does goes through
 * this header; nothing here prints or exits.
 *
 * Lifecycle: hl_open() maps and parses a dump and returns a handle, even on
 * failure (then hl_errmsg() says why); hl_close() frees it and accepts NULL.
 * Objects are named by a dense object number (hl_obj, 0..hl_object_count-1,
 * in address order); classes by a class number (hl_cls).  Both are only valid
 * for the handle that produced them.  Strings returned by the library belong
 * to the handle and live until hl_close() unless said otherwise.
 */
#ifndef HEAPLENS_H
#define HEAPLENS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HL_VERSION_STRING "0.1.0"

/* Status codes.  Grouped by tens; a number is never reused. */
typedef enum hl_status {
	HL_OK = 0,
	HL_E_IO = 10,          /* read, map or temporary-file failure */
	HL_E_NOTFOUND = 11,    /* the dump does not exist */
	HL_E_ISDIR = 12,       /* the path is a directory */
	HL_E_FORMAT = 20,      /* not HPROF, or a record cannot be framed */
	HL_E_TRUNCATED = 21,   /* the dump ends inside a record (--strict) */
	HL_E_GZIP = 22,        /* damaged gzip data */
	HL_E_UNSUPPORTED = 30, /* a version or identifier size we refuse */
	HL_E_MULTIDUMP = 31,   /* several dumps in one file: choose one */
	HL_E_NOMEM = 40,       /* out of memory */
	HL_E_USAGE = 50,       /* bad argument to a library call */
	HL_E_NOOBJECT = 51,    /* no object with that id */
	HL_E_STATE = 52        /* the call needs an analysis not yet run */
} hl_status;

/* A short English description of a status ("truncated dump"). */
const char *hl_strerror(hl_status st);

typedef struct hl_heap hl_heap;
typedef uint32_t hl_obj;
typedef uint32_t hl_cls;
#define HL_NONE UINT32_MAX     /* no object / no class */
#define HL_ROOT (UINT32_MAX - 1) /* the virtual root of the dominator tree */

/* Callbacks for the caller's user interface; all optional. */
typedef void (*hl_warn_fn)(void *ctx, const char *msg);
/* phase: "inflating", "reading", "graph", "dominators"...; total may be 0. */
typedef void (*hl_progress_fn)(void *ctx, const char *phase, uint64_t done,
			       uint64_t total);

typedef struct hl_open_options {
	int dump_index;     /* 1-based dump to read when a file holds several */
	int strict;         /* any damage (truncation, bad sizes) is an error */
	const char *tmpdir; /* where gzip input is inflated; NULL: $TMPDIR */
	hl_warn_fn warn;
	hl_progress_fn progress;
	void *ctx;
} hl_open_options;

/*
 * Open, map and parse a dump, build its object graph and reachability.
 * *out is always set (NULL only when memory for the handle itself is lacking);
 * on failure the handle carries the message (hl_errmsg) and must be closed.
 */
hl_status hl_open(const char *path, const hl_open_options *opt, hl_heap **out);
void hl_close(hl_heap *h);
/* The first error, with its context ("offset 0x1a: CLASS_DUMP ..."). */
const char *hl_errmsg(const hl_heap *h);

/*
 * Escape text taken from a dump for printing: control characters (C0, C1,
 * DEL), backslash and invalid UTF-8 become \n \t \r \\ \uXXXX \xHH;
 * printable UTF-8 is kept.  Writes at most cap bytes with the NUL (cut at a
 * whole character) and returns the length written.
 */
size_t hl_escape(const char *in, size_t n, char *out, size_t cap);

/* ---- facts about the dump (heaplens info) ---- */

enum hl_root_kind {
	HL_ROOT_UNKNOWN, HL_ROOT_JNI_GLOBAL, HL_ROOT_JNI_LOCAL, HL_ROOT_JAVA_FRAME,
	HL_ROOT_NATIVE_STACK, HL_ROOT_STICKY_CLASS, HL_ROOT_THREAD_BLOCK,
	HL_ROOT_MONITOR_USED, HL_ROOT_THREAD_OBJ, HL_ROOT_INTERNED_STRING,
	HL_ROOT_FINALIZING, HL_ROOT_DEBUGGER, HL_ROOT_REFERENCE_CLEANUP,
	HL_ROOT_VM_INTERNAL, HL_ROOT_JNI_MONITOR, HL_ROOT_UNREACHABLE,
	HL_ROOT_KIND_COUNT
};
/* MAT's name for a root kind ("Java Local", "System Class", ...). */
const char *hl_root_kind_name(int kind);

typedef struct hl_info {
	char version[32];          /* "JAVA PROFILE 1.0.2" */
	unsigned id_size;          /* 4 or 8 */
	uint64_t timestamp_ms;     /* dump time, ms since the epoch */
	uint64_t file_size;        /* bytes on disk */
	uint64_t data_size;        /* bytes of HPROF (after inflation) */
	int gzip;                  /* input was gzip'd */
	unsigned gzip_members;     /* gzip members inflated */
	unsigned dump_count;       /* heap dumps in the file */
	unsigned dump_index;       /* the one analysed (1-based) */
	uint64_t record_count[256];/* top-level records by tag */
	uint64_t heap_records;     /* heap sub-records in the analysed dump */
	uint64_t classes;          /* classes (CLASS_DUMPs) */
	uint64_t instances, object_arrays, primitive_arrays, class_objects;
	uint64_t objects;          /* all objects, the system loader included */
	uint64_t roots[HL_ROOT_KIND_COUNT]; /* GC root records by kind */
	uint64_t root_objects;     /* distinct objects that are GC roots */
	uint64_t reachable_objects, reachable_bytes;
	uint64_t unreachable_objects, unreachable_bytes;
	int compressed_refs;       /* 4-byte references with 8-byte ids */
	unsigned ref_size, alignment, header_size;
	uint64_t dangling_refs;    /* references to ids absent from the dump */
	uint64_t warnings;
	uint64_t truncated_bytes;  /* bytes lost to truncation, 0 if complete */
	uint64_t truncated_at;     /* offset of the first incomplete record */
} hl_info;

void hl_get_info(const hl_heap *h, hl_info *out);
/* The dumps of a multi-dump file: record offset and heap records of each. */
unsigned hl_dump_list(const hl_heap *h, uint64_t *offsets, uint64_t *records,
		      unsigned max);

/* ---- classes ---- */

uint32_t hl_class_count(const hl_heap *h);
/* Java name as written in the dump, converted ("int[][]", "java.lang.String"). */
const char *hl_class_name(const hl_heap *h, hl_cls c);
uint64_t hl_class_id(const hl_heap *h, hl_cls c);       /* 0 if synthetic */
hl_obj hl_class_object(const hl_heap *h, hl_cls c);    /* HL_NONE if synthetic */
hl_cls hl_class_super(const hl_heap *h, hl_cls c);     /* HL_NONE at the top */
uint64_t hl_class_loader_id(const hl_heap *h, hl_cls c); /* 0 = bootstrap */
/* A readable name of the loader: "<system class loader>" or its class@id. */
const char *hl_class_loader_name(const hl_heap *h, hl_cls c, char *buf,
				 size_t len);
uint64_t hl_class_instance_size(const hl_heap *h, hl_cls c); /* shallow */

/* ---- objects ---- */

enum hl_obj_kind { HL_INSTANCE, HL_OBJ_ARRAY, HL_PRIM_ARRAY, HL_CLASS_OBJ };

uint32_t hl_object_count(const hl_heap *h);
hl_status hl_find_object(const hl_heap *h, uint64_t id, hl_obj *out);
uint64_t hl_object_id(const hl_heap *h, hl_obj o);
int hl_object_kind(const hl_heap *h, hl_obj o);
/* The class an object is an instance of (java.lang.Class for class objects). */
hl_cls hl_object_class(const hl_heap *h, hl_obj o);
/* For a class object, the class it describes; otherwise HL_NONE. */
hl_cls hl_object_as_class(const hl_heap *h, hl_obj o);
uint64_t hl_object_shallow(const hl_heap *h, hl_obj o);
int hl_object_reachable(const hl_heap *h, hl_obj o);
/* Element count of an array, 0 otherwise. */
uint64_t hl_array_length(const hl_heap *h, hl_obj o);
/*
 * A short, escaped preview of an object's value: a String's or char[]/byte[]'s
 * text (max chars, quoted), a class object's name ("class java.io.Foo"), a
 * Thread's name.  Writes "" when nothing helps.  Returns buf.
 */
char *hl_object_preview(const hl_heap *h, hl_obj o, size_t max, char *buf,
			size_t len);

/* ---- histogram ---- */

enum hl_group_by { HL_BY_CLASS, HL_BY_PACKAGE, HL_BY_LOADER };

typedef struct hl_histo_row {
	const char *name;    /* class, package or loader name (owned by table) */
	hl_cls cls;          /* HL_BY_CLASS: the class; else HL_NONE */
	uint64_t instances;
	uint64_t shallow;
	uint64_t retained;   /* 0 unless dominators were computed */
} hl_histo_row;

typedef struct hl_histogram {
	hl_histo_row *rows;
	size_t count;
	uint64_t total_instances, total_shallow;
	char *names;         /* storage for grouped names */
} hl_histogram;

/*
 * Build a histogram of the reachable objects (unreachable != 0: of the
 * unreachable ones, MAT's "unreachable objects histogram").  Rows are in
 * class order; sort them with hl_histogram_sort.  Retained sizes are filled
 * when hl_compute_dominators() has run (reachable histogram only).
 */
hl_status hl_histogram_build(hl_heap *h, int by, int unreachable,
			     hl_histogram *out);
enum hl_histo_sort { HL_SORT_SHALLOW, HL_SORT_INSTANCES, HL_SORT_RETAINED,
		     HL_SORT_NAME };
void hl_histogram_sort(hl_histogram *t, int key);
void hl_histogram_free(hl_histogram *t);

/* ---- dominator tree and retained sizes ---- */

/* Compute the dominator tree and retained sizes (once; later calls are free). */
hl_status hl_compute_dominators(hl_heap *h);
int hl_has_dominators(const hl_heap *h);
/* Immediate dominator: an object, HL_ROOT (top level), or HL_NONE (unreachable). */
hl_obj hl_idom(const hl_heap *h, hl_obj o);
uint64_t hl_retained(const hl_heap *h, hl_obj o);
/*
 * Children of o in the dominator tree (o == HL_ROOT: the top-level
 * dominators), sorted by retained size, largest first.  *out points into the
 * handle's storage.  Returns the count.
 */
size_t hl_dominated(hl_heap *h, hl_obj o, const hl_obj **out);
/* Sum of the shallow sizes of the reachable objects (MAT's heap size). */
uint64_t hl_total_heap(const hl_heap *h);

#ifdef __cplusplus
}
#endif
#endif
