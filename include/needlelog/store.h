/* The encrypted record file: one SQLite database behind an encrypting VFS.
 *
 * This layer knows nothing of what is stored. It creates and opens the
 * container, hands out the SQLite connection, applies the migrations it is
 * given, verifies every page, changes the passphrase, re-keys and makes
 * online backups. File format and threat model: docs/file-format.md. */
#ifndef NEEDLELOG_STORE_H
#define NEEDLELOG_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "needlelog/err.h"

struct store;

/* Argon2id cost presets. NL_KDF_MIN is honoured only by a build configured
 * with -Dtest_kdf=true (see meson_options.txt); elsewhere it means MODERATE. */
enum store_kdf {
	STORE_KDF_DEFAULT = 0, /* MODERATE, or what NEEDLELOG_TEST_KDF says in a test build */
	STORE_KDF_INTERACTIVE,
	STORE_KDF_MODERATE,
	STORE_KDF_SENSITIVE,
	STORE_KDF_MIN,
};

struct store_migration {
	int version;       /* becomes PRAGMA user_version once applied */
	const char *name;  /* file name, for messages */
	const char *sql;
};

/* The longest passphrase, in bytes: longer is refused (NL_EUSAGE), never cut. */
#define STORE_PASS_MAX 1023

/* A passphrase in guarded memory (sodium_malloc); free with store_pass_free. */
struct store_pass {
	char *buf;
	size_t len;
};

/* Called with pages done and pages in all; returns 0 to go on. */
typedef int (*store_progress_fn)(void *ctx, uint64_t done, uint64_t total);

/* Process set-up: SQLite's zeroing allocator (store_memory_init),
 * libsodium, the VFS registration, no core dumps. Safe to call more than
 * once. NL_EINTERNAL if SQLite was started before it. */
int store_global_init(struct nl_err *err);
/* Only SQLite's allocator: every block SQLite frees (decrypted pages,
 * column text) is zeroed first. store_global_init calls it; call it first
 * yourself only when something must touch SQLite before that (a test's
 * VFS). Safe to call more than once; NL_EINTERNAL if SQLite was already
 * initialised without it. */
int store_memory_init(struct nl_err *err);

/* Copies s[0..len) into guarded memory; NL_EUSAGE when len is 0 or over
 * STORE_PASS_MAX. */
int store_pass_set(struct store_pass *p, const char *s, size_t len,
		   struct nl_err *err);
void store_pass_free(struct store_pass *p);

/* Creates a new record file (refuses an existing path: NL_EEXIST), then
 * opens it as store_open does. */
int store_create(const char *path, const struct store_pass *pass,
		 enum store_kdf kdf, struct store **out, struct nl_err *err);

/* Opens an existing record file. Errors: NL_ENOENT, NL_ENOTFILE,
 * NL_EHEADER, NL_EPASS (file untouched), NL_EAUTH, NL_EBUSY, NL_EIO. */
int store_open(const char *path, const struct store_pass *pass,
	       struct store **out, struct nl_err *err);

void store_close(struct store *s);

/* The connection. Owned by the store: do not close it. */
sqlite3 *store_db(struct store *s);
const char *store_path(const struct store *s);

/* Maps a SQLite result code (and the connection's message) to a status. */
int store_sqlite_error(struct store *s, int rc, const char *what,
		       struct nl_err *err);

/* Applies, in one transaction each, every migration whose version is
 * above PRAGMA user_version. Migrations must be in ascending order. */
int store_migrate(struct store *s, const struct store_migration *m, size_t n,
		  struct nl_err *err);
int store_schema_version(struct store *s, int *version, struct nl_err *err);

/* Authenticates every page of the file (under a read lock), then runs
 * PRAGMA integrity_check. NL_EAUTH names the first bad page. */
int store_check(struct store *s, store_progress_fn progress, void *ctx,
		struct nl_err *err);

/* Rewraps the data key under a new passphrase; pages are not rewritten. */
int store_passwd(struct store *s, const struct store_pass *newpass,
		 enum store_kdf kdf, struct nl_err *err);

/* Rotates the data key: VACUUM INTO a new file under a new key, then an
 * atomic rename over the old one. The store stays open on the new file. */
int store_rekey(struct store *s, const struct store_pass *newpass,
		enum store_kdf kdf, struct nl_err *err);

/* Online backup into a new file (NL_EEXIST if dest exists) protected by
 * pass, then verified as store_check does. */
int store_backup(struct store *s, const char *dest,
		 const struct store_pass *pass, store_progress_fn progress,
		 void *ctx, struct nl_err *err);

#endif
