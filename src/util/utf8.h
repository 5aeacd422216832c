/*
 * utf8.h - UTF-8 encoding and decoding, in one place.
 */
#ifndef HL_UTF8_H
#define HL_UTF8_H

#include <stddef.h>

/*
 * Write code point cp as UTF-8 (1 to 4 bytes); U+0000 is written as C0 80
 * (Java's modified UTF-8) so that text stays a C string.
 */
size_t hl_utf8_put(char *out, unsigned cp);
/*
 * Decode the sequence at p (at most n bytes) into *cp; returns its length,
 * 0 when it is not valid UTF-8 (overlong forms, or surrogates unless
 * surrogates is set: modified UTF-8 writes them as 3-byte sequences).
 */
size_t hl_utf8_get(const unsigned char *p, size_t n, unsigned *cp,
		   int surrogates);

#endif
