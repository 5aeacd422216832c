/*
 * hprof_subrecords.c: heap sub-records of the test HPROF writer: every GC root
 * kind (HotSpot and ART), CLASS_DUMP, INSTANCE_DUMP, object and primitive arrays,
 * ART's PRIMITIVE_ARRAY_NODATA and HEAP_DUMP_INFO.
 *
 * Each function starts its sub-record with hw_sub_begin (which opens or cuts the
 * heap record) and writes the layout of the HPROF field guide, section 2, field
 * by field. Class ids met here are counted per class for NAME.expect files.
 */
#include <string.h>

#include "hw_internal.h"

/* How many extra fields (after the object id) a root tag carries, and whether
 * the first is an id (JNI global ref) rather than a u4. -1: not a root tag. */
static int hw_root_extras(uint8_t tag, int *first_is_id)
{
	*first_is_id = 0;
	switch (tag) {
	case HW_ROOT_UNKNOWN: case HW_ROOT_STICKY_CLASS: case HW_ROOT_MONITOR_USED:
	case HW_ROOT_INTERNED_STRING: case HW_ROOT_FINALIZING: case HW_ROOT_DEBUGGER:
	case HW_ROOT_REFERENCE_CLEANUP: case HW_ROOT_VM_INTERNAL: case HW_UNREACHABLE:
		return 0;
	case HW_ROOT_JNI_GLOBAL:
		*first_is_id = 1;
		return 1;
	case HW_ROOT_NATIVE_STACK: case HW_ROOT_THREAD_BLOCK:
		return 1;
	case HW_ROOT_JNI_LOCAL: case HW_ROOT_JAVA_FRAME: case HW_ROOT_THREAD_OBJ:
	case HW_ROOT_JNI_MONITOR:
		return 2;
	default:
		return -1;
	}
}

size_t hw_root(struct hw_writer *w, uint8_t tag, uint64_t id, uint64_t a, uint64_t b)
{
	int first_is_id;
	int extras = hw_root_extras(tag, &first_is_id);
	size_t at;

	if (extras < 0)
		hw_die("0x%02x is not a root tag", tag);
	at = hw_sub_begin(w, tag);
	hw_id(w, id);
	if (extras >= 1) {
		if (first_is_id)
			hw_id(w, a);
		else
			hw_u4(w, (uint32_t)a);
	}
	if (extras >= 2)
		hw_u4(w, (uint32_t)b);
	return at;
}

static uint16_t hw_count_u2(size_t n, const char *what)
{
	if (n > UINT16_MAX)
		hw_die("CLASS_DUMP with %zu %s (u2 count)", n, what);
	return (uint16_t)n;
}

static void hw_class_dump_members(struct hw_writer *w, const struct hw_class_dump *cd)
{
	size_t i;

	hw_u2(w, hw_count_u2(cd->n_consts, "constant pool entries"));
	for (i = 0; i < cd->n_consts; i++) {
		hw_u2(w, cd->consts[i].index);
		hw_u1(w, cd->consts[i].value.type);
		hw_value(w, cd->consts[i].value);
	}
	hw_u2(w, hw_count_u2(cd->n_statics, "static fields"));
	for (i = 0; i < cd->n_statics; i++) {
		hw_id(w, cd->statics[i].name_id);
		hw_u1(w, cd->statics[i].value.type);
		hw_value(w, cd->statics[i].value);
	}
	hw_u2(w, hw_count_u2(cd->n_fields, "instance fields"));
	for (i = 0; i < cd->n_fields; i++) {
		hw_id(w, cd->fields[i].name_id);
		hw_u1(w, cd->fields[i].type);
	}
}

size_t hw_class_dump(struct hw_writer *w, const struct hw_class_dump *cd)
{
	size_t at = hw_sub_begin(w, HW_CLASS_DUMP);

	hw_id(w, cd->class_id);
	hw_u4(w, cd->stack_serial);
	hw_id(w, cd->super_id);
	hw_id(w, cd->loader_id);
	hw_id(w, cd->signers_id);
	hw_id(w, cd->protection_domain_id);
	hw_id(w, cd->reserved1);
	hw_id(w, cd->reserved2);
	hw_u4(w, cd->instance_size);
	hw_class_dump_members(w, cd);
	hw_class_entry(w, cd->class_id)->dumps++;
	return at;
}

