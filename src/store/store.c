#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "needlelog/crypt.h"
#include "needlelog/store.h"
#include "header.h"
#include "zmalloc.h"
#include "vfs.h"

struct store {
	sqlite3 *db;
	char *path;
	int key;  /* the VFS key handle */
	bool readonly; /* opened by store_open_ro: SQLITE_OPEN_READONLY */
	int hold; /* a descriptor holding a shared flock(2): "open here" */
	char user[STORE_USER_NAME_MAX + 1]; /* who unlocked it; "" the recovery key */
	bool recovery; /* the recovery key unlocked it */
	/* The unlocking slot's secret key (guarded memory, no access between
	 * uses; NULL when a format-1 passphrase unlocked it or the slot was
	 * replaced since) and the slot as it was read: a backup verifies its
	 * copy with them instead of deriving the key again. */
	uint8_t *sk;
	uint8_t wrap[HDR_SLOT_SIZE];
};

static sqlite3_file *main_file(struct store *s);

int store_memory_init(struct nl_err *err)
{
	static int installed;

	if (installed)
		return NL_OK;
	if (zmalloc_install() != SQLITE_OK)
		return nl_error(err, NL_EINTERNAL, "SQLite was started before store_memory_init; "
				"its memory would not be wiped");
	installed = 1;
	return NL_OK;
}

int store_global_init(struct nl_err *err)
{
	static int ready;

	if (ready)
		return NL_OK;
	crypt_no_core_dumps();
	if (sodium_init() < 0)
		return nl_error(err, NL_EINTERNAL, "libsodium failed to initialise");
	/* first: SQLite takes its allocator only before it initialises, and
	 * every page it decrypts must be wiped when freed */
	if (store_memory_init(err) != NL_OK)
		return err ? err->status : NL_EINTERNAL;
	if (vfs_register() != SQLITE_OK)
		return nl_error(err, NL_EINTERNAL, "could not register the encrypting VFS");
	ready = 1;
	return NL_OK;
}

int store_pass_set(struct store_pass *p, const char *s, size_t len,
		   struct nl_err *err)
{
	p->buf = NULL;
	p->len = 0;
	p->user[0] = p->first_user[0] = '\0';
	p->recovery = false;
	if (len > STORE_PASS_MAX)
		return nl_error(err, NL_EUSAGE, "the passphrase is longer than %d bytes",
				STORE_PASS_MAX);
	p->buf = crypt_secure_alloc(len + 1);
	if (!p->buf)
		return nl_error(err, NL_ENOMEM, "out of secure memory for the passphrase");
	memcpy(p->buf, s, len);
	p->buf[len] = '\0';
	p->len = len;
	return NL_OK;
}

void store_pass_free(struct store_pass *p)
{
	crypt_secure_free(p->buf);
	p->buf = NULL;
	p->len = 0;
	p->user[0] = p->first_user[0] = '\0';
	p->recovery = false;
}

bool store_user_name_ok(const char *name)
{
	return header_name_ok(name);
}

static int set_name(char *dst, const char *name, struct nl_err *err)
{
	if (!name || !*name) {
		dst[0] = '\0';
		return NL_OK;
	}
	if (!header_name_ok(name))
		return nl_error(err, NL_EDATA, "user: '%.40s' is not a user name (1 to %d bytes, "
				"no control characters)", name, STORE_USER_NAME_MAX);
	snprintf(dst, STORE_USER_NAME_MAX + 1, "%s", name);
	return NL_OK;
}

int store_pass_user(struct store_pass *p, const char *name, struct nl_err *err)
{
	return set_name(p->user, name, err);
}

int store_pass_first_user(struct store_pass *p, const char *name,
			  struct nl_err *err)
{
	return set_name(p->first_user, name, err);
}

/* The name a new file's first user, or an old file's one passphrase, gets. */
static const char *first_name(const struct store_pass *p)
{
	return p->user[0] ? p->user : p->first_user[0] ? p->first_user : "owner";
}

const char *store_user(const struct store *s)
{
	return s->user;
}

sqlite3 *store_db(struct store *s)
{
	return s->db;
}

void store_busy_wait(struct store *s, int ms)
{
	sqlite3_busy_timeout(s->db, ms);
}

const char *store_path(const struct store *s)
{
	return s->path;
}

_Static_assert(STORE_FILE_ID_BYTES == NL_FILE_ID_BYTES, "one file id size");

int store_file_id(const struct store *s, uint8_t out[STORE_FILE_ID_BYTES])
{
	const uint8_t *id = s ? vfs_key_file_id(s->key) : NULL;

	if (!id)
		return NL_EUSAGE;
	memcpy(out, id, NL_FILE_ID_BYTES);
	return NL_OK;
}

bool store_readonly(const struct store *s)
{
	return s->readonly;
}

bool store_path_writable(const char *path)
{
	char *copy = strdup(path);
	bool ok;

	if (!copy)
		return false;
	ok = access(path, W_OK) == 0 && access(dirname(copy), W_OK) == 0;
	free(copy);
	return ok;
}

/* A write refused because the file could not be written. */
static int readonly_error(struct store *s, int rc, const char *what,
			  struct nl_err *err)
{
	const char *path = s && s->path ? s->path : what;

	if (rc == SQLITE_READONLY_ROLLBACK)
		return nl_error(err, NL_EIO,
				"%s has an unfinished change (hot journal) that cannot be "
				"rolled back on read-only media; copy it with %s-journal "
				"to writable storage and run `needlelog check` there",
				path, path);
	return nl_error(err, NL_EIO,
			"%s: %s is read-only here (the file, its folder or the media "
			"cannot be written); nothing was changed", what, path);
}

