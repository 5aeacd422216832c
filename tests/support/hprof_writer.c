/*
 * hprof_writer.c: the byte level of the test HPROF writer: buffer, header,
 * top-level records with patched lengths, heap records cut into segments, and
 * the value buffer used for INSTANCE_DUMP bodies. Heap sub-records are in
 * hprof_subrecords.c, statistics output in hprof_expect.c.
 *
 * A record is written as tag, time, a zero length, then its body; closing it
 * patches the length from the number of bytes written since. Only one record is
 * open at a time (w->open_at); a heap record stays open across sub-records until
 * something else needs the top level.
 */
#include <stdlib.h>
#include <string.h>

#include "hw_internal.h"

/* Ids wider than this are refused: only bad-header tests use odd sizes. */
#define HW_MAX_ID_WRITE 32

struct hw_writer *hw_new(void)
{
	struct hw_writer *w = hw_xmalloc(sizeof *w);

	memset(w, 0, sizeof *w);
	w->id_size = 8;
	w->default_heap_tag = HW_HEAP_DUMP_SEGMENT;
	w->open_at = HW_NONE;
	return w;
}

void hw_free(struct hw_writer *w)
{
	size_t i;

	if (!w)
		return;
	if (w->builder && w->builder_free)
		w->builder_free(w->builder);
	for (i = 0; i < w->n_utf8; i++)
		free(w->utf8s[i].text);
	free(w->utf8s);
	hw_map_release(&w->utf8_index);
	free(w->classes);
	hw_map_release(&w->class_index);
	free(w->version);
	free(w->buf);
	free(w);
}

/* ---- raw bytes ---- */

static uint8_t *hw_extend(struct hw_writer *w, size_t n)
{
	size_t need = hw_add(w->len, n);
	uint8_t *p;

	hw_grow((void **)&w->buf, &w->cap, need, 1);
	p = w->buf + w->len;
	w->len = need;
	return p;
}

void hw_bytes(struct hw_writer *w, const void *p, size_t n)
{
	if (n)
		memcpy(hw_extend(w, n), p, n);
}

void hw_u1(struct hw_writer *w, uint8_t v)
{
	*hw_extend(w, 1) = v;
}

