/* The command framework: one option table per command gives getopt's
 * table, the --help text and the checks; run functions return a status and
 * this file prints the message and maps the exit code. */
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "needlelog/text.h"
#include "cli.h"

/* Options every command takes, after its own. */
static const struct cli_opt common_opts[] = {
	{ "db", "PATH", 0, "the record file (else $NEEDLELOG_DB, else\n"
	  "$XDG_DATA_HOME/needlelog/records.db)" },
	{ "passphrase-file", "FILE", 0, "read the passphrase from FILE's first line\n"
	  "(else $NEEDLELOG_PASSPHRASE, else a prompt)" },
	{ "user", "NAME", 0, "whose key slot to open (else $NEEDLELOG_USER;\n"
	  "needed when the file has several users)" },
	{ "help", NULL, CLI_SHORT('h'), "show this help" },
	{ 0 },
};

enum { OPT_BASE = 0x100, MAX_OPTS = 64, HELP_COL = 30 };

static size_t count_opts(const struct cli_opt *o)
{
	size_t n = 0;

	while (o && o[n].name)
		n++;
	return n;
}

/* The command's options then the common ones, as one list. */
static const struct cli_opt *opt_at(const struct cli_command *cmd, size_t i)
{
	size_t own = count_opts(cmd->opts);

	return i < own ? &cmd->opts[i] : &common_opts[i - own];
}

static size_t total_opts(const struct cli_command *cmd)
{
	return count_opts(cmd->opts) + count_opts(common_opts);
}

static void build_getopt(const struct cli_command *cmd, struct option *lo,
			 char *shorts)
{
	size_t n = total_opts(cmd), k = 0;

	*shorts++ = '-'; /* positionals come back in order, as option 1 */
	for (size_t i = 0; i < n; i++) {
		const struct cli_opt *o = opt_at(cmd, i);

		lo[i] = (struct option){ o->name, o->metavar ? required_argument : no_argument,
					 NULL, (int)(OPT_BASE + i) };
		if (CLI_SHORTNAME(o->flags)) {
			shorts[k++] = CLI_SHORTNAME(o->flags);
			if (o->metavar)
				shorts[k++] = ':';
		}
	}
	lo[n] = (struct option){ 0 };
	shorts[k] = '\0';
}

/* The index of the option for a short name, for getopt's short answers. */
static int short_index(const struct cli_command *cmd, int ch)
{
	for (size_t i = 0; i < total_opts(cmd); i++)
		if (CLI_SHORTNAME(opt_at(cmd, i)->flags) == ch)
			return (int)i;
	return -1;
}

static void usage_line(FILE *out, const struct cli_command *cmd)
{
	fprintf(out, "usage: needlelog %s%s%s%s%s%s\n", cmd->group ? cmd->group : "",
		cmd->group ? " " : "", cmd->name, cmd->args ? " " : "",
		cmd->args ? cmd->args : "", count_opts(cmd->opts) ? " [OPTIONS]" : "");
}

int cli_usage(struct cli *c, struct nl_err *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (err) {
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		err->status = NL_EUSAGE;
	}
	va_end(ap);
	c->usage = true;
	return NL_EUSAGE;
}

static void print_opts(FILE *out, const struct cli_opt *o)
{
	for (; o && o->name; o++) {
		const char *h = o->help ? o->help : "";
		char sh = CLI_SHORTNAME(o->flags), left[64];

		snprintf(left, sizeof(left), "%c%c%s--%s%s%s", sh ? '-' : ' ', sh ? sh : ' ',
			 sh ? ", " : "  ", o->name, o->metavar ? " " : "",
			 o->metavar ? o->metavar : "");
		do {
			size_t len = strcspn(h, "\n");
			bool last = h[len] == '\0' || h[len + 1] == '\0';
			const char *more = last && (o->flags & CLI_REPEAT) ? " (repeatable)" : "";

			if (len == 0 && !*more)     /* a line with no text: no trailing blank */
				fprintf(out, "  %s\n", left);
			else
				fprintf(out, "  %-*s %.*s%s\n", HELP_COL, left, (int)len, h, more);
			h += len + (h[len] == '\n');
			left[0] = '\0';
		} while (*h);
	}
}

