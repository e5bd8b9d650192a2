/* Internal to src/core: the one character classifier and escaper that the
 * text checks, the terminal sanitizer and the CSV writer share. */
#ifndef NL_TEXT_INT_H
#define NL_TEXT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How text_piece shows what it finds. */
enum text_policy {
	TP_LINE,   /* terminal, one line: every control shown escaped */
	TP_MULTI,  /* terminal, several lines: LF and TAB kept, CR LF -> LF */
	TP_CSV,    /* a CSV cell: as TP_MULTI, but bidi controls and line
		    * separators kept (they are data a spreadsheet renders) */
};

/* One character of s[0..len) as it should be shown under policy: writes
 * at most 15 bytes and a NUL to piece, sets *used to the input bytes it
 * stands for (at least 1) and *cols to its display columns. Returns the
 * piece's length (0 when it is dropped: the CR of CR LF). */
size_t text_piece(const char *s, size_t len, enum text_policy policy,
		  char piece[16], size_t *used, int *cols);

/* The next code point of s[0..len): its byte count, or 0 when the bytes
 * there are not valid UTF-8 (overlong, surrogate, past U+10FFFF, cut). */
size_t text_decode(const char *s, size_t len, uint32_t *cp);

#endif
