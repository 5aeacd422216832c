/*
 * cmd_show.c - heaplens show: everything about one object.
 *
 * The facts (class, kind, sizes, immediate dominator, GC roots, preview),
 * then the fields of an instance, the statics, super, loader and instance
 * size of a class object, or the first elements of an array, and with
 * --in/--out the references into and out of it.  The command first makes
 * a list of rows (section, name, type, value, class, retained, preview),
 * then writes it: text as one fact per line and aligned sections, TSV/CSV
 * as one table with a section column, JSON as one object with an array
 * per section.  Dump strings are escaped by whoever prints them.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

struct show_opts {
	uint64_t id, limit;
	int in, out;
};

enum sec { S_OBJECT, S_FIELD, S_STATIC, S_ELEMENT, S_INBOUND, S_OUTBOUND,
	   S_COUNT };
static const char *const sec_name[S_COUNT] = {
	"object", "field", "static", "element", "inbound", "outbound"
};
static const char *const sec_json[S_COUNT] = {
	"object", "fields", "statics", "elements", "inbound", "outbound"
};

struct row {
	enum sec sec;
	int numeric;          /* object facts: value is a number (JSON) */
	int has_retained;
	uint64_t retained;
	char name[128], type[16], value[64], cls[640], preview[400];
	char jval[600];       /* object facts: JSON value when not cls */
	char idkey[40], idval[600]; /* object facts: a second JSON key */
	const char *text;     /* long values (array text), owned elsewhere */
};

struct rows {
	struct row *r;
	size_t n, cap;
	size_t total[S_COUNT]; /* items before --limit cut them */
	int is_class, is_array, oom;
	char *text;            /* char[]/byte[] as text, or NULL */
	int text_cut;
};

static struct row *add(struct rows *rs, enum sec sec, const char *name)
{
	struct row *r;

	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 64;
		struct row *nr = realloc(rs->r, cap * sizeof(*nr));

		if (!nr) {
			rs->oom = 1;
			return NULL;
		}
		rs->r = nr;
		rs->cap = cap;
	}
	r = &rs->r[rs->n++];
	memset(r, 0, sizeof(*r));
	r->sec = sec;
	snprintf(r->name, sizeof(r->name), "%s", name);
	return r;
}

static void fact(struct rows *rs, const char *name, const char *value)
{
	struct row *r = add(rs, S_OBJECT, name);

	if (r)
		snprintf(r->cls, sizeof(r->cls), "%s", value);
}

static void fact_num(struct rows *rs, const char *name, uint64_t v)
{
	struct row *r = add(rs, S_OBJECT, name);

	if (r) {
		snprintf(r->cls, sizeof(r->cls), "%llu", (unsigned long long)v);
		r->numeric = 1;
	}
}

static const char *kind_name(int k)
{
	switch (k) {
	case HL_INSTANCE: return "instance";
	case HL_OBJ_ARRAY: return "object array";
	case HL_PRIM_ARRAY: return "primitive array";
	case HL_CLASS_OBJ: return "class";
	default: return "?";
	}
}

static const char *type_name(int t)
{
	switch (t) {
	case HL_T_OBJECT: return "object";
	case HL_T_BOOLEAN: return "boolean";
	case HL_T_CHAR: return "char";
	case HL_T_FLOAT: return "float";
	case HL_T_DOUBLE: return "double";
	case HL_T_BYTE: return "byte";
	case HL_T_SHORT: return "short";
	case HL_T_INT: return "int";
	case HL_T_LONG: return "long";
	default: return "?";
	}
}

/* Class name and preview of the object an id names; "" when dangling. */
static void target(struct session *s, struct row *r, uint64_t id)
{
	hl_obj t;

	if (!id)
		return;
	if (hl_find_object(s->heap, id, &t) != HL_OK) {
		snprintf(r->cls, sizeof(r->cls), "<missing>");
		return;
	}
	snprintf(r->cls, sizeof(r->cls), "%s",
		 hl_class_name(s->heap, hl_object_class(s->heap, t)));
	hl_object_preview(s->heap, t, 60, r->preview, sizeof(r->preview));
	r->has_retained = hl_has_dominators(s->heap);
	r->retained = hl_retained(s->heap, t);
}

