/* The x key: a follow-up summary written to a file (format and path asked;
 * the default under ~/needlelog-exports/), with a plain warning that the
 * file holds health data in plaintext. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "needlelog/export.h"
#include "tui.h"

static void default_path(struct tui *t, int64_t patient_id, int64_t series_id,
			 enum export_format fmt, char *buf, size_t size)
{
	const char *home = getenv("HOME");
	char today[11];

	tui_today(t, today);
	if (series_id)
		snprintf(buf, size, "%s/needlelog-exports/patient-%lld-series-%lld-%s.%s",
			 home && *home ? home : ".", (long long)patient_id, (long long)series_id,
			 today, export_format_ext(fmt));
	else
		snprintf(buf, size, "%s/needlelog-exports/patient-%lld-%s.%s",
			 home && *home ? home : ".", (long long)patient_id, today,
			 export_format_ext(fmt));
}

/* Creates the folder of path (one level) with mode 0700 if missing. */
static int make_folder(const char *path, struct nl_err *err)
{
	char dir[4096];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return NL_OK;
	*slash = '\0';
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return nl_error(err, NL_EIO, "cannot create the folder %s: %s", dir, strerror(errno));
	return NL_OK;
}

void tui_export(struct tui *t, int64_t patient_id, int64_t series_id)
{
	static const char *const items[] = {
		"text   plain text summary",
		"md     Markdown",
		"csv    one row per session and area",
		"fhir   FHIR R4 JSON bundle",
		"pdf    printable PDF",
	};
	static const enum export_format fmts[] = {
		EXPORT_TEXT, EXPORT_MD, EXPORT_CSV, EXPORT_FHIR, EXPORT_PDF,
	};
	struct nl_err err = { 0 };
	char path[4096];
	int k = tui_pick(t, series_id ? "Export this series" : "Export the patient (all series)",
			 items, 5, 0);

	if (k < 0)
		return;
	default_path(t, patient_id, series_id, fmts[k], path, sizeof(path));
	if (!tui_prompt(t, "Export to file",
			"The file will hold health data in plaintext (mode 0600). Where?", path,
			sizeof(path)) || !path[0])
		return;
	if (make_folder(path, &err) != NL_OK ||
	    export_write(t->store, patient_id, series_id, fmts[k], path, &err) != NL_OK) {
		tui_fail(t, "Not exported", &err);
		return;
	}
	tui_msg(t, TS_WARN, "Holds plaintext health data (mode 0600): %s. Keep it safe; "
		"delete it when done.", path);
}
