/* RFC 4180 reading, strict where the RFC is (a quote inside an unquoted
 * field, or text after a closing quote, is an error: guessing would put
 * clinical text in the wrong column). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

void csv_init(struct csv_reader *r, const char *buf, size_t len)
{
	r->p = buf;
	r->end = buf + len;
	r->line = 1;
	r->record_line = 0;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		r->p += 3;
}

/* true when s[0..len) is well-formed UTF-8 (no overlongs, surrogates). */
static bool utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned c = s[i], need, cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			need = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3, cp = c & 0x07;
		else
			return false;
		for (unsigned k = 1; k <= need; k++) {
			if (i + k >= len || (s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (need == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		i += need + 1;
	}
	return true;
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

int csv_next(struct csv_reader *r, char ***fields, size_t *n,
	     struct nl_err *err)
{
	struct field_buf b = { 0 };
	bool eor = false;
	int rc;

	*fields = NULL;
	*n = 0;
	while (r->p < r->end && (*r->p == '\n' || *r->p == '\r')) {
		if (*r->p == '\n')
			r->line++;
		r->p++;
	}
	if (r->p >= r->end)
		return 0;
	r->record_line = r->line;
	while (!eor) {
		rc = read_field(r, &b, &eor, err);
		if (rc == NL_OK && b.s && !utf8_valid((const unsigned char *)b.s, b.len))
			rc = nl_error(err, NL_EDATA,
				      "line %zu: field %zu is not valid UTF-8; save the file as UTF-8",
				      r->record_line, *n + 1);
		if (rc == NL_OK && push_field(fields, n, &b))
			rc = nl_error(err, NL_ENOMEM, "out of memory");
		if (rc != NL_OK) {
			free(b.s);
			csv_free(*fields, *n);
			*fields = NULL;
			*n = 0;
			return -1;
		}
	}
	return 1;
}

void csv_free(char **fields, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(fields[i]);
	free(fields);
}
