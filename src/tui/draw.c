/* Drawing text by display cells: UTF-8 in, wide characters out, widths
 * measured with wcwidth so accented and wide names line up. */
#include <langinfo.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui.h"

static int cell_width(wchar_t c)
{
	int w = wcwidth(c);

	return w < 0 ? 1 : w;
}

/* Decodes the next character of s (invalid bytes become U+FFFD). */
static size_t next_char(const char *s, wchar_t *out)
{
	mbstate_t st;
	size_t k;

	memset(&st, 0, sizeof(st));
	k = mbrtowc(out, s, MB_CUR_MAX, &st);
	if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
		*out = L'?';
		return 1;
	}
	return k;
}

int tui_text_width(const char *s)
{
	int w = 0;
	wchar_t c;

	while (s && *s) {
		s += next_char(s, &c);
		w += cell_width(c);
	}
	return w;
}

static bool utf8_locale(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && strcmp(cs, "UTF-8") == 0;
}

int tui_put(WINDOW *w, int y, int x, int width, attr_t a, const char *s,
	    bool pad)
{
	int used = 0, total = tui_text_width(s);
	wchar_t c;

	if (width <= 0)
		return 0;
	wattrset(w, a);
	wmove(w, y, x);
	while (s && *s) {
		int cw;

		s += next_char(s, &c);
		if (c < 32 || c == 127)
			c = L' ';
		cw = cell_width(c);
		if (total > width && used + cw > width - 1) {
			waddwstr(w, utf8_locale() ? L"…" : L"~");
			used++;
			break;
		}
		if (used + cw > width)
			break;
		wchar_t one[2] = { c, 0 };
		waddnwstr(w, one, 1);
		used += cw;
	}
	while (pad && used < width) {
		waddch(w, ' ');
		used++;
	}
	wattrset(w, A_NORMAL);
	return used;
}

int tui_putf(WINDOW *w, int y, int x, int width, attr_t a, const char *fmt,
	     ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return tui_put(w, y, x, width, a, buf, false);
}

void tui_fill(WINDOW *w, int y, int x, int width, attr_t a)
{
	wattrset(w, a);
	wmove(w, y, x);
	for (int i = 0; i < width; i++)
		waddch(w, ' ');
	wattrset(w, A_NORMAL);
}

void tui_hline(WINDOW *w, int y, int x, int width, attr_t a)
{
	wattrset(w, a);
	wmove(w, y, x);
	for (int i = 0; i < width; i++)
		waddwstr(w, utf8_locale() ? L"─" : L"-");
	wattrset(w, A_NORMAL);
}

void tui_heading(WINDOW *w, int y, int x, int width, const char *title)
{
	int n;

	tui_hline(w, y, x, 2, tui_attr(TS_DIM));
	n = tui_putf(w, y, x + 2, width - 2, tui_attr(TS_HEADER), " %s ", title);
	if (width - 2 - n > 0)
		tui_hline(w, y, x + 2 + n, width - 2 - n, tui_attr(TS_DIM));
}

size_t tui_text_fit(const char *s, int width)
{
	size_t len = strlen(s), i = 0, last_space = 0;
	int used = 0;

	while (i < len) {
		wchar_t c;
		size_t k = next_char(s + i, &c);
		int cw = cell_width(c);

		if (used + cw > width)
			break;
		used += cw;
		i += k;
		if (c == L' ')
			last_space = i;
	}
	if (i >= len)
		return len;
	return last_space > 0 ? last_space : i > 0 ? i : 1;
}

int tui_put_wrap(WINDOW *w, int y, int x, int width, int indent, int max_rows,
		 attr_t a, const char *s)
{
	char line[1024];
	int rows = 0;

	while (*s) {
		int wd = rows ? width - indent : width;
		size_t k = tui_text_fit(s, wd > 1 ? wd : 1);

		if (w && rows < max_rows) {
			snprintf(line, sizeof(line), "%.*s", (int)k, s);
			tui_put(w, y + rows, rows ? x + indent : x, wd, a, line, false);
		}
		rows++;
		s += k;
		while (*s == ' ')
			s++;
	}
	return rows ? rows : 1;
}
