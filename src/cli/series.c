/* series add / show / edit: a treatment plan for one indication. */
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "needlelog/check.h"
#include "needlelog/progress.h"
#include "needlelog/record.h"
#include "needlelog/vocab.h"
#include "out.h"

enum {
	OPT_PATIENT = OPT_LOCAL, OPT_INDICATION, OPT_PLANNED, OPT_INTERVAL, OPT_AREA,
	OPT_START, OPT_GOAL, OPT_BASELINE, OPT_STATUS,
};

struct series_opts {
	const char *who, *today;
	const char *patient;
	bool areas_given;
	int nfields;
};

#define SERIES_FIELD_OPTIONS \
	{ "indication", required_argument, NULL, OPT_INDICATION }, \
	{ "planned", required_argument, NULL, OPT_PLANNED }, \
	{ "interval-days", required_argument, NULL, OPT_INTERVAL }, \
	{ "area", required_argument, NULL, OPT_AREA }, \
	{ "start", required_argument, NULL, OPT_START }, \
	{ "goal", required_argument, NULL, OPT_GOAL }, \
	{ "baseline", required_argument, NULL, OPT_BASELINE }, \
	OUT_PRACTITIONER_OPTION

static int set_str(char **dst, const char *v, struct nl_err *err)
{
	char *d = NULL;

	if (v && *v && !(d = strdup(v)))
		return nl_error(err, NL_ENOMEM, "out of memory");
	free(*dst);
	*dst = d;
	return NL_OK;
}

/* Applies one field option to sr; areas given replace the whole list. */
static int apply(struct nl_series *sr, struct series_opts *o, int opt,
		 const char *arg, struct nl_err *err)
{
	o->nfields++;
	switch (opt) {
	case OPT_INDICATION:
		if (!vocab_indication_find(arg))
			return nl_error(err, NL_EDATA,
					"--indication: unknown indication '%s' (see `needlelog vocab`)", arg);
		return set_str(&sr->indication, arg, err);
	case OPT_PLANNED:
		return out_parse_int("--planned", arg, VOCAB_PLANNED_MIN, VOCAB_PLANNED_MAX,
				     &sr->planned, err);
	case OPT_INTERVAL:
		return out_parse_int("--interval-days", arg, VOCAB_INTERVAL_MIN,
				     VOCAB_INTERVAL_MAX, &sr->interval_days, err);
	case OPT_AREA:
		if (!o->areas_given) {
			record_strings_free(sr->areas, sr->nareas);
			sr->areas = NULL;
			sr->nareas = 0;
			o->areas_given = true;
		}
		if (!vocab_area_find(arg))
			return nl_error(err, NL_EDATA, "--area: unknown area '%s' (see `needlelog vocab`)",
					arg);
		return out_strv_add(&sr->areas, &sr->nareas, arg, err);
	case OPT_START:
		return set_str(&sr->start_date, arg, err);
	case OPT_GOAL:
		return set_str(&sr->goal, arg, err);
	case OPT_BASELINE:
		return out_score_set("--baseline", arg, &sr->baseline, &sr->nbaseline, err);
	case OPT_STATUS:
		if (!vocab_status_find(arg))
			return nl_error(err, NL_EDATA,
					"--status: '%s' is not a status: use active, paused, completed or discontinued",
					arg);
		return set_str(&sr->status, arg, err);
	}
	return nl_error(err, NL_EINTERNAL, "unhandled option");
}

/* Collects the options; returns -1 to go on, else an exit code. */
static int parse(struct cli *c, int argc, char **argv, const struct option *opts,
		 struct series_opts *o, struct nl_series *sr, struct nl_err *err,
		 int *status)
{
	int opt, rc;

	*status = NL_OK;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == OPT_PRACTITIONER)
			o->who = optarg;
		else if (opt == OPT_PATIENT)
			o->patient = optarg;
		else if (opt >= OPT_INDICATION && opt <= OPT_STATUS) {
			if (*status == NL_OK)
				*status = apply(sr, o, opt, optarg, err);
		} else if ((rc = cli_common_opt(c, opt, argv)) >= 0)
			return rc;
	}
	return -1;
}

