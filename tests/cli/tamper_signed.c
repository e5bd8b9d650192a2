/* Test helper: changes a signed session's notes behind the core's back (by
 * dropping the database lock trigger), as an attacker with the passphrase
 * and their own SQLite might, so that `needlelog check` can be shown to
 * notice. Usage: tamper_signed DB SESSION_ID (passphrase from
 * $NEEDLELOG_PASSPHRASE). Never part of needlelog itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "needlelog/store.h"

int main(int argc, char **argv)
{
	const char *pw = getenv("NEEDLELOG_PASSPHRASE");
	struct store_pass pass = { 0 };
	struct nl_err err = { 0 };
	struct store *s = NULL;
	sqlite3_stmt *st = NULL;
	int rc;

	if (argc != 3 || !pw) {
		fprintf(stderr, "usage: NEEDLELOG_PASSPHRASE=.. tamper_signed DB SESSION_ID\n");
		return 2;
	}
	if (store_global_init(&err) || store_pass_set(&pass, pw, strlen(pw), &err) ||
	    store_open(argv[1], &pass, &s, &err)) {
		fprintf(stderr, "tamper_signed: %s\n", err.msg);
		return 1;
	}
	store_pass_free(&pass);
	rc = sqlite3_exec(store_db(s), "DROP TRIGGER session_signed_lock", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(store_db(s),
					"UPDATE session SET notes = 'changed behind the lock' WHERE id = ?",
					-1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, strtoll(argv[2], NULL, 10));
		rc = sqlite3_step(st) == SQLITE_DONE && sqlite3_changes(store_db(s)) == 1
		     ? SQLITE_OK : SQLITE_ERROR;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		fprintf(stderr, "tamper_signed: %s\n", sqlite3_errmsg(store_db(s)));
	store_close(s);
	return rc == SQLITE_OK ? 0 : 1;
}