void cli_print_help(FILE *out, const struct cli_command *cmd)
{
	usage_line(out, cmd);
	fprintf(out, "\n%s\n", cmd->summary);
	if (count_opts(cmd->opts)) {
		fputs("\nOptions:\n", out);
		print_opts(out, cmd->opts);
	}
	fputs("\nCommon options:\n", out);
	print_opts(out, common_opts);
}

/* Records one option; a second value of a non-repeatable one is refused. */
static int add_val(struct cli *c, const struct cli_opt *o, const char *value,
		   struct nl_err *err)
{
	char field[64];

	snprintf(field, sizeof(field), "--%s", o->name);
	if (!(o->flags & CLI_REPEAT) && cli_str(c, o->name))
		return cli_usage(c, err, "--%s is given twice; give it once", o->name);
	if (c->nvals == CLI_MAX_VALS)
		return cli_usage(c, err, "too many options (at most %d)", CLI_MAX_VALS);
	if (o->metavar && nl_text_check_value(field, value, err) != NL_OK)
		return err->status;
	c->vals[c->nvals++] = (struct cli_val){ o, value ? value : "" };
	return NL_OK;
}

static int take(struct cli *c, const struct cli_opt *o, const char *value,
		struct nl_err *err)
{
	if (o == &common_opts[0])
		c->db = value;
	else if (o == &common_opts[1])
		c->pass_file = value;
	else if (o == &common_opts[2] && c->user)
		return cli_usage(c, err, "--user is given twice; give it once");
	else if (o == &common_opts[2])
		c->user = value;
	else
		return add_val(c, o, value, err);
	return NL_OK;
}

