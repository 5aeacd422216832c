/*
 * utf8.c - UTF-8 encoding and decoding (see utf8.h).
 */
#include "util/utf8.h"

size_t hl_utf8_put(char *out, unsigned cp)
{
	if (cp == 0) {
		out[0] = (char)0xc0;
		out[1] = (char)0x80;
		return 2;
	}
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

size_t hl_utf8_get(const unsigned char *p, size_t n, unsigned *cp,
		   int surrogates)
{
	size_t len, i;
	unsigned c = p[0];

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) { len = 2; c &= 0x1f; }
	else if (c >= 0xe0 && c <= 0xef) { len = 3; c &= 0x0f; }
	else if (c >= 0xf0 && c <= 0xf4) { len = 4; c &= 0x07; }
	else return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if ((len == 3 && (c < 0x800 ||
			  (!surrogates && c >= 0xd800 && c <= 0xdfff))) ||
	    (len == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	*cp = c;
	return len;
}