size_t hw_instance_dump(struct hw_writer *w, uint64_t id, uint32_t stack_serial,
			uint64_t class_id, const void *fields, uint32_t n)
{
	size_t at = hw_sub_begin(w, HW_INSTANCE_DUMP);

	hw_id(w, id);
	hw_u4(w, stack_serial);
	hw_id(w, class_id);
	hw_u4(w, n);
	hw_bytes(w, fields, n);
	hw_class_entry(w, class_id)->instances++;
	return at;
}

size_t hw_obj_array_header(struct hw_writer *w, uint64_t id, uint32_t stack_serial,
			   uint32_t n, uint64_t array_class_id)
{
	size_t at = hw_sub_begin(w, HW_OBJ_ARRAY_DUMP);

	hw_id(w, id);
	hw_u4(w, stack_serial);
	hw_u4(w, n);
	hw_id(w, array_class_id);
	hw_class_entry(w, array_class_id)->obj_arrays++;
	return at;
}

size_t hw_obj_array(struct hw_writer *w, uint64_t id, uint32_t stack_serial,
		    uint64_t array_class_id, uint32_t n, const uint64_t *elems)
{
	size_t at = hw_obj_array_header(w, id, stack_serial, n, array_class_id);
	uint32_t i;

	for (i = 0; i < n; i++)
		hw_id(w, elems[i]);
	return at;
}

size_t hw_prim_array_header(struct hw_writer *w, uint64_t id, uint32_t stack_serial,
			    uint32_t n, uint8_t type)
{
	size_t at = hw_sub_begin(w, HW_PRIM_ARRAY_DUMP);

	hw_id(w, id);
	hw_u4(w, stack_serial);
	hw_u4(w, n);
	hw_u1(w, type);
	w->stats.prim_arrays[type]++;
	return at;
}

/* Appends n host-order elements of `size` bytes as big-endian values. */
static void hw_prim_elements(struct hw_writer *w, size_t size, uint32_t n, const void *elems)
{
	const uint8_t *p = elems;
	uint32_t i;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	for (i = 0; i < n; i++, p += size) {
		switch (size) {
		case 1: memcpy(&u8, p, 1); hw_u1(w, u8); break;
		case 2: memcpy(&u16, p, 2); hw_u2(w, u16); break;
		case 4: memcpy(&u32, p, 4); hw_u4(w, u32); break;
		default: memcpy(&u64, p, 8); hw_u8(w, u64); break;
		}
	}
}

size_t hw_prim_array(struct hw_writer *w, uint64_t id, uint32_t stack_serial,
		     uint8_t type, uint32_t n, const void *elems)
{
	size_t size = hw_type_size(type, w->id_size);
	size_t at;

	if (size == 0 || type == HW_OBJECT)
		hw_die("PRIM_ARRAY_DUMP of non-primitive type %u", (unsigned)type);
	(void)hw_mul(size, n);
	at = hw_prim_array_header(w, id, stack_serial, n, type);
	hw_prim_elements(w, size, n, elems);
	return at;
}

size_t hw_prim_array_nodata(struct hw_writer *w, uint64_t id, uint32_t stack_serial,
			    uint32_t n, uint8_t type)
{
	size_t at = hw_sub_begin(w, HW_PRIM_ARRAY_NODATA);

	hw_id(w, id);
	hw_u4(w, stack_serial);
	hw_u4(w, n);
	hw_u1(w, type);
	w->stats.nodata_arrays[type]++;
	return at;
}

size_t hw_heap_dump_info(struct hw_writer *w, uint32_t heap_id, uint64_t name_id)
{
	size_t at = hw_sub_begin(w, HW_HEAP_DUMP_INFO);

	hw_u4(w, heap_id);
	hw_id(w, name_id);
	return at;
}
