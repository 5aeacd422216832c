/*
 * escape.c - make text from a dump safe for a terminal and a parser.
 *
 * Dump strings are attacker-controlled: a class name or a String value
 * must never reach a terminal as an escape sequence.  C0 and C1 control
 * characters, DEL, backslash and invalid UTF-8 bytes are written as
 * \n \t \r \\ or \xHH / \u00HH; printable UTF-8 passes through.
 */
#include <stdio.h>
#include <string.h>

#include "heaplens/heaplens.h"
#include "util/utf8.h"

size_t hl_escape(const char *in, size_t n, char *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t i = 0, o = 0;

	if (!cap)
		return 0;
	while (i < n) {
		char tmp[16];
		const char *s = tmp;
		size_t k, len;
		unsigned cp;

		len = hl_utf8_get(p + i, n - i, &cp, 0);
		if (len == 0 && n - i >= 2 && p[i] == 0xc0 && p[i + 1] == 0x80) {
			s = "\\u0000"; /* modified UTF-8 NUL */
			len = 2;
		} else if (len == 0) {
			snprintf(tmp, sizeof(tmp), "\\x%02x", p[i]);
			len = 1;
		} else if (cp == '\n') { s = "\\n"; }
		else if (cp == '\t') { s = "\\t"; }
		else if (cp == '\r') { s = "\\r"; }
		else if (cp == '\\') { s = "\\\\"; }
		else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
			 cp == 0x2028 || cp == 0x2029) {
			snprintf(tmp, sizeof(tmp), "\\u%04x", cp);
		} else {
			s = NULL;
		}
		k = s ? strlen(s) : len;
		if (o + k >= cap)
			break;
		memcpy(out + o, s ? s : (const char *)p + i, k);
		o += k;
		i += len;
	}
	out[o] = '\0';
	return o;
}
