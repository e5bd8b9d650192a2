/* A scrolling text view: styled lines that wrap to the width they are
 * drawn at, scrolled by screen rows (not by lines), so that the end of a
 * long view (a session's safety warnings, its last amendment) can always be
 * reached. Rows hidden above or below are announced on a marker row of
 * their own, never drawn over the text. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tui.h"

struct tui_tline *tui_text_add(struct tui_text *tx, enum tui_style st,
			       const char *fmt, ...)
{
	struct tui_tline *l;
	va_list ap;

	if (tx->n == tx->cap) {
		size_t cap = tx->cap ? tx->cap * 2 : 64;
		struct tui_tline *nl = tui_zrealloc(tx->lines, tx->cap * sizeof(*nl),
						    cap * sizeof(*nl));

		if (!nl)
			return NULL;
		tx->lines = nl;
		tx->cap = cap;
	}
	l = &tx->lines[tx->n++];
	memset(l, 0, sizeof(*l));
	l->st = st;
	l->cont = 4;
	va_start(ap, fmt);
	vsnprintf(l->text, sizeof(l->text), fmt, ap);
	va_end(ap);
	return l;
}

void tui_text_clear(struct tui_text *tx)
{
	if (tx->lines)
		sodium_memzero(tx->lines, tx->cap * sizeof(*tx->lines));
	free(tx->lines);
	tx->lines = NULL;
	tx->n = tx->cap = 0;
	tx->top = 0;
}

/* The next piece of a line that fits width cells; *p moves past it. */
static size_t piece(const char **p, int width, char *buf, size_t size)
{
	size_t k = tui_text_fit(*p, width > 1 ? width : 1);

	if (k >= size)
		k = size - 1;
	memcpy(buf, *p, k);
	buf[k] = '\0';
	*p += k;
	while (**p == ' ')
		(*p)++;
	return k;
}

/* How many rows line l takes in width cells; draws them from row y when
 * w is not NULL (rows before `from` are skipped, at most `max` drawn). */
static int line_rows(WINDOW *w, const struct tui_tline *l, int y, int x,
		     int width, int from, int max)
{
	const char *p = l->text;
	char buf[sizeof(l->text)];
	int row = 0;

	do {
		int ind = l->indent + (row ? l->cont : 0);

		piece(&p, width - ind, buf, sizeof(buf));
		if (w && row >= from && row - from < max) {
			if (row == 0 && l->head[0])
				tui_put(w, y + row - from, x, l->indent, tui_attr(l->head_st),
					l->head, false);
			tui_put(w, y + row - from, x + ind, width - ind, tui_attr(l->st), buf,
				false);
		}
		row++;
	} while (*p);
	return row;
}

static int total_rows(const struct tui_text *tx, int width)
{
	int n = 0;

	for (size_t i = 0; i < tx->n; i++)
		n += line_rows(NULL, &tx->lines[i], 0, 0, width, 0, 0);
	return n;
}

/* The last top row: at the end, only the "more above" marker is shown. */
static int max_top(const struct tui_text *tx)
{
	if (tx->total <= tx->height)
		return 0;
	return tx->total - (tx->height - 1);
}

bool tui_text_move(struct tui_text *tx, enum tui_action a)
{
	int page = tx->height > 3 ? tx->height - 3 : 1;

	switch (a) {
	case TA_UP:
		tx->top--;
		break;
	case TA_DOWN:
		tx->top++;
		break;
	case TA_PGUP:
		tx->top -= page;
		break;
	case TA_PGDN:
		tx->top += page;
		break;
	case TA_HOME:
		tx->top = 0;
		break;
	case TA_END:
		tx->top = INT_MAX / 2;
		break;
	default:
		return false;
	}
	return true;
}

static void marker(WINDOW *w, int y, int x, int width, const char *text)
{
	tui_fill(w, y, x, width, tui_attr(TS_DIM));
	tui_put(w, y, x + 1, width - 1, tui_attr(TS_DIM), text, false);
}

void tui_text_draw(WINDOW *w, struct tui_text *tx, int y, int x, int width,
		   int height)
{
	int row = 0, skip, room, above, below;

	tx->height = height;
	tx->total = total_rows(tx, width);
	if (tx->top > max_top(tx))
		tx->top = max_top(tx);
	if (tx->top < 0 || tx->total <= height)
		tx->top = 0;
	above = tx->top > 0;
	room = height - above;
	below = tx->top + room < tx->total;
	room -= below;
	if (above)
		marker(w, y, x, width, "↑ more above (k, g: top)");
	skip = tx->top;
	for (size_t i = 0; i < tx->n && row < room; i++) {
		int n = line_rows(NULL, &tx->lines[i], 0, 0, width, 0, 0);

		if (skip >= n) {
			skip -= n;
			continue;
		}
		row += line_rows(w, &tx->lines[i], y + above + row, x, width, skip,
				 room - row) - skip;
		skip = 0;
	}
	if (below)
		marker(w, y + height - 1, x, width, "↓ more below (j, G: end)");
}
