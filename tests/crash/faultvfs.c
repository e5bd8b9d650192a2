/* The fault-injection VFS: see faultvfs.h for the model.
 *
 * Every operation but a sync is done for real on the unix VFS, so the
 * process sees a normal file system; the model only remembers what a
 * power failure could leave behind (so a sync need not reach the disk).
 * It follows POSIX, not one file system: a file's fsync makes its data
 * durable but not its directory entry; creating, deleting and renaming
 * become durable with an fsync of the directory.
 * The unix VFS syncs the directory at the first sync of a journal it
 * created (os_unix.c, UNIXFILE_DIRSYNC) and in xDelete when asked to;
 * the model mirrors exactly that. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "faultvfs.h"

#define DIR_MAX 16

struct node {
	uint8_t *cur;   /* what the file holds now */
	size_t cur_len, cur_cap;
	uint8_t *dur;   /* what it held at its last sync */
	size_t dur_len;
	long *pending;  /* writes and truncates since then, by number */
	size_t npending, cap;
};

struct dent {
	char name[FAULT_NAME_MAX];
	struct node *node;
};

struct dirmap {
	struct dent e[DIR_MAX];
	int n;
};

struct logrec {
	struct fault_op op;
	struct node *node;
	uint8_t *data; /* WRITE: the bytes written */
	int durable;
};

struct snap {
	struct fault_image *f;
	size_t n;
	int ok;
};

static struct {
	int tracking;
	char dir[PATH_MAX];
	size_t dirlen;
	long crash_at, count;
	int crashed;
	unsigned gen;
	struct logrec *log;
	size_t logcap;
	struct node **nodes;
	size_t nnodes, nodecap;
	struct dirmap cur, dur;
	long torn_op;
	struct snap snap[FAULT_VARIANTS];
	char error[512];
} M;

struct fault_file {
	sqlite3_file base; /* first: SQLite sees this */
	struct node *node; /* NULL: not watched */
	char name[FAULT_NAME_MAX];
	unsigned gen;
	int dirsync;       /* the unix VFS syncs the directory at the first sync */
};

#define LOWER(f) ((sqlite3_file *)&((struct fault_file *)(f))[1])

static sqlite3_vfs *lower;
static sqlite3_vfs fault_vfs;
static const sqlite3_io_methods fault_io;

static void *xalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p) {
		fprintf(stderr, "faultvfs: out of memory\n");
		abort();
	}
	return p;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fprintf(stderr, "faultvfs: out of memory\n");
		abort();
	}
	return p;
}

static void model_error(const char *fmt, ...)
{
	va_list ap;

	if (M.error[0])
		return; /* the first one says the most */
	va_start(ap, fmt);
	vsnprintf(M.error, sizeof(M.error), fmt, ap);
	va_end(ap);
}

/* The name of path inside the watched directory, or NULL. */
static const char *watched(const char *path)
{
	const char *name;

	if (!M.tracking || !path || strncmp(path, M.dir, M.dirlen) != 0 ||
	    path[M.dirlen] != '/')
		return NULL;
	name = path + M.dirlen + 1;
	if (!*name || strchr(name, '/') || strlen(name) >= FAULT_NAME_MAX)
		return NULL;
	return name;
}

/* ---- The model ---- */

static struct node *node_new(void)
{
	struct node *n = xalloc(sizeof(*n));

	if (M.nnodes == M.nodecap) {
		M.nodecap = M.nodecap ? M.nodecap * 2 : 8;
		M.nodes = xrealloc(M.nodes, M.nodecap * sizeof(*M.nodes));
	}
	M.nodes[M.nnodes++] = n;
	return n;
}

static void node_free(struct node *n)
{
	free(n->cur);
	free(n->dur);
	free(n->pending);
	free(n);
}

