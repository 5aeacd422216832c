/*
 * rules.c - the rule language of `heaplens check`: parsing only (checks.c
 * evaluates).
 *
 * One rule a line: a keyword, then its arguments, separated by blanks
 * (spaces, tabs); '#' starts a comment that runs to the end of the line;
 * blank lines are skipped; a line may end in CR LF.  Arguments are a class
 * pattern (any word; '*' is the only special character, see
 * hl_class_match), a size (a number with up to three decimals and a unit:
 * B, KB, MB, GB, powers of 1024, with KiB, MiB, GiB as synonyms), a count
 * (a whole number) or a percent (a number from 0 to 100, optionally
 * followed by '%').  The first bad line stops the parse with a message
 * "SOURCE:LINE: what is wrong"; nothing here prints.
 */
#include "lib/heap.h"

#include <stdio.h>
#include <stdlib.h>

enum arg { A_NONE, A_PATTERN, A_SIZE, A_COUNT, A_PERCENT };

static const struct rule_def {
	const char *name;
	enum arg a1, a2;
	int needs;
} defs[HL_RULE_KIND_COUNT] = {
	[HL_RULE_MAX_HEAP] = { "max-heap", A_SIZE, A_NONE, 0 },
	[HL_RULE_MAX_RETAINED] = { "max-retained", A_PATTERN, A_SIZE,
				   HL_RULE_NEEDS_DOMINATORS },
	[HL_RULE_MAX_INSTANCES] = { "max-instances", A_PATTERN, A_COUNT, 0 },
	[HL_RULE_MAX_SUSPECT_PERCENT] = { "max-suspect-percent", A_PERCENT, A_NONE,
					  HL_RULE_NEEDS_DOMINATORS },
	[HL_RULE_MAX_STRING_WASTE] = { "max-duplicate-string-waste", A_SIZE, A_NONE, 0 },
	[HL_RULE_FORBID_CLASS] = { "forbid-class", A_PATTERN, A_NONE, 0 },
	[HL_RULE_MAX_GROWTH] = { "max-growth", A_PATTERN, A_SIZE,
				 HL_RULE_NEEDS_DOMINATORS | HL_RULE_NEEDS_BASELINE },
};

#define MAX_WORDS 4

const char *hl_rule_name(int kind)
{
	return kind >= 0 && kind < HL_RULE_KIND_COUNT ? defs[kind].name : "";
}

int hl_rule_needs(int kind)
{
	return kind >= 0 && kind < HL_RULE_KIND_COUNT ? defs[kind].needs : 0;
}

/* One line being parsed: its words, and where the message goes. */
struct line {
	const char *source;
	unsigned no;
	char *err;
	size_t errlen;
	const char *w[MAX_WORDS];
	size_t wlen[MAX_WORDS];
	int nw;
};

