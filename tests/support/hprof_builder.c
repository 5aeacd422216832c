/*
 * hprof_builder.c: the convenience layer of the test HPROF writer: interned
 * names, an address allocator, a registry of defined classes with their layouts,
 * the minimal JDK class set, Strings, Threads and generic graph nodes.
 *
 * State lives in a struct hw_builder hung off the writer on first use and freed
 * with it. Names are interned in an open-addressing table of indices (FNV-1a
 * hash, compared by content). Classes are found by id through hw_map. Layout
 * walks follow super ids through the registry with a step bound, so a looping
 * chain built on purpose aborts instead of hanging.
 */
#include <stdlib.h>
#include <string.h>

#include "hprof_builder.h"
#include "hw_internal.h"

#define HW_NAME_BASE UINT64_C(0x00400000)
#define HW_NAME_END UINT64_C(0x10000000)
#define HW_ADDR_BASE UINT64_C(0x10000000)
#define HW_MIRROR_SIZE 104

struct hw_bclass {
	uint64_t id;
	uint64_t super_id;
	uint64_t loader_id;
	uint64_t name_id;
	uint32_t serial;
	char *name;
	struct hw_field *fields;
	size_t n_fields;
	struct hw_static_field *statics;
	size_t n_statics;
	size_t cap_statics;
	struct hw_const_entry *consts;
	size_t n_consts;
	size_t cap_consts;
};

struct hw_builder {
	char **names;
	uint64_t *name_ids;
	size_t n_names;
	size_t cap_names;
	size_t cap_name_ids;
	size_t *name_slots; /* indices into names, HW_NONE when empty */
	size_t n_slots;
	uint64_t next_name_id;

	uint64_t next_addr;
	uint32_t align;

	struct hw_bclass *classes;
	size_t n_classes;
	size_t cap_classes;
	struct hw_map class_index;
	uint32_t next_serial;

	struct hw_values scratch;
};

static void hw_builder_free(struct hw_builder *b)
{
	size_t i;

	for (i = 0; i < b->n_names; i++)
		free(b->names[i]);
	free(b->names);
	free(b->name_ids);
	free(b->name_slots);
	for (i = 0; i < b->n_classes; i++) {
		free(b->classes[i].name);
		free(b->classes[i].fields);
		free(b->classes[i].statics);
		free(b->classes[i].consts);
	}
	free(b->classes);
	hw_map_release(&b->class_index);
	hw_values_release(&b->scratch);
	free(b);
}

static struct hw_builder *hw_b(struct hw_writer *w)
{
	struct hw_builder *b = w->builder;

	if (b)
		return b;
	b = hw_xmalloc(sizeof *b);
	memset(b, 0, sizeof *b);
	b->next_name_id = HW_NAME_BASE;
	b->next_addr = HW_ADDR_BASE;
	b->align = 8;
	hw_values_init(&b->scratch, 8);
	w->builder = b;
	w->builder_free = hw_builder_free;
	return b;
}

/* ---- names ---- */

static uint64_t hw_fnv1a(const char *s)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	while (*s)
		h = (h ^ (uint8_t)*s++) * UINT64_C(0x100000001b3);
	return h;
}

/* The slot holding s, or the empty slot where it belongs. */
static size_t hw_name_slot(const struct hw_builder *b, const char *s)
{
	size_t i = (size_t)hw_fnv1a(s) & (b->n_slots - 1);

	while (b->name_slots[i] != HW_NONE && strcmp(b->names[b->name_slots[i]], s) != 0)
		i = (i + 1) & (b->n_slots - 1);
	return i;
}

static void hw_name_rehash(struct hw_builder *b)
{
	size_t i, n = b->n_slots ? hw_mul(b->n_slots, 2) : 256;

	free(b->name_slots);
	b->name_slots = hw_xmalloc(hw_mul(n, sizeof *b->name_slots));
	b->n_slots = n;
	for (i = 0; i < n; i++)
		b->name_slots[i] = HW_NONE;
	for (i = 0; i < b->n_names; i++)
		b->name_slots[hw_name_slot(b, b->names[i])] = i;
}

