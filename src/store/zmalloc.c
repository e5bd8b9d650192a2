/* SQLite's memory, zeroed when freed: decrypted pages in the page cache,
 * column text and statement buffers all pass through here, so closing the
 * connection (as a lock does) leaves no plaintext in the heap's free lists.
 * This is SQLCipher's "memory security" idea, applied through the public
 * SQLITE_CONFIG_MALLOC hook. Each block carries its size in an 8-byte
 * header, as SQLite's own mem1.c does, so the free knows how much to wipe
 * without relying on malloc_usable_size. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <sqlite3.h>

#include "zmalloc.h"

#define HDR 8   /* keeps the 8-byte alignment SQLite expects */

static void *zm_malloc(int n)
{
	uint64_t *p;

	if (n <= 0)
		return NULL;
	p = malloc((size_t)n + HDR);
	if (!p)
		return NULL;
	p[0] = (uint64_t)n;
	return p + 1;
}

static void zm_free(void *v)
{
	uint64_t *p = v;

	if (!p)
		return;
	p--;
	sodium_memzero(p, (size_t)p[0] + HDR);
	free(p);
}

/* Never realloc in place: the old block would go back unwiped. */
static void *zm_realloc(void *v, int n)
{
	void *q;
	uint64_t old;

	if (!v)
		return zm_malloc(n);
	if (n <= 0)
		return NULL;
	old = ((uint64_t *)v)[-1];
	q = zm_malloc(n);
	if (!q)
		return NULL;
	memcpy(q, v, old < (uint64_t)n ? (size_t)old : (size_t)n);
	zm_free(v);
	return q;
}

static int zm_size(void *v)
{
	return v ? (int)((uint64_t *)v)[-1] : 0;
}

static int zm_roundup(int n)
{
	return (n + 7) & ~7;
}

static int zm_init(void *app)
{
	(void)app;
	return SQLITE_OK;
}

static void zm_shutdown(void *app)
{
	(void)app;
}

int zmalloc_install(void)
{
	static const sqlite3_mem_methods methods = {
		zm_malloc, zm_free, zm_realloc, zm_size, zm_roundup, zm_init, zm_shutdown, NULL,
	};

	return sqlite3_config(SQLITE_CONFIG_MALLOC, &methods);
}
