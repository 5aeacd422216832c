/*
 * cmd_strings.c - heaplens strings: duplicate java.lang.String values,
 * largest waste first (what deduplicating them would free), or with
 * --match the Strings whose value matches a POSIX extended regex.
 * Values are cut at 80 characters; in text they are quoted, and every
 * format escapes them.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#define VALUE_CHARS 80

struct strings_opts {
	uint64_t min_count, top;
	const char *match;
	int flags;
};

/* The first VALUE_CHARS characters of a String; quoted in text.  The
 * table writer escapes it (a NUL character, C0 80 in the decoded text,
 * prints as \u0000). */
static const char *value_of(struct session *s, hl_obj o, uint64_t length,
			    char *buf, size_t len)
{
	int text = s->format == FMT_TEXT, cut = length > VALUE_CHARS;
	size_t n;

	if (len < 16) {
		buf[0] = '\0';
		return buf;
	}
	n = hl_string_value(s->heap, o, VALUE_CHARS, buf + text, len - 8);
	if (text)
		buf[0] = '"';
	snprintf(buf + text + n, len - text - n, "%s%s", cut ? "..." : "",
		 text ? "\"" : "");
	return buf;
}

static int parse(int argc, char **argv, struct session *s, struct strings_opts *o)
{
	static const struct option opts[] = {
		{ "min-count", required_argument, NULL, 'm' },
		{ "top", required_argument, NULL, 't' },
		{ "match", required_argument, NULL, 'r' },
		{ "ignore-case", no_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_opts st = { 0, 0 };
	int c;

	while ((c = cli_option(s, argc, argv, "i", opts, NULL, &st)) != -1) {
		switch (c) {
		case 'm':
			if (parse_u64(optarg, &o->min_count) || !o->min_count)
				return cli_usage(s, "--min-count: expected a number from 1");
			break;
		case 't':
			if (parse_u64(optarg, &o->top))
				return cli_usage(s, "--top: expected a number (0: all)");
			break;
		case 'r': o->match = optarg; break;
		case 'i': o->flags |= HL_MATCH_ICASE; break;
		}
	}
	if (st.error)
		return st.error;
	if (optind != argc - 1)
		return cli_usage(s, "usage: heaplens strings [--min-count N] [--top N] [--match REGEX] [--ignore-case] DUMP");
	s->dump_path = argv[optind];
	if (o->match) { /* a bad expression fails before the dump is read */
		regex_t re;
		char why[200];
		int rc = regcomp(&re, o->match, REG_EXTENDED | REG_NOSUB);

		if (rc) {
			regerror(rc, &re, why, sizeof(why));
			return cli_usage(s, "--match: bad regular expression: %s", why);
		}
		regfree(&re);
	}
	return EXIT_OK;
}

static void dup_columns(int text, struct column *cols)
{
	static const struct column value = { "value", COL_STR, 0 };
	static const struct column rest[] = {
		{ "copies", COL_NUM, 1 }, { "wasted", COL_NUM, 1 },
		{ "length", COL_NUM, 1 }, { "first_id", COL_ID, 0 },
		{ "bytes", COL_NUM, 1 },
	};
	int k = 0, i;

	if (!text)
		cols[k++] = value;
	for (i = 0; i < 5; i++)
		cols[k++] = rest[i];
	if (text)
		cols[k++] = value;
}

static void dup_row(struct session *s, struct table *t, const hl_string_group *g)
{
	char v[VALUE_CHARS * 4 + 16];
	int text = s->format == FMT_TEXT, k = 0;
	struct cell c[6];

	value_of(s, g->first, g->length, v, sizeof(v));
	if (!text)
		c[k++] = (struct cell){ v, 0, 0 };
	c[k++] = (struct cell){ NULL, g->copies, 0 };
	c[k++] = (struct cell){ NULL, g->wasted, 0 };
	c[k++] = (struct cell){ NULL, g->length, 0 };
	c[k++] = (struct cell){ NULL, hl_object_id(s->heap, g->first), 0 };
	c[k++] = (struct cell){ NULL, g->bytes, 0 };
	if (text)
		c[k++] = (struct cell){ v, 0, 0 };
	table_row(t, c);
}

static int duplicates(struct session *s, const struct strings_opts *o)
{
	struct column cols[6];
	hl_string_dups d;
	struct table *t;
	char footer[400], extra[400];
	size_t i;
	hl_status st = hl_string_dups_build(s->heap, o->min_count, o->top, &d);

	if (st != HL_OK) {
		cli_error(s, "%s: %s", s->dump_path, hl_errmsg(s->heap));
		return exit_code_for(st);
	}
	dup_columns(s->format == FMT_TEXT, cols);
	t = table_begin(s, cols, 6, "strings");
	for (i = 0; i < d.count; i++) {
		dup_row(s, t, &d.groups[i]);
		if (d.groups[i].collision && !s->quiet)
			fprintf(stderr, "%s: %s: warning: the group of 0x%llx mixes values with one hash\n",
				s->prog, s->dump_path,
				(unsigned long long)hl_object_id(s->heap, d.groups[i].first));
	}
	snprintf(footer, sizeof(footer),
		 "%llu strings (%llu bytes with their arrays), %llu distinct values; "
		 "%llu values with %llu or more copies waste %llu bytes\n",
		 (unsigned long long)d.strings, (unsigned long long)d.bytes,
		 (unsigned long long)d.distinct, (unsigned long long)d.groups_total,
		 (unsigned long long)o->min_count, (unsigned long long)d.wasted);
	snprintf(extra, sizeof(extra),
		 "\"totals\":{\"strings\":%llu,\"bytes\":%llu,\"distinct\":%llu,\"groups\":%llu,\"wasted\":%llu,\"min_count\":%llu}",
		 (unsigned long long)d.strings, (unsigned long long)d.bytes,
		 (unsigned long long)d.distinct, (unsigned long long)d.groups_total,
		 (unsigned long long)d.wasted, (unsigned long long)o->min_count);
	table_end(t, footer, extra);
	hl_string_dups_free(&d);
	return EXIT_OK;
}

static int matching(struct session *s, const struct strings_opts *o)
{
	static const struct column text_cols[] = {
		{ "id", COL_ID, 0 }, { "retained", COL_NUM, 1 },
		{ "length", COL_NUM, 1 }, { "value", COL_STR, 0 },
	};
	static const struct column tab_cols[] = {
		{ "id", COL_ID, 0 }, { "retained", COL_NUM, 1 },
		{ "length", COL_NUM, 1 }, { "value", COL_STR, 0 },
		{ "shallow", COL_NUM, 1 },
	};
	int text = s->format == FMT_TEXT;
	hl_obj *hits;
	size_t n, i, shown;
	struct table *t;
	char footer[200], extra[200];
	hl_status st = hl_string_match(s->heap, o->match, o->flags, &hits, &n);

	if (st == HL_E_USAGE)
		return cli_usage(s, "--match: %s", hl_errmsg(s->heap));
	if (st != HL_OK) {
		cli_error(s, "%s: %s", s->dump_path, hl_errmsg(s->heap));
		return exit_code_for(st);
	}
	shown = o->top && o->top < n ? (size_t)o->top : n;
	t = table_begin(s, text ? text_cols : tab_cols, text ? 4 : 5, "strings");
	for (i = 0; i < shown; i++) {
		char v[VALUE_CHARS * 4 + 16];
		uint64_t len = hl_string_length(s->heap, hits[i]);
		struct cell c[5] = {
			{ NULL, hl_object_id(s->heap, hits[i]), 0 },
			{ NULL, hl_retained(s->heap, hits[i]), 0 },
			{ NULL, len, 0 },
			{ value_of(s, hits[i], len, v, sizeof(v)), 0, 0 },
			{ NULL, hl_object_shallow(s->heap, hits[i]), 0 },
		};

		table_row(t, c);
	}
	snprintf(footer, sizeof(footer), "%zu strings match%s\n", n,
		 shown < n ? " (see --top)" : "");
	snprintf(extra, sizeof(extra), "\"totals\":{\"matches\":%zu}", n);
	table_end(t, footer, extra);
	hl_string_match_free(hits);
	return n ? EXIT_OK : EXIT_FAIL;
}

int cmd_strings(int argc, char **argv, struct session *s)
{
	struct strings_opts o = { STRINGS_MIN_COUNT, STRINGS_TOP, NULL, 0 };
	int code = parse(argc, argv, s, &o);

	if (code)
		return code;
	code = session_open(s, o.match ? NEED_DOMINATORS : NEED_HEAP);
	if (code)
		return code;
	return o.match ? matching(s, &o) : duplicates(s, &o);
}
