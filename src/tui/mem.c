/* Memory that may hold records: grown and freed with the old bytes zeroed,
 * so a lock leaves no copy behind in the heap's free lists. */
#include <stdlib.h>
#include <string.h>

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
