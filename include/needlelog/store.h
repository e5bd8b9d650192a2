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

/* Users: each has a key slot of their own in the header (docs/file-format.md). */
#define STORE_USERS_MAX 10
/* A user's name, in bytes; no control characters. */
#define STORE_USER_NAME_MAX 32

/* A credential: a passphrase in guarded memory (sodium_malloc), and whose
 * it is. Free with store_pass_free. user "" means the file's only user
 * (NL_EUSAGE when it has several); recovery means buf is a recovery key
 * (store_recovery_parse's canonical form). first_user names the first user
 * of a new file, or the user an old-format file's one passphrase becomes
 * when it is upgraded, when user is "" ("" too: "owner"). */
struct store_pass {
	char *buf;
	size_t len;
	char user[STORE_USER_NAME_MAX + 1];
	char first_user[STORE_USER_NAME_MAX + 1];
	bool recovery;
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
/* Sets p->user (NULL or "": the only user); NL_EDATA for a name that is
 * empty, too long or holds a control character. store_pass_first_user the
 * same for p->first_user. */
int store_pass_user(struct store_pass *p, const char *name, struct nl_err *err);
int store_pass_first_user(struct store_pass *p, const char *name,
			  struct nl_err *err);
/* Whether name can be a user's name. */
bool store_user_name_ok(const char *name);

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
/* How long a statement waits for another process's lock before
 * SQLITE_BUSY: STORE_BUSY_WAIT_MS from store_open on; 0 for a question
 * that must not wait (an idle screen's poll asks again a second later). */
#define STORE_BUSY_WAIT_MS 3000
void store_busy_wait(struct store *s, int ms);
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

/* A new passphrase for the user who unlocked s (store_user_passwd);
 * pages are not rewritten. NL_EIO on a store opened read-only. */
int store_passwd(struct store *s, const struct store_pass *newpass,
		 enum store_kdf kdf, struct nl_err *err);

/* Rotates the data key: VACUUM INTO a new file under a new key, then an
 * atomic rename over the old one. Every user and the recovery key keep
 * opening it (the new key is sealed to each slot's public key); newpass,
 * when not NULL, also replaces the passphrase of the user who unlocked s.
 * The store stays open on the new file. NL_EIO on a store opened
 * read-only. */
int store_rekey(struct store *s, const struct store_pass *newpass,
		enum store_kdf kdf, struct nl_err *err);

/* ---- users and the recovery key -------------------------------------
 * Every slot change holds the write lock, writes the new slot into a free
 * one and syncs before it wipes an old one: a crash leaves the old state
 * or the new, never neither. */

/* The user who unlocked s ("" when the recovery key did). */
const char *store_user(const struct store *s);
/* A new user with their own passphrase. NL_EEXIST: the name is taken;
 * NL_EUSAGE: STORE_USERS_MAX users already. */
int store_user_add(struct store *s, const char *name,
		   const struct store_pass *pass, enum store_kdf kdf,
		   struct nl_err *err);
/* Wipes every slot of user name. NL_ENOENT: no such user; NL_EUSAGE: the
 * last user. */
int store_user_remove(struct store *s, const char *name, struct nl_err *err);
/* A new passphrase for user name (NULL: the user who unlocked s). */
int store_user_passwd(struct store *s, const char *name,
		      const struct store_pass *newpass, enum store_kdf kdf,
		      struct nl_err *err);
/* The users' names, sorted, into *names (an array of n strings of
 * STORE_USER_NAME_MAX + 1 bytes; free() it). */
int store_users(struct store *s, char (**names)[STORE_USER_NAME_MAX + 1],
		size_t *n, struct nl_err *err);
/* How many users a file has, read from its header without a passphrase
 * (a face asks "who are you?" only when there are several). */
int store_file_user_count(const char *path, int *n, struct nl_err *err);

/* The recovery key: 8 groups of 5 characters from Crockford's base32
 * (0-9, A-Z without I, L, O, U), each group 4 random characters (20 bits,
 * 160 in all) and a check character (Luhn mod 32 over the group's number
 * and its characters), so a mistyped group is named before the slow KDF. */
#define STORE_RECOVERY_GROUPS 8
#define STORE_RECOVERY_TEXT (STORE_RECOVERY_GROUPS * 6 - 1)
/* A new recovery key into key (STORE_RECOVERY_TEXT + 1 bytes, "XXXXX-..."),
 * replacing the old one, which no longer opens the file. */
int store_recovery_new(struct store *s, enum store_kdf kdf, char *key,
		       struct nl_err *err);
/* Checks a typed recovery key (any case; spaces and dashes ignored; O read
 * as 0, I and L as 1) and puts its canonical form into out with
 * out->recovery set. NL_EDATA naming the group that is wrong. */
int store_recovery_parse(const char *typed, struct store_pass *out,
			 struct nl_err *err);

/* The key slots as check sees them. */
struct store_slot_report {
	int version;          /* the header's format */
	int users;            /* distinct users with an intact slot */
	int slots_used;       /* intact slots (a user may briefly have two) */
	bool recovery;        /* an intact recovery slot */
	int damaged;          /* slots neither all zero nor intact */
	int damaged_slot[16]; /* their numbers (0-based) */
};
int store_slot_report(struct store *s, struct store_slot_report *r,
		      struct nl_err *err);

/* Online backup into a new file (NL_EEXIST if dest exists) under its own
 * data key, which every user's passphrase and the recovery key open (the
 * slots are carried over), then opened and verified as store_check does.
 * The open uses the key kept since s was opened, so no KDF runs; pass is
 * used (the KDF runs) only when there is none: a format-1 file opened
 * read-only (its copy gets a new slot under pass), or the slot that
 * unlocked s replaced since. */
int store_backup(struct store *s, const char *dest,
		 const struct store_pass *pass, store_progress_fn progress,
		 void *ctx, struct nl_err *err);

#endif
