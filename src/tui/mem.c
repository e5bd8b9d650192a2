/* Memory that may hold records: grown and freed with the old bytes zeroed,
 * so a lock leaves no copy behind in the heap's free lists. */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "tui.h"

void *tui_zrealloc(void *p, size_t old_size, size_t new_size)
{
	void *n = calloc(1, new_size ? new_size : 1);

	if (!n)
		return NULL;
	if (p) {
		memcpy(n, p, old_size < new_size ? old_size : new_size);
		sodium_memzero(p, old_size);
		free(p);
	}
	return n;
}

void tui_zfree(void *p, size_t size)
{
	if (!p)
		return;
	sodium_memzero(p, size);
	free(p);
}

void tui_zfree_str(char *s)
{
	if (s)
		tui_zfree(s, strlen(s));
}

/* Jansson frees without a size; the block's usable size covers it all. */
static void json_zfree(void *p)
{
	if (p)
		tui_zfree(p, malloc_usable_size(p));
}

void tui_mem_init(void)
{
	/* drafts are JSON: every string jansson built from a form is wiped */
	json_set_alloc_funcs(malloc, json_zfree);
}
