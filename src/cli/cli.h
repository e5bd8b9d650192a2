/* The command-line face: shared plumbing for the commands in src/cli/.
 * Contract: ../shared/CLI.md, README.md and docs/needlelog.1. */
#ifndef NL_CLI_H
#define NL_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "needlelog/err.h"
#include "needlelog/record.h"

struct cli {
	const char *db;        /* --db as given */
	char db_path[4096];    /* the path resolved (access_db_path), or "" */
	const char *pass_file; /* --passphrase-file */
	const struct cli_command *cmd;
	const char *who;       /* the practitioner named in the audit trail */
	const char *today;     /* a fixed "today" (--today, $NEEDLELOG_TODAY) */
};

struct cli_command {
	const char *group;  /* "patient", or NULL for a one-word command */
	const char *name;   /* "add" */
	int (*run)(struct cli *c, int argc, char **argv);
	const char *args;   /* usage after the command name */
	const char *summary;
	const char *help;   /* the options, one per line; may be NULL */
};

#include <stdio.h>

/* The command for argv words; *words says how many words it took. */
const struct cli_command *cli_find(const char *word1, const char *word2,
				   int *words);
/* One line per command, for --help. */
void cli_list(FILE *out);
/* One line per command of a group ("patient", "series"...), or of all
 * when group is NULL, to out if not NULL; returns how many there are (0:
 * no such group). */
size_t cli_list_group(FILE *out, const char *group);

/* Options every command takes; getopt value codes for them. */
enum { OPT_DB = 0x1000, OPT_PASSFILE, OPT_HELP, OPT_FIRST_LOCAL };
#define CLI_COMMON_OPTIONS \
	{ "db", required_argument, NULL, OPT_DB }, \
	{ "passphrase-file", required_argument, NULL, OPT_PASSFILE }, \
	{ "help", no_argument, NULL, OPT_HELP }

/* Handles a common option or an unknown one. Returns -1 if opt was
 * handled and parsing goes on, else the exit code to return now. */
int cli_common_opt(struct cli *c, int opt, char **argv);

/* Prints "needlelog: message" to stderr; returns the exit code. */
int cli_fail(const struct nl_err *err);
int cli_usage_error(const struct cli *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int cli_help(const struct cli *c);

/* The record file's path (resolved once); NULL with err filled. */
const char *cli_db_path(struct cli *c, struct nl_err *err);

/* The passphrase: --passphrase-file, $NEEDLELOG_PASSPHRASE, or a prompt
 * on the terminal (twice when confirm). */
int cli_passphrase(struct cli *c, bool confirm, struct store_pass *out,
		   struct nl_err *err);

/* `needlelog init`: a new record file at cli_db_path (folders 0700, file
 * 0600), the passphrase asked twice on a terminal, the schema applied. */
int cli_create_record_file(struct cli *c, struct nl_err *err);

/* Opens the record file (its schema brought up to date), with c's
 * practitioner and today set on the handle. */
int cli_open(struct cli *c, struct record **out, struct nl_err *err);

/* A progress line on stderr when it is a terminal. */
int cli_progress(void *label, uint64_t done, uint64_t total);
void cli_progress_end(void);

#endif