static void buf_write(uint8_t **buf, size_t *len, size_t *cap, int64_t off,
		      const uint8_t *data, size_t n)
{
	size_t end = (size_t)off + n;

	if (end > *cap) {
		*cap = end * 2;
		*buf = xrealloc(*buf, *cap);
	}
	if ((size_t)off > *len)
		memset(*buf + *len, 0, (size_t)off - *len);
	memcpy(*buf + off, data, n);
	if (end > *len)
		*len = end;
}

static void buf_truncate(uint8_t **buf, size_t *len, size_t *cap, int64_t size)
{
	if ((size_t)size > *cap) {
		*cap = (size_t)size;
		*buf = xrealloc(*buf, *cap);
	}
	if ((size_t)size > *len)
		memset(*buf + *len, 0, (size_t)size - *len);
	*len = (size_t)size;
}

static struct node *dir_lookup(const struct dirmap *d, const char *name)
{
	for (int i = 0; i < d->n; i++)
		if (strcmp(d->e[i].name, name) == 0)
			return d->e[i].node;
	return NULL;
}

static void dir_remove(struct dirmap *d, const char *name)
{
	for (int i = 0; i < d->n; i++) {
		if (strcmp(d->e[i].name, name) == 0) {
			d->e[i] = d->e[--d->n];
			return;
		}
	}
}

static void dir_set(struct dirmap *d, const char *name, struct node *node)
{
	dir_remove(d, name);
	if (d->n == DIR_MAX) {
		model_error("more than %d files in the directory", DIR_MAX);
		return;
	}
	snprintf(d->e[d->n].name, FAULT_NAME_MAX, "%s", name);
	d->e[d->n++].node = node;
}

static int is_dir_op(enum fault_kind k)
{
	return k == FAULT_CREATE || k == FAULT_DELETE || k == FAULT_RENAME ||
	       k == FAULT_LINK;
}

/* An fsync of the directory: every entry as it is now is durable. */
static void dir_sync(void)
{
	M.dur = M.cur;
	for (long i = 0; i < M.count; i++)
		if (is_dir_op(M.log[i].op.kind))
			M.log[i].durable = 1;
}

static void node_sync(struct node *n)
{
	free(n->dur);
	n->dur = xalloc(n->cur_len);
	if (n->cur_len > 0)
		memcpy(n->dur, n->cur, n->cur_len);
	n->dur_len = n->cur_len;
	for (size_t i = 0; i < n->npending; i++)
		M.log[n->pending[i] - 1].durable = 1;
	n->npending = 0;
}

static void node_pending(struct node *n, long op)
{
	if (n->npending == n->cap) {
		n->cap = n->cap ? n->cap * 2 : 16;
		n->pending = xrealloc(n->pending, n->cap * sizeof(*n->pending));
	}
	n->pending[n->npending++] = op;
}

static struct logrec *op_log(enum fault_kind kind, const char *name,
			     struct node *node)
{
	struct logrec *r;

	if ((size_t)M.count == M.logcap) {
		M.logcap = M.logcap ? M.logcap * 2 : 256;
		M.log = xrealloc(M.log, M.logcap * sizeof(*M.log));
	}
	r = &M.log[M.count++];
	memset(r, 0, sizeof(*r));
	r->op.kind = kind;
	snprintf(r->op.name, FAULT_NAME_MAX, "%s", name ? name : "");
	r->node = node;
	return r;
}

static void take_snapshots(void);

/* Called when an operation is done: the power fails after crash_at. */
static void op_done(void)
{
	if (M.crash_at > 0 && M.count == M.crash_at && !M.crashed) {
		take_snapshots();
		M.crashed = 1;
	}
}

static int dead(void)
{
	return M.tracking && M.crashed;
}

/* ---- Snapshots ---- */

