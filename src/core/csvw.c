/* CSV for spreadsheets (csvw.h): quoting, the formula-injection guard and
 * visible control characters, one field at a time. */
#include <errno.h>
#include <string.h>

#include "core.h"
#include "needlelog/csvw.h"
#include "text_int.h"

int nl_csv_init(struct nl_csv *w, FILE *f, char sep, bool bom)
{
	w->f = f;
	w->sep = sep;
	w->col = 0;
	w->status = NL_OK;
	if (!sep || !strchr(",;\t", sep))
		return w->status = NL_EUSAGE;
	if (bom && fputs("\xef\xbb\xbf", f) == EOF)
		w->status = NL_EIO;
	return w->status;
}

/* Exactly -?[0-9]+(\.[0-9]+)? */
static bool plain_number(const char *s)
{
	size_t n;

	if (*s == '-')
		s++;
	if (!(n = strspn(s, "0123456789")))
		return false;
	s += n;
	if (*s == '.') {
		if (!(n = strspn(++s, "0123456789")))
			return false;
		s += n;
	}
	return *s == '\0';
}

/* A spreadsheet runs a cell starting with one of these as a formula. */
static bool guarded(const char *s)
{
	return s[0] && strchr("=+-@\t\r", s[0]) && !plain_number(s);
}

static bool needs_quotes(const struct nl_csv *w, const char *s)
{
	return strchr(s, w->sep) || strpbrk(s, ",;\"\t\r\n") || guarded(s);
}

static int put(struct nl_csv *w, const char *s)
{
	if (w->status == NL_OK && fputs(s, w->f) == EOF)
		w->status = NL_EIO;
	return w->status;
}

/* The field's text, sanitized, with quotes doubled when quoted. */
static void put_text(struct nl_csv *w, const char *s, bool quoted)
{
	size_t len = strlen(s);

	for (size_t i = 0; i < len && w->status == NL_OK;) {
		char piece[16];
		size_t used;
		int cols;

		text_piece(s + i, len - i, TP_CSV, piece, &used, &cols);
		if (quoted && piece[0] == '"')
			put(w, "\"");
		put(w, piece);
		i += used;
	}
}

int nl_csv_field(struct nl_csv *w, const char *s)
{
	char sep[2] = { w->sep, '\0' };
	bool quoted;

	if (w->status != NL_OK)
		return w->status;
	if (w->col++ > 0)
		put(w, sep);
	if (!s || !*s)
		return w->status;
	quoted = needs_quotes(w, s);
	if (quoted)
		put(w, guarded(s) ? "\"'" : "\"");
	put_text(w, s, quoted);
	if (quoted)
		put(w, "\"");
	return w->status;
}

int nl_csv_end_row(struct nl_csv *w)
{
	w->col = 0;
	return put(w, "\r\n");
}

int nl_csv_row(struct nl_csv *w, const char *const *cells, size_t n)
{
	for (size_t i = 0; i < n; i++)
		nl_csv_field(w, cells[i]);
	return nl_csv_end_row(w);
}

int nl_csv_finish(struct nl_csv *w, struct nl_err *err)
{
	if (w->status == NL_OK && (fflush(w->f) == EOF || ferror(w->f)))
		w->status = NL_EIO;
	if (w->status == NL_EIO)
		return nl_error(err, NL_EIO, "writing the CSV: %s",
				errno ? strerror(errno) : "write error");
	if (w->status != NL_OK)
		return nl_error(err, w->status, "CSV separator must be ',', ';' or a tab");
	return NL_OK;
}
