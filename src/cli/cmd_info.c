/*
 * cmd_info.c - heaplens info: what the dump is and what it holds.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct kv { const char *key; char val[160]; int num; };

static void iso_time(uint64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (!gmtime_r(&t, &tm) ||
	    !strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm))
		snprintf(buf, len, "unknown");
	else
		snprintf(buf + strlen(buf), len - strlen(buf), ".%03uZ",
			 (unsigned)(ms % 1000));
}

static int add(struct kv *kv, int n, const char *key, int num,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int add(struct kv *kv, int n, const char *key, int num,
	       const char *fmt, ...)
{
	va_list ap;

	kv[n].key = key;
	kv[n].num = num;
	va_start(ap, fmt);
	vsnprintf(kv[n].val, sizeof(kv[n].val), fmt, ap);
	va_end(ap);
	return n + 1;
}

#define U(x) ((unsigned long long)(x))

static int collect(const struct session *s, const hl_info *in, struct kv *kv)
{
	static const char *const root_keys[HL_ROOT_KIND_COUNT] = {
		"roots.unknown", "roots.jni_global", "roots.jni_local",
		"roots.java_frame", "roots.native_stack", "roots.sticky_class",
		"roots.thread_block", "roots.monitor_used", "roots.thread_object",
		"roots.interned_string", "roots.finalizing", "roots.debugger",
		"roots.reference_cleanup", "roots.vm_internal",
		"roots.jni_monitor", "roots.unreachable"
	};
	static char tagkeys[256][32];
	char ts[64];
	int n = 0, k;

	iso_time(in->timestamp_ms, ts, sizeof(ts));
	n = add(kv, n, "path", 0, "%s", s->dump_path);
	n = add(kv, n, "format", 0, "%s", in->version);
	n = add(kv, n, "id_size", 1, "%u", in->id_size);
	n = add(kv, n, "dump_time", 0, "%s", ts);
	n = add(kv, n, "file_size", 1, "%llu", U(in->file_size));
	n = add(kv, n, "fingerprint", 0, "%016llx", U(in->fingerprint));
	n = add(kv, n, "uncompressed_size", 1, "%llu", U(in->data_size));
	n = add(kv, n, "gzip", 0, "%s", in->gzip ? "yes" : "no");
	if (in->gzip)
		n = add(kv, n, "gzip_members", 1, "%u", in->gzip_members);
	n = add(kv, n, "dumps", 1, "%u", in->dump_count);
	n = add(kv, n, "dump_analysed", 1, "%u", in->dump_index);
	for (k = 0; k < 256; k++) {
		static const char *const names[] = {
			[0x01] = "utf8", [0x02] = "load_class", [0x03] = "unload_class",
			[0x04] = "frame", [0x05] = "trace", [0x06] = "alloc_sites",
			[0x07] = "heap_summary", [0x0A] = "start_thread",
			[0x0B] = "end_thread", [0x0C] = "heap_dump",
			[0x0D] = "cpu_samples", [0x0E] = "control_settings",
			[0x1C] = "heap_dump_segment", [0x2C] = "heap_dump_end",
		};

		if (!in->record_count[k])
			continue;
		if (k < (int)(sizeof(names) / sizeof(names[0])) && names[k])
			snprintf(tagkeys[k], sizeof(tagkeys[k]), "records.%s", names[k]);
		else
			snprintf(tagkeys[k], sizeof(tagkeys[k]), "records.tag_0x%02x", k);
		n = add(kv, n, tagkeys[k], 1, "%llu", U(in->record_count[k]));
	}
	n = add(kv, n, "heap_records", 1, "%llu", U(in->heap_records));
	n = add(kv, n, "classes", 1, "%llu", U(in->classes));
	n = add(kv, n, "objects", 1, "%llu", U(in->objects));
	n = add(kv, n, "instances", 1, "%llu", U(in->instances));
	n = add(kv, n, "object_arrays", 1, "%llu", U(in->object_arrays));
	n = add(kv, n, "primitive_arrays", 1, "%llu", U(in->primitive_arrays));
	n = add(kv, n, "class_objects", 1, "%llu", U(in->class_objects));
	for (k = 0; k < HL_ROOT_KIND_COUNT; k++)
		if (in->roots[k])
			n = add(kv, n, root_keys[k], 1, "%llu", U(in->roots[k]));
	n = add(kv, n, "root_objects", 1, "%llu", U(in->root_objects));
	n = add(kv, n, "reachable_objects", 1, "%llu", U(in->reachable_objects));
	n = add(kv, n, "reachable_bytes", 1, "%llu", U(in->reachable_bytes));
	n = add(kv, n, "unreachable_objects", 1, "%llu", U(in->unreachable_objects));
	n = add(kv, n, "unreachable_bytes", 1, "%llu", U(in->unreachable_bytes));
	n = add(kv, n, "compressed_refs", 0, "%s", in->compressed_refs ? "yes" : "no");
	n = add(kv, n, "ref_size", 1, "%u", in->ref_size);
	n = add(kv, n, "object_header", 1, "%u", in->header_size);
	n = add(kv, n, "alignment", 1, "%u", in->alignment);
	n = add(kv, n, "dangling_refs", 1, "%llu", U(in->dangling_refs));
	n = add(kv, n, "truncated", 0, "%s", in->truncated_at || in->truncated_bytes ? "yes" : "no");
	if (in->truncated_at || in->truncated_bytes) {
		n = add(kv, n, "truncated_at", 1, "%llu", U(in->truncated_at));
		n = add(kv, n, "truncated_bytes_lost", 1, "%llu", U(in->truncated_bytes));
	}
	n = add(kv, n, "warnings", 1, "%llu", U(in->warnings));
	return n;
}

static void print_json(const struct session *s, const struct kv *kv, int n)
{
	int i;

	json_header(s, stdout);
	fputs(",\"info\":{", stdout);
	for (i = 0; i < n; i++) {
		printf("%s\"%s\":", i ? "," : "", kv[i].key);
		if (kv[i].num)
			fputs(kv[i].val, stdout);
		else
			json_str(stdout, kv[i].val);
	}
	fputs("}}\n", stdout);
}

int cmd_info(int argc, char **argv, struct session *s)
{
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	struct cli_opts st = { 0, 0 };
	static const struct column cols[] = {
		{ "field", COL_STR, 0 }, { "value", COL_STR, 0 } };
	struct kv kv[128];
	hl_info in;
	int n, i, code;

	while (cli_option(s, argc, argv, "", opts, NULL, &st) != -1)
		;
	if (st.error)
		return st.error;
	if (optind != argc - 1)
		return cli_usage(s, "usage: heaplens info DUMP");
	s->dump_path = argv[optind];
	code = session_open(s, NEED_HEAP);
	if (code)
		return code;
	hl_get_info(s->heap, &in);
	n = collect(s, &in, kv);
	if (s->format == FMT_JSON) {
		print_json(s, kv, n);
		return EXIT_OK;
	}
	if (s->format == FMT_TEXT) {
		for (i = 0; i < n; i++) {
			char esc[400];

			hl_escape(kv[i].val, strlen(kv[i].val), esc, sizeof(esc));
			printf("%-24s %s\n", kv[i].key, esc);
		}
		return EXIT_OK;
	}
	{
		struct table *t = table_begin(s, cols, 2, "info");

		for (i = 0; i < n; i++) {
			struct cell c[2] = { { kv[i].key, 0, 0 }, { kv[i].val, 0, 0 } };

			table_row(t, c);
		}
		table_end(t, NULL, NULL);
	}
	return EXIT_OK;
}