static void roots_fact(struct session *s, struct rows *rs, hl_obj o)
{
	uint32_t mask = hl_root_kinds(s->heap, o);
	char buf[400];
	size_t used = 0;
	int k;

	if (!mask)
		return;
	buf[0] = '\0';
	for (k = 0; k < HL_ROOT_KIND_COUNT && used < sizeof(buf); k++)
		if (mask & (1u << k))
			used += (size_t)snprintf(buf + used, sizeof(buf) - used,
						 "%s%s", used ? ", " : "",
						 hl_root_kind_name(k));
	fact(rs, "gc_roots", buf);
}

/* A fact naming an object or class: "name id" in text, two keys in JSON. */
static void ref_fact(struct rows *rs, const char *name, const char *text,
		     const char *jval, const char *key2, const char *val2)
{
	struct row *r;

	fact(rs, name, text);
	if (rs->oom)
		return;
	r = &rs->r[rs->n - 1];
	snprintf(r->jval, sizeof(r->jval), "%s", jval);
	snprintf(r->idkey, sizeof(r->idkey), "%s", key2);
	snprintf(r->idval, sizeof(r->idval), "%s", val2);
}

static void idom_fact(struct session *s, struct rows *rs, hl_obj o)
{
	hl_obj d = hl_idom(s->heap, o);
	char buf[600], id[24];
	const char *cn;

	if (d == HL_ROOT) {
		fact(rs, "idom", "<root>");
	} else if (d == HL_NONE) {
		fact(rs, "idom", "<none: unreachable>");
	} else {
		cn = hl_class_name(s->heap, hl_object_class(s->heap, d));
		snprintf(buf, sizeof(buf), "0x%llx %s",
			 (unsigned long long)hl_object_id(s->heap, d), cn);
		snprintf(id, sizeof(id), "0x%llx",
			 (unsigned long long)hl_object_id(s->heap, d));
		ref_fact(rs, "idom", buf, id, "idom_class", cn);
	}
}

static void class_ref_fact(struct session *s, struct rows *rs,
			   const char *name, hl_cls c)
{
	char buf[600], key[40], id[24];
	const char *cn;

	if (c == HL_NONE)
		return;
	cn = hl_class_name(s->heap, c);
	snprintf(buf, sizeof(buf), "%s (0x%llx)", cn,
		 (unsigned long long)hl_class_id(s->heap, c));
	snprintf(key, sizeof(key), "%s_id", name);
	snprintf(id, sizeof(id), "0x%llx", (unsigned long long)hl_class_id(s->heap, c));
	ref_fact(rs, name, buf, cn, key, id);
}

static void basic_facts(struct session *s, struct rows *rs, hl_obj o)
{
	hl_cls c = hl_object_class(s->heap, o);
	char buf[600];

	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)hl_object_id(s->heap, o));
	fact(rs, "id", buf);
	class_ref_fact(s, rs, "class", c);
	fact(rs, "kind", kind_name(hl_object_kind(s->heap, o)));
	fact_num(rs, "shallow", hl_object_shallow(s->heap, o));
	fact_num(rs, "retained", hl_retained(s->heap, o));
	idom_fact(s, rs, o);
	roots_fact(s, rs, o);
	hl_object_preview(s->heap, o, 80, buf, sizeof(buf));
	if (*buf)
		fact(rs, "preview", buf);
}

/* Instance fields, or a class object's statics. */
static int field_rows(struct session *s, struct rows *rs, hl_obj o, enum sec sec)
{
	size_t n = hl_object_fields(s->heap, o, NULL, 0), i, k;
	hl_field_value *f = calloc(n + 1, sizeof(*f));

	if (!f)
		return -1;
	n = hl_object_fields(s->heap, o, f, n);
	for (i = 0; i < n; i++) {
		struct row *r = add(rs, sec, f[i].name);

		if (!r)
			break;
		for (k = 0; k < n; k++) /* a shadowed name: say whose */
			if (k != i && !strcmp(f[k].name, f[i].name))
				snprintf(r->name, sizeof(r->name), "%s.%s",
					 f[i].declared_in, f[i].name);
		snprintf(r->type, sizeof(r->type), "%s", type_name(f[i].type));
		hl_format_value(f[i].type, f[i].bits, r->value, sizeof(r->value));
		if (f[i].type == HL_T_OBJECT)
			target(s, r, f[i].bits);
	}
	rs->total[sec] = n;
	free(f);
	return 0;
}