static void snap_add(struct snap *s, const char *name, const uint8_t *data,
		     size_t len)
{
	struct fault_image *img;

	s->f = xrealloc(s->f, (s->n + 1) * sizeof(*s->f));
	img = &s->f[s->n++];
	snprintf(img->name, FAULT_NAME_MAX, "%s", name);
	img->data = xalloc(len);
	if (len > 0)
		memcpy(img->data, data, len);
	img->len = len;
}

static void snap_from(struct snap *s, const struct dirmap *d, int current)
{
	for (int i = 0; i < d->n; i++) {
		const struct node *n = d->e[i].node;

		if (current)
			snap_add(s, d->e[i].name, n->cur, n->cur_len);
		else
			snap_add(s, d->e[i].name, n->dur, n->dur_len);
	}
	s->ok = 1;
}

static size_t tear_len(int len)
{
	if (len > FAULT_TEAR_LONG)
		return FAULT_TEAR_LONG;
	return len > FAULT_TEAR_SHORT ? FAULT_TEAR_SHORT : (size_t)len / 2;
}

/* The last unsynced write to a file in the directory. */
static long last_unsynced_write(void)
{
	long best = 0;

	for (int i = 0; i < M.cur.n; i++) {
		const struct node *n = M.cur.e[i].node;

		for (size_t k = 0; k < n->npending; k++) {
			long op = n->pending[k];

			if (M.log[op - 1].op.kind == FAULT_WRITE && op > best)
				best = op;
		}
	}
	return best;
}

/* A file's durable content with its pending operations replayed, the
 * torn one only in part. */
static void replay_torn(struct snap *s, const char *name, const struct node *n)
{
	size_t len = n->dur_len, cap = len;
	uint8_t *buf = xalloc(cap);

	if (len > 0)
		memcpy(buf, n->dur, len);
	for (size_t k = 0; k < n->npending; k++) {
		const struct logrec *r = &M.log[n->pending[k] - 1];

		if (r->op.kind == FAULT_TRUNCATE)
			buf_truncate(&buf, &len, &cap, r->op.off);
		else
			buf_write(&buf, &len, &cap, r->op.off, r->data,
				  n->pending[k] == M.torn_op ?
				  tear_len(r->op.len) : (size_t)r->op.len);
	}
	snap_add(s, name, buf, len);
	free(buf);
}

static void snap_torn(struct snap *s)
{
	M.torn_op = last_unsynced_write();
	if (M.torn_op == 0 || tear_len(M.log[M.torn_op - 1].op.len) == 0) {
		M.torn_op = 0;
		return;
	}
	for (int i = 0; i < M.cur.n; i++) {
		const struct node *n = M.cur.e[i].node;

		if (n == M.log[M.torn_op - 1].node)
			replay_torn(s, M.cur.e[i].name, n);
		else
			snap_add(s, M.cur.e[i].name, n->cur, n->cur_len);
	}
	s->ok = 1;
}

static void take_snapshots(void)
{
	snap_from(&M.snap[FAULT_SYNCED], &M.dur, 0);
	snap_from(&M.snap[FAULT_DIRS], &M.cur, 0);
	snap_from(&M.snap[FAULT_ALL], &M.cur, 1);
	snap_torn(&M.snap[FAULT_TORN]);
}

static void snap_free(struct snap *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->f[i].data);
	free(s->f);
	memset(s, 0, sizeof(*s));
}

/* ---- Public ---- */

void fault_begin(const char *dir, long crash_at)
{
	for (size_t i = 0; i < M.nnodes; i++)
		node_free(M.nodes[i]);
	for (long i = 0; i < M.count; i++)
		free(M.log[i].data);
	for (int v = 0; v < FAULT_VARIANTS; v++)
		snap_free(&M.snap[v]);
	M.nnodes = 0;
	M.count = 0;
	M.crashed = 0;
	M.torn_op = 0;
	M.cur.n = M.dur.n = 0;
	M.error[0] = '\0';
	M.gen++;
	snprintf(M.dir, sizeof(M.dir), "%s", dir);
	M.dirlen = strlen(M.dir);
	M.crash_at = crash_at;
	M.tracking = 1;
}

