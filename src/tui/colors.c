/* Every colour and attribute of the TUI, in one table. NO_COLOR (any
 * value, https://no-color.org) or a terminal without colours gives the
 * monochrome column: bold, reverse, underline and dim only. */
#include <stdlib.h>

#include "tui.h"

struct style {
	short fg, bg;   /* -1 = the terminal's default */
	attr_t color_attr;
	attr_t mono_attr;
};

static const struct style styles[TS_COUNT] = {
	[TS_NORMAL]       = { -1, -1, A_NORMAL, A_NORMAL },
	[TS_TITLE]        = { COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE | A_BOLD },
	[TS_STATUS]       = { COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE },
	[TS_HINT]         = { -1, -1, A_NORMAL, A_NORMAL },
	[TS_HINT_KEY]     = { COLOR_CYAN, -1, A_BOLD, A_BOLD },
	[TS_SELECTED]     = { COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE },
	[TS_HEADER]       = { COLOR_BLUE, -1, A_BOLD, A_BOLD | A_UNDERLINE },
	[TS_LABEL]        = { -1, -1, A_BOLD, A_BOLD },
	[TS_DIM]          = { -1, -1, A_DIM, A_DIM },
	[TS_WARN]         = { COLOR_YELLOW, -1, A_BOLD, A_BOLD },
	[TS_ERROR]        = { COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE },
	[TS_OK]           = { COLOR_GREEN, -1, A_NORMAL, A_NORMAL },
	[TS_OVERDUE]      = { COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE },
	[TS_DUE]          = { COLOR_YELLOW, -1, A_BOLD, A_BOLD },
	[TS_FIELD]        = { -1, -1, A_UNDERLINE, A_UNDERLINE },
	[TS_FIELD_FOCUS]  = { COLOR_BLACK, COLOR_YELLOW, A_NORMAL, A_REVERSE },
	[TS_SIGNED]       = { COLOR_GREEN, -1, A_BOLD, A_BOLD },
	[TS_VOID]         = { -1, -1, A_DIM, A_DIM },
	[TS_CHART]        = { COLOR_CYAN, -1, A_NORMAL, A_NORMAL },
	[TS_BASELINE]     = { COLOR_MAGENTA, -1, A_BOLD, A_BOLD },
	[TS_BETTER]       = { COLOR_GREEN, -1, A_BOLD, A_BOLD },
	[TS_WORSE]        = { COLOR_RED, -1, A_BOLD, A_BOLD },
	[TS_DIALOG]       = { COLOR_WHITE, COLOR_BLUE, A_NORMAL, A_NORMAL },
	[TS_DIALOG_TITLE] = { COLOR_YELLOW, COLOR_BLUE, A_BOLD, A_BOLD | A_UNDERLINE },
	[TS_MSG_ERROR]    = { COLOR_WHITE, COLOR_RED, A_BOLD, A_REVERSE | A_BOLD },
	[TS_MSG_WARN]     = { COLOR_BLACK, COLOR_YELLOW, A_NORMAL, A_REVERSE | A_BOLD },
	[TS_MSG_OK]       = { COLOR_BLACK, COLOR_GREEN, A_NORMAL, A_REVERSE },
};

static bool colors_on;

void tui_colors_init(void)
{
	const char *no = getenv("NO_COLOR");

	colors_on = !(no && *no) && has_colors() && start_color() == OK;
	if (!colors_on)
		return;
	use_default_colors();
	for (int i = 1; i < TS_COUNT; i++)
		init_pair((short)i, styles[i].fg, styles[i].bg);
}

bool tui_colors_on(void)
{
	return colors_on;
}

attr_t tui_attr(enum tui_style s)
{
	if ((int)s < 0 || s >= TS_COUNT)
		return A_NORMAL;
	if (!colors_on)
		return styles[s].mono_attr;
	if (s == TS_NORMAL)
		return A_NORMAL;
	return (attr_t)COLOR_PAIR((int)s) | styles[s].color_attr;
}

enum tui_style tui_msg_style(enum tui_style s)
{
	switch (s) {
	case TS_ERROR:
	case TS_OVERDUE:
	case TS_WORSE:
		return TS_MSG_ERROR;
	case TS_WARN:
	case TS_DUE:
		return TS_MSG_WARN;
	case TS_OK:
	case TS_BETTER:
	case TS_SIGNED:
		return TS_MSG_OK;
	default:
		return TS_STATUS;
	}
}
