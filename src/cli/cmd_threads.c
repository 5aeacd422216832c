/*
 * cmd_threads.c - heaplens threads: each thread with its name, retained
 * size and stack trace, and under each frame the locals it holds, like a
 * Java stack trace annotated with memory.  Threads come largest retained
 * size first.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

struct threads_opts {
	uint64_t top;
	int locals;
};

/* "Foo.java:12", "Native Method", ... as in a Java stack trace. */
static char *location(const hl_stack_frame *f, char *buf, size_t len)
{
	if (f->line == -3)
		snprintf(buf, len, "Native Method");
	else if (*f->source && f->line > 0)
		snprintf(buf, len, "%s:%d", f->source, (int)f->line);
	else if (*f->source)
		snprintf(buf, len, "%s", f->source);
	else if (f->line == -2)
		snprintf(buf, len, "Compiled Code");
	else
		snprintf(buf, len, "Unknown Source");
	return buf;
}

/* Class.method(Location), not escaped. */
static char *frame_text(const hl_stack_frame *f, char *buf, size_t len)
{
	char loc[600];

	snprintf(buf, len, "%s%s%s(%s)", f->class_name, *f->class_name ? "." : "",
		 *f->method ? f->method : "<unknown>", location(f, loc, sizeof(loc)));
	return buf;
}

/* Dump text for the terminal: modified UTF-8 made well-formed, escaped. */
static const char *esc(const char *in, char *buf, size_t len)
{
	char clean[4100];
	size_t n = hl_utf8_clean(in, strlen(in), clean, sizeof(clean));

	hl_escape(clean, n, buf, len);
	return buf;
}

static void jstr(const char *in)
{
	char clean[4100];

	hl_utf8_clean(in, strlen(in), clean, sizeof(clean));
	json_str(stdout, clean);
}

static void text_local(struct session *s, const hl_stack_local *l)
{
	char e[1200], preview[400];
	const char *cn = hl_class_name(s->heap, hl_object_class(s->heap, l->obj));

	hl_object_preview(s->heap, l->obj, 60, preview, sizeof(preview));
	printf("    local 0x%llx %s (retained %llu)",
	       (unsigned long long)hl_object_id(s->heap, l->obj),
	       esc(cn, e, sizeof(e)),
	       (unsigned long long)hl_retained(s->heap, l->obj));
	if (l->kind != HL_ROOT_JAVA_FRAME)
		printf(" [%s]", hl_root_kind_name(l->kind));
	printf("%s%s\n", *preview ? "  " : "", esc(preview, e, sizeof(e)));
}

static void text_thread(struct session *s, const struct threads_opts *o,
			const hl_thread_info *t)
{
	char e[2400], f[1200];
	size_t i, k;

	printf("\"%s\"", esc(t->name, e, sizeof(e)));
	printf(" 0x%llx %s  retained %llu  shallow %llu\n",
	       (unsigned long long)hl_object_id(s->heap, t->obj),
	       esc(hl_class_name(s->heap, hl_object_class(s->heap, t->obj)), e, sizeof(e)),
	       (unsigned long long)t->retained, (unsigned long long)t->shallow);
	for (i = 0; i < t->nframes; i++) {
		printf("  at %s\n", esc(frame_text(&t->frames[i], f, sizeof(f)), e,
					sizeof(e)));
		for (k = 0; o->locals && k < t->frames[i].nlocals; k++)
			text_local(s, &t->frames[i].locals[k]);
	}
	if (!t->nframes)
		printf("  (no Java frames)\n");
	if (o->locals && t->nother) {
		printf("  locals outside the frames of the trace:\n");
		for (k = 0; k < t->nother; k++)
			text_local(s, &t->other_locals[k]);
	}
}

/* ---- JSON ---- */