static void class_facts(struct session *s, struct rows *rs, hl_obj o)
{
	hl_cls c = hl_object_as_class(s->heap, o);
	char buf[600];

	class_ref_fact(s, rs, "describes", c);
	class_ref_fact(s, rs, "super", hl_class_super(s->heap, c));
	fact(rs, "loader", hl_class_loader_name(s->heap, c, buf, sizeof(buf)));
	fact_num(rs, "instance_size", hl_class_instance_size(s->heap, c));
}

static int element_rows(struct session *s, struct rows *rs, hl_obj o,
			uint64_t limit)
{
	uint64_t len = hl_array_length(s->heap, o), *v;
	size_t n = limit && limit < len ? (size_t)limit : (size_t)len, i;
	int type;

	fact_num(rs, "length", len);
	rs->total[S_ELEMENT] = len;
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return -1;
	n = hl_array_values(s->heap, o, 0, v, n, &type);
	for (i = 0; i < n; i++) {
		char idx[32];
		struct row *r;

		snprintf(idx, sizeof(idx), "[%zu]", i);
		r = add(rs, S_ELEMENT, idx);
		if (!r)
			break;
		snprintf(r->type, sizeof(r->type), "%s", type_name(type));
		hl_format_value(type, v[i], r->value, sizeof(r->value));
		if (type == HL_T_OBJECT)
			target(s, r, v[i]);
	}
	free(v);
	if (type == HL_T_CHAR || type == HL_T_BYTE) {
		size_t max = limit ? (size_t)limit * 10 : (size_t)len, cap = max * 4 + 8;

		rs->text = malloc(cap);
		if (!rs->text)
			return -1;
		hl_string_value(s->heap, o, max, rs->text, cap);
		rs->text_cut = max < len;
	}
	return 0;
}

static void ref_row(struct session *s, struct rows *rs, enum sec sec,
		    hl_obj t, const char *label)
{
	struct row *r = add(rs, sec, label);

	if (!r)
		return;
	snprintf(r->type, sizeof(r->type), "object");
	snprintf(r->value, sizeof(r->value), "0x%llx",
		 (unsigned long long)hl_object_id(s->heap, t));
	target(s, r, hl_object_id(s->heap, t));
}

static int inbound_rows(struct session *s, struct rows *rs, hl_obj o,
			uint64_t limit)
{
	const hl_obj *from;
	size_t n = hl_inbound(s->heap, o, &from), i;

	rs->total[S_INBOUND] = n;
	for (i = 0; i < n && (!limit || i < limit); i++) {
		char label[128];

		hl_ref_label(s->heap, from[i], o, label, sizeof(label));
		ref_row(s, rs, S_INBOUND, from[i], label);
	}
	return 0;
}

static int outbound_rows(struct session *s, struct rows *rs, hl_obj o,
			 uint64_t limit)
{
	size_t n = hl_outbound(s->heap, o, NULL, 0), i;
	size_t k = limit && limit < n ? (size_t)limit : n;
	hl_ref *refs = calloc(k + 1, sizeof(*refs));

	if (!refs)
		return -1;
	hl_outbound(s->heap, o, refs, k);
	rs->total[S_OUTBOUND] = n;
	for (i = 0; i < k; i++)
		ref_row(s, rs, S_OUTBOUND, refs[i].obj, refs[i].label);
	free(refs);
	return 0;
}

/* ---- writers ---- */

/* Escape dump text for the terminal (rotating buffers, for one printf). */
static const char *esc(const char *in)
{
	static char buf[4][1700];
	static int k;
	char clean[1300];
	size_t n = hl_utf8_clean(in, strlen(in), clean, sizeof(clean));

	k = (k + 1) & 3;
	hl_escape(clean, n, buf[k], sizeof(buf[k]));
	return buf[k];
}

