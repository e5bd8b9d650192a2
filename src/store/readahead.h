/* Decrypt-ahead for sequential reads of a main database file. Private to
 * the store layer.
 *
 * When the pager reads pages in order (a table scan), the shim reads the
 * next pages' ciphertext in 64 KiB windows, and a worker thread
 * authenticates and decrypts them while SQLite is busy with the page it
 * was given. A page is served from a window only if it decrypted and
 * authenticated there; any other page, including one that failed, takes
 * the shim's ordinary path, which reads, authenticates and reports.
 *
 * The windows hold what the file said while the caller held its SHARED
 * lock, so the caller drops them (ra_drop) whenever that stops being
 * true: on every write or truncate through this handle, and when the lock
 * falls below SHARED. Plaintext lives in guarded memory and is wiped when
 * dropped. All calls come from the thread that owns the file handle. */
#ifndef NL_STORE_READAHEAD_H
#define NL_STORE_READAHEAD_H

#include <stdint.h>

struct readahead;

/* A reader for one file under this key. No memory or thread yet: those
 * come with the first sequential run. NULL when out of memory. */
struct readahead *ra_new(const uint8_t *key, const uint8_t *file_id);
/* Stops the worker and wipes and frees everything. NULL is fine. */
void ra_free(struct readahead *ra);

/* Copies page pgno's plaintext into out (4096 bytes) if a window holds it
 * authenticated: returns 1. Otherwise 0, and the caller reads it. */
int ra_take(struct readahead *ra, uint32_t pgno, uint8_t *out);

/* Called after page pgno was served (hit: from a window). Whether reads
 * are in order, so that reading ahead pays. */
int ra_sequential(struct readahead *ra, uint32_t pgno, int hit);

/* Then: a window's buffer for the caller to fill with the ciphertext of
 * pages *first .. *first + *n - 1, none past page last; NULL when there
 * is nothing (more) to read ahead. The caller then calls ra_filled, with
 * ok 0 if the read failed. Call until it returns NULL. */
uint8_t *ra_plan(struct readahead *ra, uint32_t pgno, uint32_t last,
		 uint32_t *first, int *n);
void ra_filled(struct readahead *ra, uint8_t *buf, int ok);

/* Forgets every window, wiping the plaintext. */
void ra_drop(struct readahead *ra);

/* Pages served from windows since the process started (for tests). */
unsigned long ra_pages_served(void);

#endif