uint64_t hw_name(struct hw_writer *w, const char *s)
{
	struct hw_builder *b = hw_b(w);
	size_t slot, i;

	if (hw_mul(hw_add(b->n_names, 1), 2) > b->n_slots)
		hw_name_rehash(b);
	slot = hw_name_slot(b, s);
	if (b->name_slots[slot] != HW_NONE)
		return b->name_ids[b->name_slots[slot]];
	if (b->next_name_id >= HW_NAME_END)
		hw_die("out of name ids");
	hw_grow((void **)&b->names, &b->cap_names, hw_add(b->n_names, 1), sizeof *b->names);
	hw_grow((void **)&b->name_ids, &b->cap_name_ids, b->n_names + 1, sizeof *b->name_ids);
	i = b->n_names++;
	b->names[i] = hw_xstrndup(s, strlen(s));
	b->name_ids[i] = b->next_name_id;
	b->next_name_id += 8;
	b->name_slots[slot] = i;
	hw_utf8(w, b->name_ids[i], s);
	return b->name_ids[i];
}

/* ---- addresses ---- */

static uint64_t hw_slot_size(const struct hw_builder *b, size_t bytes)
{
	uint64_t n = bytes ? bytes : 1;

	if (n > UINT64_MAX - (b->align - 1))
		hw_die("object size overflow");
	return (n + b->align - 1) & ~(uint64_t)(b->align - 1);
}

uint64_t hw_alloc_block(struct hw_writer *w, size_t bytes, uint64_t count)
{
	struct hw_builder *b = hw_b(w);
	uint64_t stride = hw_slot_size(b, bytes);
	uint64_t first = b->next_addr;

	if (count != 0 && stride > (UINT64_MAX - first) / count)
		hw_die("address space overflow");
	b->next_addr = first + stride * count;
	return first;
}

uint64_t hw_alloc(struct hw_writer *w, size_t bytes)
{
	return hw_alloc_block(w, bytes, 1);
}

void hw_alloc_config(struct hw_writer *w, uint64_t base, uint32_t align)
{
	struct hw_builder *b = hw_b(w);

	if (align == 0 || (align & (align - 1)) != 0)
		hw_die("alignment %u is not a power of two", align);
	b->next_addr = base;
	b->align = align;
}

/* ---- classes ---- */

static struct hw_bclass *hw_bclass_find(struct hw_writer *w, uint64_t class_id)
{
	struct hw_builder *b = hw_b(w);
	size_t i = hw_map_get(&b->class_index, class_id);

	return i == HW_NONE ? NULL : &b->classes[i];
}

static struct hw_bclass *hw_bclass_get(struct hw_writer *w, uint64_t class_id)
{
	struct hw_bclass *c = hw_bclass_find(w, class_id);

	if (!c)
		hw_die("class 0x%llx was not defined", (unsigned long long)class_id);
	return c;
}

static struct hw_field *hw_fields_copy(struct hw_writer *w, size_t n, const struct hw_field_spec *specs)
{
	struct hw_field *f = hw_xmalloc(hw_mul(n, sizeof *f));
	size_t i;

	for (i = 0; i < n; i++) {
		if (hw_type_size(specs[i].type, 8) == 0)
			hw_die("field '%s' has unknown type %u", specs[i].name, (unsigned)specs[i].type);
		f[i].name_id = hw_name(w, specs[i].name);
		f[i].type = specs[i].type;
	}
	return f;
}

uint64_t hw_class_define(struct hw_writer *w, uint64_t class_id, const char *name,
			 uint64_t super_id, size_t n_fields, const struct hw_field_spec *fields)
{
	struct hw_builder *b = hw_b(w);
	uint64_t name_id = hw_name(w, name);
	struct hw_field *copy = hw_fields_copy(w, n_fields, fields);
	struct hw_bclass *c;
	size_t i;

	if (class_id == 0)
		class_id = hw_alloc(w, HW_MIRROR_SIZE);
	if (hw_map_get(&b->class_index, class_id) != HW_NONE)
		hw_die("class id 0x%llx defined twice", (unsigned long long)class_id);
	hw_grow((void **)&b->classes, &b->cap_classes, hw_add(b->n_classes, 1), sizeof *b->classes);
	i = b->n_classes++;
	c = &b->classes[i];
	memset(c, 0, sizeof *c);
	c->id = class_id;
	c->super_id = super_id;
	c->name_id = name_id;
	c->serial = ++b->next_serial;
	c->name = hw_xstrndup(name, strlen(name));
	c->fields = copy;
	c->n_fields = n_fields;
	hw_map_put(&b->class_index, class_id, i);
	hw_load_class(w, c->serial, class_id, 0, name_id);
	return class_id;
}

void hw_class_set_loader(struct hw_writer *w, uint64_t class_id, uint64_t loader_id)
{
	hw_bclass_get(w, class_id)->loader_id = loader_id;
}

void hw_class_add_static(struct hw_writer *w, uint64_t class_id, const char *name,
			 struct hw_value value)
{
	uint64_t name_id = hw_name(w, name);
	struct hw_bclass *c = hw_bclass_get(w, class_id);

