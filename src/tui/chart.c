/* Small charts in text cells: a sparkline of a scale over the sessions and
 * a bar of one value against its baseline. Block characters in a UTF-8
 * locale, digits-free ASCII otherwise. */
#include <langinfo.h>
#include <math.h>
#include <string.h>

#include "tui.h"

static bool utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && strcmp(cs, "UTF-8") == 0;
}

static int level(double v, double lo, double hi, int levels)
{
	int l;

	if (!(hi > lo))
		return levels / 2;
	l = (int)lround((v - lo) / (hi - lo) * (levels - 1));
	return l < 0 ? 0 : l >= levels ? levels - 1 : l;
}

void tui_sparkline(WINDOW *w, int y, int x, const double *v, size_t n,
		   double lo, double hi, attr_t a)
{
	static const wchar_t blocks[] = L"▁▂▃▄▅▆▇█";
	static const char ascii[] = "_.-=^";

	wattrset(w, a);
	wmove(w, y, x);
	for (size_t i = 0; i < n; i++) {
		if (utf8()) {
			wchar_t one[2] = { blocks[level(v[i], lo, hi, 8)], 0 };

			waddnwstr(w, one, 1);
		} else {
			waddch(w, (chtype)(unsigned char)ascii[level(v[i], lo, hi, 5)]);
		}
	}
	wattrset(w, A_NORMAL);
}

void tui_bar(WINDOW *w, int y, int x, int width, double value, double lo,
	     double hi, double baseline, bool has_baseline, attr_t bar,
	     attr_t mark)
{
	int filled, base;

	if (width < 2)
		return;
	filled = hi > lo ? (int)lround((value - lo) / (hi - lo) * width) : 0;
	filled = filled < 0 ? 0 : filled > width ? width : filled;
	base = hi > lo ? (int)lround((baseline - lo) / (hi - lo) * (width - 1)) : -1;
	wmove(w, y, x);
	for (int i = 0; i < width; i++) {
		bool is_base = has_baseline && i == base;

		wattrset(w, is_base ? mark : bar);
		if (utf8())
			waddwstr(w, is_base ? L"│" : i < filled ? L"█" : L"·");
		else
			waddch(w, is_base ? '|' : i < filled ? '#' : '.');
	}
	wattrset(w, A_NORMAL);
}
