/* The encrypting VFS shim over the default ("unix") VFS. Private to the
 * store layer. Keys reach xOpen through a non-secret handle in the URI
 * parameter "nlkey"; the table of handles lives here. */
#ifndef NL_STORE_VFS_H
#define NL_STORE_VFS_H

#include <stdint.h>
#include <sqlite3.h>

#include "needlelog/store.h"

#define NL_VFS_NAME "needlelog"

/* Registers the shim over whatever VFS is the default now. */
int vfs_register(void);

/* Copies dek into guarded, read-only memory; returns a handle > 0, or -1. */
int vfs_key_add(const uint8_t *dek, const uint8_t *file_id);
void vfs_key_remove(int handle);
/* The key bytes (read-only), for wrapping the same key into a new header. */
const uint8_t *vfs_key_dek(int handle);
/* The file id the key is bound to (in the header of its file). */
const uint8_t *vfs_key_file_id(int handle);
/* The last page that failed authentication under this key: 0 if none. */
uint32_t vfs_key_bad_page(int handle, int *kind);

/* I/O on a record file below the shim, through the lower VFS, so a test's
 * fault-injection VFS sees it too. */
int vfs_raw_create(const char *path, const uint8_t *header);
int vfs_raw_read(const char *path, uint8_t *buf, int n);

/* On a main database file opened through the shim. */
int vfs_file_is_ours(sqlite3_file *f);
int vfs_header_read(sqlite3_file *f, uint8_t *buf);
/* SQLITE_READONLY when the file was opened read-only. */
int vfs_header_write(sqlite3_file *f, int offset, const uint8_t *buf, int n);
/* Authenticates every page; on failure *bad_page names the first bad one. */
int vfs_verify_pages(sqlite3_file *f, store_progress_fn progress, void *ctx,
		     uint32_t *bad_page);

#endif