static void json_local(struct session *s, const hl_stack_local *l, int first)
{
	char preview[200];
	hl_obj o = l->obj;

	printf("%s{\"id\":\"0x%llx\",\"class\":", first ? "" : ",",
	       (unsigned long long)hl_object_id(s->heap, o));
	jstr(hl_class_name(s->heap, hl_object_class(s->heap, o)));
	printf(",\"kind\":");
	jstr(hl_root_kind_name(l->kind));
	printf(",\"shallow\":%llu,\"retained\":%llu",
	       (unsigned long long)hl_object_shallow(s->heap, o),
	       (unsigned long long)hl_retained(s->heap, o));
	hl_object_preview(s->heap, o, 60, preview, sizeof(preview));
	if (*preview) {
		printf(",\"preview\":");
		jstr(preview);
	}
	putchar('}');
}

static void json_frame(struct session *s, const struct threads_opts *o,
		       const hl_stack_frame *f, size_t depth)
{
	char buf[1200];
	size_t k;

	printf("%s\n{\"depth\":%zu,\"frame\":", depth ? "," : "", depth);
	jstr(frame_text(f, buf, sizeof(buf)));
	printf(",\"class\":");
	jstr(f->class_name);
	printf(",\"method\":");
	jstr(f->method);
	printf(",\"signature\":");
	jstr(f->signature);
	printf(",\"source\":");
	jstr(f->source);
	printf(",\"line\":%d", (int)f->line);
	if (o->locals) {
		printf(",\"locals\":[");
		for (k = 0; k < f->nlocals; k++)
			json_local(s, &f->locals[k], !k);
		putchar(']');
	}
	putchar('}');
}

static void json_thread(struct session *s, const struct threads_opts *o,
			const hl_thread_info *t, int first)
{
	size_t i;

	printf("%s\n{\"id\":\"0x%llx\",\"name\":", first ? "" : ",",
	       (unsigned long long)hl_object_id(s->heap, t->obj));
	jstr(t->name);
	printf(",\"class\":");
	jstr(hl_class_name(s->heap, hl_object_class(s->heap, t->obj)));
	printf(",\"serial\":%u,\"shallow\":%llu,\"retained\":%llu,\"frames\":[",
	       t->serial, (unsigned long long)t->shallow,
	       (unsigned long long)t->retained);
	for (i = 0; i < t->nframes; i++)
		json_frame(s, o, &t->frames[i], i);
	putchar(']');
	if (o->locals) {
		printf(",\"other_locals\":[");
		for (i = 0; i < t->nother; i++)
			json_local(s, &t->other_locals[i], !i);
		putchar(']');
	}
	putchar('}');
}

/* ---- TSV/CSV: one row per thread, frame and local ---- */

static const struct column tab_cols[] = {
	{ "kind", COL_STR, 0 }, { "thread_id", COL_ID, 0 },
	{ "thread", COL_STR, 0 }, { "depth", COL_STR, 1 },
	{ "frame", COL_STR, 0 }, { "id", COL_STR, 0 }, { "class", COL_STR, 0 },
	{ "shallow", COL_STR, 1 }, { "retained", COL_STR, 1 },
	{ "preview", COL_STR, 0 },
};

static void tab_row(struct session *s, struct table *tb, const char *kind,
		    const hl_thread_info *t, long depth, const char *frame,
		    hl_obj o)
{
	char d[24] = "", id[24] = "", sh[24] = "", rt[24] = "", preview[200] = "";
	const char *cls = "";
	struct cell c[10];

	if (depth >= 0)
		snprintf(d, sizeof(d), "%ld", depth);
	if (o != HL_NONE) {
		snprintf(id, sizeof(id), "0x%llx", (unsigned long long)hl_object_id(s->heap, o));
		snprintf(sh, sizeof(sh), "%llu", (unsigned long long)hl_object_shallow(s->heap, o));
		snprintf(rt, sizeof(rt), "%llu", (unsigned long long)hl_retained(s->heap, o));
		cls = hl_class_name(s->heap, hl_object_class(s->heap, o));
		if (o != t->obj)
			hl_object_preview(s->heap, o, 60, preview, sizeof(preview));
	}
	c[0] = (struct cell){ kind, 0, 0 };
	c[1] = (struct cell){ NULL, hl_object_id(s->heap, t->obj), 0 };
	c[2] = (struct cell){ t->name, 0, 0 };
	c[3] = (struct cell){ d, 0, 0 };
	c[4] = (struct cell){ frame, 0, 0 };
	c[5] = (struct cell){ id, 0, 0 };
	c[6] = (struct cell){ cls, 0, 0 };
	c[7] = (struct cell){ sh, 0, 0 };
	c[8] = (struct cell){ rt, 0, 0 };
	c[9] = (struct cell){ preview, 0, 0 };
	table_row(tb, c);
}

