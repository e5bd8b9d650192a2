/* The TUI library linked alone with what it may use (core, access,
 * export, ncursesw): tui_main pulls in every screen, so a call into the
 * CLI from any of them fails this program's link. Run, it only checks
 * that tui_main is what the header says. */
#include <stdio.h>

#include "needlelog/tui.h"

int main(int argc, char **argv)
{
	int (*entry)(const struct tui_options *, struct nl_err *) = tui_main;
	struct tui_options o = { .db_path = argc > 1 ? argv[1] : NULL };
	struct nl_err err = { 0 };

	if (argc > 2)   /* never in the test: it would take the terminal */
		return tui_main(&o, &err);
	puts(entry ? "the TUI links without the CLI" : "no tui_main");
	return entry ? 0 : 1;
}