int store_sqlite_error(struct store *s, int rc, const char *what,
		       struct nl_err *err)
{
	const char *msg = s && s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
	uint32_t page;
	int kind = 0;

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return nl_error(err, NL_EBUSY,
				"%s: the record file is busy: another needlelog is using it; "
				"try again when it has finished", what);
	case SQLITE_FULL:
		return nl_error(err, NL_EIO,
				"%s: the disk is full; nothing was changed. Free some space and try again",
				what);
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return nl_error(err, NL_EAUTH,
				"%s: the record file is damaged (%s); restore it from a backup",
				what, msg);
	case SQLITE_NOMEM:
		return nl_error(err, NL_ENOMEM, "%s: out of memory", what);
	case SQLITE_CONSTRAINT:
		return nl_error(err, NL_EDATA, "%s: %s", what, msg);
	case SQLITE_IOERR:
		if (rc != SQLITE_IOERR_DATA)
			return nl_error(err, NL_EIO, "%s: I/O error (%s)", what, msg);
		page = s ? vfs_key_bad_page(s->key, &kind) : 0;
		if (page == 0)
			return nl_error(err, NL_EAUTH,
					"%s: the record file failed authentication (a journal record): "
					"it was tampered with or damaged; restore it from a backup", what);
		return nl_error(err, NL_EAUTH,
				"%s: %s page %u of the record file failed authentication: "
				"it was tampered with or damaged; restore it from a backup",
				what, kind == CRYPT_KIND_DB ? "database" : "journal", page);
	case SQLITE_READONLY:
		return readonly_error(s, rc, what, err);
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
		return nl_error(err, NL_EIO, "%s: %s", what, msg);
	default:
		return nl_error(err, NL_EINTERNAL, "%s: %s", what, msg);
	}
}

/* "file:" URI for path, with the key handle as a parameter. */
static char *make_uri(const char *path, int key)
{
	static const char safe[] = "-._~/!$&'()*+,;=:@";
	size_t n = strlen(path);
	char *uri = malloc(n * 3 + 64), *o = uri;

	if (!uri)
		return NULL;
	o += sprintf(o, path[0] == '/' ? "file://" : "file:");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || (strchr(safe, *p) && *p != '&'))
			*o++ = (char)*p;
		else
			o += sprintf(o, "%%%02X", *p);
	}
	sprintf(o, "?nlkey=%d", key);
	return uri;
}

static int exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* Runs a one-row, one-text-column statement and compares its answer. */
static int expect_text(sqlite3 *db, const char *sql, const char *want)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *got = (const char *)sqlite3_column_text(st, 0);

		rc = got && strcmp(got, want) == 0 ? SQLITE_OK : SQLITE_MISUSE;
	}
	sqlite3_finalize(st);
	return rc;
}

/* flags: SQLITE_OPEN_READWRITE or SQLITE_OPEN_READONLY. */
static int open_conn(const char *path, int key, int flags, sqlite3 **out)
{
	char *uri = make_uri(path, key);
	int reserve = NL_RESERVE, rc;
	sqlite3 *db = NULL;

	*out = NULL;
	if (!uri)
		return SQLITE_NOMEM;
	rc = sqlite3_open_v2(uri, &db, flags | SQLITE_OPEN_URI, NL_VFS_NAME);
	free(uri);
	if (rc == SQLITE_OK) {
		sqlite3_extended_result_codes(db, 1);
		sqlite3_busy_timeout(db, STORE_BUSY_WAIT_MS);
		rc = exec(db, "PRAGMA page_size=4096");
	}
	/* 8 MiB of decrypted pages (SQLite's default is 2 MiB): a list that
	 * reads rows by id across a large file (each unsigned session's patient,
	 * the series of the due list) misses a small cache on most rows, and
	 * every miss here is a read and an authenticated decryption. At 10,000
	 * patients this halves the unsigned list and the TUI's first screen
	 * (docs/benchmark.md); memory stays bounded, flat in the file's size.
	 * The zeroing allocator wipes the pages when they are freed. */
	if (rc == SQLITE_OK)
		rc = exec(db, "PRAGMA cache_size=-8192");
	if (rc == SQLITE_OK)
		sqlite3_file_control(db, "main", SQLITE_FCNTL_RESERVE_BYTES, &reserve);
	if (rc == SQLITE_OK)
		rc = expect_text(db, "PRAGMA journal_mode=DELETE", "delete");
	/* EXTRA, not FULL: in DELETE mode the commit is the journal's unlink,
	 * and only EXTRA fsyncs the directory after it (pager.c,
	 * pager_end_transaction). Under FULL a power loss can bring the
	 * journal back and roll a returned commit back. */
	if (rc == SQLITE_OK)
		rc = exec(db, "PRAGMA synchronous=EXTRA; PRAGMA temp_store=MEMORY;"
			      "PRAGMA cell_size_check=ON");
	/* First real read: authenticates page 1 and rolls back a hot journal
	 * (read-only: fails with SQLITE_READONLY_ROLLBACK instead). */
	if (rc == SQLITE_OK)
		rc = exec(db, "SELECT count(*) FROM sqlite_schema");
	if (rc != SQLITE_OK && db) {
		int ext = sqlite3_extended_errcode(db);

		sqlite3_close(db);
		return ext != SQLITE_OK ? ext : rc;
	}
	*out = db;
	return rc;
}

static void sync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd;

	if (!copy)
		return;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

static int path_free(const char *path, const char *what, struct nl_err *err)
{
	struct stat st;

	if (lstat(path, &st) == 0)
		return nl_error(err, NL_EEXIST,
				"%s already exists; %s never overwrites a file", path, what);
	if (errno != ENOENT)
		return nl_error(err, NL_EIO, "cannot create %s: %s", path, strerror(errno));
	return NL_OK;
}

static int read_header(const char *path, bool readonly, struct header *h,
		       struct nl_err *err)
{
	struct stat st;
	int rc;

