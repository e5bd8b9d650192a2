#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "needlelog/access.h"
#include "cli.h"


int cli_fail(const struct nl_err *err)
{
	fprintf(stderr, "needlelog: %s\n", err->msg);
	return nl_exit_code(err->status);
}

static void print_usage_line(FILE *out, const struct cli_command *cmd)
{
	fprintf(out, "usage: needlelog %s%s%s %s\n", cmd->group ? cmd->group : "",
		cmd->group ? " " : "", cmd->name, cmd->args ? cmd->args : "");
}

int cli_usage_error(const struct cli *c, const char *fmt, ...)
{
	va_list ap;

	fputs("needlelog: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (c && c->cmd) {
		print_usage_line(stderr, c->cmd);
		fprintf(stderr, "Try 'needlelog %s%s%s --help'.\n",
			c->cmd->group ? c->cmd->group : "", c->cmd->group ? " " : "",
			c->cmd->name);
	}
	return EX_USAGE;
}

int cli_help(const struct cli *c)
{
	const struct cli_command *cmd = c->cmd;

	print_usage_line(stdout, cmd);
	printf("\n%s\n", cmd->summary);
	if (cmd->help)
		printf("\n%s", cmd->help);
	printf("\nCommon options:\n"
	       "  --db PATH               the record file (else $NEEDLELOG_DB, else\n"
	       "                          $XDG_DATA_HOME/needlelog/records.db)\n"
	       "  --passphrase-file FILE  read the passphrase from FILE's first line\n"
	       "                          (else $NEEDLELOG_PASSPHRASE, else a prompt)\n"
	       "  --help                  show this help\n");
	return EX_OK;
}

int cli_common_opt(struct cli *c, int opt, char **argv)
{
	switch (opt) {
	case OPT_DB:
		c->db = optarg;
		return -1;
	case OPT_PASSFILE:
		c->pass_file = optarg;
		return -1;
	case OPT_HELP:
		return cli_help(c);
	default:
		return cli_usage_error(c, "unknown option, or an option without its value: '%s'",
				       argv[optind - 1]);
	}
}

const char *cli_db_path(struct cli *c, struct nl_err *err)
{
	if (!c->db_path[0] && access_db_path(c->db, c->db_path, sizeof(c->db_path), err) != NL_OK)
		return NULL;
	return c->db_path;
}

int cli_passphrase(struct cli *c, bool confirm, struct store_pass *out,
		   struct nl_err *err)
{
	return access_passphrase(c->pass_file, "NEEDLELOG_PASSPHRASE", "Passphrase: ",
				 confirm, out, err);
}

int cli_open(struct cli *c, struct record **out, struct nl_err *err)
{
	struct store_pass pass = { 0 };
	const char *path = cli_db_path(c, err);
	struct stat st;
	int rc;

	*out = NULL;
	if (!path)
		return err->status;
	if (stat(path, &st) != 0 && errno == ENOENT)
		return nl_error(err, NL_ENOENT,
				"no record file at %s; create one with `needlelog init`", path);
	rc = store_global_init(err);
	if (rc == NL_OK)
		rc = cli_passphrase(c, false, &pass, err);
	if (rc == NL_OK)
		rc = record_open(path, &pass, out, err);
	store_pass_free(&pass);
	if (rc == NL_OK)
		rc = record_set_actor(*out, c->who, err);
	if (rc == NL_OK)
		rc = record_set_today(*out, c->today, err);
	if (rc != NL_OK && *out) {
		record_close(*out);
		*out = NULL;
	}
	return rc;
}

static int progress_shown;

int cli_progress(void *label, uint64_t done, uint64_t total)
{
	if (!isatty(STDERR_FILENO) || total < 256)
		return 0;
	fprintf(stderr, "\r%s: %llu/%llu pages (%llu%%)", (const char *)label,
		(unsigned long long)done, (unsigned long long)total,
		(unsigned long long)(total ? done * 100 / total : 100));
	fflush(stderr);
	progress_shown = 1;
	return 0;
}

void cli_progress_end(void)
{
	if (progress_shown)
		fputc('\n', stderr);
	progress_shown = 0;
}
