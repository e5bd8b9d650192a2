/* Installs the zeroing allocator for SQLite. Must run before SQLite is
 * initialised (before any connection or VFS registration): sqlite3_config
 * returns SQLITE_MISUSE afterwards. */
#ifndef NL_STORE_ZMALLOC_H
#define NL_STORE_ZMALLOC_H

int zmalloc_install(void);

#endif