	if (stat(path, &st) != 0) {
		if (errno == ENOENT)
			return nl_error(err, NL_ENOENT,
					"no record file at %s; create one with `needlelog init`", path);
		return nl_error(err, NL_EIO, "cannot open %s: %s", path, strerror(errno));
	}
	if (!S_ISREG(st.st_mode))
		return nl_error(err, NL_ENOTFILE, "%s is not a needlelog record file", path);
	if (access(path, R_OK) != 0)
		return nl_error(err, NL_EIO, "cannot open %s: %s", path, strerror(errno));
	if (!readonly && access(path, W_OK) != 0)
		return nl_error(err, NL_EIO, "cannot open %s for writing: it is read-only "
				"here (%s); nothing was changed", path, strerror(errno));
	memset(h, 0, sizeof(*h));
	rc = vfs_raw_read(path, h->raw, HDR_SIZE);
	if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ)
		return nl_error(err, NL_EIO, "cannot read %s: %s", path, sqlite3_errstr(rc));
	rc = header_parse(h, err);
	if (rc == NL_OK && st.st_size < HDR_SIZE)
		rc = nl_error(err, NL_EHEADER, "the record file's header is damaged (truncated)");
	if (rc != NL_OK) {
		/* err->msg cannot be both the output and an argument. */
		char why[sizeof(err->msg)];

		snprintf(why, sizeof(why), "%s", err ? err->msg : "bad header");
		return nl_error(err, rc, "%s: %s", path, why);
	}
	return NL_OK;
}

/* A shared flock(2) on the file for as long as the store is open, so a
 * restore can tell that the file is in use even between transactions
 * (SQLite holds no lock then). flock and SQLite's POSIX locks are apart. */
