/* Test helper: runs SQL on a record file behind the core's back, as an
 * older needlelog or an attacker with the passphrase and their own SQLite
 * might have stored it, so that tests can show how the commands print
 * values the core would refuse today (escapes, carriage returns, bidi
 * controls). Usage: raw_sql DB SQL (passphrase from $NEEDLELOG_PASSPHRASE).
 * Never part of needlelog itself. */
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
	char *msg = NULL;
	int rc;

	if (argc != 3 || !pw) {
		fprintf(stderr, "usage: NEEDLELOG_PASSPHRASE=.. raw_sql DB SQL\n");
		return 2;
	}
	if (store_global_init(&err) || store_pass_set(&pass, pw, strlen(pw), &err) ||
	    store_open(argv[1], &pass, &s, &err)) {
		fprintf(stderr, "raw_sql: %s\n", err.msg);
		return 1;
	}
	store_pass_free(&pass);
	rc = sqlite3_exec(store_db(s), argv[2], NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		fprintf(stderr, "raw_sql: %s\n", msg ? msg : sqlite3_errstr(rc));
	sqlite3_free(msg);
	store_close(s);
	return rc == SQLITE_OK ? 0 : 1;
}