void fault_end(void)
{
	M.tracking = 0;
}

long fault_ops(void)
{
	return M.count;
}

const struct fault_op *fault_op_get(long n)
{
	return n >= 1 && n <= M.count ? &M.log[n - 1].op : NULL;
}

int fault_crashed(void)
{
	return M.crashed;
}

const char *fault_model_error(void)
{
	return M.error[0] ? M.error : NULL;
}

int fault_snapshot(enum fault_variant v, const struct fault_image **files,
		   size_t *n)
{
	if (v >= FAULT_VARIANTS || !M.snap[v].ok)
		return -1;
	*files = M.snap[v].f;
	*n = M.snap[v].n;
	return 0;
}

enum fault_landed fault_landed(enum fault_variant v, long op)
{
	const struct logrec *r;

	if (op < 1 || op > M.count)
		return FAULT_NONE;
	r = &M.log[op - 1];
	if (r->durable || r->op.kind == FAULT_SYNC || r->op.kind == FAULT_DIRSYNC)
		return FAULT_FULL;
	if (v == FAULT_SYNCED)
		return FAULT_NONE;
	if (is_dir_op(r->op.kind))
		return FAULT_FULL;
	if (v == FAULT_DIRS)
		return FAULT_NONE;
	return v == FAULT_TORN && op == M.torn_op ? FAULT_PARTIAL : FAULT_FULL;
}

const char *fault_variant_name(enum fault_variant v)
{
	static const char *const names[FAULT_VARIANTS] = {
		[FAULT_SYNCED] = "synced", [FAULT_DIRS] = "synced+dirs",
		[FAULT_ALL] = "all-writes", [FAULT_TORN] = "torn",
	};

	return v < FAULT_VARIANTS ? names[v] : "?";
}

const char *fault_kind_name(enum fault_kind k)
{
	static const char *const names[] = {
		[FAULT_CREATE] = "create", [FAULT_WRITE] = "write",
		[FAULT_TRUNCATE] = "truncate", [FAULT_SYNC] = "sync",
		[FAULT_DELETE] = "delete", [FAULT_DIRSYNC] = "dirsync",
		[FAULT_RENAME] = "rename", [FAULT_LINK] = "link",
	};

	return (size_t)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

/* ---- io_methods ---- */

static struct node *node_of(sqlite3_file *file)
{
	struct fault_file *f = (struct fault_file *)file;

	return M.tracking && f->node && f->gen == M.gen ? f->node : NULL;
}

static int f_close(sqlite3_file *file)
{
	return LOWER(file)->pMethods->xClose(LOWER(file));
}

static int f_read(sqlite3_file *file, void *buf, int amt, sqlite3_int64 off)
{
	if (node_of(file) && dead())
		return SQLITE_IOERR_READ;
	return LOWER(file)->pMethods->xRead(LOWER(file), buf, amt, off);
}

static int f_write(sqlite3_file *file, const void *buf, int amt,
		   sqlite3_int64 off)
{
	struct node *n = node_of(file);
	struct logrec *r;
	int rc;

	if (n && dead())
		return SQLITE_IOERR_WRITE;
	rc = LOWER(file)->pMethods->xWrite(LOWER(file), buf, amt, off);
	if (!n || rc != SQLITE_OK)
		return rc;
	r = op_log(FAULT_WRITE, ((struct fault_file *)file)->name, n);
	r->op.off = off;
	r->op.len = amt;
	r->data = xalloc((size_t)amt);
	memcpy(r->data, buf, (size_t)amt);
	buf_write(&n->cur, &n->cur_len, &n->cur_cap, off, buf, (size_t)amt);
	node_pending(n, M.count);
	op_done();
	return rc;
}

static int f_truncate(sqlite3_file *file, sqlite3_int64 size)
{
	struct node *n = node_of(file);
	struct logrec *r;
	int rc;

	if (n && dead())
		return SQLITE_IOERR_TRUNCATE;
	rc = LOWER(file)->pMethods->xTruncate(LOWER(file), size);
	if (!n || rc != SQLITE_OK)
		return rc;
	r = op_log(FAULT_TRUNCATE, ((struct fault_file *)file)->name, n);
	r->op.off = size;
	buf_truncate(&n->cur, &n->cur_len, &n->cur_cap, size);
	node_pending(n, M.count);
	op_done();
	return rc;
}

/* The model must match the disk; a sync is a good moment to compare. */
static void check_model(sqlite3_file *low, const struct node *n)
{
	sqlite3_int64 size = 0;
	uint8_t *buf;

	if (low->pMethods->xFileSize(low, &size) != SQLITE_OK ||
	    (size_t)size != n->cur_len) {
		model_error("file size %lld, model %zu", (long long)size, n->cur_len);
		return;
	}
	buf = xalloc((size_t)size);
	if (size > 0 && (low->pMethods->xRead(low, buf, (int)size, 0) != SQLITE_OK ||
			 memcmp(buf, n->cur, (size_t)size) != 0))
		model_error("file content differs from the model");
	free(buf);
}

static int f_sync(sqlite3_file *file, int flags)
{
	struct fault_file *f = (struct fault_file *)file;
	struct node *n = node_of(file);

	if (!n)
		return LOWER(file)->pMethods->xSync(LOWER(file), flags);
	if (dead())
		return SQLITE_IOERR_FSYNC;
	/* What survives the power failure is the model's business; a real
	 * fsync here would only cost time. */
	check_model(LOWER(file), n);
	node_sync(n);
	if (f->dirsync)
		dir_sync();
	f->dirsync = 0;
	op_log(FAULT_SYNC, f->name, n);
	op_done();
	return SQLITE_OK;
}

static int f_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
	return LOWER(file)->pMethods->xFileSize(LOWER(file), size);
}

