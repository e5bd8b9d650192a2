/* needlelog: argument parsing and dispatch, nothing else. */
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli/cli.h"

#ifndef NEEDLELOG_VERSION
#define NEEDLELOG_VERSION "0.1.0"
#endif

static void usage(FILE *out)
{
	fputs("usage: needlelog [--db PATH] [--passphrase-file FILE] [--user NAME] COMMAND [ARGS]\n"
	      "       needlelog --help | --version\n"
	      "\n"
	      "needlelog keeps a microneedling practice's patient records and session\n"
	      "logs in one encrypted file.\n"
	      "\n"
	      "Commands:\n", out);
	cli_list_group(out, NULL);
	fputs("\n"
	      "Record file: --db PATH, else $NEEDLELOG_DB, else\n"
	      "$XDG_DATA_HOME/needlelog/records.db (~/.local/share/needlelog/records.db).\n"
	      "Passphrase: --passphrase-file FILE, else $NEEDLELOG_PASSPHRASE, else a\n"
	      "prompt on the terminal. 'needlelog COMMAND --help' shows a command's options.\n"
	      "Exit status: 0 ok, 64 usage, 65 invalid value, 66 no such file or record,\n"
	      "73 would overwrite, 74 tampered/damaged or I/O error, 75 busy, 77 wrong\n"
	      "passphrase.\n", out);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "passphrase-file", required_argument, NULL, 'p' },
		{ "user", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	const struct cli_command *cmd;
	struct cli c = { 0 };
	int opt, words = 0;

	setlocale(LC_ALL, "");
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			c.db = optarg;
			break;
		case 'p':
			c.pass_file = optarg;
			break;
		case 'u':
			c.user = optarg;
			break;
		case 'h':
			usage(stdout);
			return EX_OK;
		case 'V':
			printf("needlelog %s\n", NEEDLELOG_VERSION);
			return EX_OK;
		default:
			fprintf(stderr, "needlelog: unknown option, or an option without its value: '%s'\n",
				argv[optind - 1]);
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind == argc) {   /* no subcommand: the TUI */
		cmd = cli_find("tui", NULL, &words);
		words = 0;
	} else {
		cmd = cli_find(argv[optind], optind + 1 < argc ? argv[optind + 1] : NULL, &words);
	}
	if (!cmd && cli_list_group(NULL, argv[optind]) > 0) {
		/* A group without (a known) subcommand: name its commands. */
		const char *next = optind + 1 < argc ? argv[optind + 1] : NULL;
		int help = next && (strcmp(next, "--help") == 0 || strcmp(next, "-h") == 0);
		FILE *out = help ? stdout : stderr;

		if (!help)
			fprintf(stderr, next ? "needlelog: unknown command '%s %s'\n"
					     : "needlelog: '%s' needs a subcommand\n",
				argv[optind], next);
		fprintf(out, "usage: needlelog %s SUBCOMMAND [ARGS]\n\n", argv[optind]);
		cli_list_group(out, argv[optind]);
		fprintf(out, "\n'needlelog %s SUBCOMMAND --help' shows its options.\n",
			argv[optind]);
		return help ? EX_OK : EX_USAGE;
	}
	if (!cmd) {
		fprintf(stderr, "needlelog: unknown command '%s'\n", argv[optind]);
		usage(stderr);
		return EX_USAGE;
	}
	argv += optind + words - 1;
	argc -= optind + words - 1;
	return cli_run(&c, cmd, argc, argv);
}
