/* Key derivation, page sealing and secure memory for the record file.
 * Internal to the store layer; nothing here knows about SQLite. */
#ifndef NEEDLELOG_CRYPT_H
#define NEEDLELOG_CRYPT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "needlelog/store.h"

#define NL_PAGE_SIZE 4096
#define NL_RESERVE 40                              /* nonce + tag */
#define NL_PAGE_DATA (NL_PAGE_SIZE - NL_RESERVE)   /* 4056 bytes sealed */
#define NL_KEY_BYTES 32
#define NL_FILE_ID_BYTES 16
#define NL_NONCE_BYTES 24
#define NL_TAG_BYTES 16

/* What a sealed page is, bound into its associated data, so a journal
 * image cannot be replayed as a database page or the other way round. */
enum crypt_kind {
	CRYPT_KIND_DB = 1,
	CRYPT_KIND_JOURNAL = 2,
};

struct crypt_kdf {
	uint64_t opslimit;
	uint64_t memlimit;
};

/* Where a key's nonces come from: a random 16-byte prefix, drawn afresh
 * for every key in every process, followed by a 64-bit count. Unique
 * without a system call per page; reseed after fork, or parent and child
 * would repeat each other's nonces. */
#define NL_NONCE_PREFIX 16
struct crypt_nonces {
	uint8_t prefix[NL_NONCE_PREFIX];
	atomic_uint_fast64_t count;
};
void crypt_nonces_seed(struct crypt_nonces *n);

/* Seals NL_PAGE_DATA bytes of in into out (which may be in), and puts the
 * nonce and tag into out's last NL_RESERVE bytes. The nonce is the next
 * from nonces, or random when nonces is NULL. */
void crypt_page_seal(const uint8_t *key, const uint8_t *file_id,
		     struct crypt_nonces *nonces, enum crypt_kind kind,
		     uint32_t pgno, const uint8_t *in, uint8_t *out);

/* Authenticates and decrypts a sealed page in place. Returns 0, or -1 if
 * the page is not what this key sealed for this file, kind and number (the
 * data bytes are then zeroed). */
int crypt_page_open(const uint8_t *key, const uint8_t *file_id,
		    enum crypt_kind kind, uint32_t pgno, uint8_t *page);

/* The Argon2id parameters for a preset (resolving STORE_KDF_DEFAULT). */
struct crypt_kdf crypt_kdf_preset(enum store_kdf preset);

/* Whether parameters read from a file are within the accepted bounds. */
bool crypt_kdf_acceptable(const struct crypt_kdf *kdf);

/* Derives a 32-byte key; returns 0, or -1 when out of memory. */
int crypt_kdf_derive(uint8_t *out, const char *pass, size_t passlen,
		     const uint8_t *salt, const struct crypt_kdf *kdf);
/* How many times this process has run crypt_kdf_derive (Argon2id), failed
 * runs included. Only tests read it: each unlock costs ~0.5 s and 256 MiB
 * (MODERATE), so an operation's derivations are part of its contract. */
uint64_t crypt_kdf_runs(void);

/* Guarded memory (sodium_malloc) that is wiped when freed. */
void *crypt_secure_alloc(size_t n);
void crypt_secure_free(void *p);

/* No core dumps for this process: keys must not reach the disk. */
void crypt_no_core_dumps(void);

#endif
