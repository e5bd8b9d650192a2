/* A selectable, scrolling list: the state and the moves. Screens draw the
 * rows themselves through a callback. */
#include "tui.h"

bool tui_list_move(struct tui_list *l, enum tui_action a)
{
	size_t page = l->height > 1 ? (size_t)l->height - 1 : 1;

	switch (a) {
	case TA_UP:
		if (l->sel > 0)
			l->sel--;
		break;
	case TA_DOWN:
		if (l->sel + 1 < l->n)
			l->sel++;
		break;
	case TA_PGUP:
		l->sel = l->sel > page ? l->sel - page : 0;
		break;
	case TA_PGDN:
		l->sel = l->sel + page < l->n ? l->sel + page : (l->n ? l->n - 1 : 0);
		break;
	case TA_HOME:
		l->sel = 0;
		break;
	case TA_END:
		l->sel = l->n ? l->n - 1 : 0;
		break;
	default:
		return false;
	}
	return true;
}

void tui_list_fit(struct tui_list *l, int height)
{
	size_t h = height > 0 ? (size_t)height : 1;

	l->height = height;
	if (l->n == 0) {
		l->sel = l->top = 0;
		return;
	}
	if (l->sel >= l->n)
		l->sel = l->n - 1;
	if (l->sel < l->top)
		l->top = l->sel;
	if (l->sel >= l->top + h)
		l->top = l->sel - h + 1;
	if (l->top + h > l->n)
		l->top = l->n > h ? l->n - h : 0;
}

void tui_list_draw(WINDOW *w, struct tui_list *l, int y, int x, int width,
		   int height, bool focused, const char *empty_msg,
		   void (*draw_row)(WINDOW *w, int y, int x, int width,
				    size_t row, attr_t a, void *ctx),
		   void *ctx)
{
	if (height <= 0)
		return;
	tui_list_fit(l, height);
	if (l->n == 0) {
		tui_put(w, y, x + 1, width - 1, tui_attr(TS_DIM), empty_msg, false);
		return;
	}
	for (int i = 0; i < height && l->top + (size_t)i < l->n; i++) {
		size_t row = l->top + (size_t)i;
		attr_t a = row == l->sel && focused ? tui_attr(TS_SELECTED)
						     : A_NORMAL;

		if (a != A_NORMAL)
			tui_fill(w, y + i, x, width, a);
		draw_row(w, y + i, x, width, row, a, ctx);
	}
	if (l->n > (size_t)height) {
		/* a scroll mark on the right edge */
		size_t pos = (size_t)(height - 1) * l->sel / (l->n - 1);

		tui_put(w, y + (int)pos, x + width - 1, 1, tui_attr(TS_DIM), "▐", false);
	}
}