static int run_add(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS, SERIES_FIELD_OPTIONS,
		{ "patient", required_argument, NULL, OPT_PATIENT }, { 0 },
	};
	struct series_opts o = { 0 };
	struct nl_series sr = { 0 };
	struct nl_err err = { 0 };
	struct record *s = NULL;
	char today[11];
	int64_t id = 0;
	int rc, st;

	if ((rc = parse(c, argc, argv, opts, &o, &sr, &err, &st)) >= 0)
		goto out;
	if (optind != argc) {
		rc = cli_usage_error(c, "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (st != NL_OK) {
		rc = cli_fail(&err);
		goto out;
	}
	if (!o.patient || !sr.indication) {
		rc = cli_usage_error(c, "--patient ID and --indication KIND are required");
		goto out;
	}
	if ((rc = out_parse_id(c, "--patient", o.patient, &sr.patient_id)) >= 0)
		goto out;
	out_practitioner(c, o.who);
	rc = sr.start_date ? NL_OK
	     : out_today(c, NULL, today, &err) ? set_str(&sr.start_date, today, &err) : err.status;
	if (rc == NL_OK)
		rc = cli_open(c, &s, &err);
	if (rc == NL_OK)
		rc = record_series_add(s, &sr, &id, &err);
	rc = rc == NL_OK ? EX_OK : cli_fail(&err);
	if (rc == EX_OK)
		printf("%lld\n", (long long)id);
out:
	record_close(s);
	record_series_free(&sr);
	return rc;
}

static int run_edit(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS, SERIES_FIELD_OPTIONS,
		{ "status", required_argument, NULL, OPT_STATUS }, { 0 },
	};
	struct series_opts o = { 0 };
	struct nl_series sr = { 0 }, scratch = { 0 };
	struct nl_err err = { 0 };
	struct record *s = NULL;
	int64_t id;
	int rc, st;

	/* A dry run on scratch catches bad values and counts the fields
	 * before the file is opened; the real run applies them to the series. */
	if ((rc = parse(c, argc, argv, opts, &o, &scratch, &err, &st)) >= 0 ||
	    (rc = out_positional_id(c, argc, argv, "series", &id)) >= 0)
		goto out;
	if (st != NL_OK) {
		rc = cli_fail(&err);
		goto out;
	}
	if (o.nfields == 0) {
		rc = cli_usage_error(c, "nothing to change: give at least one field");
		goto out;
	}
	out_practitioner(c, o.who);
	rc = cli_open(c, &s, &err);
	if (rc == NL_OK)
		rc = record_series_get(s, id, &sr, &err);
	if (rc == NL_OK) {
		memset(&o, 0, sizeof(o));
		optind = 0;
		parse(c, argc, argv, opts, &o, &sr, &err, &rc);
	}
	if (rc == NL_OK)
		rc = record_series_edit(s, &sr, &err);
	rc = rc == NL_OK ? EX_OK : cli_fail(&err);
	if (rc == EX_OK)
		printf("Series #%lld updated\n", (long long)id);
out:
	record_close(s);
	record_series_free(&sr);
	record_series_free(&scratch);
	return rc;
}

/* ---- show ---------------------------------------------------------------- */