/* A JSON string of dump text (modified UTF-8 made well-formed). */
static void jstr(const char *in)
{
	char clean[1300];

	hl_utf8_clean(in, strlen(in), clean, sizeof(clean));
	json_str(stdout, clean);
}

/* Characters (not bytes) of UTF-8 text: what a terminal pads by. */
static size_t chars(const char *t)
{
	size_t n = 0;

	for (; *t; t++)
		n += ((unsigned char)*t & 0xc0) != 0x80;
	return n;
}

/* The text of column col of a row, escaped for the terminal. */
static const char *cell_text(const struct row *r, int col)
{
	switch (col) {
	case 0: return esc(r->name);
	case 1: return r->type;
	case 2: return r->value;
	default: return esc(r->cls);
	}
}

static size_t width(const struct rows *rs, enum sec sec, int col)
{
	size_t i, w = 0, n;

	for (i = 0; i < rs->n; i++) {
		if (rs->r[i].sec != sec)
			continue;
		n = chars(cell_text(&rs->r[i], col));
		if (n > w)
			w = n;
	}
	return w;
}

/* Append "  cell" padded to w characters to line (at *n). */
static void put_cell(char *line, size_t cap, size_t *n, const char *cell,
		     size_t w)
{
	size_t c = chars(cell);

	*n += (size_t)snprintf(line + *n, *n < cap ? cap - *n : 0, "  %s%*s",
			       cell, (int)(w > c ? w - c : 0), "");
	if (*n >= cap)
		*n = cap - 1;
}

static const char *sec_title(enum sec sec)
{
	switch (sec) {
	case S_FIELD: return "fields";
	case S_STATIC: return "static fields";
	case S_ELEMENT: return "elements";
	case S_INBOUND: return "inbound references";
	default: return "outbound references";
	}
}

/* Is a list section part of the output? */
static int shown(const struct rows *rs, const struct show_opts *o, enum sec sec)
{
	switch (sec) {
	case S_FIELD: return !rs->is_class && !rs->is_array;
	case S_STATIC: return rs->is_class;
	case S_ELEMENT: return rs->is_array;
	case S_INBOUND: return o->in;
	case S_OUTBOUND: return o->out;
	default: return 0;
	}
}

static void text_section(const struct rows *rs, enum sec sec)
{
	/* columns: refs id, class, label; elements index, value, class;
	 * fields name, type, value, class */
	static const int order[3][4] = { { 2, 3, 0, -1 }, { 0, 2, 3, -1 },
					 { 0, 1, 2, 3 } };
	const int *cols = order[sec == S_INBOUND || sec == S_OUTBOUND ? 0 :
				sec == S_ELEMENT ? 1 : 2];
	size_t w[4], i, n, shown = 0;
	char line[8192];
	int c;

	for (c = 0; c < 4; c++)
		w[c] = width(rs, sec, c);
	printf("%s (%zu):\n", sec_title(sec), rs->total[sec]);
	for (i = 0; i < rs->n; i++) {
		const struct row *r = &rs->r[i];

		if (r->sec != sec)
			continue;
		shown++;
		n = 0;
		line[0] = '\0';
		for (c = 0; c < 4 && cols[c] >= 0; c++)
			put_cell(line, sizeof(line), &n, cell_text(r, cols[c]), w[cols[c]]);
		if (r->has_retained)
			n += (size_t)snprintf(line + n, sizeof(line) - n, "  retained %llu",
					      (unsigned long long)r->retained);
		if (n < sizeof(line) && *r->preview)
			snprintf(line + n, sizeof(line) - n, "  %s", esc(r->preview));
		n = strlen(line);
		while (n && line[n - 1] == ' ')
			line[--n] = '\0';
		puts(line);
	}
	if (shown < rs->total[sec])
		printf("  ... %zu more\n", rs->total[sec] - shown);
}

