/* The x key: a follow-up summary written to a file (format, practice name,
 * recipient and path asked; the default under ~/needlelog-exports/), with a
 * plain warning that the file holds health data in plaintext. The practice
 * name is remembered while the TUI runs ($NEEDLELOG_PRACTICE first, as the
 * CLI); the recipient is asked afresh each time, never carried over. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "needlelog/export.h"
#include "needlelog/text.h"
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

/* Asks one line of the header (checked by the core as the CLI's option);
 * false when cancelled or refused (said so). */
static bool ask_line(struct tui *t, const char *title, const char *text, const char *field,
		     char *buf, size_t size)
{
	struct nl_err err = { 0 };

	if (!tui_prompt(t, title, text, buf, size))
		return false;
	if (nl_text_check_value(field, buf, &err) != NL_OK) {
		tui_fail(t, "Not exported", &err);
		return false;
	}
	return true;
}

/* The practice (remembered) and the recipient into the record's settings
 * for this export; false when cancelled. */
static bool ask_header(struct tui *t)
{
	const char *env = getenv("NEEDLELOG_PRACTICE");
	struct nl_err err = { 0 };
	char practice[sizeof(t->practice)], to[400] = "";

	if (!t->practice[0] && env)
		snprintf(t->practice, sizeof(t->practice), "%s", env);
	snprintf(practice, sizeof(practice), "%s", t->practice);
	if (!ask_line(t, "Practice", "The practice's name in the summary's header (empty: none).",
		      "practice", practice, sizeof(practice)) ||
	    !ask_line(t, "Recipient", "Who is it for? (name and role, e.g. the GP; printed in the header "
		      "and the audit trail; empty: not said)", "recipient", to, sizeof(to)))
		return false;
	snprintf(t->practice, sizeof(t->practice), "%s", practice);
	if (record_set_practice(t->store, practice, &err) != NL_OK ||
	    record_set_recipient(t->store, to, &err) != NL_OK) {
		tui_fail(t, "Not exported", &err);
		return false;
	}
	return true;
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
	int rc, k = tui_pick(t, series_id ? "Export this series" : "Export the patient (all series)",
			 items, 5, 0);

	if (k < 0 || !ask_header(t))
		return;
	default_path(t, patient_id, series_id, fmts[k], path, sizeof(path));
	if (!tui_prompt(t, "Export to file",
			"The file will hold health data in plaintext (mode 0600). Where?", path,
			sizeof(path)) || !path[0]) {
		record_set_recipient(t->store, NULL, NULL);
		return;
	}
	rc = make_folder(path, &err);
	if (rc == NL_OK)
		rc = export_write(t->store, patient_id, series_id, fmts[k], path, &err);
	record_set_recipient(t->store, NULL, NULL);   /* never carried to the next */
	if (rc != NL_OK) {
		tui_fail(t, "Not exported", &err);
		return;
	}
	tui_msg(t, TS_WARN, "Holds plaintext health data (mode 0600): %s. Keep it safe; "
		"delete it when done.", path);
}
