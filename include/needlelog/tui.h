/* The full-screen interface as a library: the faces' one entry point.
 * The TUI builds on the core, access and export only (the build links it
 * as its own library, nltui); a command (src/cli/tui.c) gathers these
 * options and calls tui_main. */
#ifndef NEEDLELOG_TUI_H
#define NEEDLELOG_TUI_H

#include <stdbool.h>

#include "needlelog/err.h"
#include "needlelog/record.h"

struct tui_options {
	const char *db_path;      /* the record file (resolved by the caller) */
	const char *pass_file;    /* a passphrase file, or NULL */
	const char *pass_env;     /* the variable holding a passphrase, or NULL */
	/* The passphrase comes from pass_file or pass_env: tried once at
	 * start (a prompt on the unlock screen if it fails, and after every
	 * lock). */
	bool pass_given;
	const char *practitioner; /* who signs and amends, or NULL (asked) */
	const char *today;        /* a fixed today (tests, demos), or NULL */
	long lock_after_ms;       /* idle lock; 0 = never */
	/* There is no file at db_path: the new file screen offers to make one
	 * (leaving it returns NL_ENOENT with access_no_file's message). */
	bool create;
	const char *user;         /* --user, or NULL: $NEEDLELOG_USER, else the login */
};

/* Runs the interface on the terminal until the user quits. NL_EUSAGE when
 * the terminal cannot be taken over (no TERM); NL_ENOENT when a new file
 * was offered (create) and declined; other statuses are the store's. Needs store_global_init first (tui_main calls it). */
int tui_main(const struct tui_options *o, struct nl_err *err);

#endif
