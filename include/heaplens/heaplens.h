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
	unsigned threads;   /* worker threads; 0: the online CPUs */
	int use_index;      /* map the dump's persistent index when valid */
	const char *index_dir; /* where indexes live; NULL: next to the dump,
				* or $XDG_CACHE_HOME/heaplens when that is not
				* writable */
	hl_warn_fn note;    /* informational messages (an index rebuilt) */
	hl_warn_fn warn;
	hl_progress_fn progress;
	void *ctx;
	int dominators;     /* compute the dominator tree too (as
			     * hl_compute_dominators), sooner: reachability
			     * is then marked beside its depth-first search */
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

/* ---- the persistent index ---- */

/*
 * Write the dump's persistent index (hl_open with use_index chose where):
 * the graph, the edges, the inbound index and the dominator tree, computed
 * now if they are not yet.  A later hl_open with use_index maps it instead
 * of parsing.  Failing to write is not fatal to the heap: the reason goes
 * to err (len bytes), and hl_errmsg() is left as it was.
 */
hl_status hl_index_save(hl_heap *h, char *err, size_t len);
/*
 * The same in two steps: hl_index_save_start computes what the index
 * holds and, when the heap has more than one thread, writes it on a
 * thread of its own, so that queries can run meanwhile (they read the
 * heap; nothing may change it).  hl_index_save_wait waits for the writer
 * and gives its status (HL_OK when none was started); hl_close waits too.
 */
hl_status hl_index_save_start(hl_heap *h, char *err, size_t len);
hl_status hl_index_save_wait(hl_heap *h, char *err, size_t len);
/* Was the heap mapped from its index? */
int hl_index_loaded(const hl_heap *h);
/* The index's path ("" when indexes are not used). */
const char *hl_index_path(const hl_heap *h);
/* The bytes of the index this run wrote (0 when it wrote none, or not
 * yet), and in *in_place how many of them were in its spill file already
 * (arrays moved out of memory meanwhile, which became the index's file
 * instead of being written twice). */
uint64_t hl_index_written(const hl_heap *h, uint64_t *in_place);

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
	uint64_t fingerprint;      /* of the file's content: XXH3 of its size
				    * and 17 sampled 4 KiB blocks */
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
 * A short preview of an object's value: a String's or char[]/byte[]'s text
 * (quoted, cut to max characters with "..."), a class object's name
 * ("class java.io.Foo"), a Thread's name.  "" when nothing helps.  The
 * text is UTF-8 as in the dump, NOT escaped: pass it through hl_escape
 * (or a JSON encoder) before printing.  Returns buf.
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

/* ---- inside objects: fields, references, paths ---- */

/* Basic types, as in HPROF. */
enum hl_type { HL_T_OBJECT = 2, HL_T_BOOLEAN = 4, HL_T_CHAR = 5,
	       HL_T_FLOAT = 6, HL_T_DOUBLE = 7, HL_T_BYTE = 8, HL_T_SHORT = 9,
	       HL_T_INT = 10, HL_T_LONG = 11 };

typedef struct hl_field_value {
	const char *name;        /* as written in the dump: escape to print */
	const char *declared_in; /* name of the class that declares it */
	int type;                /* enum hl_type */
	uint64_t bits;           /* raw value; the object id for references */
	int is_static;
} hl_field_value;

/*
 * The fields of an object: an instance's fields in HPROF order (its own
 * class first, then each super), or a class object's static fields.
 * Fills up to max entries and returns how many there are.
 */
size_t hl_object_fields(const hl_heap *h, hl_obj o, hl_field_value *out,
			size_t max);
/* One field of an instance by name (the nearest declaration); 0 if none. */
int hl_object_field(const hl_heap *h, hl_obj o, const char *name,
		    hl_field_value *out);
/* A value as text: "42", "3.5", "'a'", "true", "0x7f3a1c20" or "null". */
char *hl_format_value(int type, uint64_t bits, char *buf, size_t len);

typedef struct hl_ref {
	hl_obj obj;
	char label[96]; /* field name, "[i]", "<class>", "<super>",
			 * "<classloader>", static name, "<Java Local>" */
} hl_ref;
/* Outbound references in MAT's order; dangling ones are skipped.  Fills up
 * to max and returns the total. */