void hw_u2(struct hw_writer *w, uint16_t v)
{
	uint8_t *p = hw_extend(w, 2);

	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void hw_u4(struct hw_writer *w, uint32_t v)
{
	uint8_t *p = hw_extend(w, 4);

	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void hw_u8(struct hw_writer *w, uint64_t v)
{
	hw_u4(w, (uint32_t)(v >> 32));
	hw_u4(w, (uint32_t)v);
}

void hw_id(struct hw_writer *w, uint64_t v)
{
	uint8_t tmp[HW_MAX_ID_WRITE];

	if (w->id_size > HW_MAX_ID_WRITE)
		hw_die("cannot write ids of %u bytes", w->id_size);
	hw_bytes(w, tmp, hw_encode_id(tmp, v, w->id_size));
}

void hw_value(struct hw_writer *w, struct hw_value v)
{
	uint8_t tmp[HW_MAX_ID_WRITE];

	if (w->id_size > HW_MAX_ID_WRITE)
		hw_die("cannot write ids of %u bytes", w->id_size);
	hw_bytes(w, tmp, hw_encode_value(tmp, v, w->id_size));
}

void hw_patch_u1(struct hw_writer *w, size_t offset, uint8_t v)
{
	if (offset >= w->len)
		hw_die("patch at %zu outside output of %zu bytes", offset, w->len);
	w->buf[offset] = v;
}

void hw_patch_u4(struct hw_writer *w, size_t offset, uint32_t v)
{
	if (offset > w->len || w->len - offset < 4)
		hw_die("patch at %zu outside output of %zu bytes", offset, w->len);
	w->buf[offset] = (uint8_t)(v >> 24);
	w->buf[offset + 1] = (uint8_t)(v >> 16);
	w->buf[offset + 2] = (uint8_t)(v >> 8);
	w->buf[offset + 3] = (uint8_t)v;
}

/* ---- settings and output ---- */

void hw_header(struct hw_writer *w, const char *version, uint32_t id_size, uint64_t timestamp_ms)
{
	size_t n = strlen(version);

	hw_bytes(w, version, n + 1);
	hw_u4(w, id_size);
	hw_u8(w, timestamp_ms);
	free(w->version);
	w->version = hw_xstrndup(version, n);
	w->header_id_size = id_size;
	w->timestamp = timestamp_ms;
	w->has_header = 1;
	w->id_size = id_size;
	w->default_heap_tag = strcmp(version, "JAVA PROFILE 1.0.1") == 0 ? HW_HEAP_DUMP : HW_HEAP_DUMP_SEGMENT;
}

void hw_set_id_size(struct hw_writer *w, uint32_t id_size)
{
	w->id_size = id_size;
}

uint32_t hw_id_size(const struct hw_writer *w)
{
	return w->id_size;
}

void hw_set_record_time(struct hw_writer *w, uint32_t micros)
{
	w->record_time = micros;
}

void hw_set_segment_limit(struct hw_writer *w, size_t bytes)
{
	w->segment_limit = bytes;
}

const uint8_t *hw_data(const struct hw_writer *w)
{
	return w->buf;
}

size_t hw_size(const struct hw_writer *w)
{
	return w->len;
}

void hw_finish(struct hw_writer *w)
{
	if (w->open_at != HW_NONE)
		hw_record_end(w);
}

void hw_write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		hw_die("cannot open '%s' for writing", path);
	if ((n && fwrite(data, 1, n, f) != n) || fclose(f) != 0)
		hw_die("cannot write '%s'", path);
}

void hw_save(struct hw_writer *w, const char *path)
{
	hw_finish(w);
	hw_write_file(path, w->buf, w->len);
}

void hw_truncate(struct hw_writer *w, size_t n)
{
	hw_finish(w);
	if (n > w->len)
		hw_die("cannot truncate %zu bytes of output to %zu", w->len, n);
	w->len = n;
}

/* ---- top-level records ---- */

/* Makes room at the top level: closes an open segment, refuses inside a
 * HEAP_DUMP (a second 0x0C would start a second dump). */
static void hw_leave_record(struct hw_writer *w, uint8_t next_tag)
{
	if (w->open_at == HW_NONE)
		return;
	if (w->open_tag == HW_HEAP_DUMP)
		hw_die("record 0x%02x inside an open HEAP_DUMP: call hw_heap_end first", next_tag);
	hw_record_end(w);
}

size_t hw_record_begin(struct hw_writer *w, uint8_t tag)
{
	size_t at;

	hw_leave_record(w, tag);
	at = w->len;
	hw_u1(w, tag);
	hw_u4(w, w->record_time);
	hw_u4(w, 0);
	w->open_at = at;
	w->open_tag = tag;
	w->stats.records[tag]++;
	return at;
}

void hw_record_end(struct hw_writer *w)
{
	size_t body;

	if (w->open_at == HW_NONE)
		hw_die("no record is open");
	body = w->len - w->open_at - 9;
	if (body > UINT32_MAX)
		hw_die("record 0x%02x body of %zu bytes exceeds u4", w->open_tag, body);
	hw_patch_u4(w, w->open_at + 5, (uint32_t)body);
	w->open_at = HW_NONE;
}

size_t hw_record_raw(struct hw_writer *w, uint8_t tag, const void *body, uint32_t len)
{
	size_t at = hw_record_begin(w, tag);

	hw_bytes(w, body, len);
	hw_record_end(w);
	return at;
}

size_t hw_record_header(struct hw_writer *w, uint8_t tag, uint32_t length)
{
	size_t at;

	hw_leave_record(w, tag);
	at = w->len;
	hw_u1(w, tag);
	hw_u4(w, w->record_time);
	hw_u4(w, length);
	w->stats.records[tag]++;
	return at;
}

size_t hw_utf8_bytes(struct hw_writer *w, uint64_t id, const void *bytes, size_t n)
{
	size_t at = hw_record_begin(w, HW_UTF8);
	size_t i = hw_map_get(&w->utf8_index, id);

	hw_id(w, id);
	hw_bytes(w, bytes, n);
	hw_record_end(w);
	if (i == HW_NONE) {
		hw_grow((void **)&w->utf8s, &w->cap_utf8, hw_add(w->n_utf8, 1), sizeof *w->utf8s);
		i = w->n_utf8++;
		w->utf8s[i].id = id;
		hw_map_put(&w->utf8_index, id, i);
	} else {
		free(w->utf8s[i].text);
	}
	w->utf8s[i].text = hw_xstrndup(bytes, n);
	return at;
}

size_t hw_utf8(struct hw_writer *w, uint64_t id, const char *s)
{
	return hw_utf8_bytes(w, id, s, strlen(s));
}

const char *hw_utf8_text(const struct hw_writer *w, uint64_t id)
{
	size_t i = hw_map_get(&w->utf8_index, id);

	return i == HW_NONE ? NULL : w->utf8s[i].text;
}

struct hw_class_entry *hw_class_entry(struct hw_writer *w, uint64_t class_id)
{
	size_t i = hw_map_get(&w->class_index, class_id);

	if (i != HW_NONE)
		return &w->classes[i];
	hw_grow((void **)&w->classes, &w->cap_classes, hw_add(w->n_classes, 1), sizeof *w->classes);
	i = w->n_classes++;
	memset(&w->classes[i], 0, sizeof w->classes[i]);
	w->classes[i].class_id = class_id;
	hw_map_put(&w->class_index, class_id, i);
	return &w->classes[i];
}

size_t hw_load_class(struct hw_writer *w, uint32_t class_serial, uint64_t class_id,
		     uint32_t trace_serial, uint64_t name_id)
{
	size_t at = hw_record_begin(w, HW_LOAD_CLASS);
	struct hw_class_entry *c;

	hw_u4(w, class_serial);
	hw_id(w, class_id);
	hw_u4(w, trace_serial);
	hw_id(w, name_id);
	hw_record_end(w);
	c = hw_class_entry(w, class_id);
	c->name_id = name_id;
	c->has_name = 1;
	return at;
}

size_t hw_unload_class(struct hw_writer *w, uint32_t class_serial)
{
	size_t at = hw_record_begin(w, HW_UNLOAD_CLASS);

	hw_u4(w, class_serial);
	hw_record_end(w);
	return at;
}

size_t hw_frame(struct hw_writer *w, uint64_t frame_id, uint64_t method_name_id,
		uint64_t signature_id, uint64_t source_file_id, uint32_t class_serial, int32_t line)
{
	size_t at = hw_record_begin(w, HW_FRAME);

	hw_id(w, frame_id);
	hw_id(w, method_name_id);
	hw_id(w, signature_id);
	hw_id(w, source_file_id);
	hw_u4(w, class_serial);
	hw_u4(w, (uint32_t)line);
	hw_record_end(w);
	return at;
}

size_t hw_trace(struct hw_writer *w, uint32_t trace_serial, uint32_t thread_serial,
		uint32_t n_frames, const uint64_t *frames)
{
	size_t at = hw_record_begin(w, HW_TRACE);
	uint32_t i;

	hw_u4(w, trace_serial);
	hw_u4(w, thread_serial);
	hw_u4(w, n_frames);
	for (i = 0; i < n_frames; i++)
		hw_id(w, frames[i]);
	hw_record_end(w);
	return at;
}

size_t hw_start_thread(struct hw_writer *w, uint32_t thread_serial, uint64_t thread_id,
		       uint32_t trace_serial, uint64_t name_id, uint64_t group_name_id,
		       uint64_t parent_group_name_id)
{
	size_t at = hw_record_begin(w, HW_START_THREAD);

	hw_u4(w, thread_serial);
	hw_id(w, thread_id);
	hw_u4(w, trace_serial);
	hw_id(w, name_id);
	hw_id(w, group_name_id);
	hw_id(w, parent_group_name_id);
	hw_record_end(w);
	return at;
}

size_t hw_end_thread(struct hw_writer *w, uint32_t thread_serial)
{
	size_t at = hw_record_begin(w, HW_END_THREAD);

	hw_u4(w, thread_serial);
	hw_record_end(w);
	return at;
}

/* ---- heap records ---- */

static int hw_is_heap_tag(uint8_t tag)
{
	return tag == HW_HEAP_DUMP || tag == HW_HEAP_DUMP_SEGMENT;
}

size_t hw_heap_begin(struct hw_writer *w, uint8_t tag)
{
	if (!hw_is_heap_tag(tag))
		hw_die("0x%02x is not a heap record tag", tag);
	return hw_record_begin(w, tag);
}

void hw_heap_end(struct hw_writer *w)
{
	if (w->open_at == HW_NONE || !hw_is_heap_tag(w->open_tag))
		hw_die("no heap record is open");
	hw_record_end(w);
}

size_t hw_heap_dump_end(struct hw_writer *w)
{
	size_t at;

	hw_finish(w);
	at = hw_record_begin(w, HW_HEAP_DUMP_END);
	hw_record_end(w);
	return at;
}

size_t hw_sub_begin(struct hw_writer *w, uint8_t tag)
{
	size_t at;

	if (w->open_at == HW_NONE)
		hw_heap_begin(w, w->default_heap_tag);
	else if (!hw_is_heap_tag(w->open_tag))
		hw_die("heap sub-record 0x%02x inside record 0x%02x", tag, w->open_tag);
	else if (w->segment_limit && w->open_tag == HW_HEAP_DUMP_SEGMENT &&
		 w->len - w->open_at - 9 >= w->segment_limit)
		hw_heap_begin(w, HW_HEAP_DUMP_SEGMENT);
	at = w->len;
	hw_u1(w, tag);
	w->stats.subs[tag]++;
	return at;
}

size_t hw_sub_raw(struct hw_writer *w, uint8_t tag, const void *body, size_t n)
{
	size_t at = hw_sub_begin(w, tag);

	hw_bytes(w, body, n);
	return at;
}

/* ---- value buffers ---- */

void hw_values_init(struct hw_values *v, uint32_t id_size)
{
	if (id_size > HW_MAX_ID_WRITE)
		hw_die("cannot write ids of %u bytes", id_size);
	memset(v, 0, sizeof *v);
	v->id_size = id_size;
}

void hw_values_release(struct hw_values *v)
{
	free(v->data);
	v->data = NULL;
	v->len = 0;
	v->cap = 0;
}

void hw_values_clear(struct hw_values *v)
{
	v->len = 0;
}

void hw_values_put(struct hw_values *v, struct hw_value value)
{
	uint8_t tmp[HW_MAX_ID_WRITE];
	size_t n = hw_encode_value(tmp, value, v->id_size);

	hw_grow((void **)&v->data, &v->cap, hw_add(v->len, n), 1);
	memcpy(v->data + v->len, tmp, n);
	v->len += n;
}

void hw_values_obj(struct hw_values *v, uint64_t id) { hw_values_put(v, hw_v_obj(id)); }
void hw_values_bool(struct hw_values *v, int b) { hw_values_put(v, hw_v_bool(b)); }
void hw_values_char(struct hw_values *v, uint16_t c) { hw_values_put(v, hw_v_char(c)); }
void hw_values_float(struct hw_values *v, float f) { hw_values_put(v, hw_v_float(f)); }
void hw_values_double(struct hw_values *v, double d) { hw_values_put(v, hw_v_double(d)); }
void hw_values_byte(struct hw_values *v, int8_t b) { hw_values_put(v, hw_v_byte(b)); }
void hw_values_short(struct hw_values *v, int16_t s) { hw_values_put(v, hw_v_short(s)); }
void hw_values_int(struct hw_values *v, int32_t i) { hw_values_put(v, hw_v_int(i)); }
void hw_values_long(struct hw_values *v, int64_t j) { hw_values_put(v, hw_v_long(j)); }