static int f_lock(sqlite3_file *file, int level)
{
	return LOWER(file)->pMethods->xLock(LOWER(file), level);
}

static int f_unlock(sqlite3_file *file, int level)
{
	return LOWER(file)->pMethods->xUnlock(LOWER(file), level);
}

static int f_check_reserved(sqlite3_file *file, int *out)
{
	return LOWER(file)->pMethods->xCheckReservedLock(LOWER(file), out);
}

static int f_file_control(sqlite3_file *file, int op, void *arg)
{
	/* A size hint may grow the file (with a chunk size set): not a write
	 * the model would see, and only ever a hint. */
	if (op == SQLITE_FCNTL_SIZE_HINT && node_of(file))
		return SQLITE_OK;
	return LOWER(file)->pMethods->xFileControl(LOWER(file), op, arg);
}

static int f_sector_size(sqlite3_file *file)
{
	return LOWER(file)->pMethods->xSectorSize(LOWER(file));
}

static int f_device_characteristics(sqlite3_file *file)
{
	return LOWER(file)->pMethods->xDeviceCharacteristics(LOWER(file));
}

static const sqlite3_io_methods fault_io = {
	.iVersion = 1,
	.xClose = f_close,
	.xRead = f_read,
	.xWrite = f_write,
	.xTruncate = f_truncate,
	.xSync = f_sync,
	.xFileSize = f_file_size,
	.xLock = f_lock,
	.xUnlock = f_unlock,
	.xCheckReservedLock = f_check_reserved,
	.xFileControl = f_file_control,
	.xSectorSize = f_sector_size,
	.xDeviceCharacteristics = f_device_characteristics,
};

/* ---- The VFS ---- */

/* A file the model has not seen: taken as it is, and durable. */
static struct node *adopt(const char *name, sqlite3_file *low)
{
	struct node *n = node_new();
	sqlite3_int64 size = 0;

