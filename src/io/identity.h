/*
 * identity.h - a cheap fingerprint of a dump file (see identity.c).
 */
#ifndef HL_IDENTITY_H
#define HL_IDENTITY_H

#include <stdint.h>

#include "util/util.h"

/* content: from the size and sampled blocks; identity: content + mtime. */
hl_status hl_file_identity(const char *path, uint64_t *content,
			   uint64_t *identity, hl_diag *d);

#endif