static int hold_open(struct store *s, struct nl_err *err)
{
	int fd = open(s->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return nl_error(err, errno == ENOENT ? NL_ENOENT : NL_EIO,
				"cannot open %s: %s", s->path, strerror(errno));
	if (flock(fd, LOCK_SH | LOCK_NB) != 0) {
		int e = errno;

		close(fd);
		if (e == EWOULDBLOCK)
			return nl_error(err, NL_EBUSY,
					"%s is being restored from a backup; try again when "
					"the restore has finished", s->path);
		return nl_error(err, NL_EIO, "cannot lock %s: %s", s->path, strerror(e));
	}
	if (s->hold >= 0)
		close(s->hold);
	s->hold = fd;
	return NL_OK;
}

/* Opens the connection for a file whose key is known. */
static int attach(const char *path, const uint8_t *dek, const uint8_t *file_id,
		  bool readonly, struct store **out, struct nl_err *err)
{
	struct store *s = calloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	if (!s || !(s->path = strdup(path))) {
		free(s);
		return nl_error(err, NL_ENOMEM, "out of memory");
	}
	s->readonly = readonly;
	s->hold = -1;
	rc = hold_open(s, err);
	if (rc != NL_OK) {
		store_close(s);
		return rc;
	}
	s->key = vfs_key_add(dek, file_id);
	if (s->key < 0) {
		store_close(s);
		return nl_error(err, NL_ENOMEM, "out of secure memory for the key");
	}
	rc = open_conn(path, s->key,
		       readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE, &s->db);
	if (rc != SQLITE_OK) {
		rc = store_sqlite_error(s, rc, path, err);
		store_close(s);
		return rc;
	}
	*out = s;
	return NL_OK;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	/* A connection that will not close (a statement left unfinalized, a
	 * bug) may still read: keep its key rather than free it under it. */
	if (s->db && sqlite3_close(s->db) != SQLITE_OK)
		s->key = -1;
	if (s->key > 0)
		vfs_key_remove(s->key);
	if (s->hold >= 0)
		close(s->hold);
	crypt_secure_free(s->sk);
	free(s->path);
	free(s);
}

/* The unlocking slot was replaced: its secret key opens nothing of ours. */
static void forget_sk(struct store *s)
{
	crypt_secure_free(s->sk);
	s->sk = NULL;
}

/* Where a new file's key slots come from: a new first user, or (a backup,
 * a re-key) every slot of an open file, carried over by header_reseal. */
struct slots_from {
	const struct header *h;
	const uint8_t *dek;
	const char *replace_user; /* this user's slots get pass instead */
};

/* Carries from's slots into h; replace_user's are made anew under pass. */
static int carry_slots(const struct store_pass *pass, enum store_kdf preset,
		       const struct slots_from *from, const uint8_t *dek,
		       struct header *h, struct nl_err *err)
{
	struct crypt_kdf kdf = crypt_kdf_preset(preset);
	int idx[HDR_SLOTS], n, rc = header_reseal(from->h, from->dek, h, dek, err);

	if (rc != NL_OK || !from->replace_user)
		return rc;
	n = header_user_slots(h, from->replace_user, idx, HDR_SLOTS);
	if (n == 0)
		return nl_error(err, NL_ENOENT, "no user '%s'", from->replace_user);
	for (int k = 0; k < n; k++)
		header_clear_slot(h, idx[k]);
	return header_make_slot(h, idx[0], SLOT_USER, header_max_seq(h) + 1,
				from->replace_user, pass, &kdf, dek, err);
}

/* The header of a new file: its own file id, dek sealed into its slots. */
static int new_header(const struct store_pass *pass, enum store_kdf preset,
		      const struct slots_from *from, const uint8_t *dek,
		      struct header *h, struct nl_err *err)
{
	struct crypt_kdf kdf = crypt_kdf_preset(preset);

	header_new(h);
	if (from)
		return carry_slots(pass, preset, from, dek, h, err);
	return header_make_slot(h, 0, SLOT_USER, 1, first_name(pass), pass, &kdf, dek, err);
}

/* A new container file with a fresh data key. */
static int create_file(const char *path, const struct store_pass *pass,
		       enum store_kdf preset, const struct slots_from *from,
		       uint8_t *dek, struct header *h, struct nl_err *err)
{
	int rc;

	crypto_aead_xchacha20poly1305_ietf_keygen(dek);
	rc = new_header(pass, preset, from, dek, h, err);
	if (rc != NL_OK)
		return rc;
	rc = vfs_raw_create(path, h->raw);
	if (rc != SQLITE_OK)
		return nl_error(err, NL_EIO, "cannot create %s: %s", path,
				sqlite3_errstr(rc));
	sync_dir(path);
	return NL_OK;
}

int store_create(const char *path, const struct store_pass *pass,
		 enum store_kdf kdf, struct store **out, struct nl_err *err)
{
	uint8_t *dek = crypt_secure_alloc(NL_KEY_BYTES);
	struct header h;
	int rc, sq;

	*out = NULL;
	if (!dek)
		return nl_error(err, NL_ENOMEM, "out of secure memory");
	rc = path_free(path, "needlelog init", err);
	if (rc == NL_OK && pass->user[0] == '\0' && pass->first_user[0] &&
	    !header_name_ok(pass->first_user))
		rc = nl_error(err, NL_EDATA, "user: not a user name");
	if (rc == NL_OK)
		rc = create_file(path, pass, kdf, NULL, dek, &h, err);
	if (rc == NL_OK)
		rc = attach(path, dek, h.file_id, false, out, err);
	if (rc == NL_OK)
		snprintf((*out)->user, sizeof((*out)->user), "%s", first_name(pass));
	/* Page 1 at once: from here on a record file always has pages, and
	 * store_open can refuse one that was cut back to its header. */
	if (rc == NL_OK && (sq = exec((*out)->db, "PRAGMA user_version=0")) != SQLITE_OK) {
		rc = store_sqlite_error(*out, sq, path, err);
		store_close(*out);
		*out = NULL;
	}
	crypt_secure_free(dek);
	return rc;
}

/* SQLite takes a file without pages for a new, empty database; a record
 * file without pages lost them (store_create writes page 1). */
static int require_pages(struct store **s, struct nl_err *err)
{
	sqlite3_int64 pages = -1;
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2((*s)->db, "PRAGMA page_count", -1, &st, NULL);

	if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		pages = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (pages > 0)
		return NL_OK;
	if (pages < 0)
		rc = store_sqlite_error(*s, sqlite3_extended_errcode((*s)->db),
					"reading the page count", err);
	else
		rc = nl_error(err, NL_EAUTH,
			      "%s has no pages: it was cut back to its header, or its "
			      "creation never finished; restore it from a backup", (*s)->path);
	store_close(*s);
	*s = NULL;
	return rc;
}

/* The data key from a format-2 slot when the header has one (an upgrade
 * cut short has one too), else from format 1's passphrase. name gets who
 * unlocked. */
static int unlock(const struct header *h, const struct store_pass *pass,
		  uint8_t *dek, uint8_t *sk, int *slot, char *name, struct nl_err *err)
{
	bool v2 = h->version == 2;
	int rc;

	for (int i = 0; i < HDR_SLOTS; i++)
		v2 = v2 || h->slot[i].state == SLOT_INTACT;
	if (v2)
		return header_unlock(h, pass->user[0] ? pass->user : NULL, pass->recovery,
				     pass, dek, sk, slot, name, err);
	if (pass->recovery)
		return nl_error(err, NL_EPASS, "the file has no recovery key yet (it is in "
				"the old format)");
	rc = header_v1_unwrap(h, pass, dek, err);
	if (rc == NL_OK)
		snprintf(name, STORE_USER_NAME_MAX + 1, "%s", first_name(pass));
	return rc;
}

/* Reads and parses the header of an open store under the write lock
 * (BEGIN EXCLUSIVE: no other connection reads or writes meanwhile). On
 * success the caller ends with unlock_header. */
static int lock_header(struct store *s, sqlite3_file **f, struct header *h,
		       const char *what, struct nl_err *err)
{
	int rc;

	*f = main_file(s);
	if (!*f)
		return nl_error(err, NL_EINTERNAL, "the record file is not open through needlelog's VFS");
	if (s->readonly)
		return readonly_error(s, SQLITE_READONLY, what, err);
	rc = exec(s->db, "BEGIN EXCLUSIVE");
	if (rc != SQLITE_OK)
		return store_sqlite_error(s, rc, what, err);
	rc = vfs_header_read(*f, h->raw);
	if (rc != SQLITE_OK)
		rc = store_sqlite_error(s, rc, what, err);
	else
		rc = header_parse(h, err);
	if (rc != NL_OK)
		exec(s->db, "ROLLBACK");
	return rc;
}

static void unlock_header(struct store *s)
{
	exec(s->db, "ROLLBACK");
}

/* The header under a read lock (a slot change holds the write lock). */
static int read_header_shared(struct store *s, struct header *h, struct nl_err *err)
{
	sqlite3_file *f = main_file(s);
	int rc;

	if (!f)
		return nl_error(err, NL_EINTERNAL, "the record file is not open through needlelog's VFS");
	rc = exec(s->db, "BEGIN; SELECT count(*) FROM sqlite_schema");
	if (rc == SQLITE_OK)
		rc = vfs_header_read(f, h->raw);
	exec(s->db, "ROLLBACK");
	if (rc != SQLITE_OK)
		return store_sqlite_error(s, rc, "reading the header", err);
	return header_parse(h, err);
}

static int write_slot(sqlite3_file *f, const struct header *h, int i)
{
	return vfs_header_write(f, HDR_SLOT_OFF(i), h->raw + HDR_SLOT_OFF(i), HDR_SLOT_SIZE);
}

static int wipe_slot(sqlite3_file *f, struct header *h, int i)
{
	header_clear_slot(h, i);
	return write_slot(f, h, i);
}

/* Format 1 to 2, each write synced: (1) the user's format-2 slot past
 * format 1's two (a crash here leaves a format-1 file that the new slot
 * or the old passphrase opens), (2) format 1's slots zeroed, (3) the
 * version. Parsing accepts a format-1 header with format-2 slots, and an
 * open finishes what a crash cut short. */
static int upgrade_locked(struct store *s, sqlite3_file *f, struct header *h,
			  const struct store_pass *pass, struct nl_err *err)
{
	static const uint8_t zero[2 * HDR_V1_SLOT_SIZE];
	static const uint8_t two[4] = { 0, 0, 0, 2 };
	struct crypt_kdf kdf = h->v1[h->v1[0].state == SLOT_INTACT ? 0 : 1].kdf;
	bool done = false;
	int rc = SQLITE_OK;

	for (int i = HDR_UPGRADE_SLOT; i < HDR_SLOTS; i++)
		done = done || h->slot[i].state == SLOT_INTACT;
	if (!done) {
		if (!header_v1_any(h))
			return nl_error(err, NL_EHEADER, "the record file's header is damaged");
		rc = header_make_slot(h, HDR_UPGRADE_SLOT, SLOT_USER, header_max_seq(h) + 1,
				      s->user, pass, &kdf, vfs_key_dek(s->key), err);
		if (rc != NL_OK)
			return rc;
		rc = write_slot(f, h, HDR_UPGRADE_SLOT);
	}
	if (rc == SQLITE_OK)
		rc = vfs_header_write(f, 512, zero, sizeof(zero));
	if (rc == SQLITE_OK)
		rc = vfs_header_write(f, HDR_VERSION_OFF, two, sizeof(two));
	if (rc != SQLITE_OK)
		return store_sqlite_error(s, rc, "upgrading the header", err);
	return NL_OK;
}

/* An old-format file becomes format 2 on its first writable open. A busy
 * file is left for the next open. */
static int upgrade(struct store *s, const struct store_pass *pass, struct nl_err *err)
{
	struct header h;
	sqlite3_file *f;
	int rc;

	if (s->readonly)
		return NL_OK;
	rc = lock_header(s, &f, &h, "upgrading the header", err);
	if (rc == NL_EBUSY)
		return NL_OK;
	if (rc != NL_OK)
		return rc;
	if (h.version == 1)
		rc = upgrade_locked(s, f, &h, pass, err);
	unlock_header(s);
	return rc;
}

/* Keeps the unlocking slot's secret key and bytes in s (sk passes to s). */
static void keep_sk(struct store *s, const struct header *h, int slot,
		    uint8_t *sk, bool recovery)
{
	s->recovery = recovery;
	if (slot < 0) {
		crypt_secure_free(sk);
		return;
	}
	memcpy(s->wrap, h->raw + HDR_SLOT_OFF(slot), HDR_SLOT_SIZE);
	sodium_mprotect_noaccess(sk);
	s->sk = sk;
}

static int open_file(const char *path, const struct store_pass *pass,
		     bool readonly, struct store **out, struct nl_err *err)
{
	uint8_t *dek = crypt_secure_alloc(NL_KEY_BYTES);
	uint8_t *sk = crypt_secure_alloc(crypto_box_SECRETKEYBYTES);
	char name[STORE_USER_NAME_MAX + 1] = "";
	struct header h;
	int slot = -1, rc;

	*out = NULL;
	if (!dek || !sk) {
		crypt_secure_free(dek);
		crypt_secure_free(sk);
		return nl_error(err, NL_ENOMEM, "out of secure memory");
	}
	rc = read_header(path, readonly, &h, err);
	if (rc == NL_OK)
		rc = unlock(&h, pass, dek, sk, &slot, name, err);
	if (rc == NL_EPASS) {
		char why[sizeof(err->msg)];

		snprintf(why, sizeof(why), "%s", err ? err->msg : "wrong passphrase");
		rc = nl_error(err, rc, "%s for %s; nothing was changed", why, path);
	}
	if (rc == NL_OK)
		rc = attach(path, dek, h.file_id, readonly, out, err);
	if (rc == NL_OK) {
		snprintf((*out)->user, sizeof((*out)->user), "%s", name);
		keep_sk(*out, &h, slot, sk, pass->recovery);
		sk = NULL;
	}
	if (rc == NL_OK)
		rc = require_pages(out, err);
	if (rc == NL_OK && h.version == 1 && (rc = upgrade(*out, pass, err)) != NL_OK) {
		store_close(*out);
		*out = NULL;
	}
	crypt_secure_free(sk);
	crypt_secure_free(dek);
	return rc;
}

int store_open(const char *path, const struct store_pass *pass,
	       struct store **out, struct nl_err *err)
{
	return open_file(path, pass, false, out, err);
}

int store_open_ro(const char *path, const struct store_pass *pass,
		  struct store **out, struct nl_err *err)
{
	return open_file(path, pass, true, out, err);
}

static sqlite3_file *main_file(struct store *s)
{
	sqlite3_file *f = NULL;

	if (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK ||
	    !vfs_file_is_ours(f))
		return NULL;
	return f;
}

static int integrity_check(struct store *s, struct nl_err *err)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, "PRAGMA integrity_check", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return store_sqlite_error(s, rc, "integrity check", err);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *r = (const char *)sqlite3_column_text(st, 0);

		if (r && strcmp(r, "ok") == 0)
			rc = nl_error(err, NL_OK, "ok");
		else
			rc = nl_error(err, NL_EAUTH,
				      "the record file failed SQLite's integrity check: %s",
				      r ? r : "(no detail)");
	} else {
		rc = store_sqlite_error(s, sqlite3_extended_errcode(s->db),
					"integrity check", err);
	}
	sqlite3_finalize(st);
	return rc;
}

