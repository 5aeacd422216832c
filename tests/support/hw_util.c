/*
 * hw_util.c: the plumbing under the test HPROF writer: fatal errors,
 * overflow-checked sizes, array growth by doubling, a u64 hash map, and the
 * big-endian encoding of ids and typed values.
 *
 * Everything here aborts on failure, since the writer is test code: a test that
 * cannot build its input has nothing sensible to continue with.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw_internal.h"

void hw_die(const char *fmt, ...)
{
	va_list ap;

	fputs("hprof_writer: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

size_t hw_mul(size_t a, size_t b)
{
	if (a != 0 && b > SIZE_MAX / a)
		hw_die("size overflow: %zu * %zu", a, b);
	return a * b;
}

size_t hw_add(size_t a, size_t b)
{
	if (b > SIZE_MAX - a)
		hw_die("size overflow: %zu + %zu", a, b);
	return a + b;
}

void *hw_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		hw_die("out of memory (%zu bytes)", n);
	return p;
}

char *hw_xstrndup(const char *s, size_t n)
{
	char *p = hw_xmalloc(hw_add(n, 1));

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void hw_grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t c = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return;
	while (c < need)
		c = hw_mul(c, 2);
	q = realloc(*p, hw_mul(c, elem));
	if (!q)
		hw_die("out of memory (%zu x %zu bytes)", c, elem);
	*p = q;
	*cap = c;
}

static size_t hw_map_slot(uint64_t key, size_t cap)
{
	return (size_t)((key * UINT64_C(0x9E3779B97F4A7C15)) >> 17) & (cap - 1);
}

size_t hw_map_get(const struct hw_map *m, uint64_t key)
{
	size_t i;

	if (m->cap == 0)
		return HW_NONE;
	for (i = hw_map_slot(key, m->cap); m->vals[i] != HW_NONE; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == key)
			return m->vals[i];
	return HW_NONE;
}

static void hw_map_insert(struct hw_map *m, uint64_t key, size_t val)
{
	size_t i = hw_map_slot(key, m->cap);

	while (m->vals[i] != HW_NONE && m->keys[i] != key)
		i = (i + 1) & (m->cap - 1);
	if (m->vals[i] == HW_NONE)
		m->count++;
	m->keys[i] = key;
	m->vals[i] = val;
}

static void hw_map_rehash(struct hw_map *m, size_t cap)
{
	struct hw_map old = *m;
	size_t i;

	m->keys = hw_xmalloc(hw_mul(cap, sizeof *m->keys));
	m->vals = hw_xmalloc(hw_mul(cap, sizeof *m->vals));
	m->cap = cap;
	m->count = 0;
	for (i = 0; i < cap; i++)
		m->vals[i] = HW_NONE;
	for (i = 0; i < old.cap; i++)
		if (old.vals[i] != HW_NONE)
			hw_map_insert(m, old.keys[i], old.vals[i]);
	hw_map_release(&old);
}

void hw_map_put(struct hw_map *m, uint64_t key, size_t val)
{
	if (val == HW_NONE)
		hw_die("internal: map value out of range");
	if (hw_mul(hw_add(m->count, 1), 2) > m->cap)
		hw_map_rehash(m, m->cap ? hw_mul(m->cap, 2) : 64);
	hw_map_insert(m, key, val);
}

void hw_map_release(struct hw_map *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = NULL;
	m->vals = NULL;
	m->cap = 0;
	m->count = 0;
}

static void hw_put_be(uint8_t *out, uint64_t v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

size_t hw_encode_id(uint8_t *out, uint64_t id, uint32_t id_size)
{
	if (id_size < 8 && (id_size == 0 ? id != 0 : (id >> (8 * id_size)) != 0))
		hw_die("id 0x%llx does not fit in %u bytes", (unsigned long long)id, id_size);
	if (id_size > 8) {
		memset(out, 0, id_size - 8);
		hw_put_be(out + (id_size - 8), id, 8);
	} else {
		hw_put_be(out, id, id_size);
	}
	return id_size;
}

size_t hw_encode_value(uint8_t *out, struct hw_value v, uint32_t id_size)
{
	size_t n;

	if (v.type == HW_OBJECT)
		return hw_encode_id(out, v.bits, id_size);
	n = hw_type_size(v.type, id_size);
	if (n == 0)
		hw_die("value of unknown basic type %u", (unsigned)v.type);
	hw_put_be(out, v.bits, n);
	return n;
}

size_t hw_type_size(uint8_t type, uint32_t id_size)
{
	switch (type) {
	case HW_OBJECT: return id_size;
	case HW_BOOLEAN: case HW_BYTE: return 1;
	case HW_CHAR: case HW_SHORT: return 2;
	case HW_FLOAT: case HW_INT: return 4;
	case HW_DOUBLE: case HW_LONG: return 8;
	default: return 0;
	}
}

const char *hw_type_name(uint8_t type)
{
	static const char *const names[] = {
		[HW_OBJECT] = "object", [HW_BOOLEAN] = "boolean", [HW_CHAR] = "char",
		[HW_FLOAT] = "float", [HW_DOUBLE] = "double", [HW_BYTE] = "byte",
		[HW_SHORT] = "short", [HW_INT] = "int", [HW_LONG] = "long",
	};

	return type < sizeof names / sizeof names[0] ? names[type] : NULL;
}

struct hw_value hw_v_float(float f)
{
	uint32_t bits;

	memcpy(&bits, &f, sizeof bits);
	return (struct hw_value){ HW_FLOAT, bits };
}

struct hw_value hw_v_double(double d)
{
	uint64_t bits;

	memcpy(&bits, &d, sizeof bits);
	return (struct hw_value){ HW_DOUBLE, bits };
}
