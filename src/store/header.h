/* The 4096-byte plaintext container header in front of the SQLite pages.
 * Layout: docs/file-format.md. Private to the store layer. */
#ifndef NL_STORE_HEADER_H
#define NL_STORE_HEADER_H

#include <stdbool.h>
#include <stdint.h>

#include "needlelog/crypt.h"
#include "needlelog/err.h"
#include "needlelog/store.h"

#define HDR_SIZE 4096
#define HDR_FIXED_LEN 48
#define HDR_SLOT_SIZE 512
#define HDR_SLOTS 2
#define HDR_SALT_BYTES 16

extern const int header_slot_offset[HDR_SLOTS];

struct header_slot {
	bool intact;          /* checksum and parameters good */
	uint64_t seq;
	struct crypt_kdf kdf;
};

struct header {
	uint8_t raw[HDR_SIZE];
	uint8_t file_id[NL_FILE_ID_BYTES];
	struct header_slot slot[HDR_SLOTS];
};

/* A fresh header with a random file id and no key slots. */
void header_new(struct header *h);

/* Parses raw. NL_ENOTFILE: wrong magic; NL_EHEADER: a damaged fixed part,
 * non-zero padding or no intact key slot. */
int header_parse(struct header *h, struct nl_err *err);

/* Only the fixed part: what the VFS checks on every open. */
int header_check_fixed(const uint8_t *raw, uint8_t *file_id);

/* Unwraps the data key with pass, newest intact slot first. dek receives
 * NL_KEY_BYTES; *slot the slot that opened. NL_EPASS if none did. */
int header_unwrap(const struct header *h, const struct store_pass *pass,
		  uint8_t *dek, int *slot, struct nl_err *err);

/* Wraps dek under pass into slot (new salt, nonce, sequence seq). */
int header_wrap(struct header *h, int slot, uint64_t seq,
		const struct store_pass *pass, const struct crypt_kdf *kdf,
		const uint8_t *dek, struct nl_err *err);

void header_clear_slot(struct header *h, int slot);

/* The intact slot with the highest sequence, or -1. */
int header_newest_slot(const struct header *h);

#endif
