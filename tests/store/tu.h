/* Helpers shared by the store tests: scratch folders, whole-file I/O,
 * byte searches, a forked hot journal, and the data digest that tells
 * "the same records" from "different records". Every helper fails the
 * running cmocka test on an unexpected error. */
#ifndef NL_TESTS_STORE_TU_H
#define NL_TESTS_STORE_TU_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "needlelog/store.h"

#define TU_PASS "correct horse battery staple"
#define TU_PATH_MAX 512

/* Seconds on a monotonic clock, for the figures the tests print. */
double tu_now(void);

/* The step of the every-byte loops: 1, unless $TU_STRIDE says otherwise
 * (for a run under valgrind, where every byte would take hours). */
size_t tu_stride(void);

/* Test set-up: MIN KDF, libsodium, the VFS. Call once from main(). */
void tu_global_init(void);

/* A new, empty folder (under $TU_SCRATCH, else /dev/shm, else TMPDIR). */
void tu_mkdir(char *out, size_t n, const char *tag);
/* out = a followed by b; fails the test if it does not fit. */
void tu_join(char *out, size_t n, const char *a, const char *b);
/* Removes a folder and everything in it (one level deep). */
void tu_rmdir(const char *dir);

/* A passphrase in guarded memory; free with store_pass_free. */
void tu_pass(struct store_pass *p, const char *s);

/* Whole-file I/O. tu_read returns NULL (and *len 0) when the file is absent. */
uint8_t *tu_read(const char *path, size_t *len);
void tu_write(const char *path, const uint8_t *buf, size_t len);
void tu_copy(const char *from, const char *to);
bool tu_exists(const char *path);
/* A BLAKE2b-256 digest of a file's bytes (all zero if it is absent). */
void tu_hash(const char *path, uint8_t out[32]);
/* Flips one bit of the byte at off, in place. */
void tu_flip(const char *path, size_t off, int bit);

/* Index of needle in hay, or -1. */
long tu_find(const uint8_t *hay, size_t n, const void *needle, size_t m);
/* Whether any 8-byte fragment of s (or s itself when shorter) is in hay. */
bool tu_find_fragments(const uint8_t *hay, size_t n, const char *s,
		       const char **where);

/* Runs SQL on the store's connection and asserts success. */
void tu_exec(struct store *s, const char *sql);
/* The first column of the first row, as an integer. */
long long tu_int(sqlite3 *db, const char *sql);

/* A digest over every row of every table (schema and data), so two stores
 * can be compared for "same records". */
void tu_digest(struct store *s, uint8_t out[32]);

/* Creates a record file with table t(id, v) holding rows 1..n, each v a
 * blob of vlen bytes derived from the row id. */
void tu_make_db(const char *path, int n, int vlen);

/* Makes a hot journal: a forked child opens path, begins a transaction,
 * updates every row of t with a tiny page cache so pages spill into the
 * database file, and then dies (by _exit, or SIGKILL when kill9). On
 * return path-journal is hot and path holds uncommitted pages. */
void tu_make_hot_journal(const char *path, bool kill9);

/* A scratch folder with a record file's path and its journal's. */
struct tu_files {
	char dir[TU_PATH_MAX];
	char db[TU_PATH_MAX];
	char journal[TU_PATH_MAX];
};
void tu_files_init(struct tu_files *f, const char *tag);

/* The digest of the records in a file that must open and check clean. */
void tu_good_digest(const char *path, uint8_t out[32]);

/* Whether an error message names "KIND page N" (KIND: database, journal). */
bool tu_names_page(const struct nl_err *err, const char *kind, unsigned pgno);

/* Opens path with TU_PASS and runs store_check; returns the status and,
 * on success, the store (else *out is NULL). */
int tu_open_check(const char *path, struct store **out, struct nl_err *err);

#endif
