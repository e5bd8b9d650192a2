/* Pictures in the terminal (libchafa): sixel or kitty graphics where the
 * terminal has them, else Unicode block symbols that work in any UTF-8
 * terminal, over SSH and in tmux. It turns pixels (image.h) into either a
 * printable string or a grid of cells that a screen draws itself; it knows
 * nothing of ncurses or of the record. Nothing is written to a file. */
#ifndef NEEDLELOG_RENDER_H
#define NEEDLELOG_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "needlelog/err.h"
#include "needlelog/image.h"

enum render_mode {
	RENDER_AUTO = 0,
	RENDER_SYMBOLS,
	RENDER_SIXEL,
	RENDER_KITTY,
};

/* "auto", "symbols", "sixel" or "kitty" (field names the option). */
int render_mode_parse(const char *field, const char *s, enum render_mode *m,
		      struct nl_err *err);
/* The mode to use: given (an option's value, NULL if none), else
 * $NEEDLELOG_GRAPHICS, else what the terminal is known to support
 * ($TERM, $TERM_PROGRAM, $TMUX, ... through chafa's terminal table);
 * symbols when unsure. */
int render_mode_resolve(const char *given, enum render_mode *m, struct nl_err *err);
const char *render_mode_name(enum render_mode m);

/* The size in cells, at most cols x rows, that shows a w x h picture with
 * its proportions (cells twice as tall as wide). */
void render_fit(int w, int h, int *cols, int *rows);

/* The picture as text for a terminal, cols x rows cells: escape
 * sequences for sixel and kitty, else symbols with colours (colors: 0 for
 * none, 8, 256, or 16777216). Lines end in "\n". Free with free(). */
int render_print(const struct image_pixels *px, int cols, int rows, enum render_mode m,
		 int colors, char **out, size_t *len, struct nl_err *err);

/* A symbols cell: a character and palette colours (-1: the terminal's own). */
struct render_cell {
	uint32_t ch;
	int16_t fg, bg;
};

/* The picture as cols x rows cells, row by row, into cells (cols*rows of
 * them), for a screen to draw: colors 0 (none: symbols alone), 8 or 256. */
int render_cells(const struct image_pixels *px, int cols, int rows, int colors,
		 struct render_cell *cells, struct nl_err *err);

#endif
