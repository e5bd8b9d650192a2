/* RFC 4180 reading, strict where the RFC is (a quote inside an unquoted
 * field, or text after a closing quote, is an error: guessing would put
 * clinical text in the wrong column). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "needlelog/text.h"
#include "csv.h"

void csv_init(struct csv_reader *r, const char *buf, size_t len)
{
	r->p = buf;
	r->end = buf + len;
	r->line = 1;
	r->record_line = 0;
	r->names = NULL;
	r->nnames = 0;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		r->p += 3;
}

void csv_names(struct csv_reader *r, const char *const *names, size_t n)
{
	r->names = names;
	r->nnames = n;
}

struct field_buf {
	char *s;
	size_t len, cap;
};

static int fb_add(struct field_buf *b, char c)
{
	if (b->len + 1 >= b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		char *p = realloc(b->s, cap);

		if (!p)
			return -1;
		b->s = p;
		b->cap = cap;
	}
	b->s[b->len++] = c;
	b->s[b->len] = '\0';
	return 0;
}

static int push_field(char ***fields, size_t *n, struct field_buf *b)
{
	char **f = realloc(*fields, (*n + 1) * sizeof(**fields));

	if (!f)
		return -1;
	*fields = f;
	f[(*n)++] = b->s ? b->s : strdup("");
	b->s = NULL;
	b->len = b->cap = 0;
	return f[*n - 1] ? 0 : -1;
}

/* Reads one field at r->p into b; *eor set when the record ends after it. */
static int read_field(struct csv_reader *r, struct field_buf *b, bool *eor,
		      struct nl_err *err)
{
	bool quoted = r->p < r->end && *r->p == '"';

	if (quoted)
		r->p++;
	for (;;) {
		char c;

		if (r->p >= r->end) {
			if (quoted)
				return nl_error(err, NL_EDATA,
						"line %zu: a quoted field is not closed before the end of the file",
						r->record_line);
			*eor = true;
			return NL_OK;
		}
		c = *r->p;
		if (quoted && c == '"') {
			if (r->p + 1 < r->end && r->p[1] == '"') {
				r->p += 2;
				if (fb_add(b, '"'))
					return nl_error(err, NL_ENOMEM, "out of memory");
				continue;
			}
			r->p++;
			quoted = false;
			if (r->p < r->end && *r->p != ',' && *r->p != '\r' && *r->p != '\n')
				return nl_error(err, NL_EDATA,
						"line %zu: text after a closing quote; quote the whole field and double any quote inside it",
						r->line);
			continue;
		}
		if (!quoted && c == ',') {
			r->p++;
			*eor = false;
			return NL_OK;
		}
		if (!quoted && (c == '\r' || c == '\n')) {
			if (c == '\r' && r->p + 1 < r->end && r->p[1] == '\n')
				r->p++;
			r->p++;
			r->line++;
			*eor = true;
			return NL_OK;
		}
		if (!quoted && c == '"')
			return nl_error(err, NL_EDATA,
					"line %zu: a quote inside an unquoted field; quote the whole field and double the quote",
					r->line);
		if (c == '\n')
			r->line++;
		if (fb_add(b, c))
			return nl_error(err, NL_ENOMEM, "out of memory");
		r->p++;
	}
}

/* The field just read as text: no NUL byte (which would cut it short) and
 * what nl_text_check allows in a note. i is its index in the record. */
static int check_field(const struct csv_reader *r, const struct field_buf *b, size_t i,
		       struct nl_err *err)
{
	char label[64];
	size_t len = b->s ? strlen(b->s) : 0;

	if (i < r->nnames && r->names && r->names[i])
		snprintf(label, sizeof(label), "%s", r->names[i]);
	else
		snprintf(label, sizeof(label), "field %zu", i + 1);
	if (len != b->len)
		return nl_error(err, NL_EDATA, "%s: contains a NUL byte (\\x00) at byte %zu; "
				"the text after it would be lost", label, len + 1);
	return nl_text_check(label, b->s, NL_TEXT_NOTE, SIZE_MAX, err);
}

/* Skips blank lines; false at the end of the buffer. */
static bool skip_blank(struct csv_reader *r)
{
	while (r->p < r->end && (*r->p == '\n' || *r->p == '\r')) {
		if (*r->p == '\n')
			r->line++;
		r->p++;
	}
	return r->p < r->end;
}

enum csv_result csv_next(struct csv_reader *r, char ***fields, size_t *n,
			 struct nl_err *err)
{
	struct field_buf b = { 0 };
	struct nl_err text_err = { 0 };
	bool eor = false, bad_text = false;
	int rc = NL_OK;

	*fields = NULL;
	*n = 0;
	if (!skip_blank(r))
		return CSV_END;
	r->record_line = r->line;
	while (!eor && rc == NL_OK) {
		rc = read_field(r, &b, &eor, err);
		if (rc == NL_OK && !bad_text && check_field(r, &b, *n, &text_err) != NL_OK)
			bad_text = true;
		if (rc == NL_OK && push_field(fields, n, &b))
			rc = nl_error(err, NL_ENOMEM, "out of memory");
	}
	if (rc != NL_OK) {
		free(b.s);
		csv_free(*fields, *n);
		*fields = NULL;
		*n = 0;
		return CSV_MALFORMED;
	}
	if (bad_text && err)
		*err = text_err;
	return bad_text ? CSV_BAD_TEXT : CSV_RECORD;
}

void csv_free(char **fields, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(fields[i]);
	free(fields);
}
