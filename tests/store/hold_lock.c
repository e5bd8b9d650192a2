/* Test helper: opens a record file and holds an EXCLUSIVE lock on it until
 * told to stop, so the CLI tests can meet a busy file.
 * Usage: hold_lock DB READY_FILE STOP_FILE (passphrase in
 * $NEEDLELOG_PASSPHRASE, the user in $NEEDLELOG_USER). Creates READY_FILE once the lock is held; exits
 * when STOP_FILE appears (or after 60 s). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "needlelog/store.h"

int main(int argc, char **argv)
{
	const char *pw = getenv("NEEDLELOG_PASSPHRASE"), *who = getenv("NEEDLELOG_USER");
	struct nl_err err = { 0 };
	struct store_pass pass;
	struct store *s = NULL;
	FILE *ready;

	if (argc != 4 || !pw) {
		fprintf(stderr, "usage: NEEDLELOG_PASSPHRASE=.. hold_lock DB READY STOP\n");
		return 2;
	}
	if (store_global_init(&err) != NL_OK ||
	    store_pass_set(&pass, pw, strlen(pw), &err) != NL_OK) {
		fprintf(stderr, "hold_lock: %s\n", err.msg);
		return 1;
	}
	/* whose slot, when the file has several users */
	snprintf(pass.user, sizeof(pass.user), "%s", who ? who : "");
	if (store_open(argv[1], &pass, &s, &err) != NL_OK) {
		fprintf(stderr, "hold_lock: %s\n", err.msg);
		return 1;
	}
	store_pass_free(&pass);
	if (sqlite3_exec(store_db(s), "BEGIN EXCLUSIVE", NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "hold_lock: BEGIN EXCLUSIVE: %s\n", sqlite3_errmsg(store_db(s)));
		store_close(s);
		return 1;
	}
	ready = fopen(argv[2], "w");
	if (!ready) {
		store_close(s);
		return 1;
	}
	fclose(ready);
	for (int i = 0; i < 6000 && access(argv[3], F_OK) != 0; i++)
		usleep(10000);
	sqlite3_exec(store_db(s), "ROLLBACK", NULL, NULL, NULL);
	store_close(s);
	return 0;
}
