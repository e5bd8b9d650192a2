/* Helpers shared by the crash tests: a canary, a digest of a record
 * file's whole content, and a scan of bytes for plaintext. */
#ifndef NL_TEST_WORKLOAD_H
#define NL_TEST_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "needlelog/store.h"

/* Letters only, so it can go into table, column and index names. */
#define CANARY "NLcanaryQzxWvKjPbd"
#define DIGEST_BYTES 32

/* A hash of user_version, the schema and every row of every table. */
int digest_store(struct store *s, uint8_t out[DIGEST_BYTES]);
void digest_hex(const uint8_t d[DIGEST_BYTES], char out[2 * DIGEST_BYTES + 1]);

/* Whether buf holds any 8-byte fragment of needle (the whole of a
 * shorter one). Overflow pages split values, so fragments are what a
 * leak would show. Returns the offset, or -1. */
long find_fragment(const uint8_t *buf, size_t len, const char *needle);

/* Reads a whole file; NULL if it does not exist. Free with free(). */
uint8_t *read_file(const char *path, size_t *len);
/* Removes every file in dir (not recursive). */
void empty_dir(const char *dir);

/* Empties dir and writes the n files of a snapshot (faultvfs.h) into it.
 * -1 with errno set when one cannot be written. */
struct fault_image;
int write_snapshot(const char *dir, const struct fault_image *f, size_t n);

#endif