	hw_grow((void **)&c->statics, &c->cap_statics, hw_add(c->n_statics, 1), sizeof *c->statics);
	c->statics[c->n_statics].name_id = name_id;
	c->statics[c->n_statics++].value = value;
}

void hw_class_add_const(struct hw_writer *w, uint64_t class_id, uint16_t index,
			struct hw_value value)
{
	struct hw_bclass *c = hw_bclass_get(w, class_id);

	hw_grow((void **)&c->consts, &c->cap_consts, hw_add(c->n_consts, 1), sizeof *c->consts);
	c->consts[c->n_consts].index = index;
	c->consts[c->n_consts++].value = value;
}

uint64_t hw_class_lookup(struct hw_writer *w, const char *name)
{
	struct hw_builder *b = hw_b(w);
	size_t i = b->n_classes;

	while (i-- > 0)
		if (strcmp(b->classes[i].name, name) == 0)
			return b->classes[i].id;
	return 0;
}

uint32_t hw_class_serial(struct hw_writer *w, uint64_t class_id)
{
	return hw_bclass_get(w, class_id)->serial;
}

size_t hw_class_field_bytes(struct hw_writer *w, uint64_t class_id)
{
	struct hw_builder *b = hw_b(w);
	struct hw_bclass *c = hw_bclass_get(w, class_id);
	size_t total = 0, steps = 0, i;

	for (; c; c = c->super_id ? hw_bclass_find(w, c->super_id) : NULL) {
		if (++steps > b->n_classes)
			hw_die("super chain of class 0x%llx loops", (unsigned long long)class_id);
		for (i = 0; i < c->n_fields; i++)
			total = hw_add(total, hw_type_size(c->fields[i].type, w->id_size));
	}
	return total;
}

size_t hw_class_dump_defined(struct hw_writer *w, uint64_t class_id)
{
	struct hw_bclass *c = hw_bclass_get(w, class_id);
	size_t bytes = hw_class_field_bytes(w, class_id);
	struct hw_class_dump cd;

	if (bytes > UINT32_MAX)
		hw_die("class 0x%llx instance size overflows u4", (unsigned long long)class_id);
	memset(&cd, 0, sizeof cd);
	cd.class_id = c->id;
	cd.super_id = c->super_id;
	cd.loader_id = c->loader_id;
	cd.instance_size = (uint32_t)bytes;
	cd.n_consts = c->n_consts;
	cd.consts = c->consts;
	cd.n_statics = c->n_statics;
	cd.statics = c->statics;
	cd.n_fields = c->n_fields;
	cd.fields = c->fields;
	return hw_class_dump(w, &cd);
}

void hw_class_dump_all(struct hw_writer *w)
{
	struct hw_builder *b = hw_b(w);
	size_t i;

	for (i = 0; i < b->n_classes; i++)
		hw_class_dump_defined(w, b->classes[i].id);
}

size_t hw_instance(struct hw_writer *w, uint64_t id, uint64_t class_id, const struct hw_values *v)
{
	size_t want = hw_class_field_bytes(w, class_id);

	if (v->len != want)
		hw_die("instance 0x%llx has %zu field bytes, its class layout %zu",
		       (unsigned long long)id, v->len, want);
	if (v->id_size != w->id_size)
		hw_die("value buffer built for ids of %u bytes, writer uses %u", v->id_size, w->id_size);
	return hw_instance_dump(w, id, 0, class_id, v->data, (uint32_t)v->len);
}

/* ---- sizes for realistic addresses ---- */

static size_t hw_round_up(size_t n, size_t to)
{
	return to ? hw_add(n, to - 1) / to * to : n;
}

size_t hw_instance_size_guess(struct hw_writer *w, uint64_t class_id)
{
	return hw_round_up(hw_add(2 * (size_t)w->id_size, hw_class_field_bytes(w, class_id)), 8);
}

size_t hw_array_size_guess(struct hw_writer *w, uint8_t type, size_t n)
{
	size_t head = hw_round_up(2 * (size_t)w->id_size + 4, type == HW_OBJECT ? 1 : w->id_size);
	size_t elem = hw_type_size(type, w->id_size);

	return hw_round_up(hw_add(head, hw_mul(n, elem)), 8);
}

/* ---- JDK classes, Strings, Threads ---- */