int store_check(struct store *s, store_progress_fn progress, void *ctx,
		struct nl_err *err)
{
	sqlite3_file *f = main_file(s);
	uint32_t bad = 0;
	int rc;

	if (!f)
		return nl_error(err, NL_EINTERNAL, "the record file is not open through needlelog's VFS");
	/* A read transaction: the pages stay still while they are checked. */
	rc = exec(s->db, "BEGIN; SELECT count(*) FROM sqlite_schema");
	if (rc == SQLITE_OK)
		rc = vfs_verify_pages(f, progress, ctx, &bad);
	exec(s->db, "ROLLBACK");
	if (rc != SQLITE_OK)
		return store_sqlite_error(s, rc, "check", err);
	return integrity_check(s, err);
}

int store_passwd(struct store *s, const struct store_pass *newpass,
		 enum store_kdf preset, struct nl_err *err)
{
	return store_user_passwd(s, NULL, newpass, preset, err);
}

/* A new slot for name into a spare one, written and synced; *at gets it. */
static int add_slot(struct store *s, sqlite3_file *f, struct header *h,
		    enum slot_kind kind, const char *name,
		    const struct store_pass *pass, enum store_kdf preset, int *at,
		    struct nl_err *err)
{
	struct crypt_kdf kdf = crypt_kdf_preset(preset);
	int i = header_spare_slot(h), rc;

