/* What both faces need before the record is open: where the record file
 * is, the passphrase (from a file, the environment or the terminal), and
 * making a new file. Shared by the CLI and the TUI; prints nothing to
 * stdout or stderr (a prompt goes to the terminal itself, /dev/tty). */
#ifndef NEEDLELOG_ACCESS_H
#define NEEDLELOG_ACCESS_H

#include <stdbool.h>
#include <stddef.h>

#include "needlelog/err.h"
#include "needlelog/record.h"
#include "needlelog/store.h"

/* The record file's path: given (--db), else $NEEDLELOG_DB, else
 * $XDG_DATA_HOME/needlelog/records.db, else ~/.local/share/needlelog/
 * records.db, written into buf. NL_EUSAGE when none can be made. */
int access_db_path(const char *given, char *buf, size_t size,
		   struct nl_err *err);

/* A passphrase from file (its first line, newline stripped), else from the
 * environment variable env_name, else asked on the terminal with prompt
 * (twice when confirm). Empty, unreadable or longer than STORE_PASS_MAX
 * bytes: NL_EUSAGE, never a silent cut. No terminal: NL_EUSAGE. */
int access_passphrase(const char *file, const char *env_name,
		      const char *prompt, bool confirm, struct store_pass *out,
		      struct nl_err *err);

/* Creates a new record file at path (its missing folders 0700, the file
 * 0600) with the schema; NL_EEXIST if path exists. *out is the open
 * handle, or NULL when out is NULL (the file is closed). */
int access_create(const char *path, const struct store_pass *pass,
		  struct record **out, struct nl_err *err);

#endif
