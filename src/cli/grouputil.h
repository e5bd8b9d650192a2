/* Helpers the series and session groups share that belong in the core's
 * value module (value.h): group_join, group_set_text and the repeated-scale
 * check (group_scores_apply). Kept here, header-only, until they move, so
 * that none is written twice. */
#ifndef NL_CLI_GROUPUTIL_H
#define NL_CLI_GROUPUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "needlelog/text.h"
#include "needlelog/value.h"
#include "cli.h"

/* Every SCALE=VALUE of repeatable option name set into *v, one scale at a
 * time. A scale given twice is refused (64, naming it) rather than the last
 * value winning: different scales come one per option, the same one once. */
static inline int group_scores_apply(struct cli *c, const char *name,
				     struct nl_score **v, size_t *n,
				     struct nl_err *err)
{
	char field[64], q[NL_QUOTE_BUF], code[NL_QUOTE_BUF];
	const char *spec, *prev;
	size_t pos = 0, ppos;
	int rc = NL_OK;

	snprintf(field, sizeof(field), "--%s", name);
	while (rc == NL_OK && (spec = cli_next(c, name, &pos))) {
		size_t len = strcspn(spec, "=");

		for (ppos = 0; (prev = cli_next(c, name, &ppos)) && ppos < pos;) {
			if (strcspn(prev, "=") != len || strncmp(prev, spec, len) != 0)
				continue;
			snprintf(code, sizeof(code), "%.*s", (int)(len < 200 ? len : 200), spec);
			return cli_usage(c, err, "%s %s is given twice; give each scale once", field,
					 nl_quote_value(code, q, sizeof(q)));
		}
		rc = value_scores_set(field, spec, v, n, err);
	}
	return rc;
}

/* The strings joined with sep; NULL when there are none or out of memory. */
static inline char *group_join(char *const *v, size_t n, const char *sep)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; i < n; i++)
		len += strlen(v[i]) + strlen(sep);
	if (!n || !(s = malloc(len)))
		return NULL;
	s[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(s, sep);
		strcat(s, v[i]);
	}
	return s;
}

/* Replaces *dst with a copy of v; NULL for NULL or "" (an empty value
 * clears an optional text field). */
static inline int group_set_text(char **dst, const char *v, struct nl_err *err)
{
	char *d = NULL;

	if (v && *v && !(d = strdup(v)))
		return nl_error(err, NL_ENOMEM, "out of memory");
	free(*dst);
	*dst = d;
	return NL_OK;
}

#endif
