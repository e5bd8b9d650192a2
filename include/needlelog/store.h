/* The encrypted record file: one SQLite database behind an encrypting VFS.
 *
 * This layer knows nothing of what is stored. It creates and opens the
 * container, hands out the SQLite connection, applies the migrations it is
 * given, verifies every page, changes the passphrase, re-keys and makes
 * online backups. File format and threat model: docs/file-format.md. */
#ifndef NEEDLELOG_STORE_H
#define NEEDLELOG_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "needlelog/err.h"

struct store;
/* The connection type, declared here without <sqlite3.h>: only the store
 * and the core include SQLite itself, so a face cannot call it. */
typedef struct sqlite3 sqlite3;

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

/* The longest passphrase, in bytes. Longer ones are refused, never cut. */
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

/* Copies len bytes of s into guarded memory. Errors: NL_EUSAGE when len is
 * above STORE_PASS_MAX (p is left empty), NL_ENOMEM. */
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

/* Opens an existing record file read-only (SQLITE_OPEN_READONLY): nothing
 * is written to the file or beside it, not even on open, so it works on
 * read-only media. Every write through the store then fails with NL_EIO
 * and a message saying the file is read-only. Errors: those of store_open;
 * NL_EIO also when a hot journal (an unfinished change left by a crash)
 * lies beside the file, since it could only be rolled back by writing. */
int store_open_ro(const char *path, const struct store_pass *pass,
		  struct store **out, struct nl_err *err);

/* Whether path and its folder are both writable by this process (the
 * folder holds the rollback journal). False also when path is absent. */
bool store_path_writable(const char *path);

/* The file id in the header (random at creation; a backup, a restore's
 * copy and passwd --rekey make a new file with a new one): what makes an
 * export's identifiers unique to this record file. NL_EUSAGE when the
 * store has no key. */
#define STORE_FILE_ID_BYTES 16   /* = NL_FILE_ID_BYTES (crypt.h) */
int store_file_id(const struct store *s, uint8_t out[STORE_FILE_ID_BYTES]);

/* Whether s was opened by store_open_ro. */
bool store_readonly(const struct store *s);

void store_close(struct store *s);

/* The connection. Owned by the store: do not close it. */
sqlite3 *store_db(struct store *s);
const char *store_path(const struct store *s);

/* Maps a SQLite result code (and the connection's message) to a status.
 * SQLITE_READONLY and its variants give NL_EIO with a message saying the
 * file is read-only (or, for SQLITE_READONLY_ROLLBACK, has a hot journal
 * that cannot be rolled back). */
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

/* Rewraps the data key under a new passphrase; pages are not rewritten.
 * NL_EIO on a store opened read-only. */
int store_passwd(struct store *s, const struct store_pass *newpass,
		 enum store_kdf kdf, struct nl_err *err);

/* Rotates the data key: VACUUM INTO a new file under a new key, then an
 * atomic rename over the old one. The store stays open on the new file.
 * NL_EIO on a store opened read-only. */
int store_rekey(struct store *s, const struct store_pass *newpass,
		enum store_kdf kdf, struct nl_err *err);

/* Online backup into a new file (NL_EEXIST if dest exists) protected by
 * pass, then verified as store_check does. */
int store_backup(struct store *s, const char *dest,
		 const struct store_pass *pass, store_progress_fn progress,
		 void *ctx, struct nl_err *err);

#endif