void hw_jdk_define(struct hw_writer *w, struct hw_jdk *jdk)
{
	static const struct hw_field_spec string_fields[] = {
		{ "value", HW_OBJECT }, { "coder", HW_BYTE }, { "hash", HW_INT },
	};
	static const struct hw_field_spec thread_fields[] = { { "name", HW_OBJECT } };
	static const struct { uint8_t type; const char *name; } prims[] = {
		{ HW_BOOLEAN, "[Z" }, { HW_CHAR, "[C" }, { HW_FLOAT, "[F" }, { HW_DOUBLE, "[D" },
		{ HW_BYTE, "[B" }, { HW_SHORT, "[S" }, { HW_INT, "[I" }, { HW_LONG, "[J" },
	};
	uint64_t obj;
	size_t i;

	memset(jdk, 0, sizeof *jdk);
	obj = jdk->object = hw_class_define(w, 0, "java/lang/Object", 0, 0, NULL);
	jdk->klass = hw_class_define(w, 0, "java/lang/Class", obj, 0, NULL);
	jdk->string = hw_class_define(w, 0, "java/lang/String", obj, 3, string_fields);
	jdk->class_loader = hw_class_define(w, 0, "java/lang/ClassLoader", obj, 0, NULL);
	jdk->thread = hw_class_define(w, 0, "java/lang/Thread", obj, 1, thread_fields);
	for (i = 0; i < sizeof prims / sizeof prims[0]; i++)
		jdk->prim_array[prims[i].type] = hw_class_define(w, 0, prims[i].name, obj, 0, NULL);
	jdk->object_array = hw_class_define(w, 0, "[Ljava/lang/Object;", obj, 0, NULL);
}

static struct hw_values *hw_scratch(struct hw_writer *w)
{
	struct hw_builder *b = hw_b(w);

	if (b->scratch.id_size != w->id_size) {
		hw_values_release(&b->scratch);
		hw_values_init(&b->scratch, w->id_size);
	}
	hw_values_clear(&b->scratch);
	return &b->scratch;
}

uint64_t hw_string(struct hw_writer *w, const struct hw_jdk *jdk, uint64_t string_id,
		   uint64_t array_id, const char *latin1)
{
	size_t n = strlen(latin1);
	struct hw_values *v;

	if (n > UINT32_MAX)
		hw_die("string of %zu bytes", n);
	if (string_id == 0)
		string_id = hw_alloc(w, hw_instance_size_guess(w, jdk->string));
	if (array_id == 0)
		array_id = hw_alloc(w, hw_array_size_guess(w, HW_BYTE, n));
	v = hw_scratch(w);
	hw_values_obj(v, array_id);
	hw_values_byte(v, 0);
	hw_values_int(v, 0);
	hw_instance(w, string_id, jdk->string, v);
	hw_prim_array(w, array_id, 0, HW_BYTE, (uint32_t)n, latin1);
	return string_id;
}

uint64_t hw_thread_object(struct hw_writer *w, const struct hw_jdk *jdk, uint64_t thread_id,
			  const char *name)
{
	uint64_t name_id;
	struct hw_values *v;

	if (thread_id == 0)
		thread_id = hw_alloc(w, hw_instance_size_guess(w, jdk->thread));
	name_id = hw_string(w, jdk, 0, 0, name);
	v = hw_scratch(w);
	hw_values_obj(v, name_id);
	hw_instance(w, thread_id, jdk->thread, v);
	return thread_id;
}

/* ---- generic graph nodes ---- */

uint64_t hw_node_class(struct hw_writer *w, const char *name, unsigned k)
{
	struct hw_field_spec *specs = hw_xmalloc(hw_mul(k, sizeof *specs));
	char **names = hw_xmalloc(hw_mul(k, sizeof *names));
	uint64_t id;
	unsigned i;

	for (i = 0; i < k; i++) {
		char buf[24];

		snprintf(buf, sizeof buf, "f%u", i);
		names[i] = hw_xstrndup(buf, strlen(buf));
		specs[i].name = names[i];
		specs[i].type = HW_OBJECT;
	}
	id = hw_class_define(w, 0, name, hw_class_lookup(w, "java/lang/Object"), k, specs);
	for (i = 0; i < k; i++)
		free(names[i]);
	free(names);
	free(specs);
	return id;
}

size_t hw_node(struct hw_writer *w, uint64_t class_id, uint64_t id, const uint64_t *refs)
{
	struct hw_bclass *c = hw_bclass_get(w, class_id);
	struct hw_values *v = hw_scratch(w);
	size_t i;

	for (i = 0; i < c->n_fields; i++) {
		if (c->fields[i].type != HW_OBJECT)
			hw_die("hw_node: class '%s' has a non-reference field", c->name);
		hw_values_obj(v, refs ? refs[i] : 0);
	}
	return hw_instance(w, id, class_id, v);
}
