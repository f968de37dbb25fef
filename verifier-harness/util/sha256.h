/* SPDX-License-Identifier: BSD-2-Clause */
/* sha256.h: SHA-256 (FIPS 180-4) of files, for the kernel cache's stamps. */
#ifndef BPFGATE_SHA256_H
#define BPFGATE_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct vh_sha256 {
	uint32_t h[8];
	uint64_t len; /* bytes hashed so far */
	uint8_t buf[64];
	size_t nbuf;
};

void vh_sha256__init(struct vh_sha256 *s);
void vh_sha256__update(struct vh_sha256 *s, const void *data, size_t len);
/* The digest as 64 lowercase hex digits and a NUL. */
void vh_sha256__hex(struct vh_sha256 *s, char hex[65]);
/* Hash an open file from its current offset to its end. 0 or -errno. */
int vh_sha256__fd(int fd, char hex[65]);

#endif