size_t hl_outbound(const hl_heap *h, hl_obj o, hl_ref *out, size_t max);
/* Objects referring to o (reachable ones, each once), built on first use. */
size_t hl_inbound(hl_heap *h, hl_obj o, const hl_obj **out);
/* The name of the reference from -> to (first one when several). */
char *hl_ref_label(const hl_heap *h, hl_obj from, hl_obj to, char *buf,
		   size_t len);
/* GC root kinds of an object, as a mask of 1 << enum hl_root_kind. */
uint32_t hl_root_kinds(const hl_heap *h, hl_obj o);

typedef struct hl_path {
	hl_obj *objs;  /* objs[0] is a GC root, objs[len - 1] the target */
	size_t len;
} hl_path;
enum { HL_PATH_ALL_REFS = 1 }; /* follow weak/soft/phantom/finalizer refs */
/*
 * Shortest paths from GC roots to target, one per root reached, nearest
 * roots first, at most max.  Without HL_PATH_ALL_REFS, Reference.referent
 * and Finalizer.unfinalized links are not followed (as MAT excludes them).
 * *out is an array to release with hl_paths_free.
 */
hl_status hl_paths_from_roots(hl_heap *h, hl_obj target, size_t max,
			      int flags, hl_path **out, size_t *count);
void hl_paths_free(hl_path *p, size_t n);

/*
 * Text of a java.lang.String, char[] or byte[] (UTF-8, not escaped), at
 * most max characters; returns the bytes written (cap includes the NUL).
 */
size_t hl_string_value(const hl_heap *h, hl_obj o, size_t max, char *buf,
		       size_t cap);

/* ---- leak suspects ---- */

enum hl_suspect_kind {
	HL_SUSPECT_SINGLE,       /* a top-level dominator above the threshold */
	HL_SUSPECT_GROUP,        /* top-level dominators of one class, together */
	HL_SUSPECT_FEW_DISTINCT, /* a big collection of mostly equal values */
	HL_SUSPECT_STATIC        /* a static collection far larger than its peers */
};

typedef struct hl_value_count {
	char text[128];   /* the value (UTF-8, not escaped), cut */
	uint64_t count;
	hl_obj example;
} hl_value_count;

typedef struct hl_suspect {
	int kind;              /* enum hl_suspect_kind */
	hl_obj obj;            /* the suspect; a group: its largest member */
	hl_cls cls;            /* its class; a group: the members' class */
	uint64_t members;      /* a group: how many top-level dominators */
	uint64_t retained;     /* bytes retained (a group: all members) */
	hl_obj accumulation;   /* accumulation point, HL_NONE if none */
	const hl_obj *path;    /* shortest path from a GC root to the
				* accumulation point (or the suspect) */
	size_t path_len;
	hl_obj referrer;       /* first referrer outside the JDK, HL_NONE */
	hl_obj thread;         /* a thread whose stack holds it, HL_NONE */
	hl_obj holder;         /* the collection described, HL_NONE */
	const char *holder_kind; /* "list", "map", "set", "deque", "array" */
	uint64_t elements, distinct;
	hl_value_count top[5]; /* most frequent values of the holder */
	unsigned ntop;
	hl_obj static_owner;   /* a static collection: the class object */
	char static_field[96]; /* and the field */
	char why[768];         /* why it is reported, known patterns explained */
} hl_suspect;

typedef struct hl_suspect_options {
	double threshold_percent;  /* MAT's 10 */
	uint64_t min_elements;     /* few-distinct rule: 100000 */
	double max_distinct_percent; /* few-distinct rule: 1 */
} hl_suspect_options;

/*
 * MAT's leak suspects (single and group suspects above the threshold,
 * accumulation points by the 0.7 big-drop rule) plus collections MAT's
 * threshold misses.  Needs the dominator tree.  opt NULL: MAT's defaults
 * (10%, 100000 elements, 1%).  Few-distinct collections first, then by
 * retained size; release with hl_suspects_free.
 */
hl_status hl_find_suspects(hl_heap *h, const hl_suspect_options *opt,
			   hl_suspect **out, size_t *count);