	if (low->pMethods->xFileSize(low, &size) == SQLITE_OK && size > 0) {
		n->cur = xalloc((size_t)size);
		if (low->pMethods->xRead(low, n->cur, (int)size, 0) != SQLITE_OK)
			model_error("cannot read %s", name);
		n->cur_len = n->cur_cap = (size_t)size;
	}
	node_sync(n);
	dir_set(&M.cur, name, n);
	dir_set(&M.dur, name, n);
	return n;
}

static int f_open(sqlite3_vfs *vfs, sqlite3_filename zname, sqlite3_file *file,
		  int flags, int *out_flags)
{
	struct fault_file *f = (struct fault_file *)file;
	const char *name = watched(zname);
	struct node *n = name ? dir_lookup(&M.cur, name) : NULL;
	int created = name && !n && access(zname, F_OK) != 0;
	int rc;

	(void)vfs;
	memset(f, 0, sizeof(*f));
	if (name && dead())
		return SQLITE_CANTOPEN;
	rc = lower->xOpen(lower, zname, LOWER(f), flags, out_flags);
	if (rc != SQLITE_OK)
		return rc;
	f->base.pMethods = &fault_io;
	if (!name)
		return rc;
	if (!n && created) {
		n = node_new();
		dir_set(&M.cur, name, n);
		op_log(FAULT_CREATE, name, n);
	} else if (!n) {
		n = adopt(name, LOWER(f));
	}
	f->node = n;
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->gen = M.gen;
	f->dirsync = (flags & SQLITE_OPEN_CREATE) &&
		     (flags & (SQLITE_OPEN_MAIN_JOURNAL | SQLITE_OPEN_SUPER_JOURNAL |
			       SQLITE_OPEN_WAL));
	if (created)
		op_done();
	return rc;
}

static int f_delete(sqlite3_vfs *vfs, const char *zname, int sync_dir)
{
	const char *name = watched(zname);
	int rc;

	(void)vfs;
	if (name && dead())
		return SQLITE_IOERR_DELETE;
	rc = lower->xDelete(lower, zname, sync_dir);
	if (!name || rc != SQLITE_OK)
		return rc;
	dir_remove(&M.cur, name);
	op_log(FAULT_DELETE, name, NULL);
	if (sync_dir)
		dir_sync();
	op_done();
	return rc;
}

static int f_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
	(void)v;
	return lower->xAccess(lower, name, flags, out);
}

static int f_full_pathname(sqlite3_vfs *v, const char *name, int n, char *out)
{
	(void)v;
	return lower->xFullPathname(lower, name, n, out);
}

static int f_randomness(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return lower->xRandomness(lower, n, out);
}

static int f_sleep(sqlite3_vfs *v, int us)
{
	(void)v;
	return lower->xSleep(lower, us);
}

static int f_current_time(sqlite3_vfs *v, double *out)
{
	(void)v;
	return lower->xCurrentTime(lower, out);
}

static int f_last_error(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return lower->xGetLastError(lower, n, out);
}

static int f_current_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
	(void)v;
	return lower->xCurrentTimeInt64(lower, out);
}

int fault_register(void)
{
	if (sqlite3_vfs_find("fault"))
		return SQLITE_OK;
	lower = sqlite3_vfs_find("unix");
	if (!lower || lower->iVersion < 2)
		return SQLITE_ERROR;
	fault_vfs = (sqlite3_vfs){
		.iVersion = 2,
		.szOsFile = (int)sizeof(struct fault_file) + lower->szOsFile,
		.mxPathname = lower->mxPathname,
		.zName = "fault",
		.xOpen = f_open,
		.xDelete = f_delete,
		.xAccess = f_access,
		.xFullPathname = f_full_pathname,
		.xRandomness = f_randomness,
		.xSleep = f_sleep,
		.xCurrentTime = f_current_time,
		.xGetLastError = f_last_error,
		.xCurrentTimeInt64 = f_current_time64,
	};
	return sqlite3_vfs_register(&fault_vfs, 1);
}

