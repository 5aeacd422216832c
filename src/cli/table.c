/*
 * table.c - one writer for every command's rows, in four formats.
 *
 * text: aligned columns with a header line (rows are buffered to size the
 *       columns; tables are per class or per object listed, never per
 *       heap object);
 * tsv:  a header line, then one row per line, tab-separated;
 * csv:  RFC 4180 quoting;
 * json: one object {schema_version, tool, ..., "<kind>": [rows...]}.
 * Every string cell is escaped with hl_escape (text, tsv) or JSON rules, so
 * dump strings never carry control characters to the terminal.
 */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct table {
	const struct session *s;
	const struct column *cols;
	int ncols;
	const char *kind;
	char **cells;       /* text: buffered, ncols per row */
	size_t rows, cap;
};

/* Length of the valid UTF-8 sequence at p, 0 if invalid. */
static size_t utf8_seq(const unsigned char *p)
{
	size_t n, i;

	if (p[0] < 0x80)
		return 1;
	n = p[0] >= 0xc2 && p[0] <= 0xdf ? 2 : p[0] >= 0xe0 && p[0] <= 0xef ? 3 :
	    p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : 0;
	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if (n == 3 && ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0)))
		return 0;
	if (n == 4 && ((p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90)))
		return 0;
	return n;
}

/* A JSON string: control characters as \u00XX, invalid UTF-8 as U+FFFD. */
void json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	while (*p) {
		size_t n = utf8_seq(p);

		if (p[0] == 0xc0 && p[1] == 0x80) { /* modified UTF-8 NUL */
			fputs("\\u0000", f);
			p += 2;
			continue;
		}
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else if (!n)
			fputs("\\ufffd", f);
		else
			fwrite(p, 1, n, f);
		p += n ? n : 1;
	}
	fputc('"', f);
}

void json_header(const struct session *s, FILE *f)
{
	hl_info in;

	fprintf(f, "{\"schema_version\":1,\"tool\":\"heaplens\",\"tool_version\":\"%s\",\"command\":",
		HL_VERSION_STRING);
	json_str(f, s->command ? s->command : "");
	if (s->heap) {
		hl_get_info(s->heap, &in);
		fputs(",\"dump\":{\"path\":", f);
		json_str(f, s->dump_path);
		fprintf(f, ",\"file_size\":%llu,\"fingerprint\":\"%016llx\",\"id_size\":%u,\"timestamp_ms\":%llu,\"dump_index\":%u}",
			(unsigned long long)in.file_size,
			(unsigned long long)in.fingerprint, in.id_size,
			(unsigned long long)in.timestamp_ms, in.dump_index);
	}
}

static char *format_cell(const struct column *c, const struct cell *v,
			 enum fmt f)
{
	char buf[1024];

	switch (c->type) {
	case COL_NUM:
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v->n);
		break;
	case COL_PCT:
		snprintf(buf, sizeof(buf), f == FMT_TEXT ? "%.2f%%" : "%.2f", v->f);
		break;
	case COL_ID:
		snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v->n);
		break;
	default:
		hl_escape(v->s ? v->s : "", strlen(v->s ? v->s : ""), buf,
			  sizeof(buf));
		break;
	}
	return strdup(buf);
}

static void csv_field(const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

struct table *table_begin(const struct session *s, const struct column *cols,
			  int ncols, const char *kind)
{
	struct table *t = calloc(1, sizeof(*t));
	int i;

	if (!t)
		return NULL;
	t->s = s;
	t->cols = cols;
	t->ncols = ncols;
	t->kind = kind;
	if (s->format == FMT_TSV || s->format == FMT_CSV) {
		for (i = 0; i < ncols; i++) {
			if (i)
				putchar(s->format == FMT_TSV ? '\t' : ',');
			fputs(cols[i].name, stdout);
		}
		putchar('\n');
	} else if (s->format == FMT_JSON) {
		json_header(s, stdout);
		printf(",\"%s\":[", kind);
	}
	return t;
}

static void json_row(struct table *t, const struct cell *v)
{
	int i;

	printf("%s\n{", t->rows ? "," : "");
	for (i = 0; i < t->ncols; i++) {
		const struct column *c = &t->cols[i];

		printf("%s\"%s\":", i ? "," : "", c->name);
		if (c->type == COL_NUM)
			printf("%llu", (unsigned long long)v[i].n);
		else if (c->type == COL_PCT)
			printf("%.4f", v[i].f);
		else if (c->type == COL_ID)
			printf("\"0x%llx\"", (unsigned long long)v[i].n);
		else
			json_str(stdout, v[i].s ? v[i].s : "");
	}
	putchar('}');
}

void table_row(struct table *t, const struct cell *v)
{
	int i;

	if (!t)
		return;
	if (t->s->format == FMT_JSON) {
		json_row(t, v);
		t->rows++;
		return;
	}
	if (t->s->format != FMT_TEXT) {
		for (i = 0; i < t->ncols; i++) {
			char *c = format_cell(&t->cols[i], &v[i], t->s->format);

			if (i)
				putchar(t->s->format == FMT_TSV ? '\t' : ',');
			if (t->s->format == FMT_CSV)
				csv_field(c ? c : "");
			else
				fputs(c ? c : "", stdout);
			free(c);
		}
		putchar('\n');
		t->rows++;
		return;
	}
	if (t->rows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		char **n = realloc(t->cells, cap * t->ncols * sizeof(char *));

		if (!n)
			return;
		t->cells = n;
		t->cap = cap;
	}
	for (i = 0; i < t->ncols; i++)
		t->cells[t->rows * t->ncols + i] =
			format_cell(&t->cols[i], &v[i], FMT_TEXT);
	t->rows++;
}

static void text_flush(struct table *t)
{
	size_t w[32] = { 0 }, r;
	int i;

	for (i = 0; i < t->ncols && i < 32; i++)
		w[i] = strlen(t->cols[i].name);
	for (r = 0; r < t->rows; r++)
		for (i = 0; i < t->ncols && i < 32; i++) {
			const char *c = t->cells[r * t->ncols + i];
			size_t n = c ? strlen(c) : 0;

			if (n > w[i])
				w[i] = n;
		}
	for (r = 0; r <= t->rows; r++) {
		for (i = 0; i < t->ncols && i < 32; i++) {
			const char *c = r ? t->cells[(r - 1) * t->ncols + i]
					  : t->cols[i].name;
			int last = i == t->ncols - 1;

			if (!c)
				c = "";
			if (last && !*c)
				break; /* no trailing blanks */
			if (t->cols[i].right)
				printf("%s%*s", i ? "  " : "", (int)w[i], c);
			else if (last)
				printf("%s%s", i ? "  " : "", c);
			else
				printf("%s%-*s", i ? "  " : "", (int)w[i], c);
		}
		putchar('\n');
	}
	for (r = 0; r < t->rows * t->ncols; r++)
		free(t->cells[r]);
	free(t->cells);
}

void table_end(struct table *t, const char *text_footer, const char *json_extra)
{
	if (!t)
		return;
	if (t->s->format == FMT_TEXT) {
		text_flush(t);
		if (text_footer)
			fputs(text_footer, stdout);
	} else if (t->s->format == FMT_JSON) {
		printf("\n]%s%s}\n", json_extra ? "," : "",
		       json_extra ? json_extra : "");
	}
	free(t);
}
