/* The audit trail: append-only rows, written in the change's transaction. */
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "needlelog/audit.h"

static const char *const actions[] = {
	AUDIT_CREATE, AUDIT_CHANGE, AUDIT_SIGN, AUDIT_AMEND, AUDIT_VOID, AUDIT_ARCHIVE,
	AUDIT_UNARCHIVE, AUDIT_EXPORT, AUDIT_BACKUP, AUDIT_IMPORT,
};

int audit_add(struct record *s, const char *action, const char *entity,
	      int64_t entity_id, const char *who, const char *detail,
	      struct nl_err *err)
{
	bool known = false;

	for (size_t i = 0; action && i < COUNT(actions); i++)
		known = known || strcmp(action, actions[i]) == 0;
	if (!known)
		return nl_error(err, NL_EUSAGE, "audit: unknown action '%s'",
				action ? action : "");
	if (!core_opt(entity))
		return nl_error(err, NL_EUSAGE, "audit: an entity type is required");
	/* A lone INSERT is atomic; inside a caller's transaction it joins it. */
	return core_audit(s, action, entity, entity_id, who, detail, err);
}

void audit_list_free(struct nl_audit *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++) {
		free(rows[i].at);
		free(rows[i].who);
		free(rows[i].action);
		free(rows[i].entity);
		free(rows[i].detail);
	}
	free(rows);
}

#define AUDIT_SELECT \
	"SELECT id, at, who, action, entity, entity_id, detail FROM audit "

/* Newest first; filtered by entity and id through audit_entity when asked. */
const char *const core_sql_audit_each[4] = {
	[0] = AUDIT_SELECT "ORDER BY id DESC LIMIT ?3",
	[1] = AUDIT_SELECT "WHERE entity = ?1 ORDER BY id DESC LIMIT ?3",
	[2] = AUDIT_SELECT "WHERE entity = ?1 AND entity_id = ?2 ORDER BY id DESC LIMIT ?3",
	[3] = AUDIT_SELECT "WHERE entity_id = ?2 ORDER BY id DESC LIMIT ?3",
};

/* A row as the statement holds it: borrowed, valid until the next step. */
static void borrow_row(sqlite3_stmt *st, struct nl_audit *a)
{
	a->id = sqlite3_column_int64(st, 0);
	a->at = (char *)sqlite3_column_text(st, 1);
	a->who = (char *)sqlite3_column_text(st, 2);
	a->action = (char *)sqlite3_column_text(st, 3);
	a->entity = (char *)sqlite3_column_text(st, 4);
	a->entity_id = sqlite3_column_int64(st, 5);
	a->detail = (char *)sqlite3_column_text(st, 6);
}

int audit_each_filtered(struct record *s, size_t limit, const char *entity,
			int64_t entity_id, audit_each_fn cb, void *ctx, struct nl_err *err)
{
	sqlite3_stmt *st;
	int which = core_opt(entity) ? (entity_id ? 2 : 1) : (entity_id ? 3 : 0);
	int rc = core_prepare(s, core_sql_audit_each[which], &st, err), stop = 0;

	if (rc != NL_OK)
		return rc;
	core_bind_text(st, 1, entity);
	sqlite3_bind_int64(st, 2, entity_id);
	sqlite3_bind_int64(st, 3, limit ? (sqlite3_int64)limit : -1);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct nl_audit a;

		borrow_row(st, &a);
		if (!a.at || !a.action || !a.entity) {
			core_finalize(s, st);
			return nl_error(err, NL_ENOMEM, "out of memory");
		}
		stop = cb(ctx, &a);
	}
	core_finalize(s, st);
	if (stop)
		return stop < 0 ? nl_error(err, NL_EUSAGE, "audit: stopped by the caller") : NL_OK;
	return rc == SQLITE_DONE ? NL_OK : core_sql_error(s, "reading the audit trail", err);
}

int audit_each(struct record *s, size_t limit, audit_each_fn cb, void *ctx,
	       struct nl_err *err)
{
	return audit_each_filtered(s, limit, NULL, 0, cb, ctx, err);
}

struct collect {
	struct nl_audit *rows;
	size_t n, cap;
};

static int collect_row(void *ctx, const struct nl_audit *row)
{
	struct collect *c = ctx;
	struct nl_audit *a;
	bool oom = false;

	if (core_grow((void **)&c->rows, &c->cap, c->n + 1, sizeof(*c->rows)) != 0)
		return -1;
	a = &c->rows[c->n++];
	*a = *row;
	a->at = core_strdup(row->at, &oom);
	a->who = core_strdup(row->who, &oom);
	a->action = core_strdup(row->action, &oom);
	a->entity = core_strdup(row->entity, &oom);
	a->detail = core_strdup(row->detail, &oom);
	return oom ? -1 : 0;
}

int audit_list(struct record *s, size_t limit, const char *entity, int64_t entity_id,
	       struct nl_audit **out, size_t *n, struct nl_err *err)
{
	struct collect c = { 0 };
	int rc = audit_each_filtered(s, limit, entity, entity_id, collect_row, &c, err);

	if (rc == NL_EUSAGE)   /* only collect_row stops with an error */
		rc = nl_error(err, NL_ENOMEM, "out of memory");
	if (rc != NL_OK) {
		audit_list_free(c.rows, c.n);
		c.rows = NULL;
		c.n = 0;
	}
	*out = c.rows;
	*n = c.n;
	return rc;
}
