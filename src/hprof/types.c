/*
 * types.c - names and sizes of HPROF tags and basic types.
 */
#include "hprof/hprof.h"

unsigned hl_type_size(unsigned type, unsigned idsize)
{
	switch (type) {
	case T_OBJECT: return idsize;
	case T_BOOLEAN: case T_BYTE: return 1;
	case T_CHAR: case T_SHORT: return 2;
	case T_FLOAT: case T_INT: return 4;
	case T_DOUBLE: case T_LONG: return 8;
	default: return 0;
	}
}

const char *hl_type_name(unsigned type)
{
	switch (type) {
	case T_OBJECT: return "object";
	case T_BOOLEAN: return "boolean";
	case T_CHAR: return "char";
	case T_FLOAT: return "float";
	case T_DOUBLE: return "double";
	case T_BYTE: return "byte";
	case T_SHORT: return "short";
	case T_INT: return "int";
	case T_LONG: return "long";
	default: return "invalid";
	}
}

const char *hl_tag_name(unsigned tag)
{
	switch (tag) {
	case TAG_UTF8: return "UTF8";
	case TAG_LOAD_CLASS: return "LOAD_CLASS";
	case TAG_UNLOAD_CLASS: return "UNLOAD_CLASS";
	case TAG_FRAME: return "FRAME";
	case TAG_TRACE: return "TRACE";
	case TAG_ALLOC_SITES: return "ALLOC_SITES";
	case TAG_HEAP_SUMMARY: return "HEAP_SUMMARY";
	case TAG_START_THREAD: return "START_THREAD";
	case TAG_END_THREAD: return "END_THREAD";
	case TAG_HEAP_DUMP: return "HEAP_DUMP";
	case TAG_CPU_SAMPLES: return "CPU_SAMPLES";
	case TAG_CONTROL_SETTINGS: return "CONTROL_SETTINGS";
	case TAG_HEAP_DUMP_SEGMENT: return "HEAP_DUMP_SEGMENT";
	case TAG_HEAP_DUMP_END: return "HEAP_DUMP_END";
	default: return "unknown";
	}
}

const char *hl_subtag_name(unsigned tag)
{
	switch (tag) {
	case SUB_ROOT_UNKNOWN: return "ROOT_UNKNOWN";
	case SUB_ROOT_JNI_GLOBAL: return "ROOT_JNI_GLOBAL";
	case SUB_ROOT_JNI_LOCAL: return "ROOT_JNI_LOCAL";
	case SUB_ROOT_JAVA_FRAME: return "ROOT_JAVA_FRAME";
	case SUB_ROOT_NATIVE_STACK: return "ROOT_NATIVE_STACK";
	case SUB_ROOT_STICKY_CLASS: return "ROOT_STICKY_CLASS";
	case SUB_ROOT_THREAD_BLOCK: return "ROOT_THREAD_BLOCK";
	case SUB_ROOT_MONITOR_USED: return "ROOT_MONITOR_USED";
	case SUB_ROOT_THREAD_OBJ: return "ROOT_THREAD_OBJ";
	case SUB_CLASS_DUMP: return "CLASS_DUMP";
	case SUB_INSTANCE_DUMP: return "INSTANCE_DUMP";
	case SUB_OBJ_ARRAY_DUMP: return "OBJ_ARRAY_DUMP";
	case SUB_PRIM_ARRAY_DUMP: return "PRIM_ARRAY_DUMP";
	case SUB_ROOT_INTERNED_STRING: return "ROOT_INTERNED_STRING";
	case SUB_ROOT_FINALIZING: return "ROOT_FINALIZING";
	case SUB_ROOT_DEBUGGER: return "ROOT_DEBUGGER";
	case SUB_ROOT_REFERENCE_CLEANUP: return "ROOT_REFERENCE_CLEANUP";
	case SUB_ROOT_VM_INTERNAL: return "ROOT_VM_INTERNAL";
	case SUB_ROOT_JNI_MONITOR: return "ROOT_JNI_MONITOR";
	case SUB_UNREACHABLE: return "UNREACHABLE";
	case SUB_PRIM_ARRAY_NODATA: return "PRIMITIVE_ARRAY_NODATA";
	case SUB_HEAP_DUMP_INFO: return "HEAP_DUMP_INFO";
	default: return "unknown";
	}
}