	if (i < 0)
		return nl_error(err, NL_EUSAGE, "the header has no free key slot (%d users "
				"at most, and the recovery key)", STORE_USERS_MAX);
	rc = header_make_slot(h, i, kind, header_max_seq(h) + 1, name, pass, &kdf,
			      vfs_key_dek(s->key), err);
	if (rc != NL_OK)
		return rc;
	rc = write_slot(f, h, i);
	if (rc != SQLITE_OK)
		return store_sqlite_error(s, rc, "writing the header", err);
	*at = i;
	return NL_OK;
}

int store_user_passwd(struct store *s, const char *name,
		      const struct store_pass *newpass, enum store_kdf preset,
		      struct nl_err *err)
{
	const char *who = name && *name ? name : s->user;
	int old[HDR_SLOTS], n, at, rc;
	struct header h;
	sqlite3_file *f;

	if (!*who)
		return nl_error(err, NL_EUSAGE, "opened with the recovery key: name the user "
				"whose passphrase to set");
	rc = lock_header(s, &f, &h, "passwd", err);
	if (rc != NL_OK)
		return rc;
	n = header_user_slots(&h, who, old, HDR_SLOTS);
	if (n == 0)
		rc = nl_error(err, NL_ENOENT, "no user '%s' in %s", who, s->path);
	/* The new slot first, synced; then the old ones are wiped. A crash
	 * between the writes leaves both passphrases working, never neither. */
	if (rc == NL_OK)
		rc = add_slot(s, f, &h, SLOT_USER, who, newpass, preset, &at, err);
	for (int k = 0; k < n && rc == NL_OK; k++)
		if ((rc = wipe_slot(f, &h, old[k])) != SQLITE_OK)
			rc = store_sqlite_error(s, rc, "passwd: writing the header", err);
	unlock_header(s);
	if (rc == NL_OK && !s->recovery && strcmp(who, s->user) == 0)
		forget_sk(s);
	return rc;
}

int store_user_add(struct store *s, const char *name,
		   const struct store_pass *pass, enum store_kdf preset,
		   struct nl_err *err)
{
	int idx[HDR_SLOTS], at, rc;
	struct header h;
	sqlite3_file *f;

	if (!header_name_ok(name))
		return nl_error(err, NL_EDATA, "user: '%.40s' is not a user name (1 to %d "
				"bytes, no control characters)", name ? name : "", STORE_USER_NAME_MAX);
	rc = lock_header(s, &f, &h, "user add", err);
	if (rc != NL_OK)
		return rc;
	if (header_user_slots(&h, name, idx, HDR_SLOTS) > 0)
		rc = nl_error(err, NL_EEXIST, "there is already a user '%s' in %s", name, s->path);
	else if (header_user_count(&h) >= STORE_USERS_MAX)
		rc = nl_error(err, NL_EUSAGE, "%s already has %d users, the most it can hold; "
			      "remove one first", s->path, STORE_USERS_MAX);
	if (rc == NL_OK)
		rc = add_slot(s, f, &h, SLOT_USER, name, pass, preset, &at, err);
	unlock_header(s);
	return rc;
}