static hl_status bad(struct line *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static hl_status bad(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!l->errlen)
		return HL_E_USAGE;
	n = snprintf(l->err, l->errlen, "%s:%u: ", l->source, l->no);
	if (n >= 0 && (size_t)n < l->errlen) {
		va_start(ap, fmt);
		vsnprintf(l->err + n, l->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return HL_E_USAGE;
}

static uint64_t unit_of(const char *u, size_t n)
{
	static const struct { const char *name; uint64_t mult; } units[] = {
		{ "B", 1 }, { "KB", 1ull << 10 }, { "MB", 1ull << 20 },
		{ "GB", 1ull << 30 }, { "KiB", 1ull << 10 }, { "MiB", 1ull << 20 },
		{ "GiB", 1ull << 30 },
	};
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strlen(units[i].name) == n && !memcmp(units[i].name, u, n))
			return units[i].mult;
	return 0;
}

/*
 * A decimal number at s (digits, then optionally '.' and 1 to 3 digits):
 * its digits as an integer *m and the count of decimals *dec.  Returns the
 * length read, 0 if there is no number or it does not fit.
 */
static size_t decimal(const char *s, size_t n, uint64_t *m, unsigned *dec)
{
	size_t i = 0;
	int frac = 0, digits = 0;

	*m = 0;
	*dec = 0;
	for (; i < n; i++) {
		if (s[i] == '.' && !frac && digits) {
			frac = 1;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			break;
		if (hl_mul_ovf(*m, 10, m) || hl_add_ovf(*m, (uint64_t)(s[i] - '0'), m))
			return 0;
		digits++;
		if (frac && ++*dec > 3)
			return 0;
	}
	if (!digits || (frac && !*dec))
		return 0;
	return i;
}

static const uint64_t tens[] = { 1, 10, 100, 1000 };

static hl_status parse_size(struct line *l, int k, uint64_t *out)
{
	const char *s = l->w[k];
	size_t n = l->wlen[k], len;
	uint64_t m, mult;
	unsigned dec;

	len = decimal(s, n, &m, &dec);
	if (!len)
		return bad(l, "bad size '%.*s': expected a number and a unit, such as 64MB",
			   (int)n, s);
	if (len == n)
		return bad(l, "bad size '%.*s': a size needs a unit (B, KB, MB or GB)",
			   (int)n, s);
	mult = unit_of(s + len, n - len);
	if (!mult)
		return bad(l, "bad size '%.*s': unknown unit '%.*s' (use B, KB, MB or GB)",
			   (int)n, s, (int)(n - len), s + len);
	if (hl_mul_ovf(m, mult, out))
		return bad(l, "bad size '%.*s': too large", (int)n, s);
	*out /= tens[dec];
	return HL_OK;
}

static hl_status parse_count(struct line *l, int k, uint64_t *out)
{
	unsigned dec;

	if (decimal(l->w[k], l->wlen[k], out, &dec) != l->wlen[k] || dec)
		return bad(l, "bad count '%.*s': expected a whole number",
			   (int)l->wlen[k], l->w[k]);
	return HL_OK;
}

static hl_status parse_percent(struct line *l, int k, double *out)
{
	const char *s = l->w[k];
	size_t n = l->wlen[k], len;
	uint64_t m;
	unsigned dec;

	len = decimal(s, n, &m, &dec);
	if (len && len + 1 == n && s[len] == '%')
		n--;
	if (!len || len != n || m > 100 * tens[dec])
		return bad(l, "bad percent '%.*s': expected a number from 0 to 100",
			   (int)l->wlen[k], s);
	*out = (double)m / (double)tens[dec];
	return HL_OK;
}

/* Split a line into words; '#' ends it.  Control characters are refused.
 * Words past MAX_WORDS are not kept: no rule takes that many. */
static hl_status split(struct line *l, const char *s, size_t n)
{
	size_t i = 0, start;

	l->nw = 0;
	while (i < n && s[i] != '#') {
		unsigned char c = (unsigned char)s[i];

		if (c == ' ' || c == '\t') {
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f)
			return bad(l, "control character 0x%02x", c);
		start = i;
		while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '#' &&
		       (unsigned char)s[i] >= 0x20 && s[i] != 0x7f)
			i++;
		if (l->nw < MAX_WORDS) {
			l->w[l->nw] = s + start;
			l->wlen[l->nw++] = i - start;
		}
	}
	return HL_OK;
}

static const char *arg_name(enum arg a)
{
	return a == A_PATTERN ? "PATTERN" : a == A_SIZE ? "SIZE" :
	       a == A_COUNT ? "COUNT" : "PERCENT";
}

static int find_kind(const struct line *l)
{
	int k;

	for (k = 0; k < HL_RULE_KIND_COUNT; k++)
		if (strlen(defs[k].name) == l->wlen[0] &&
		    !memcmp(defs[k].name, l->w[0], l->wlen[0]))
			return k;
	return -1;
}

static hl_status parse_arg(struct line *l, enum arg a, int k, hl_rule *r)
{
	switch (a) {
	case A_PATTERN:
		r->pattern = strndup(l->w[k], l->wlen[k]);
		return r->pattern ? HL_OK : HL_E_NOMEM;
	case A_SIZE: return parse_size(l, k, &r->limit);
	case A_COUNT: return parse_count(l, k, &r->limit);
	case A_PERCENT: return parse_percent(l, k, &r->limit_percent);
	default: return HL_OK;
	}
}

/* The rule's text: its words joined by one space. */
static char *join(const struct line *l)
{
	size_t n = 0, o = 0;
	char *t;
	int k;

	for (k = 0; k < l->nw; k++)
		n += l->wlen[k] + 1;
	t = malloc(n + 1);
	if (!t)
		return NULL;
	for (k = 0; k < l->nw; k++) {
		memcpy(t + o, l->w[k], l->wlen[k]);
		o += l->wlen[k];
		t[o++] = ' ';
	}
	t[o ? o - 1 : 0] = '\0';
	return t;
}

static hl_status usage_of(struct line *l, const struct rule_def *d,
			  const char *what)
{
	if (d->a2 != A_NONE)
		return bad(l, "%s: %s: expected %s %s %s", d->name, what, d->name,
			   arg_name(d->a1), arg_name(d->a2));
	return bad(l, "%s: %s: expected %s %s", d->name, what, d->name,
		   arg_name(d->a1));
}

static hl_status parse_rule(struct line *l, hl_rule *r)
{
	const struct rule_def *d;
	int kind = find_kind(l), want;
	hl_status st;

	if (kind < 0)
		return bad(l, "unknown rule '%.*s' (known: max-heap, max-retained, max-instances, "
			   "max-suspect-percent, max-duplicate-string-waste, forbid-class, max-growth)",
			   (int)l->wlen[0], l->w[0]);
	d = &defs[kind];
	want = 1 + (d->a1 != A_NONE) + (d->a2 != A_NONE);
	if (l->nw < want)
		return usage_of(l, d, "missing argument");
	if (l->nw > want)
		return usage_of(l, d, "too many arguments");
	r->kind = kind;
	st = parse_arg(l, d->a1, 1, r);
	if (st == HL_OK)
		st = parse_arg(l, d->a2, 2, r);
	if (st == HL_OK && r->pattern && !*r->pattern)
		st = bad(l, "%s: empty class pattern", d->name);
	if (st == HL_OK) {
		r->text = join(l);
		r->source = strdup(l->source);
		r->line = l->no;
		if (!r->text || !r->source)
			st = HL_E_NOMEM;
	}
	return st;
}

static void rule_release(hl_rule *r)
{
	free(r->pattern);
	free(r->text);
	free(r->source);
}

static hl_status add_rule(hl_rules *rs, struct line *l)
{
	hl_rule r = { 0 };
	hl_status st;

	if (rs->count == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 16;
		hl_rule *n = realloc(rs->rules, cap * sizeof(*n));

		if (!n)
			return HL_E_NOMEM;
		rs->rules = n;
		rs->cap = cap;
	}
	st = parse_rule(l, &r);
	if (st != HL_OK) {
		rule_release(&r);
		return st;
	}
	rs->rules[rs->count++] = r;
	return HL_OK;
}

hl_status hl_rules_parse(hl_rules *r, const char *source, const char *text,
			 size_t len, char *err, size_t errlen)
{
	struct line l = { source ? source : "", 0, err, errlen, { 0 }, { 0 }, 0 };
	size_t pos = 0;
	hl_status st = HL_OK;

	if (errlen)
		err[0] = '\0';
	while (st == HL_OK && pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len, n = end - pos;

		l.no++;
		if (n && text[pos + n - 1] == '\r')
			n--;
		if (memchr(text + pos, '\0', n))
			st = bad(&l, "NUL byte (not a text file?)");
		else
			st = split(&l, text + pos, n);
		if (st == HL_OK && l.nw)
			st = add_rule(r, &l);
		pos = end + 1;
	}
	if (st == HL_E_NOMEM && errlen)
		snprintf(err, errlen, "out of memory for the rules");
	return st;
}

void hl_rules_free(hl_rules *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->count; i++)
		rule_release(&r->rules[i]);
	free(r->rules);
	memset(r, 0, sizeof(*r));
}
