#include <stdio.h>

#include <sqlite3.h>

#include "needlelog/store.h"

int store_schema_version(struct store *s, int *version, struct nl_err *err)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(store_db(s), "PRAGMA user_version", -1, &st, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		*version = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return store_sqlite_error(s, rc, "reading the schema version", err);
	return NL_OK;
}

static int apply(struct store *s, const struct store_migration *m,
		 struct nl_err *err)
{
	sqlite3 *db = store_db(s);
	char what[128], set_version[64];
	int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

	snprintf(what, sizeof(what), "schema migration %s", m->name);
	snprintf(set_version, sizeof(set_version), "PRAGMA user_version=%d", m->version);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, m->sql, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, set_version, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		return NL_OK;
	rc = store_sqlite_error(s, sqlite3_extended_errcode(db), what, err);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int store_migrate(struct store *s, const struct store_migration *m, size_t n,
		  struct nl_err *err)
{
	int version, rc = store_schema_version(s, &version, err);

	if (rc != NL_OK || n == 0)
		return rc;
	if (version > m[n - 1].version)
		return nl_error(err, NL_EIO,
				"the record file has schema version %d, newer than this "
				"needlelog knows (%d); use a newer needlelog",
				version, m[n - 1].version);
	for (size_t i = 0; i < n; i++) {
		if (m[i].version <= version)
			continue;
		rc = apply(s, &m[i], err);
		if (rc != NL_OK)
			return rc;
	}
	return NL_OK;
}