void hl_suspects_free(hl_suspect *s, size_t count);

/* ---- threads and strings ---- */

/*
 * Elements [from, from + max) of an array as raw values: object ids for an
 * object array (0 for null), bit patterns for a primitive array (read them
 * with hl_format_value).  *type gets the element type (enum hl_type).
 * Returns how many were written (0 past the end or for a non-array).
 */
size_t hl_array_values(const hl_heap *h, hl_obj o, uint64_t from,
		       uint64_t *out, size_t max, int *type);
/*
 * Names in a dump are modified UTF-8: a character above U+FFFF is two
 * 3-byte surrogates (CESU-8).  Copy n bytes of such text as UTF-8:
 * surrogate pairs joined, anything else invalid (a lone surrogate, a stray
 * byte) as U+FFFD; the two-byte NUL (C0 80) is kept, as the escapers print
 * it as \u0000.  Writes at most cap bytes with the NUL (cut at a whole
 * character); returns the length written.  Then hl_escape it for a
 * terminal, or JSON-encode it.
 */
size_t hl_utf8_clean(const char *in, size_t n, char *out, size_t cap);
/* Length in characters (UTF-16 units) of a java.lang.String's value, or
 * the element count of a char[] or byte[]; 0 otherwise. */
uint64_t hl_string_length(const hl_heap *h, hl_obj o);

/* A stack local of a thread (a Java-frame or JNI-local root, ...). */
typedef struct hl_stack_local {
	hl_obj obj;
	int kind;          /* enum hl_root_kind: HL_ROOT_JAVA_FRAME, ... */
	uint32_t frame;    /* frame depth as recorded (UINT32_MAX: none) */
} hl_stack_local;

/* One frame of a stack trace; the strings are UTF-8, not escaped, "" when
 * the dump does not say. */
typedef struct hl_stack_frame {
	const char *class_name; /* "java.lang.Thread" */
	const char *method;     /* "run" */
	const char *signature;  /* "()V" */
	const char *source;     /* "Thread.java" */
	int32_t line;           /* > 0 a line; 0 or -1 unknown, -2 compiled,
				 * -3 native */
	const hl_stack_local *locals; /* the locals of this frame */
	size_t nlocals;
} hl_stack_frame;

typedef struct hl_thread_info {
	hl_obj obj;             /* the java.lang.Thread object */
	uint32_t serial;        /* thread serial number in the dump */
	uint32_t trace;         /* stack-trace serial of its root */
	const char *name;       /* Thread.name, UTF-8, not escaped; "" if none */
	uint64_t shallow, retained; /* retained: 0 without dominators */
	const hl_stack_frame *frames; /* frames[0] is the top of the stack */
	size_t nframes;
	const hl_stack_local *other_locals; /* locals with no frame of the trace
					     * (native stack, thread block...) */
	size_t nother;
} hl_thread_info;

typedef struct hl_thread_list {
	hl_thread_info *threads;
	size_t count;
	void *storage;          /* frames, locals and text of every thread */
} hl_thread_list;

/*
 * The threads of the dump (ROOT_THREAD_OBJ roots): name, stack trace from
 * the TRACE and FRAME records, and each frame's locals.  Sorted by retained
 * size, largest first (by object number without dominators).  Everything
 * lives in *out until hl_thread_list_free.
 */
hl_status hl_thread_list_build(hl_heap *h, hl_thread_list *out);
void hl_thread_list_free(hl_thread_list *t);

/* A group of reachable java.lang.String objects with the same value. */
typedef struct hl_string_group {
	hl_obj first;       /* the member with the lowest object number */
	hl_obj other;       /* another member (the last), first if alone */
	uint64_t copies;    /* Strings with this value */
	uint64_t length;    /* characters (UTF-16 units) of the value */
	uint64_t bytes;     /* shallow bytes of the Strings and of their
			     * distinct value arrays */
	uint64_t wasted;    /* bytes minus one copy (a String and its array) */
	int collision;      /* first and other differ: two values share a
			     * 64-bit hash, the counts mix them */
} hl_string_group;

