/* The record handle: the store, the schema brought up to date, and the
 * state every call on one record file shares (no process globals). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core.h"
#include "needlelog/check.h"
#include "needlelog/schema.h"
#include "needlelog/text.h"

int record_adopt(struct store *s, struct record **out, struct nl_err *err)
{
	struct record *r;
	int rc;

	*out = NULL;
	rc = store_migrate(s, schema_migrations, schema_migration_count, err);
	if (rc != NL_OK) {
		store_close(s);
		return rc;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		store_close(s);
		return nl_error(err, NL_ENOMEM, "out of memory");
	}
	r->store = s;
	*out = r;
	return NL_OK;
}

int record_open(const char *path, const struct store_pass *pass,
		struct record **out, struct nl_err *err)
{
	struct store *s = NULL;
	int rc = store_global_init(err);

	*out = NULL;
	/* Where the file or its folder cannot be written (read-only media, a
	 * 0400 backup), it is opened read-only: reading works, a write says
	 * "read-only". */
	if (rc == NL_OK && store_path_writable(path))
		rc = store_open(path, pass, &s, err);
	else if (rc == NL_OK)
		rc = store_open_ro(path, pass, &s, err);
	return rc == NL_OK ? record_adopt(s, out, err) : rc;
}

int record_create(const char *path, const struct store_pass *pass,
		  enum store_kdf kdf, struct record **out, struct nl_err *err)
{
	struct store *s = NULL;
	int rc = store_global_init(err);

	*out = NULL;
	if (rc == NL_OK)
		rc = store_create(path, pass, kdf, &s, err);
	return rc == NL_OK ? record_adopt(s, out, err) : rc;
}

void record_close(struct record *r)
{
	if (!r)
		return;
	store_close(r->store);
	free(r->actor);
	free(r->practice);
	free(r->recipient);
	free(r);
}

struct store *record_store(struct record *r)
{
	return r->store;
}

/* Replaces *dst with a copy of s (NULL for NULL or ""). */
static int set_copy(char **dst, const char *s, struct nl_err *err)
{
	char *d = NULL;

	if (core_opt(s) && !(d = strdup(s)))
		return nl_error(err, NL_ENOMEM, "out of memory");
	free(*dst);
	*dst = d;
	return NL_OK;
}

int record_set_actor(struct record *r, const char *who, struct nl_err *err)
{
	return set_copy(&r->actor, who, err);
}

const char *record_actor(const struct record *r)
{
	return r->actor;
}

int record_set_practice(struct record *r, const char *name, struct nl_err *err)
{
	return set_copy(&r->practice, name, err);
}

const char *record_practice(const struct record *r)
{
	return r->practice;
}

int record_set_recipient(struct record *r, const char *who, struct nl_err *err)
{
	return set_copy(&r->recipient, who, err);
}

const char *record_recipient(const struct record *r)
{
	return r->recipient;
}

int record_set_today(struct record *r, const char *date, struct nl_err *err)
{
	int32_t day;
	int rc;

	if (!core_opt(date)) {
		r->fixed_today[0] = '\0';
		return NL_OK;
	}
	if ((rc = check_date_parse("today", date, &day, err)) != NL_OK)
		return rc;
	snprintf(r->fixed_today, sizeof(r->fixed_today), "%s", date);
	return NL_OK;
}

const char *record_today(struct record *r)
{
	if (r->fixed_today[0])
		memcpy(r->today, r->fixed_today, sizeof(r->today));
	else
		nl_today_local(r->today);
	return r->today;
}