static void print_text(const struct rows *rs, const struct show_opts *o)
{
	size_t i;
	int sec;

	for (i = 0; i < rs->n; i++)
		if (rs->r[i].sec == S_OBJECT) {
			char label[140];

			snprintf(label, sizeof(label), "%s:", rs->r[i].name);
			printf("%-15s %s\n", label, esc(rs->r[i].cls));
		}
	if (rs->text) {
		size_t n = strlen(rs->text), cap = n * 4 + 8;
		char *e = malloc(cap);

		if (e) {
			hl_escape(rs->text, n, e, cap);
			printf("%-15s \"%s%s\"\n", "text:", e, rs->text_cut ? "..." : "");
			free(e);
		}
	}
	for (sec = S_FIELD; sec < S_COUNT; sec++)
		if (shown(rs, o, (enum sec)sec))
			text_section(rs, (enum sec)sec);
}

static const struct column tab_cols[] = {
	{ "section", COL_STR, 0 }, { "name", COL_STR, 0 }, { "type", COL_STR, 0 },
	{ "value", COL_STR, 0 }, { "class", COL_STR, 0 },
	{ "retained", COL_STR, 1 }, { "preview", COL_STR, 0 },
};

/* TSV/CSV: one table; object facts carry their value in the value column. */
static void print_table(struct session *s, const struct rows *rs)
{
	struct table *t = table_begin(s, tab_cols, 7, "rows");
	size_t i;

	for (i = 0; i < rs->n; i++) {
		const struct row *r = &rs->r[i];
		int f = r->sec == S_OBJECT;
		char ret[32] = "";
		struct cell c[7];

		if (r->has_retained)
			snprintf(ret, sizeof(ret), "%llu", (unsigned long long)r->retained);
		c[0] = (struct cell){ sec_name[r->sec], 0, 0 };
		c[1] = (struct cell){ r->name, 0, 0 };
		c[2] = (struct cell){ r->type, 0, 0 };
		c[3] = (struct cell){ f ? r->cls : r->value, 0, 0 };
		c[4] = (struct cell){ f ? "" : r->cls, 0, 0 };
		c[5] = (struct cell){ ret, 0, 0 };
		c[6] = (struct cell){ r->preview, 0, 0 };
		table_row(t, c);
	}
	if (rs->text) {
		struct cell c[7] = { { "object", 0, 0 }, { "text", 0, 0 }, { "", 0, 0 },
				     { rs->text, 0, 0 }, { "", 0, 0 }, { "", 0, 0 },
				     { "", 0, 0 } };

		table_row(t, c);
	}
	table_end(t, NULL, NULL);
}

static void json_item(const struct row *r)
{
	fputs("{\"name\":", stdout);
	jstr(r->name);
	fputs(",\"type\":", stdout);
	jstr(r->type);
	fputs(",\"value\":", stdout);
	jstr(r->value);
	if (*r->cls) {
		fputs(",\"class\":", stdout);
		jstr(r->cls);
	}
	if (r->has_retained)
		printf(",\"retained\":%llu", (unsigned long long)r->retained);
	if (*r->preview) {
		fputs(",\"preview\":", stdout);
		jstr(r->preview);
	}
	putchar('}');
}

/* ,"fields_total":N,"fields":[{...},...] */
static void json_section(const struct rows *rs, enum sec sec)
{
	size_t i;
	int first = 1;

	printf(",\"%s_total\":%zu,\"%s\":[", sec_json[sec], rs->total[sec],
	       sec_json[sec]);
	for (i = 0; i < rs->n; i++)
		if (rs->r[i].sec == sec) {
			fputs(first ? "\n" : ",\n", stdout);
			json_item(&rs->r[i]);
			first = 0;
		}
	putchar(']');
}

/* "a, b" as ["a","b"] (root kind names hold no comma). */
static void json_list(const char *s)
{
	char item[200];

	putchar('[');
	while (*s) {
		size_t n = strcspn(s, ",");

		snprintf(item, sizeof(item), "%.*s", (int)n, s);
		jstr(item);
		s += n;
		while (*s == ',' || *s == ' ')
			s++;
		if (*s)
			putchar(',');
	}
	putchar(']');
}

