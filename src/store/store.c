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
};

#define BUSY_TIMEOUT_MS 3000

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
}

sqlite3 *store_db(struct store *s)
{
	return s->db;
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
		sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
		rc = exec(db, "PRAGMA page_size=4096");
	}
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
	free(s->path);
	free(s);
}

/* A new container file with a fresh data key wrapped under pass. */
static int create_file(const char *path, const struct store_pass *pass,
		       enum store_kdf preset, uint8_t *dek, struct header *h,
		       struct nl_err *err)
{
	struct crypt_kdf kdf = crypt_kdf_preset(preset);
	int rc;

	header_new(h);
	crypto_aead_xchacha20poly1305_ietf_keygen(dek);
	rc = header_wrap(h, 0, 1, pass, &kdf, dek, err);
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
	if (rc == NL_OK)
		rc = create_file(path, pass, kdf, dek, &h, err);
	if (rc == NL_OK)
		rc = attach(path, dek, h.file_id, false, out, err);
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

static int open_file(const char *path, const struct store_pass *pass,
		     bool readonly, struct store **out, struct nl_err *err)
{
	uint8_t *dek = crypt_secure_alloc(NL_KEY_BYTES);
	struct header h;
	int rc;

	*out = NULL;
	if (!dek)
		return nl_error(err, NL_ENOMEM, "out of secure memory");
	rc = read_header(path, readonly, &h, err);
	if (rc == NL_OK)
		rc = header_unwrap(&h, pass, dek, NULL, err);
	if (rc == NL_EPASS)
		rc = nl_error(err, rc, "wrong passphrase for %s; nothing was changed", path);
	if (rc == NL_OK)
		rc = attach(path, dek, h.file_id, readonly, out, err);
	if (rc == NL_OK)
		rc = require_pages(out, err);
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
	struct crypt_kdf kdf = crypt_kdf_preset(preset);
	sqlite3_file *f = main_file(s);
	uint8_t zero[HDR_SLOT_SIZE] = { 0 };
	struct header h;
	int rc, old, new;

	if (!f)
		return nl_error(err, NL_EINTERNAL, "the record file is not open through needlelog's VFS");
	if (s->readonly)
		return readonly_error(s, SQLITE_READONLY, "passwd", err);
	rc = exec(s->db, "BEGIN EXCLUSIVE");
	if (rc != SQLITE_OK)
		return store_sqlite_error(s, rc, "passwd", err);
	rc = vfs_header_read(f, h.raw);
	if (rc != SQLITE_OK) {
		rc = store_sqlite_error(s, rc, "passwd: reading the header", err);
		goto out;
	}
	rc = header_parse(&h, err);
	if (rc != NL_OK)
		goto out;
	/* The new slot goes where the older one is; then the old one is
	 * wiped. A crash between the two writes leaves a working slot. */
	old = header_newest_slot(&h);
	new = 1 - old;
	rc = header_wrap(&h, new, h.slot[old].seq + 1, newpass, &kdf,
			 vfs_key_dek(s->key), err);
	if (rc != NL_OK)
		goto out;
	rc = vfs_header_write(f, header_slot_offset[new],
			      h.raw + header_slot_offset[new], HDR_SLOT_SIZE);
	if (rc == SQLITE_OK)
		rc = vfs_header_write(f, header_slot_offset[old], zero, HDR_SLOT_SIZE);
	if (rc != SQLITE_OK)
		rc = store_sqlite_error(s, rc, "passwd: writing the header", err);
out:
	exec(s->db, "ROLLBACK");
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

/* A new record file at dest, under a new data key wrapped under pass,
 * filled from s by the online backup API or, with vacuum, by VACUUM INTO.
 * Returns a SQLite code; the container's own errors go to *rc_nl and err.
 * With keep_key, the new key's handle is kept there (else removed). */
static int copy_into(struct store *s, const char *dest,
		     const struct store_pass *pass, enum store_kdf preset,
		     int vacuum, store_progress_fn progress, void *ctx,
		     int *keep_key, int *rc_nl, struct nl_err *err)
{
	uint8_t *dek = crypt_secure_alloc(NL_KEY_BYTES);
	sqlite3 *dst = NULL;
	char *uri = NULL;
	struct header h;
	int key = -1, rc;

	*rc_nl = dek ? create_file(dest, pass, preset, dek, &h, err)
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

int store_backup(struct store *s, const char *dest,
		 const struct store_pass *pass, store_progress_fn progress,
		 void *ctx, struct nl_err *err)
{
	struct store *copy = NULL;
	int rc_nl, rc = path_free(dest, "backup", err);

	if (rc != NL_OK)
		return rc;
	rc = copy_into(s, dest, pass, STORE_KDF_DEFAULT, 0, progress, ctx, NULL,
		       &rc_nl, err);
	/* The backup API copies every page, free ones too, and a free-list
	 * leaf torn by a power loss fails authentication although it holds
	 * nothing (see vfs_verify_pages). VACUUM INTO reads only live pages:
	 * if they are sound, it makes a sound copy. */
	if (rc == SQLITE_IOERR_DATA) {
		unlink(dest);
		rc = copy_into(s, dest, pass, STORE_KDF_DEFAULT, 1, NULL, NULL,
			       NULL, &rc_nl, err);
	}
	if (rc_nl != NL_OK)
		return rc_nl; /* dest was not created */
	if (rc != SQLITE_OK) {
		rc = store_sqlite_error(s, rc, "backup", err);
		goto out;
	}
	/* Verify: the copy opens with the passphrase and checks clean. */
	rc = store_open(dest, pass, &copy, err);
	if (rc == NL_OK)
		rc = store_check(copy, NULL, NULL, err);
	if (rc != NL_OK) {
		char why[sizeof(err->msg)];

		snprintf(why, sizeof(why), "%s", err ? err->msg : "");
		nl_error(err, rc, "backup: the copy failed verification: %s", why);
	}
	store_close(copy);
out:
	if (rc != NL_OK)
		unlink(dest);
	return rc;
}

int store_rekey(struct store *s, const struct store_pass *newpass,
		enum store_kdf preset, struct nl_err *err)
{
	size_t n = strlen(s->path) + 8;
	sqlite3 *guard = NULL;
	int key = -1, rc_nl = NL_OK, rc;
	char *tmp;

	if (s->readonly)
		return readonly_error(s, SQLITE_READONLY, "passwd --rekey", err);
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
	if (rc == SQLITE_OK)
		rc = copy_into(s, tmp, newpass, preset, 1, NULL, NULL, &key,
			       &rc_nl, err);
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
