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

int audit_list(struct record *s, size_t limit, const char *entity, int64_t entity_id,
	       struct nl_audit **out, size_t *n, struct nl_err *err)
{
	struct nl_audit *rows = NULL;
	size_t cap = 0, count = 0;
	sqlite3_stmt *st;
	bool oom = false;
	int rc = core_prepare(s, "SELECT id, at, who, action, entity, entity_id, detail FROM audit "
				 "WHERE (?1 IS NULL OR entity = ?1) AND (?2 = 0 OR entity_id = ?2) "
				 "ORDER BY id DESC LIMIT ?3", &st, err);

	*out = NULL;
	*n = 0;
	if (rc != NL_OK)
		return rc;
	core_bind_text(st, 1, entity);
	sqlite3_bind_int64(st, 2, entity_id);
	sqlite3_bind_int64(st, 3, limit ? (sqlite3_int64)limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct nl_audit *a;

		if (core_grow((void **)&rows, &cap, count + 1, sizeof(*rows)) != 0) {
			oom = true;
			break;
		}
		a = &rows[count++];
		a->id = sqlite3_column_int64(st, 0);
		a->at = core_col_text(st, 1, &oom);
		a->who = core_col_text(st, 2, &oom);
		a->action = core_col_text(st, 3, &oom);
		a->entity = core_col_text(st, 4, &oom);
		a->entity_id = sqlite3_column_int64(st, 5);
		a->detail = core_col_text(st, 6, &oom);
	}
	sqlite3_finalize(st);
	if (oom || rc != SQLITE_DONE) {
		audit_list_free(rows, count);
		return oom ? nl_error(err, NL_ENOMEM, "out of memory")
			   : core_sql_error(s, "reading the audit trail", err);
	}
	*out = rows;
	*n = count;
	return NL_OK;
}
