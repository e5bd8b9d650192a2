/* The shared part of every export: format names, the destination file
 * (new, 0600), the audit row. The writers (text.c, md.c, csv.c, fhir.c,
 * pdf.c) only format the model loaded here. */
#include <stdlib.h>
#include <string.h>

#include "needlelog/export.h"

static const struct {
	const char *name;
	const char *ext;
	enum export_format fmt;
} formats[] = {
	{ "text", "txt", EXPORT_TEXT },
	{ "md", "md", EXPORT_MD },
	{ "csv", "csv", EXPORT_CSV },
	{ "fhir", "json", EXPORT_FHIR },
	{ "pdf", "pdf", EXPORT_PDF },
};
#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

int export_format_parse(const char *name, enum export_format *out)
{
	if (name && strcmp(name, "markdown") == 0)
		name = "md";
	for (size_t i = 0; name && i < NFORMATS; i++) {
		if (strcmp(formats[i].name, name) == 0) {
			*out = formats[i].fmt;
			return NL_OK;
		}
	}
	return NL_EUSAGE;
}

const char *export_format_name(enum export_format fmt)
{
	for (size_t i = 0; i < NFORMATS; i++)
		if (formats[i].fmt == fmt)
			return formats[i].name;
	return "?";
}

const char *export_format_ext(enum export_format fmt)
{
	for (size_t i = 0; i < NFORMATS; i++)
		if (formats[i].fmt == fmt)
			return formats[i].ext;
	return "txt";
}

bool export_format_textlike(enum export_format fmt)
{
	return fmt != EXPORT_PDF;
}

static char *practice, *today;

void export_set_practice(const char *name)
{
	free(practice);
	practice = name && *name ? strdup(name) : NULL;
}

const char *export_practice(void)
{
	return practice;
}

void export_set_today(const char *date)
{
	free(today);
	today = date && *date ? strdup(date) : NULL;
}

int export_write_stream(struct store *s, int64_t patient_id,
			int64_t series_id, enum export_format fmt, FILE *out,
			const char *dest, struct nl_err *err)
{
	(void)s; (void)patient_id; (void)series_id; (void)fmt; (void)out; (void)dest;
	return nl_error(err, NL_EINTERNAL, "export: not implemented yet");
}

int export_write(struct store *s, int64_t patient_id, int64_t series_id,
		 enum export_format fmt, const char *path, struct nl_err *err)
{
	(void)path;
	return export_write_stream(s, patient_id, series_id, fmt, stdout, NULL, err);
}
