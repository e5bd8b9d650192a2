/* Test helper: leaves a hot journal beside a record file, as a writer
 * that died mid-transaction would. Adds a table nl_test_hot (committed),
 * then rewrites its rows with a one-page cache, so uncommitted pages
 * spill into the file, and exits without committing.
 * Usage: make_hot DB (passphrase in $NEEDLELOG_PASSPHRASE). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "needlelog/store.h"

static const char fill[] =
	"CREATE TABLE nl_test_hot(id INTEGER PRIMARY KEY, v BLOB);"
	"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60)"
	" INSERT INTO nl_test_hot SELECT i, randomblob(600) FROM n";
static const char spill[] =
	"PRAGMA cache_size=1; BEGIN;"
	"UPDATE nl_test_hot SET v = randomblob(600)";

int main(int argc, char **argv)
{
	const char *pw = getenv("NEEDLELOG_PASSPHRASE");
	struct nl_err err = { 0 };
	struct store_pass pass;
	struct store *s = NULL;

	if (argc != 2 || !pw) {
		fprintf(stderr, "usage: NEEDLELOG_PASSPHRASE=.. make_hot DB\n");
		return 2;
	}
	if (store_global_init(&err) != NL_OK ||
	    store_pass_set(&pass, pw, strlen(pw), &err) != NL_OK ||
	    store_open(argv[1], &pass, &s, &err) != NL_OK) {
		fprintf(stderr, "make_hot: %s\n", err.msg);
		return 1;
	}
	store_pass_free(&pass);
	if (sqlite3_exec(store_db(s), fill, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(store_db(s), spill, NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "make_hot: %s\n", sqlite3_errmsg(store_db(s)));
		return 1;
	}
	fflush(NULL);
	_exit(0); /* no commit, no close: the journal stays hot */
}