/* Parses argv into c; NL_OK, or the first problem. */
static int parse(struct cli *c, int argc, char **argv, struct nl_err *err)
{
	const struct cli_command *cmd = c->cmd;
	struct option lo[MAX_OPTS + 1];
	char shorts[2 * MAX_OPTS + 2], shown[96];
	int opt, rc = NL_OK;

	if (total_opts(cmd) > MAX_OPTS)
		return nl_error(err, NL_EINTERNAL, "too many options in the table");
	build_getopt(cmd, lo, shorts);
	c->args = calloc((size_t)argc + 1, sizeof(*c->args));
	if (!c->args)
		return nl_error(err, NL_ENOMEM, "out of memory");
	opterr = 0;
	optind = 0;
	while (rc == NL_OK && (opt = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		if (opt == 1)
			c->args[c->nargs++] = optarg;
		else if (opt >= OPT_BASE && (size_t)(opt - OPT_BASE) < total_opts(cmd))
			rc = take(c, opt_at(cmd, (size_t)(opt - OPT_BASE)), optarg, err);
		else if (opt != '?' && opt != ':' && short_index(cmd, opt) >= 0)
			rc = take(c, opt_at(cmd, (size_t)short_index(cmd, opt)), optarg, err);
		else
			rc = cli_usage(c, err, "unknown option, or an option without its value: '%s'",
				       nl_quote_value(argv[optind - 1], shown, sizeof(shown)));
	}
	while (rc == NL_OK && optind < argc)   /* after "--" */
		c->args[c->nargs++] = argv[optind++];
	return rc;
}

static int check_args(struct cli *c, struct nl_err *err)
{
	const struct cli_command *cmd = c->cmd;
	char shown[NL_QUOTE_BUF];

	if (c->nargs < cmd->min_args)
		return cli_usage(c, err, "%s%s%s needs %s", cmd->group ? cmd->group : "",
				 cmd->group ? " " : "", cmd->name, cmd->args);
	if (c->nargs > cmd->max_args) {
		nl_quote_value(c->args[cmd->max_args], shown, sizeof(shown));
		return cli_usage(c, err, "unexpected argument '%s'", shown);
	}
	return NL_OK;
}

/* The message on stderr, shown safely, with the usage for a command-line
 * error; returns the exit code. */
static int fail(const struct cli *c, const struct nl_err *err)
{
	fputs("needlelog: ", stderr);
	nl_term_fputs(stderr, err->msg, true);
	fputc('\n', stderr);
	if (c->usage && err->status == NL_EUSAGE) {
		usage_line(stderr, c->cmd);
		fprintf(stderr, "Try 'needlelog %s%s%s --help'.\n", c->cmd->group ? c->cmd->group : "",
			c->cmd->group ? " " : "", c->cmd->name);
	}
	return nl_exit_code(err->status);
}

/* $NEEDLELOG_TIMING: the command's work after the unlock (the benchmark's
 * "beyond unlock", without the noise of subtracting two runs' key
 * derivations), on stderr. */
static void say_timing(const struct cli *c)
{
	struct timespec now;

	if (!getenv("NEEDLELOG_TIMING") || (!c->opened.tv_sec && !c->opened.tv_nsec))
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	fprintf(stderr, "needlelog: timing: %.1f ms after the unlock\n",
		(double)(now.tv_sec - c->opened.tv_sec) * 1e3 +
		(double)(now.tv_nsec - c->opened.tv_nsec) / 1e6);
}

int cli_run(struct cli *c, const struct cli_command *cmd, int argc, char **argv)
{
	struct nl_err err = { 0 };
	int rc;

	c->cmd = cmd;
	rc = parse(c, argc, argv, &err);
	if (rc == NL_OK && cli_flag(c, "help")) {
		cli_print_help(stdout, cmd);
	} else {
		if (rc == NL_OK)
			rc = check_args(c, &err);
		if (rc == NL_OK)
			rc = cmd->run(c, &err);
	}
	record_close(c->rec);
	c->rec = NULL;
	say_timing(c);
	free(c->args);
	c->args = NULL;
	return rc == NL_OK ? EX_OK : fail(c, &err);
}

/* ---- reading the options ------------------------------------------------- */

const char *cli_next(const struct cli *c, const char *name, size_t *pos)
{
	for (; *pos < c->nvals; (*pos)++) {
		if (strcmp(c->vals[*pos].opt->name, name) == 0)
			return c->vals[(*pos)++].value;
	}
	return NULL;
}

size_t cli_values(const struct cli *c, const char *name, const char **out, size_t max)
{
	size_t pos = 0, n = 0;
	const char *v;

	while ((v = cli_next(c, name, &pos)) && n < max)
		out[n++] = v;
	return n;
}

const char *cli_str(const struct cli *c, const char *name)
{
	const char *v = NULL, *next;
	size_t pos = 0;

	while ((next = cli_next(c, name, &pos)))
		v = next;
	return v;
}

bool cli_flag(const struct cli *c, const char *name)
{
	return cli_str(c, name) != NULL;
}

/* An id is part of the command line: a bad one is a usage error (64). */
static int parse_id(struct cli *c, const char *what, const char *s, int64_t *id,
		    struct nl_err *err)
{
	if (nl_parse_id(what, s, id, err) == NL_OK)
		return NL_OK;
	c->usage = true;
	err->status = NL_EUSAGE;
	return NL_EUSAGE;
}

int cli_id(struct cli *c, const char *name, int64_t *id, struct nl_err *err)
{
	const char *s = cli_str(c, name);
	char what[64];

	*id = 0;
	if (!s)
		return NL_OK;
	snprintf(what, sizeof(what), "--%s", name);
	return parse_id(c, what, s, id, err);
}

int cli_arg_id(struct cli *c, int i, const char *what, int64_t *id,
	       struct nl_err *err)
{
	if (i >= c->nargs)
		return cli_usage(c, err, "which %s? give its id", what);
	return parse_id(c, what, c->args[i], id, err);
}

int cli_int(struct cli *c, const char *name, int min, int max, int *v,
	    struct nl_err *err)
{
	const char *s = cli_str(c, name);
	char field[64];

	if (!s)
		return NL_OK;
	snprintf(field, sizeof(field), "--%s", name);
	return nl_parse_int(field, s, min, max, v, err);
}

int cli_format(struct cli *c, const char *const *allowed, size_t n,
	       size_t *index, struct nl_err *err)
{
	const char *s = cli_str(c, "format");
	char list[128] = "", shown[96];

	*index = 0;
	if (!s)
		return NL_OK;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(s, allowed[i]) == 0) {
			*index = i;
			return NL_OK;
		}
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 i == 0 ? "" : i + 1 == n ? " or " : ", ", allowed[i]);
	}
	nl_quote_value(s, shown, sizeof(shown));
	return cli_usage(c, err, "--format %s: use %s", shown, list);
}