static json_t *series_json(const struct nl_series *sr, const struct nl_patient *p,
			   const struct nl_session *ses, size_t nses,
			   const struct nl_progress *prog)
{
	json_t *o = json_object(), *areas = json_array(), *sessions = json_array();

	if (!o || !areas || !sessions) {
		json_decref(o);
		json_decref(areas);
		json_decref(sessions);
		return NULL;
	}
	for (size_t i = 0; i < sr->nareas; i++)
		json_array_append_new(areas, json_string(sr->areas[i]));
	for (size_t i = 0; i < nses; i++) {
		json_t *js = out_json_session(&ses[i]);

		out_jset(js, "signed", json_boolean(ses[i].is_signed));
		out_jset(js, "voided", json_boolean(ses[i].voided));
		out_jset(js, "amendments", json_integer((json_int_t)ses[i].amendment_count));
		json_array_append_new(sessions, js);
	}
	out_jset(o, "id", json_integer(sr->id));
	out_jset(o, "patient_id", json_integer(sr->patient_id));
	out_jset(o, "patient_name", out_jstr(p->name));
	out_jset(o, "indication", out_jstr(sr->indication));
	out_jset(o, "status", out_jstr(sr->status));
	out_jset(o, "planned", json_integer(sr->planned));
	out_jset(o, "interval_days", json_integer(sr->interval_days));
	out_jset(o, "start_date", out_jstr(sr->start_date));
	out_jset(o, "goal", out_jstr(sr->goal));
	out_jset(o, "areas", areas);
	out_jset(o, "baseline", out_json_scores(sr->baseline, sr->nbaseline));
	out_jset(o, "sessions", sessions);
	out_jset(o, "progress", out_json_progress(prog));
	return o;
}

static void print_sessions(const struct nl_session *ses, size_t nses)
{
	static const char *const head[] = { "SESSION", "DATE", "AREAS", "STATE", "WARN" };
	struct out_table t;

	out_table_init(&t, head, 5);
	t.right = 1u | (1u << 4);
	for (size_t i = 0; i < nses; i++) {
		char id[24], warn[24], state[64], *areas = out_areas_text(ses[i].areas, ses[i].nareas);

		snprintf(id, sizeof(id), "%lld", (long long)ses[i].id);
		snprintf(warn, sizeof(warn), "%zu", ses[i].nwarnings);
		snprintf(state, sizeof(state), "%s%s%s",
			 ses[i].voided ? "VOIDED" : ses[i].is_signed ? "signed" : "unsigned",
			 ses[i].amendment_count ? ", amended" : "", "");
		out_table_row(&t, (const char *const[]){ id, ses[i].date, areas, state, warn });
		free(areas);
	}
	out_table_print(&t, stdout, OUT_TEXT);
	out_table_free(&t);
}

static void print_series(const struct nl_series *sr, const struct nl_patient *p,
			 const struct nl_session *ses, size_t nses,
			 const struct nl_progress *prog)
{
	const struct vocab_indication *ind = vocab_indication_find(sr->indication);
	char *base = out_scores_text(sr->baseline, sr->nbaseline);

	printf("Series #%lld  %s  for patient #%lld %s\n", (long long)sr->id,
	       ind ? ind->label : sr->indication, (long long)sr->patient_id, p->name);
	printf("  %-10s %s\n", "Status:", sr->status);
	printf("  %-10s %d sessions, every %d days, from %s\n", "Plan:", sr->planned,
	       sr->interval_days, sr->start_date);
	if (sr->nareas) {
		printf("  %-10s", "Areas:");
		for (size_t i = 0; i < sr->nareas; i++)
			printf(" %s", sr->areas[i]);
		putchar('\n');
	}
	if (sr->goal)
		printf("  %-10s %s\n", "Goal:", sr->goal);
	printf("  %-10s %s\n", "Baseline:", base && *base ? base : "none recorded");
	free(base);
	if (nses) {
		puts("\nSessions:");
		print_sessions(ses, nses);
	} else {
		puts("\nSessions: none yet (log one with `needlelog session add --series ID`)");
	}
	putchar('\n');
	out_progress_text(stdout, prog);
}

