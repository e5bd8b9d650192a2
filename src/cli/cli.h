/* The command-line face: a declarative command framework (in the spirit of
 * tmux's cmd_entry) and the plumbing every command shares.
 * Contract: ../shared/CLI.md, README.md and docs/needlelog.1.
 *
 * Each command is one table entry: its words, positional arguments, option
 * table and run function. The framework builds getopt's table from the
 * option table, prints --help from it, refuses an option given twice that
 * is not repeatable (exit 64, naming it), checks the count of positional
 * arguments, and after run prints the error message and maps the status to
 * the exit code. A run function never prints an error itself: it fills err
 * and returns the status. */
#ifndef NL_CLI_H
#define NL_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "needlelog/err.h"
#include "needlelog/record.h"

/* struct cli_opt.flags */
enum {
	CLI_REPEAT = 1 << 0,   /* may be given more than once */
};
/* In flags: the option also has a one-letter form (CLI_SHORT('o'): -o). */
#define CLI_SHORT(ch) ((unsigned)(unsigned char)(ch) << 8)
#define CLI_SHORTNAME(flags) ((char)((flags) >> 8 & 0xff))

/* One option of a command. A NULL metavar makes it a flag. */
struct cli_opt {
	const char *name;      /* "series", without the dashes */
	const char *metavar;   /* "ID", or NULL for a flag */
	unsigned flags;
	const char *help;      /* one or more lines, without indentation */
};

struct cli;

struct cli_command {
	const char *group;     /* "patient", or NULL for a one-word command */
	const char *name;      /* "add" */
	const char *args;      /* positional usage ("ID", "FILE"), or NULL */
	int min_args, max_args;
	const char *summary;   /* first line: the listing; the rest: --help */
	const struct cli_opt *opts; /* {0}-terminated, or NULL */
	int (*run)(struct cli *c, struct nl_err *err);
};

/* One option as given on the command line, in order. */
struct cli_val {
	const struct cli_opt *opt;
	const char *value;     /* borrowed from argv; "" for a flag */
};

#define CLI_MAX_VALS 512

struct cli {
	const struct cli_command *cmd;
	const char *db;          /* --db as given */
	char db_path[4096];      /* the path resolved (access_db_path), or "" */
	const char *pass_file;   /* --passphrase-file */
	const char *user;        /* --user */
	struct cli_val vals[CLI_MAX_VALS];
	size_t nvals;
	char **args;             /* the positional arguments */
	int nargs;
	struct record *rec;      /* opened by cli_open, closed by the framework */
	bool usage;              /* the error is the command line's: add the usage */
	struct timespec opened;  /* when cli_open had the file open (the key
				  * derived): $NEEDLELOG_TIMING says how long the
				  * command took after it */
};

/* Options several commands share; list them in a command's table. */
#define CLI_OPT_PRACTITIONER \
	{ "practitioner", "NAME", 0, "who makes the change, for the audit trail (else\n" \
	  "$NEEDLELOG_PRACTITIONER, else $USER)" }
#define CLI_OPT_TODAY(what) \
	{ "today", "DATE", 0, what " (else $NEEDLELOG_TODAY, else\n" \
	  "today's local date)" }

/* ---- the table (commands.c) --------------------------------------------- */

/* The command for argv words; *words says how many words it took. */
const struct cli_command *cli_find(const char *word1, const char *word2,
				   int *words);
/* One line per command of a group, or of all when group is NULL, to out
 * if not NULL; returns how many there are (0: no such group). */
size_t cli_list_group(FILE *out, const char *group);

/* ---- the framework (frame.c) ------------------------------------------- */

/* Parses argv (argv[0] is the command's last word) against cmd's table and
 * runs it; returns the exit code. c holds the options given before the
 * command (--db, --passphrase-file). */
int cli_run(struct cli *c, const struct cli_command *cmd, int argc, char **argv);
/* The usage, summary and options of c's command on out. */
void cli_print_help(FILE *out, const struct cli_command *cmd);

/* Fills err with a command-line error (NL_EUSAGE) whose message is followed
 * by the command's usage line; returns NL_EUSAGE. */
int cli_usage(struct cli *c, struct nl_err *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- reading the options ------------------------------------------------ */

/* The value of option name (the last, for a repeatable one), "" for a flag
 * given, NULL when not given. */
const char *cli_str(const struct cli *c, const char *name);
bool cli_flag(const struct cli *c, const char *name);
/* Up to max values of option name, in order, into out; how many. */
size_t cli_values(const struct cli *c, const char *name, const char **out, size_t max);
/* Every value of option name in order: *pos starts at 0; NULL at the end. */
const char *cli_next(const struct cli *c, const char *name, size_t *pos);
/* A record id option ("12" or "#12"); 0 when not given. NL_EUSAGE naming
 * the option when it is not a positive whole number. */
int cli_id(struct cli *c, const char *name, int64_t *id, struct nl_err *err);
/* Positional argument i as a record id of what ("patient"). */
int cli_arg_id(struct cli *c, int i, const char *what, int64_t *id,
	       struct nl_err *err);
/* A whole number option in [min, max]; *v untouched when not given. */
int cli_int(struct cli *c, const char *name, int min, int max, int *v,
	    struct nl_err *err);

/* --format among the allowed names (e.g. "text", "csv", "json"; the first
 * is the default); *index gets the position of the one given. */
int cli_format(struct cli *c, const char *const *allowed, size_t n,
	       size_t *index, struct nl_err *err);

/* ---- the record file ---------------------------------------------------- */

/* The record file's path (resolved once); NULL with err filled. */
const char *cli_db_path(struct cli *c, struct nl_err *err);
/* The passphrase: --passphrase-file, $NEEDLELOG_PASSPHRASE, or a prompt
 * on the terminal (twice when confirm). */
int cli_passphrase(struct cli *c, bool confirm, struct store_pass *out,
		   struct nl_err *err);
/* Opens the record file into c->rec (the framework closes it), with the
 * practitioner (--practitioner, $NEEDLELOG_PRACTITIONER, $USER) and today
 * (--today, $NEEDLELOG_TODAY) set on the handle. */
int cli_open(struct cli *c, struct nl_err *err);
/* The same, keeping the passphrase in pass (the caller frees it), for a
 * command that uses it again (backup protects the copy with it). */
int cli_open_keep_pass(struct cli *c, struct store_pass *pass, struct nl_err *err);
/* The practitioner the command acts as (see cli_open), or NULL. */
const char *cli_practitioner(const struct cli *c);
/* A new passphrase for user (--new-passphrase-file,
 * $NEEDLELOG_NEW_PASSPHRASE, or asked twice), rated by zxcvbn: a weak one
 * typed is refused, one from a file or variable warned about on stderr. */
int cli_new_passphrase(struct cli *c, const char *user, struct store_pass *out,
		       struct nl_err *err);
/* A new recovery key, given once: into --recovery-key-out FILE (0600,
 * never overwriting), else on the terminal until confirmed, else on
 * stderr. */
int cli_recovery_key_new(struct cli *c, struct nl_err *err);
/* Refuses an existing --recovery-key-out file before anything is done. */
int cli_recovery_out_free(struct cli *c, struct nl_err *err);

/* A progress line on stderr when it is a terminal. */
int cli_progress(void *label, uint64_t done, uint64_t total);
void cli_progress_end(void);

#endif
