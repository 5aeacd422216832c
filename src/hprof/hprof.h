/*
 * hprof.h - HPROF format constants and the two reading passes.
 *
 * Pass 0 (frame.c) walks the top-level records of the whole file once: it
 * reads the header, indexes UTF8 names, LOAD_CLASS, FRAME and TRACE records,
 * counts records by tag, and splits the heap records into dumps (a dump ends
 * at HEAP_DUMP_END or where a new HEAP_DUMP starts).  Pass 1 (heapscan.c)
 * walks the sub-records of one dump and collects objects, classes and roots
 * as flat arrays of fixed-size entries: it remembers where each object's
 * record is, it decodes nothing else.  Both passes check every length
 * against the bytes that remain; damage stops the read with an error naming
 * the offset, the record and the tag, except a dump cut short, which is kept
 * up to its last complete sub-record (with a warning) unless strict.
 */
#ifndef HL_HPROF_H
#define HL_HPROF_H

#include <stdint.h>

#include "io/source.h"
#include "util/util.h"

enum {
	TAG_UTF8 = 0x01, TAG_LOAD_CLASS = 0x02, TAG_UNLOAD_CLASS = 0x03,
	TAG_FRAME = 0x04, TAG_TRACE = 0x05, TAG_ALLOC_SITES = 0x06,
	TAG_HEAP_SUMMARY = 0x07, TAG_START_THREAD = 0x0A,
	TAG_END_THREAD = 0x0B, TAG_HEAP_DUMP = 0x0C, TAG_CPU_SAMPLES = 0x0D,
	TAG_CONTROL_SETTINGS = 0x0E, TAG_HEAP_DUMP_SEGMENT = 0x1C,
	TAG_HEAP_DUMP_END = 0x2C
};

enum {
	SUB_ROOT_UNKNOWN = 0xFF, SUB_ROOT_JNI_GLOBAL = 0x01,
	SUB_ROOT_JNI_LOCAL = 0x02, SUB_ROOT_JAVA_FRAME = 0x03,
	SUB_ROOT_NATIVE_STACK = 0x04, SUB_ROOT_STICKY_CLASS = 0x05,
	SUB_ROOT_THREAD_BLOCK = 0x06, SUB_ROOT_MONITOR_USED = 0x07,
	SUB_ROOT_THREAD_OBJ = 0x08, SUB_CLASS_DUMP = 0x20,
	SUB_INSTANCE_DUMP = 0x21, SUB_OBJ_ARRAY_DUMP = 0x22,
	SUB_PRIM_ARRAY_DUMP = 0x23, SUB_ROOT_INTERNED_STRING = 0x89,
	SUB_ROOT_FINALIZING = 0x8A, SUB_ROOT_DEBUGGER = 0x8B,
	SUB_ROOT_REFERENCE_CLEANUP = 0x8C, SUB_ROOT_VM_INTERNAL = 0x8D,
	SUB_ROOT_JNI_MONITOR = 0x8E, SUB_UNREACHABLE = 0x90,
	SUB_PRIM_ARRAY_NODATA = 0xC3, SUB_HEAP_DUMP_INFO = 0xFE
};

/* Basic types of fields and array elements. */
enum {
	T_OBJECT = 2, T_BOOLEAN = 4, T_CHAR = 5, T_FLOAT = 6, T_DOUBLE = 7,
	T_BYTE = 8, T_SHORT = 9, T_INT = 10, T_LONG = 11
};

/* Size in bytes of a basic type (0 for an invalid code). */
unsigned hl_type_size(unsigned type, unsigned idsize);
const char *hl_type_name(unsigned type);
const char *hl_tag_name(unsigned tag);
const char *hl_subtag_name(unsigned tag);

struct hl_utf8 { uint64_t id, off; uint32_t len; };
struct hl_loadclass { uint64_t class_id, name_id; uint32_t serial, trace; };
struct hl_frame { uint64_t id, method, sig, source; uint32_t class_serial; int32_t line; };
struct hl_trace { uint32_t serial, thread_serial, nframes; uint64_t frames_off; };
/* partial: 1 cut short by the end of the file (already warned), 2 a 1.0.1
 * HEAP_DUMP whose wrapped length was taken to run to the end of the file. */