static int run_show(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS, OUT_FORMAT_OPTION, OUT_TODAY_OPTION, { 0 },
	};
	struct nl_series sr = { 0 };
	struct nl_patient p = { 0 };
	struct nl_progress prog = { 0 };
	struct nl_session *ses = NULL;
	enum out_format fmt = OUT_TEXT;
	struct nl_err err = { 0 };
	const char *today_opt = NULL, *today;
	struct record *s = NULL;
	char tbuf[11];
	size_t nses = 0;
	bool have_prog = false;
	int64_t id;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == OPT_FORMAT) {
			if ((rc = out_parse_format(c, optarg, OUT_TEXT | OUT_JSON, &fmt)) >= 0)
				return rc;
		} else if (opt == OPT_TODAY)
			today_opt = optarg;
		else if ((rc = cli_common_opt(c, opt, argv)) >= 0)
			return rc;
	}
	if ((rc = out_positional_id(c, argc, argv, "series", &id)) >= 0)
		return rc;
	today = out_today(c, today_opt, tbuf, &err);
	rc = today ? cli_open(c, &s, &err) : err.status;
	if (rc == NL_OK)
		rc = record_series_get(s, id, &sr, &err);
	if (rc == NL_OK)
		rc = record_patient_get(s, sr.patient_id, &p, &err);
	if (rc == NL_OK)
		rc = record_session_list(s, id, true, &ses, &nses, &err);
	if (rc == NL_OK)
		have_prog = (rc = progress_series(s, id, today, &prog, &err)) == NL_OK;
	record_close(s);
	if (rc != NL_OK)
		rc = cli_fail(&err);
	else if (fmt == OUT_JSON)
		rc = out_json_print(series_json(&sr, &p, ses, nses, &prog));
	else
		print_series(&sr, &p, ses, nses, &prog);
	if (have_prog)
		progress_free(&prog);
	record_session_list_free(ses, nses);
	record_patient_free(&p);
	record_series_free(&sr);
	return rc;
}

#define SERIES_HELP \
	"  --indication KIND       what is treated: acne-scars, surgical-scars,\n" \
	"                          stretch-marks, fine-lines, laxity, hyperpigmentation,\n" \
	"                          enlarged-pores, texture, hair-loss, other\n" \
	"  --planned N             sessions planned, 1-60 (default 6)\n" \
	"  --interval-days N       days between sessions, 1-365 (default 28)\n" \
	"  --area AREA             a target area (repeatable; see `needlelog vocab`)\n" \
	"  --start DATE            first session planned on DATE (default today,\n" \
	"                          or $NEEDLELOG_TODAY)\n" \
	"  --goal TEXT             the treatment goal\n" \
	"  --baseline SCALE=VALUE  a baseline score (repeatable), e.g. norwood=IV,\n" \
	"                          hair-density=120\n" \
	"  --practitioner NAME     who makes the change, for the audit trail\n"

const struct cli_command cli_series_commands[] = {
	{ "series", "add", run_add, "--patient ID --indication KIND [OPTIONS]",
	  "Plan a treatment series for a patient and print the new series id.",
	  "  --patient ID            the patient\n" SERIES_HELP },
	{ "series", "show", run_show, "ID [--format text|json] [--today DATE]",
	  "Show a series.\n"
	  "Its plan, the sessions so far, depth per area over time, scores against\n"
	  "the baseline and the next due date.",
	  "  --format FMT            text (default) or json\n"
	  "  --today DATE            the day to judge the due date against (else\n"
	  "                          $NEEDLELOG_TODAY, else today)\n" },
	{ "series", "edit", run_edit, "ID [OPTIONS] [--status STATUS]",
	  "Change a series' plan or status. Only the options given change; --area\n"
	  "options replace the target areas; --baseline SCALE= removes a baseline.\n"
	  "A weekly-then-monthly protocol: start with --interval-days 7, then\n"
	  "change it to 28 after the weekly sessions.",
	  SERIES_HELP
	  "  --status STATUS         active, paused, completed or discontinued\n" },
	{ 0 },
};