typedef struct hl_string_dups {
	hl_string_group *groups;
	size_t count;
	uint64_t strings;       /* reachable Strings with a readable value */
	uint64_t bytes;         /* their bytes, value arrays included */
	uint64_t distinct;      /* distinct values */
	uint64_t groups_total;  /* groups with at least min_count copies */
	uint64_t wasted;        /* wasted bytes of all those groups */
} hl_string_dups;

/*
 * Duplicate strings: reachable Strings grouped by decoded value (JDK 9+
 * Latin-1 and UTF-16 byte[], char[] with offset/count), the groups with at
 * least min_count copies, largest waste first, at most top (0: all).  The
 * returned groups' values are confirmed by decoding two members.
 */
hl_status hl_string_dups_build(hl_heap *h, uint64_t min_count, size_t top,
			       hl_string_dups *out);
void hl_string_dups_free(hl_string_dups *d);

enum { HL_MATCH_ICASE = 1 };
/*
 * Reachable Strings whose whole decoded value (UTF-8) matches a POSIX
 * extended regular expression; sorted by retained size, largest first (by
 * object number without dominators).  A bad expression is HL_E_USAGE with
 * the reason in hl_errmsg.  *out is released with hl_string_match_free.
 */
hl_status hl_string_match(hl_heap *h, const char *regex, int flags,
			  hl_obj **out, size_t *count);
void hl_string_match_free(hl_obj *objs);

/* ---- checks and diffs ---- */

/*
 * Does a class name (as hl_class_name gives it) match a pattern?  In the
 * pattern '*' stands for any run of characters, none included, and every
 * other character for itself; the whole name must match: "com.acme.*"
 * matches "com.acme.Foo", "com.acme.cache.Entry$Node" and "com.acme.Foo[]".
 */
int hl_class_match(const char *pattern, const char *name);

/*
 * Retained size of one set: the reachable instances and the class objects
 * of every class c with sel[c] != 0 (sel has hl_class_count entries), each
 * object counted once however the classes nest (MAT's retained size of a
 * set; for one class it is the histogram's retained column).  Needs the
 * dominator tree (HL_E_STATE otherwise).
 */
hl_status hl_classes_retained(hl_heap *h, const unsigned char *sel,
			      uint64_t *out);

/* Rules of `heaplens check`, one per line of a rule file (docs/cli.md). */
enum hl_rule_kind {
	HL_RULE_MAX_HEAP,            /* max-heap SIZE */
	HL_RULE_MAX_RETAINED,        /* max-retained PATTERN SIZE */
	HL_RULE_MAX_INSTANCES,       /* max-instances PATTERN COUNT */
	HL_RULE_MAX_SUSPECT_PERCENT, /* max-suspect-percent PERCENT */
	HL_RULE_MAX_STRING_WASTE,    /* max-duplicate-string-waste SIZE */
	HL_RULE_FORBID_CLASS,        /* forbid-class PATTERN */
	HL_RULE_MAX_GROWTH,          /* max-growth PATTERN SIZE (a baseline) */
	HL_RULE_KIND_COUNT
};

typedef struct hl_rule {
	int kind;             /* enum hl_rule_kind */
	char *pattern;        /* class pattern; NULL when the rule has none */
	uint64_t limit;       /* bytes or instances (forbid-class: 0) */
	double limit_percent; /* max-suspect-percent's limit */
	char *text;           /* the rule as written, comment removed, blanks
			       * folded to one space */
	char *source;         /* where it was read: a file, "--rule" */
	unsigned line;        /* its line there, from 1 */
} hl_rule;

/* A list of rules; zero it before the first hl_rules_parse. */
typedef struct hl_rules {
	hl_rule *rules;
	size_t count, cap;
} hl_rules;

/* The keyword of a rule kind ("max-retained"); "" if out of range. */
const char *hl_rule_name(int kind);
enum { HL_RULE_NEEDS_DOMINATORS = 1, HL_RULE_NEEDS_BASELINE = 2 };
/* What evaluating a rule of this kind needs, as HL_RULE_NEEDS_* bits. */
int hl_rule_needs(int kind);