/* ---- Directory operations made outside the VFS (store.c) ----
 * Linked with -Wl,--wrap=fsync,--wrap=rename,--wrap=unlink; the unix VFS
 * inside libsqlite3 calls the real ones, so nothing is counted twice. */

int __real_fsync(int fd);
int __real_rename(const char *from, const char *to);
int __real_unlink(const char *path);
int __wrap_fsync(int fd);
int __wrap_rename(const char *from, const char *to);
int __wrap_unlink(const char *path);

static int fd_path(int fd, char *out, size_t n)
{
	char link[64];
	ssize_t len;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	len = readlink(link, out, n - 1);
	if (len < 0)
		return -1;
	out[len] = '\0';
	return 0;
}

int __wrap_fsync(int fd)
{
	char path[PATH_MAX];
	struct stat st;

	if (!M.tracking || fstat(fd, &st) != 0 || fd_path(fd, path, sizeof(path)) != 0)
		return __real_fsync(fd);
	if (!S_ISDIR(st.st_mode) || strcmp(path, M.dir) != 0) {
		if (watched(path))
			model_error("fsync(2) of %s outside the VFS", path);
		return __real_fsync(fd);
	}
	if (M.crashed) {
		errno = EIO;
		return -1;
	}
	dir_sync(); /* in the model only, as f_sync */
	op_log(FAULT_DIRSYNC, "", NULL);
	op_done();
	return 0;
}

int __wrap_rename(const char *from, const char *to)
{
	const char *a = watched(from), *b = watched(to);
	struct node *n;
	struct logrec *r;
	int rc;

	if (!a && !b)
		return __real_rename(from, to);
	if (!a || !b) {
		model_error("rename(2) across directories: %s to %s", from, to);
		return __real_rename(from, to);
	}
	if (M.crashed) {
		errno = EIO;
		return -1;
	}
	rc = __real_rename(from, to);
	if (rc != 0)
		return rc;
	n = dir_lookup(&M.cur, a);
	if (!n)
		model_error("rename(2) of %s, a file the model never saw", a);
	dir_remove(&M.cur, a);
	if (n)
		dir_set(&M.cur, b, n);
	r = op_log(FAULT_RENAME, a, NULL);
	snprintf(r->op.name2, FAULT_NAME_MAX, "%s", b);
	op_done();
	return rc;
}

int __wrap_unlink(const char *path)
{
	const char *name = watched(path);
	int rc;

	if (!name)
		return __real_unlink(path);
	if (M.crashed) {
		errno = EIO;
		return -1;
	}
	rc = __real_unlink(path);
	if (rc != 0)
		return rc;
	dir_remove(&M.cur, name);
	op_log(FAULT_DELETE, name, NULL);
	op_done();
	return rc;
}

/* link(2): only for tests linked with --wrap=link (test_crash_restore). */
int __real_link(const char *from, const char *to);
int __wrap_link(const char *from, const char *to);

int __wrap_link(const char *from, const char *to)
{
	const char *a = watched(from), *b = watched(to);
	struct node *n;
	struct logrec *r;
	int rc;

	if (!a && !b)
		return __real_link(from, to);
	if (!a || !b) {
		model_error("link(2) across directories: %s to %s", from, to);
		return __real_link(from, to);
	}
	if (M.crashed) {
		errno = EIO;
		return -1;
	}
	rc = __real_link(from, to);
	if (rc != 0)
		return rc;
	n = dir_lookup(&M.cur, a);
	if (!n)
		model_error("link(2) of %s, a file the model never saw", a);
	else
		dir_set(&M.cur, b, n);
	r = op_log(FAULT_LINK, a, NULL);
	snprintf(r->op.name2, FAULT_NAME_MAX, "%s", b);
	op_done();
	return rc;
}
