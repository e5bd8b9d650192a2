/* A fault-injection VFS for the crash tests: it sits over "unix" as the
 * default VFS, so needlelog's shim stacks on top of it and every byte of
 * the record file passes through it.
 *
 * It models what a power loss leaves on disk. Each file (an inode) keeps
 * its durable content (as of its last sync) and the list of writes and
 * truncates since then. The one directory under test keeps its durable
 * entries (as of its last directory sync) apart from its current ones.
 * Operations are numbered; at operation N the power fails: four variants
 * of the disk are taken, and every later operation fails with an I/O
 * error, so the workload stops there.
 *
 * Directory operations that store.c makes without the VFS (fsync of the
 * directory, rename, unlink, link) reach the model through the linker: a
 * test linking this file uses -Wl,--wrap=fsync,--wrap=rename,--wrap=unlink
 * (and --wrap=link when its code under test calls link(2)). */
#ifndef NL_TEST_FAULTVFS_H
#define NL_TEST_FAULTVFS_H

#include <stddef.h>
#include <stdint.h>

#define FAULT_NAME_MAX 64

enum fault_kind {
	FAULT_CREATE,   /* a new directory entry (xOpen with CREATE) */
	FAULT_WRITE,
	FAULT_TRUNCATE,
	FAULT_SYNC,     /* a file's data; a new journal's directory too */
	FAULT_DELETE,   /* xDelete or unlink(2) */
	FAULT_DIRSYNC,  /* fsync(2) of the directory */
	FAULT_RENAME,
	FAULT_LINK,     /* link(2): a second name for a file */
};

/* What the disk may hold after the power failed. */
enum fault_variant {
	FAULT_SYNCED,   /* synced data, synced directory entries */
	FAULT_DIRS,     /* synced data, every directory operation done */
	FAULT_ALL,      /* every write reached the disk (what kill -9 leaves) */
	FAULT_TORN,     /* as ALL, but the last unsynced write is torn */
	FAULT_VARIANTS
};

/* How much of an operation a variant holds. */
enum fault_landed { FAULT_NONE, FAULT_PARTIAL, FAULT_FULL };

struct fault_op {
	enum fault_kind kind;
	char name[FAULT_NAME_MAX];   /* file name inside the directory */
	char name2[FAULT_NAME_MAX];  /* RENAME, LINK: the new name */
	int64_t off;                 /* WRITE: offset; TRUNCATE: size */
	int len;                     /* WRITE: length */
};

struct fault_image {
	char name[FAULT_NAME_MAX];
	uint8_t *data;
	size_t len;
};

/* A torn write keeps this many bytes when it is longer, else this many
 * of a short one (a header slot is 512 bytes; its checksum lies past
 * byte 64, so a torn slot write must not leave a working slot). */
#define FAULT_TEAR_LONG 512
#define FAULT_TEAR_SHORT 64

/* Registers "fault" over "unix" as the default VFS. Call it before
 * store_global_init(). Returns SQLITE_OK. */
int fault_register(void);

/* Starts a run: forgets the previous model, watches the files directly
 * in dir (an absolute path with no symbolic links) and fails the power
 * after operation crash_at (0: never). */
void fault_begin(const char *dir, long crash_at);
/* Stops watching: everything passes through untouched. */
void fault_end(void);

long fault_ops(void);
/* Operation n (1-based), NULL if there was none. */
const struct fault_op *fault_op_get(long n);
int fault_crashed(void);
/* Something the model could not follow, or NULL. */
const char *fault_model_error(void);

/* The files of a variant as the crash left them; 0, or -1 when the
 * variant does not exist (no crash yet; TORN with no unsynced write). */
int fault_snapshot(enum fault_variant v, const struct fault_image **files,
		   size_t *n);
enum fault_landed fault_landed(enum fault_variant v, long op);

const char *fault_variant_name(enum fault_variant v);
const char *fault_kind_name(enum fault_kind k);

#endif