static void tab_thread(struct session *s, const struct threads_opts *o,
		       struct table *tb, const hl_thread_info *t)
{
	char f[1200];
	size_t i, k;

	tab_row(s, tb, "thread", t, -1, "", t->obj);
	for (i = 0; i < t->nframes; i++) {
		frame_text(&t->frames[i], f, sizeof(f));
		tab_row(s, tb, "frame", t, (long)i, f, HL_NONE);
		for (k = 0; o->locals && k < t->frames[i].nlocals; k++)
			tab_row(s, tb, "local", t, (long)i, f,
				t->frames[i].locals[k].obj);
	}
	for (k = 0; o->locals && k < t->nother; k++)
		tab_row(s, tb, "local", t, -1, "", t->other_locals[k].obj);
}

static int parse(int argc, char **argv, struct session *s, struct threads_opts *o)
{
	static const struct option opts[] = {
		{ "top", required_argument, NULL, 't' },
		{ "no-locals", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_opts st = { 0, 0 };
	int c;

	while ((c = cli_option(s, argc, argv, "", opts, NULL, &st)) != -1) {
		switch (c) {
		case 't':
			if (parse_u64(optarg, &o->top))
				return cli_usage(s, "--top: expected a number (0: all)");
			break;
		case 'n': o->locals = 0; break;
		}
	}
	if (st.error)
		return st.error;
	if (optind != argc - 1)
		return cli_usage(s, "usage: heaplens threads [--top N] [--no-locals] DUMP");
	s->dump_path = argv[optind];
	return EXIT_OK;
}

static void print_threads(struct session *s, const struct threads_opts *o,
			  const hl_thread_list *tl)
{
	size_t i, n = o->top && o->top < tl->count ? (size_t)o->top : tl->count;
	struct table *tb;

	if (s->format == FMT_TEXT) {
		for (i = 0; i < n; i++) {
			if (i)
				putchar('\n');
			text_thread(s, o, &tl->threads[i]);
		}
		if (!tl->count)
			printf("no threads in the dump (no ROOT_THREAD_OBJ records)\n");
	} else if (s->format == FMT_JSON) {
		json_header(s, stdout);
		printf(",\"thread_count\":%zu,\"threads\":[", tl->count);
		for (i = 0; i < n; i++)
			json_thread(s, o, &tl->threads[i], !i);
		printf("\n]}\n");
	} else {
		tb = table_begin(s, tab_cols, 10, "rows");
		for (i = 0; i < n; i++)
			tab_thread(s, o, tb, &tl->threads[i]);
		table_end(tb, NULL, NULL);
	}
}

int cmd_threads(int argc, char **argv, struct session *s)
{
	struct threads_opts o = { 0, 1 };
	hl_thread_list tl;
	hl_status st;
	int code = parse(argc, argv, s, &o);

	if (code)
		return code;
	code = session_open(s, NEED_DOMINATORS);
	if (code)
		return code;
	st = hl_thread_list_build(s->heap, &tl);
	if (st != HL_OK) {
		cli_error(s, "%s: %s", s->dump_path, hl_errmsg(s->heap));
		return exit_code_for(st);
	}
	print_threads(s, &o, &tl);
	hl_thread_list_free(&tl);
	return EXIT_OK;
}
