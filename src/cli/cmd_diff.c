/*
 * cmd_diff.c - heaplens diff BASE NEW: what grew between two dumps of one
 * program, class by class, the largest growth of retained size first.
 *
 * Both dumps are open at once (two handles, each with its dominator tree);
 * the library matches the classes (hl_diff_build).  Text keeps the class in
 * the last column, one line per class, so `grep` works on it; the JSON
 * envelope's "dump" is NEW, and "baseline" describes BASE the same
 * way (as in check --baseline).
 */
#include "cli/cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct diff_opts {
	int sort;
	uint64_t top;
	const char *base;
};

static const char *const status_names[] = { "same", "changed", "new", "gone" };

static int parse(int argc, char **argv, struct session *s, struct diff_opts *o)
{
	static const struct option opts[] = {
		{ "sort", required_argument, NULL, 's' },
		{ "top", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_opts st = { 0, 0 };
	int c;

	while ((c = cli_option(s, argc, argv, "", opts, NULL, &st)) != -1) {
		switch (c) {
		case 's':
			if (!strcmp(optarg, "retained")) o->sort = HL_SORT_RETAINED;
			else if (!strcmp(optarg, "shallow")) o->sort = HL_SORT_SHALLOW;
			else if (!strcmp(optarg, "instances")) o->sort = HL_SORT_INSTANCES;
			else return cli_usage(s, "--sort: expected retained, shallow or instances");
			break;
		case 't':
			if (parse_u64(optarg, &o->top))
				return cli_usage(s, "--top: expected a number");
			break;
		}
	}
	if (st.error)
		return st.error;
	if (optind != argc - 2)
		return cli_usage(s, "usage: heaplens diff [options] BASE NEW");
	o->base = argv[optind];
	s->dump_path = argv[optind + 1];
	return EXIT_OK;
}

/* Open BASE, then NEW as the session's dump; BASE's handle goes to *base. */
static int open_both(struct session *s, const char *base_path, hl_heap **base)
{
	const char *new_path = s->dump_path;
	int code;

	s->dump_path = base_path;
	code = session_open(s, NEED_DOMINATORS);
	s->dump_path = new_path;
	if (code)
		return code; /* main closes s->heap, BASE's handle */
	*base = s->heap;
	s->heap = NULL;
	return session_open(s, NEED_DOMINATORS);
}

/* A signed difference: "+12", "-3", "0" (text) or "12", "-3", "0". */
static char *signed_text(uint64_t before, uint64_t after, int plus, char *buf,
			 size_t len)
{
	int64_t d = (int64_t)after - (int64_t)before;

	snprintf(buf, len, plus && d > 0 ? "+%" PRId64 : "%" PRId64, d);
	return buf;
}

static const struct column text_cols[] = {
	{ "status", COL_STR, 0 }, { "instances_delta", COL_STR, 1 },
	{ "shallow_delta", COL_STR, 1 }, { "retained_delta", COL_STR, 1 },
	{ "retained", COL_NUM, 1 }, { "class", COL_STR, 0 },
};

static const struct column tsv_cols[] = {
	{ "class", COL_STR, 0 }, { "status", COL_STR, 0 },
	{ "base_instances", COL_NUM, 0 }, { "instances", COL_NUM, 0 },
	{ "instances_delta", COL_STR, 0 }, { "base_shallow", COL_NUM, 0 },
	{ "shallow", COL_NUM, 0 }, { "shallow_delta", COL_STR, 0 },
	{ "base_retained", COL_NUM, 0 }, { "retained", COL_NUM, 0 },
	{ "retained_delta", COL_STR, 0 },
};

static void table_line(struct table *t, const hl_diff_row *r, int text)
{
	char d[3][32];
	struct cell c[11];

	signed_text(r->base_instances, r->instances, text, d[0], sizeof(d[0]));
	signed_text(r->base_shallow, r->shallow, text, d[1], sizeof(d[1]));
	signed_text(r->base_retained, r->retained, text, d[2], sizeof(d[2]));
	if (text) {
		c[0] = (struct cell){ status_names[r->status], 0, 0 };
		c[1] = (struct cell){ d[0], 0, 0 };
		c[2] = (struct cell){ d[1], 0, 0 };
		c[3] = (struct cell){ d[2], 0, 0 };
		c[4] = (struct cell){ NULL, r->retained, 0 };
		c[5] = (struct cell){ r->name, 0, 0 };
	} else {
		c[0] = (struct cell){ r->name, 0, 0 };
		c[1] = (struct cell){ status_names[r->status], 0, 0 };
		c[2] = (struct cell){ NULL, r->base_instances, 0 };
		c[3] = (struct cell){ NULL, r->instances, 0 };
		c[4] = (struct cell){ d[0], 0, 0 };
		c[5] = (struct cell){ NULL, r->base_shallow, 0 };
		c[6] = (struct cell){ NULL, r->shallow, 0 };
		c[7] = (struct cell){ d[1], 0, 0 };
		c[8] = (struct cell){ NULL, r->base_retained, 0 };
		c[9] = (struct cell){ NULL, r->retained, 0 };
		c[10] = (struct cell){ d[2], 0, 0 };
	}
	table_row(t, c);
}

static void print_table(struct session *s, const hl_diff *d, size_t n)
{
	int text = s->format == FMT_TEXT;
	struct table *t = text ? table_begin(s, text_cols, 6, "classes")
			       : table_begin(s, tsv_cols, 11, "classes");
	char footer[512], b[2][32];
	size_t i;

	for (i = 0; i < n; i++)
		table_line(t, &d->rows[i], text);
	snprintf(footer, sizeof(footer),
		 "Total  %s instances  %s bytes (%llu -> %llu)  %zu classes: %zu new, %zu gone, %zu changed, %zu same\n",
		 signed_text(d->base_instances, d->instances, 1, b[0], sizeof(b[0])),
		 signed_text(d->base_shallow, d->shallow, 1, b[1], sizeof(b[1])),
		 (unsigned long long)d->base_shallow, (unsigned long long)d->shallow,
		 d->count, d->status_count[HL_DIFF_NEW], d->status_count[HL_DIFF_GONE],
		 d->status_count[HL_DIFF_CHANGED], d->status_count[HL_DIFF_SAME]);
	table_end(t, footer, NULL);
}

/* "key":{path, file_size, id_size, timestamp_ms, dump_index} of a dump,
 * as json_header writes the session's dump. */
static void json_dump(const char *key, const char *path, const hl_heap *h)
{
	hl_info in;

	hl_get_info(h, &in);
	printf(",\"%s\":{\"path\":", key);
	json_str(stdout, path);
	printf(",\"file_size\":%llu,\"id_size\":%u,\"timestamp_ms\":%llu,\"dump_index\":%u}",
	       (unsigned long long)in.file_size, in.id_size,
	       (unsigned long long)in.timestamp_ms, in.dump_index);
}

static void json_counts(const char *prefix, uint64_t before, uint64_t after)
{
	printf("\"base_%s\":%llu,\"%s\":%llu,\"%s_delta\":%" PRId64, prefix,
	       (unsigned long long)before, prefix, (unsigned long long)after,
	       prefix, (int64_t)after - (int64_t)before);
}

static void print_json(struct session *s, const char *base_path,
		       const hl_heap *base, const hl_diff *d, size_t n)
{
	size_t i;

	json_header(s, stdout);
	json_dump("baseline", base_path, base);
	fputs(",\"classes\":[", stdout);
	for (i = 0; i < n; i++) {
		const hl_diff_row *r = &d->rows[i];

		printf("%s\n{\"class\":", i ? "," : "");
		json_str(stdout, r->name);
		printf(",\"status\":\"%s\",", status_names[r->status]);
		json_counts("instances", r->base_instances, r->instances);
		putchar(',');
		json_counts("shallow", r->base_shallow, r->shallow);
		putchar(',');
		json_counts("retained", r->base_retained, r->retained);
		putchar('}');
	}
	fputs("\n],\"totals\":{", stdout);
	json_counts("instances", d->base_instances, d->instances);
	putchar(',');
	json_counts("shallow", d->base_shallow, d->shallow);
	printf(",\"classes\":%zu,\"new\":%zu,\"gone\":%zu,\"changed\":%zu,\"same\":%zu}}\n",
	       d->count, d->status_count[HL_DIFF_NEW], d->status_count[HL_DIFF_GONE],
	       d->status_count[HL_DIFF_CHANGED], d->status_count[HL_DIFF_SAME]);
}

int cmd_diff(int argc, char **argv, struct session *s)
{
	struct diff_opts o = { HL_SORT_RETAINED, 0, NULL };
	hl_heap *base = NULL;
	hl_diff d;
	hl_status st;
	size_t n;
	int code;

	code = parse(argc, argv, s, &o);
	if (!code)
		code = open_both(s, o.base, &base);
	if (code) {
		hl_close(base);
		return code;
	}
	st = hl_diff_build(base, s->heap, &d);
	if (st != HL_OK) {
		cli_error(s, "%s: %s", s->dump_path, hl_errmsg(s->heap));
		hl_close(base);
		return exit_code_for(st);
	}
	hl_diff_sort(&d, o.sort);
	n = o.top && o.top < d.count ? (size_t)o.top : d.count;
	if (s->format == FMT_JSON)
		print_json(s, o.base, base, &d, n);
	else
		print_table(s, &d, n);
	hl_diff_free(&d);
	hl_close(base);
	return EXIT_OK;
}