static void print_json(struct session *s, const struct rows *rs,
		       const struct show_opts *o)
{
	size_t i;
	int sec, first;

	json_header(s, stdout);
	fputs(",\"object\":{", stdout);
	for (i = 0, first = 1; i < rs->n; i++) {
		const struct row *r = &rs->r[i];

		if (r->sec != S_OBJECT)
			continue;
		printf("%s\"%s\":", first ? "" : ",", r->name);
		first = 0;
		if (r->numeric)
			fputs(r->cls, stdout);
		else if (!strcmp(r->name, "gc_roots"))
			json_list(r->cls);
		else
			jstr(*r->jval ? r->jval : r->cls);
		if (*r->idkey) {
			printf(",\"%s\":", r->idkey);
			jstr(r->idval);
		}
	}
	if (rs->text) {
		fputs(",\"text\":", stdout);
		json_str(stdout, rs->text); /* decoded: well-formed already */
		printf(",\"text_cut\":%s", rs->text_cut ? "true" : "false");
	}
	for (sec = S_FIELD; sec < S_COUNT; sec++)
		if (shown(rs, o, (enum sec)sec))
			json_section(rs, (enum sec)sec);
	fputs("}}\n", stdout);
}

static int parse(int argc, char **argv, struct session *s, struct show_opts *o)
{
	static const struct option opts[] = {
		{ "limit", required_argument, NULL, 'l' },
		{ "in", no_argument, NULL, 'i' },
		{ "out", no_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_opts st = { 0, 0 };
	int c;

	while ((c = cli_option(s, argc, argv, "", opts, NULL, &st)) != -1) {
		switch (c) {
		case 'l':
			if (parse_u64(optarg, &o->limit))
				return cli_usage(s, "--limit: expected a number (0: all)");
			break;
		case 'i': o->in = 1; break;
		case 'o': o->out = 1; break;
		}
	}
	if (st.error)
		return st.error;
	if (optind != argc - 2)
		return cli_usage(s, "usage: heaplens show [--in] [--out] [--limit N] DUMP ID");
	s->dump_path = argv[optind];
	if (parse_object_id(argv[optind + 1], &o->id))
		return cli_usage(s, "show: '%s' is not an object id (0x... or decimal)",
				 argv[optind + 1]);
	return EXIT_OK;
}

static int collect(struct session *s, const struct show_opts *o, hl_obj obj,
		   struct rows *rs)
{
	int kind = hl_object_kind(s->heap, obj), err = 0;

	rs->is_class = kind == HL_CLASS_OBJ;
	rs->is_array = kind == HL_OBJ_ARRAY || kind == HL_PRIM_ARRAY;
	basic_facts(s, rs, obj);
	if (rs->is_class) {
		class_facts(s, rs, obj);
		err = field_rows(s, rs, obj, S_STATIC);
	} else if (rs->is_array) {
		err = element_rows(s, rs, obj, o->limit);
	} else {
		err = field_rows(s, rs, obj, S_FIELD);
	}
	if (!err && o->in)
		err = inbound_rows(s, rs, obj, o->limit);
	if (!err && o->out)
		err = outbound_rows(s, rs, obj, o->limit);
	return err || rs->oom;
}

int cmd_show(int argc, char **argv, struct session *s)
{
	struct show_opts o = { 0, 20, 0, 0 };
	struct rows rs;
	hl_obj obj;
	int code = parse(argc, argv, s, &o);

	if (code)
		return code;
	code = session_open(s, NEED_DOMINATORS);
	if (code)
		return code;
	if (hl_find_object(s->heap, o.id, &obj) != HL_OK) {
		cli_error(s, "%s: no object 0x%llx in the dump", s->dump_path,
			  (unsigned long long)o.id);
		return EXIT_NOOBJ;
	}
	memset(&rs, 0, sizeof(rs));
	if (collect(s, &o, obj, &rs)) {
		cli_error(s, "%s: out of memory", s->dump_path);
		code = EXIT_NOMEM;
	} else if (s->format == FMT_TEXT) {
		print_text(&rs, &o);
	} else if (s->format == FMT_JSON) {
		print_json(s, &rs, &o);
	} else {
		print_table(s, &rs);
	}
	free(rs.r);
	free(rs.text);
	return code;
}