struct hl_heaprec { uint64_t body, len; uint8_t tag, partial; };
struct hl_dumpspan { uint32_t first, count; uint64_t offset; };

typedef struct hl_hprof {
	const uint8_t *data;
	uint64_t size;
	char version[32];
	unsigned idsize;
	uint64_t timestamp;
	uint64_t record_count[256];
	hl_vec utf8;       /* struct hl_utf8, sorted by id */
	hl_vec loadclass;  /* struct hl_loadclass, sorted by class id */
	hl_vec frames;     /* struct hl_frame, sorted by id */
	hl_vec traces;     /* struct hl_trace, sorted by serial */
	hl_vec heaprecs;   /* struct hl_heaprec, file order */
	hl_vec dumps;      /* struct hl_dumpspan */
	uint64_t truncated_at; /* offset of the incomplete record, 0 if none */
	uint64_t truncated_bytes;
	int mapped;        /* data is a file mapping: its pages may be released */
} hl_hprof;

/* Pass 0. */
hl_status hl_hprof_frame(hl_hprof *hp, const hl_source *src, int strict,
			 hl_diag *d);
void hl_hprof_release(hl_hprof *hp);

/* Name lookups over the pass-0 indexes (NULL / 0 when absent). */
const struct hl_utf8 *hl_hprof_utf8(const hl_hprof *hp, uint64_t id);
uint64_t hl_hprof_class_name_id(const hl_hprof *hp, uint64_t class_id);
const struct hl_frame *hl_hprof_frame_by_id(const hl_hprof *hp, uint64_t id);
const struct hl_trace *hl_hprof_trace(const hl_hprof *hp, uint32_t serial);

/* Kinds of objects, kept in the top bits of an entry's offset word. */
enum { K_INSTANCE = 0, K_OBJ_ARRAY = 1, K_PRIM_ARRAY = 2, K_CLASS = 3 };
#define HL_OFF_MASK ((UINT64_C(1) << 56) - 1)
#define HL_ENT_KIND(e) ((unsigned)((e)->offk >> 56))
#define HL_ENT_OFF(e) ((e)->offk & HL_OFF_MASK)

/* One object: its id and where its sub-record's tag byte is. */
struct hl_objent { uint64_t id, offk; };
/* One GC root record. */
struct hl_rootent { uint64_t id; uint32_t thread, frame; uint8_t kind; };

typedef struct hl_scan {
	hl_vec objs;    /* struct hl_objent, every instance, array and class */
	hl_vec classes; /* struct hl_objent, the CLASS_DUMPs */
	hl_vec roots;   /* struct hl_rootent */
	uint64_t subrecords;
	uint64_t counts[4]; /* by K_* */
	uint64_t heap_infos; /* ART HEAP_DUMP_INFO records */
	uint64_t truncated_at, truncated_bytes; /* a cut 1.0.1 HEAP_DUMP */
} hl_scan;

/* Pass 1 over dump number idx (0-based), on up to `threads` threads. */
hl_status hl_hprof_scan(const hl_hprof *hp, unsigned idx, int strict,
			hl_scan *sc, hl_diag *d, unsigned threads,
			hl_progress_fn progress, void *ctx);
void hl_scan_release(hl_scan *sc);

/*
 * Length of the heap sub-record at p (tag byte included), checked against
 * end.  Returns 0 and sets *len, or -1 with *why set when it cannot be
 * framed (*why says whether it was cut short: 1, or malformed: 2).
 */
int hl_subrecord_len(const uint8_t *p, const uint8_t *end, unsigned idsize,
		     uint64_t *len, int *why);

/* A parsed CLASS_DUMP (body after the tag byte). */
struct hl_classdump {
	uint64_t id, super, loader;
	uint32_t instance_size;
	uint16_t nstatics, nfields;
	const uint8_t *statics; /* first static entry */
	const uint8_t *fields;  /* first instance field descriptor */
	const uint8_t *end;
};
int hl_classdump_parse(const uint8_t *p, const uint8_t *end, unsigned idsize,
		       struct hl_classdump *cd);

#endif