int store_user_remove(struct store *s, const char *name, struct nl_err *err)
{
	int idx[HDR_SLOTS], n, rc;
	struct header h;
	sqlite3_file *f;

	rc = lock_header(s, &f, &h, "user remove", err);
	if (rc != NL_OK)
		return rc;
	n = header_user_slots(&h, name, idx, HDR_SLOTS);
	if (n == 0)
		rc = nl_error(err, NL_ENOENT, "no user '%s' in %s", name, s->path);
	else if (header_user_count(&h) == 1)
		rc = nl_error(err, NL_EUSAGE, "'%s' is the only user of %s; add another "
			      "before removing this one", name, s->path);
	/* One write per slot: a torn one fails its hash, so it no longer opens. */
	for (int k = 0; k < n && rc == NL_OK; k++)
		if ((rc = wipe_slot(f, &h, idx[k])) != SQLITE_OK)
			rc = store_sqlite_error(s, rc, "user remove: writing the header", err);
	unlock_header(s);
	return rc;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

int store_users(struct store *s, char (**names)[STORE_USER_NAME_MAX + 1],
		size_t *n, struct nl_err *err)
{
	const uint8_t *dek = vfs_key_dek(s->key);
	char (*v)[STORE_USER_NAME_MAX + 1];
	struct header h;
	int rc = read_header_shared(s, &h, err);

	*names = NULL;
	*n = 0;
	if (rc != NL_OK)
		return rc;
	v = calloc(HDR_SLOTS, sizeof(*v));
	if (!v)
		return nl_error(err, NL_ENOMEM, "out of memory");
	for (int i = 0; i < HDR_SLOTS; i++) {
		size_t k;

		if (h.slot[i].state != SLOT_INTACT || h.slot[i].kind != SLOT_USER)
			continue;
		if (header_slot_name(&h, i, dek, v[*n]) != 0) {
			free(v);
			return nl_error(err, NL_EHEADER, "key slot %d: the user's name does not "
					"decrypt", i + 1);
		}
		for (k = 0; k < *n && strcmp(v[k], v[*n]) != 0; k++)
			;
		if (k == *n)
			(*n)++;
	}
	/* an old-format file not upgraded yet (read-only): its one user */
	if (*n == 0 && h.version == 1)
		snprintf(v[(*n)++], sizeof(v[0]), "%s", s->user);
	qsort(v, *n, sizeof(*v), cmp_name);
	*names = v;
	return NL_OK;
}

int store_slot_report(struct store *s, struct store_slot_report *r,
		      struct nl_err *err)
{
	struct header h;
	int rc = read_header_shared(s, &h, err);

	memset(r, 0, sizeof(*r));
	if (rc != NL_OK)
		return rc;
	r->version = (int)h.version;
	r->users = header_user_count(&h);
	r->recovery = header_recovery_slot(&h) >= 0;
	for (int i = 0; i < HDR_SLOTS; i++) {
		r->slots_used += h.slot[i].state == SLOT_INTACT;
		if (h.slot[i].state == SLOT_DAMAGED)
			r->damaged_slot[r->damaged++] = i;
	}
	if (h.version == 1)
		r->users = header_v1_any(&h) ? 1 : r->users;
	return NL_OK;
}

int store_file_user_count(const char *path, int *n, struct nl_err *err)
{
	struct header h;
	int rc = read_header(path, true, &h, err);

	*n = 0;
	if (rc != NL_OK)
		return rc;
	*n = header_user_count(&h);
	if (*n == 0 && header_v1_any(&h))
		*n = 1;
	return NL_OK;
}

int store_recovery_new(struct store *s, enum store_kdf preset, char *key,
		       struct nl_err *err)
{
	struct store_pass pass = { 0 };
	int old[HDR_SLOTS], n = 0, at, rc;
	struct header h;
	sqlite3_file *f;

	recovery_generate(key);
	rc = store_recovery_parse(key, &pass, err);
	if (rc == NL_OK)
		rc = lock_header(s, &f, &h, "recovery-key new", err);
	if (rc != NL_OK) {
		store_pass_free(&pass);
		return rc;
	}
	for (int i = 0; i < HDR_SLOTS; i++)
		if (h.slot[i].kind == SLOT_RECOVERY)
			old[n++] = i;
	rc = add_slot(s, f, &h, SLOT_RECOVERY, NULL, &pass, preset, &at, err);
	for (int k = 0; k < n && rc == NL_OK; k++)
		if ((rc = wipe_slot(f, &h, old[k])) != SQLITE_OK)
			rc = store_sqlite_error(s, rc, "recovery-key: writing the header", err);
	unlock_header(s);
	store_pass_free(&pass);
	if (rc == NL_OK && s->recovery)
		forget_sk(s);
	/* key is left as it is even on failure: a write that failed may
	 * still have reached the disk (the caller wipes it) */
	return rc;
}

static int vacuum_into(sqlite3 *db, const char *uri)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, "VACUUM INTO ?1", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(st, 1, uri, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : sqlite3_extended_errcode(db);
}

/* Copies in steps so progress can be shown; a writer in another process
 * restarts the copy, so after many steps it finishes in one. */
static int backup_copy(sqlite3 *dst, sqlite3 *src, store_progress_fn progress,
		       void *ctx)
{
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	int rc, steps = 0;

	if (!b)
		return sqlite3_extended_errcode(dst);
	do {
		rc = sqlite3_backup_step(b, ++steps > 200 ? -1 : 64);
		if (progress) {
			int total = sqlite3_backup_pagecount(b);

			progress(ctx, (uint64_t)(total - sqlite3_backup_remaining(b)),
				 (uint64_t)total);
		}
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(20);
	} while (rc == SQLITE_OK || ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && steps < 1000));
	sqlite3_backup_finish(b);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* A new record file at dest, under a new data key sealed into from's slots,
 * filled from s by the online backup API or, with vacuum, by VACUUM INTO.
 * Returns a SQLite code; the container's own errors go to *rc_nl and err.
 * With keep_key, the new key's handle is kept there (else removed). */
static int copy_into(struct store *s, const char *dest,
		     const struct store_pass *pass, enum store_kdf preset,
		     const struct slots_from *from, int vacuum, store_progress_fn progress, void *ctx,
		     int *keep_key, int *rc_nl, struct nl_err *err)
{
	uint8_t *dek = crypt_secure_alloc(NL_KEY_BYTES);
	sqlite3 *dst = NULL;
	char *uri = NULL;
	struct header h;
	int key = -1, rc;

	*rc_nl = dek ? create_file(dest, pass, preset, from, dek, &h, err)
		     : nl_error(err, NL_ENOMEM, "out of secure memory");
	if (*rc_nl != NL_OK) {
		crypt_secure_free(dek);
		return SQLITE_ERROR;
	}
	key = vfs_key_add(dek, h.file_id);
	crypt_secure_free(dek);
	if (key < 0)
		rc = SQLITE_NOMEM;
	else if (vacuum)
		rc = (uri = make_uri(dest, key)) ? vacuum_into(s->db, uri) : SQLITE_NOMEM;
	else if ((rc = open_conn(dest, key, SQLITE_OPEN_READWRITE, &dst)) == SQLITE_OK)
		rc = backup_copy(dst, s->db, progress, ctx);
	if (dst)
		sqlite3_close(dst);
	if (keep_key && rc == SQLITE_OK)
		*keep_key = key;
	else
		vfs_key_remove(key);
	free(uri);
	return rc;
}

/* The open file's slots, to carry into a copy; false for an old-format
 * file opened read-only (no format-2 slot: the copy gets a new one). */
static int slots_of(struct store *s, struct header *h, struct slots_from *from,
		    bool *have, struct nl_err *err)
{
	int rc = read_header_shared(s, h, err);

	*have = false;
	if (rc != NL_OK)
		return rc;
	*from = (struct slots_from){ h, vfs_key_dek(s->key), NULL };
	for (int i = 0; i < HDR_SLOTS; i++)
		*have = *have || h->slot[i].state == SLOT_INTACT;
	return NL_OK;
}

/* Opens the copy dest without the KDF, as the user who has s open: its
 * header read and parsed as any open does, its slots those of src (the
 * header they were carried from), the unlocking user's slot found as an
 * open finds it, carrying the very wrap the passphrase opened when s was
 * opened, and its data key unsealed with the secret key kept since. */
static int open_copy_by_key(struct store *s, const char *dest, const struct header *src,
			    struct store **copy, struct nl_err *err)
{
	uint8_t *dek = crypt_secure_alloc(NL_KEY_BYTES);
	char name[STORE_USER_NAME_MAX + 1] = "";
	struct header h;
	int rc;

	if (!dek)
		return nl_error(err, NL_ENOMEM, "out of secure memory");
	rc = read_header(dest, false, &h, err);
	if (rc == NL_OK && !header_same_slots(src, &h))
		rc = nl_error(err, NL_EHEADER, "its key slots are not the original's");
	if (rc == NL_OK) {
		sodium_mprotect_readonly(s->sk);
		rc = header_unlock_by_key(&h, s->recovery ? NULL : s->user, s->recovery,
					  s->wrap, s->sk, dek, NULL, name, err);
		sodium_mprotect_noaccess(s->sk);
	}
	if (rc == NL_OK)
		rc = attach(dest, dek, h.file_id, false, copy, err);
	crypt_secure_free(dek);
	if (rc != NL_OK)
		return rc;
	snprintf((*copy)->user, sizeof((*copy)->user), "%s", name);
	return require_pages(copy, err);
}

/* Opens dest as the user who has s open and checks every page: with the
 * key kept since s was opened when the copy's slots were carried from
 * src, else (an old-format file's new slot; the unlocking slot replaced
 * since) with pass, which derives the key again. */
static int verify_copy(struct store *s, const char *dest, const struct store_pass *pass,
		       const struct header *src, struct nl_err *err)
{
	struct store_pass as = *pass; /* shares pass's buffer: never freed */
	struct store *copy = NULL;
	int rc;

	if (s->user[0])
		snprintf(as.user, sizeof(as.user), "%s", s->user);
	if (src && s->sk && header_find_wrap(src, s->wrap) >= 0)
		rc = open_copy_by_key(s, dest, src, &copy, err);
	else
		rc = store_open(dest, &as, &copy, err);
	if (rc == NL_OK)
		rc = store_check(copy, NULL, NULL, err);
	if (rc != NL_OK) {
		char why[sizeof(err->msg)];

		snprintf(why, sizeof(why), "%s", err ? err->msg : "");
		nl_error(err, rc, "backup: the copy failed verification: %s", why);
	}
	store_close(copy);
	return rc;
}

int store_backup(struct store *s, const char *dest,
		 const struct store_pass *pass, store_progress_fn progress,
		 void *ctx, struct nl_err *err)
{
	struct slots_from from;
	struct header h;
	bool have;
	int rc_nl, rc = path_free(dest, "backup", err);

	if (rc == NL_OK)
		rc = slots_of(s, &h, &from, &have, err);
	if (rc != NL_OK)
		return rc;
	rc = copy_into(s, dest, pass, STORE_KDF_DEFAULT, have ? &from : NULL, 0,
		       progress, ctx, NULL, &rc_nl, err);
	/* The backup API copies every page, free ones too, and a free-list
	 * leaf torn by a power loss fails authentication although it holds
	 * nothing (see vfs_verify_pages). VACUUM INTO reads only live pages:
	 * if they are sound, it makes a sound copy. */
	if (rc == SQLITE_IOERR_DATA) {
		unlink(dest);
		rc = copy_into(s, dest, pass, STORE_KDF_DEFAULT, have ? &from : NULL, 1,
			       NULL, NULL, NULL, &rc_nl, err);
	}
	if (rc_nl != NL_OK)
		return rc_nl; /* dest was not created */
	if (rc != SQLITE_OK)
		rc = store_sqlite_error(s, rc, "backup", err);
	else
		rc = verify_copy(s, dest, pass, have ? &h : NULL, err);
	if (rc != NL_OK)
		unlink(dest);

	return rc;
}

int store_rekey(struct store *s, const struct store_pass *newpass,
		enum store_kdf preset, struct nl_err *err)
{
	size_t n = strlen(s->path) + 8;
	struct slots_from from;
	struct header h;
	sqlite3 *guard = NULL;
	int key = -1, rc_nl = NL_OK, rc;
	bool have = false;
	char *tmp;

	if (s->readonly)
		return readonly_error(s, SQLITE_READONLY, "passwd --rekey", err);
	if (newpass && !s->user[0])
		return nl_error(err, NL_EUSAGE, "opened with the recovery key: set a user's "
				"passphrase first, then re-key as that user");
	tmp = malloc(n);
	if (!tmp)
		return nl_error(err, NL_ENOMEM, "out of memory");
	snprintf(tmp, n, "%s.rekey", s->path);
	unlink(tmp); /* left by a rekey that crashed before its rename */
	/* A second connection holds the write lock, so no writer can commit
	 * to the old file between the copy and the rename. */
	rc = open_conn(s->path, s->key, SQLITE_OPEN_READWRITE, &guard);
	if (rc == SQLITE_OK)
		rc = exec(guard, "BEGIN IMMEDIATE");
	if (rc == SQLITE_OK && (rc_nl = slots_of(s, &h, &from, &have, err)) == NL_OK) {
		from.replace_user = newpass ? s->user : NULL;
		if (!have && !newpass)
			rc_nl = nl_error(err, NL_EUSAGE, "the file is still in the old format: "
					 "open it once for writing first");
	}
	if (rc == SQLITE_OK && rc_nl == NL_OK)
		rc = copy_into(s, tmp, newpass, preset, have ? &from : NULL, 1, NULL,
			       NULL, &key, &rc_nl, err);
	if (rc_nl != NL_OK) {
		rc = rc_nl;
		goto out;
	}
	if (rc != SQLITE_OK) {
		rc = store_sqlite_error(s, rc, "passwd --rekey", err);
		goto out;
	}
	if (rename(tmp, s->path) != 0) {
		rc = nl_error(err, NL_EIO, "passwd --rekey: cannot replace %s: %s",
			      s->path, strerror(errno));
		goto out;
	}
	sync_dir(s->path);
	sqlite3_close(guard);
	guard = NULL;
	sqlite3_close(s->db);
	vfs_key_remove(s->key);
	s->key = key;
	key = -1;
	rc = open_conn(s->path, s->key, SQLITE_OPEN_READWRITE, &s->db);
	if (rc != SQLITE_OK)
		rc = store_sqlite_error(s, rc, "passwd --rekey: reopening", err);
	else
		rc = hold_open(s, err); /* the new file is the one in use now */
	if (newpass)
		forget_sk(s); /* the unlocking user's slot is a new one */
out:
	if (guard)
		sqlite3_close(guard);
	if (key > 0)
		vfs_key_remove(key);
	if (rc != NL_OK)
		unlink(tmp); /* what the failed copy left, if anything */
	free(tmp);
	return rc;
}