/*
 * Parse rules from len bytes of text and append them to *r.  Blank lines
 * and comments (from '#' to the end of the line) are skipped.  On the first
 * bad line: HL_E_USAGE, with "SOURCE:LINE: what is wrong" written to err
 * (errlen bytes with the NUL); the rules of the lines before it stay in *r.
 * HL_E_NOMEM when memory is lacking.  Release *r with hl_rules_free.
 */
hl_status hl_rules_parse(hl_rules *r, const char *source, const char *text,
			 size_t len, char *err, size_t errlen);
void hl_rules_free(hl_rules *r);

typedef struct hl_rule_result {
	int failed;
	int64_t value;        /* measured: bytes, instances, or (max-growth)
			       * the retained growth, negative when it shrank */
	double percent;       /* max-suspect-percent: the measured percent */
	uint64_t base_value;  /* max-growth: retained size in the baseline */
	uint64_t classes;     /* classes matching the pattern */
	uint64_t members;     /* max-suspect-percent, a group: its members */
	uint64_t values;      /* max-duplicate-string-waste: values with copies */
	hl_obj example;       /* forbid-class, max-instances: a matching
			       * instance; max-suspect-percent: the largest
			       * single suspect; else HL_NONE */
	hl_cls example_class; /* its class, or the class of the largest group
			       * suspect; HL_NONE */
} hl_rule_result;

/*
 * Evaluate every rule on h, out[i] for r->rules[i].  base is the baseline
 * dump for max-growth rules (NULL: such a rule is HL_E_USAGE).  Rules with
 * HL_RULE_NEEDS_DOMINATORS need the dominator tree of h (and of base)
 * computed first (HL_E_STATE).  Errors are in hl_errmsg(h).
 *
 * max-suspect-percent measures MAT's single and group suspects with the
 * limit as threshold: the largest of the top-level dominators, and of the
 * sums per class of the top-level dominators not above the limit; it fails
 * exactly when `heaplens suspects --threshold LIMIT` reports a single or a
 * group suspect.
 */
hl_status hl_rules_check(hl_heap *h, hl_heap *base, const hl_rules *r,
			 hl_rule_result *out);

/* How a class of the dump compares with the baseline. */
enum hl_diff_status { HL_DIFF_SAME, HL_DIFF_CHANGED, HL_DIFF_NEW, HL_DIFF_GONE };

typedef struct hl_diff_row {
	const char *name;   /* the class name; where a name belongs to several
			     * classes in a dump, " @ LOADER" is added (see
			     * hl_diff_build) */
	int status;         /* enum hl_diff_status */
	hl_cls base_cls;    /* the class in the baseline, HL_NONE if new */
	hl_cls cls;         /* the class in the dump, HL_NONE if gone */
	uint64_t base_instances, instances;
	uint64_t base_shallow, shallow;
	uint64_t base_retained, retained;
} hl_diff_row;

typedef struct hl_diff {
	hl_diff_row *rows;
	size_t count;
	size_t status_count[4]; /* rows by enum hl_diff_status */
	uint64_t base_instances, instances; /* totals of the two histograms */
	uint64_t base_shallow, shallow;
	char *names;            /* storage for loader-qualified names */
} hl_diff;

/*
 * Compare the class histograms (reachable objects, retained sizes) of a
 * baseline and a later dump of the same program.  Classes are matched by
 * name; where a name belongs to more than one class in either dump, by
 * "NAME @ LOADER", LOADER being "<system class loader>" or the loader's
 * class with its name field in parentheses when it has one
 * ("fixture.Twin @ java.net.URLClassLoader(twin-A)"), and " #2", " #3"...
 * added in class order if that still repeats.  Both heaps need their
 * dominator trees (HL_E_STATE).  Rows come sorted by name; names live until
 * hl_diff_free and the heaps' hl_close.  Errors are in hl_errmsg(h).
 */
hl_status hl_diff_build(hl_heap *base, hl_heap *h, hl_diff *out);
/* Sort by growth, largest first: key HL_SORT_RETAINED, HL_SORT_SHALLOW or
 * HL_SORT_INSTANCES (ties: the other two, then the name); HL_SORT_NAME. */
void hl_diff_sort(hl_diff *d, int key);
void hl_diff_free(hl_diff *d);

#ifdef __cplusplus
}
#endif
#endif
