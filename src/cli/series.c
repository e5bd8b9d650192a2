/* series add / show / edit: a treatment plan for one indication. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "needlelog/clinical.h"
#include "needlelog/progress.h"
#include "needlelog/record.h"
#include "needlelog/text.h"
#include "needlelog/value.h"
#include "needlelog/vocab.h"
#include "out.h"

/* The options that set a series' plan: add and edit share them. */
#define SERIES_FIELD_OPTS \
	{ "indication", "KIND", 0, "what is treated: acne-scars, surgical-scars,\n" \
	  "stretch-marks, fine-lines, laxity, hyperpigmentation,\n" \
	  "enlarged-pores, texture, hair-loss, other" }, \
	{ "planned", "N", 0, "sessions planned, 1-60 (default 6)" }, \
	{ "interval-days", "N", 0, "days between sessions, 1-365 (default 28)" }, \
	{ "phase", "COUNTxDAYS", CLI_REPEAT, "a phase of the plan: COUNT sessions DAYS\n" \
	  "apart, in order (--phase 12x7 --phase 6x28: 12\n" \
	  "weekly, then 6 every 4 weeks); replaces\n" \
	  "--planned and --interval-days" }, \
	{ "area", "AREA", CLI_REPEAT, "a target area (see `needlelog vocab`)" }, \
	{ "start", "DATE", 0, "first session planned on DATE (default today)" }, \
	{ "goal", "TEXT", 0, "the treatment goal" }, \
	{ "baseline", "SCALE=VALUE", CLI_REPEAT, "a baseline score, each scale once, e.g.\n" \
	  "norwood=IV, hair-density=120" }, \
	CLI_OPT_PRACTITIONER

/* The whole numbers of the plan. */
static const struct series_number {
	const char *opt;
	size_t off;
	int min, max;
} series_numbers[] = {
	{ "planned", offsetof(struct nl_series, planned), VOCAB_PLANNED_MIN, VOCAB_PLANNED_MAX },
	{ "interval-days", offsetof(struct nl_series, interval_days), VOCAB_INTERVAL_MIN,
	  VOCAB_INTERVAL_MAX },
};

/* --indication and --status, each from its vocabulary. */
static int apply_codes(struct cli *c, struct nl_series *sr, size_t *given,
		       struct nl_err *err)
{
	const char *ind = cli_str(c, "indication"), *st = cli_str(c, "status");
	char q[NL_QUOTE_BUF];

	if (ind && !vocab_indication_find(ind))
		return nl_error(err, NL_EDATA,
				"--indication: unknown indication '%s' (see `needlelog vocab`)",
				nl_quote_value(ind, q, sizeof(q)));
	if (st && !vocab_status_find(st))
		return nl_error(err, NL_EDATA, "--status: '%s' is not a status: use active, "
				"paused, completed or discontinued", nl_quote_value(st, q, sizeof(q)));
	*given += (ind != NULL) + (st != NULL);
	if (ind && value_set_text(&sr->indication, ind, err) != NL_OK)
		return err->status;
	return st ? value_set_text(&sr->status, st, err) : NL_OK;
}

/* --planned and --interval-days. */
static int apply_numbers(struct cli *c, struct nl_series *sr, size_t *given,
			 struct nl_err *err)
{
	int rc = NL_OK;

	for (size_t i = 0; rc == NL_OK && i < sizeof(series_numbers) / sizeof(*series_numbers);
	     i++) {
		const struct series_number *f = &series_numbers[i];
		const char *s = cli_str(c, f->opt);
		char field[64];

		if (!s)
			continue;
		(*given)++;
		snprintf(field, sizeof(field), "--%s", f->opt);
		rc = nl_parse_int(field, s, f->min, f->max, (int *)((char *)sr + f->off), err);
	}
	return rc;
}

static void phases_clear(struct nl_series *sr)
{
	free(sr->phases);
	sr->phases = NULL;
	sr->nphases = 0;
}

/* --phase options replace the plan's phases (the plan then is their total
 * and first interval); --planned or --interval-days alone make it the
 * one-phase form again. */
static int apply_phases(struct cli *c, struct nl_series *sr, size_t *given,
			struct nl_err *err)
{
	const char *s;
	size_t pos = 0;
	int rc = NL_OK;

	if (!cli_str(c, "phase")) {
		if (cli_str(c, "planned") || cli_str(c, "interval-days"))
			phases_clear(sr);
		return NL_OK;
	}
	(*given)++;
	phases_clear(sr);
	while (rc == NL_OK && (s = cli_next(c, "phase", &pos)))
		rc = plan_phase_add(sr, s, err);
	if (!cli_str(c, "planned"))
		sr->planned = 0;
	if (!cli_str(c, "interval-days"))
		sr->interval_days = 0;
	return rc;
}

/* --start and --goal. */
static int apply_text(struct cli *c, struct nl_series *sr, size_t *given,
		      struct nl_err *err)
{
	const char *start = cli_str(c, "start"), *goal = cli_str(c, "goal");
	char date[11];

	if (start) {
		(*given)++;
		if (nl_parse_date("--start", start, date, err) != NL_OK ||
		    value_set_text(&sr->start_date, date, err) != NL_OK)
			return err->status;
	}
	if (goal) {
		(*given)++;
		return value_set_text(&sr->goal, goal, err);
	}
	return NL_OK;
}

/* --area options replace the target areas; --baseline sets one scale at a
 * time (SCALE= removes it). */
static int apply_lists(struct cli *c, struct nl_series *sr, size_t *given,
		       struct nl_err *err)
{
	char q[NL_QUOTE_BUF];
	const char *s;
	size_t pos = 0;
	int rc = NL_OK;

	if (cli_str(c, "area")) {
		(*given)++;
		record_strings_free(sr->areas, sr->nareas);
		sr->areas = NULL;
		sr->nareas = 0;
	}
	while (rc == NL_OK && (s = cli_next(c, "area", &pos))) {
		if (!vocab_area_find(s))
			return nl_error(err, NL_EDATA, "--area: unknown area '%s' (see `needlelog vocab`)",
					nl_quote_value(s, q, sizeof(q)));
		rc = value_strv_add(&sr->areas, &sr->nareas, s, err);
	}
	if (rc == NL_OK && cli_str(c, "baseline")) {
		(*given)++;
		rc = out_scores(c, "baseline", &sr->baseline, &sr->nbaseline, err);
	}
	return rc;
}

/* Every field option given, applied to sr; *given counts them. */
static int apply_fields(struct cli *c, struct nl_series *sr, size_t *given,
			struct nl_err *err)
{
	int rc = apply_codes(c, sr, given, err);

	if (rc == NL_OK)
		rc = apply_numbers(c, sr, given, err);
	if (rc == NL_OK)
		rc = apply_phases(c, sr, given, err);
	if (rc == NL_OK)
		rc = apply_text(c, sr, given, err);
	if (rc == NL_OK)
		rc = apply_lists(c, sr, given, err);
	return rc;
}

/* ---- add, edit ----------------------------------------------------------- */

static int run_add(struct cli *c, struct nl_err *err)
{
	struct nl_series sr = { 0 };
	size_t given = 0;
	int64_t id = 0;
	int rc = cli_id(c, "patient", &sr.patient_id, err);

	if (rc == NL_OK && (!sr.patient_id || !cli_str(c, "indication")))
		return cli_usage(c, err, "--patient ID and --indication KIND are required");
	if (rc == NL_OK)
		rc = apply_fields(c, &sr, &given, err);
	if (rc == NL_OK)
		rc = cli_open(c, err);
	if (rc == NL_OK && !sr.start_date)
		rc = value_set_text(&sr.start_date, record_today(c->rec), err);
	if (rc == NL_OK)
		rc = record_series_add(c->rec, &sr, &id, err);
	if (rc == NL_OK)
		printf("%lld\n", (long long)id);
	record_series_free(&sr);
	return rc;
}

/* The command line of `series edit`, checked on a scratch series so that
 * a bad value fails before the file opens. */
static int edit_parse(struct cli *c, int64_t *id, struct nl_err *err)
{
	struct nl_series scratch = { 0 };
	size_t given = 0;
	int rc = cli_arg_id(c, 0, "series", id, err);

	if (rc == NL_OK)
		rc = apply_fields(c, &scratch, &given, err);
	record_series_free(&scratch);
	if (rc == NL_OK && given == 0)
		rc = cli_usage(c, err, "nothing to change: give at least one field");
	return rc;
}

static int run_edit(struct cli *c, struct nl_err *err)
{
	struct nl_series sr = { 0 };
	size_t given = 0;
	int64_t id = 0;
	int rc = edit_parse(c, &id, err);

	if (rc == NL_OK)
		rc = cli_open(c, err);
	if (rc == NL_OK)
		rc = record_series_get(c->rec, id, &sr, err);
	if (rc == NL_OK)
		rc = apply_fields(c, &sr, &given, err);
	if (rc == NL_OK)
		rc = record_series_edit(c->rec, &sr, err);
	if (rc == NL_OK)
		printf("Series #%lld updated\n", (long long)id);
	record_series_free(&sr);
	return rc;
}

/* ---- show ---------------------------------------------------------------- */

/* What `series show` prints, read in one go. */
struct show {
	struct nl_series sr;
	struct nl_patient p;
	struct nl_session *ses;
	size_t nses;
	struct nl_progress prog;
	bool have_prog;
};

static int show_read(struct cli *c, int64_t id, struct show *s, struct nl_err *err)
{
	int rc = cli_open(c, err);

	if (rc == NL_OK)
		rc = record_series_get(c->rec, id, &s->sr, err);
	if (rc == NL_OK)
		rc = record_patient_get(c->rec, s->sr.patient_id, &s->p, err);
	if (rc == NL_OK)
		rc = record_session_list(c->rec, id, true, &s->ses, &s->nses, err);
	if (rc == NL_OK)
		s->have_prog = (rc = progress_series(c->rec, id, record_today(c->rec), &s->prog,
						     err)) == NL_OK;
	return rc;
}

static void show_free(struct show *s)
{
	if (s->have_prog)
		progress_free(&s->prog);
	record_session_list_free(s->ses, s->nses);
	record_patient_free(&s->p);
	record_series_free(&s->sr);
}

static json_t *sessions_json(const struct nl_session *ses, size_t nses)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < nses; i++) {
		json_t *js = out_json_session(&ses[i]);

		out_jset(js, "signed", json_boolean(ses[i].is_signed));
		out_jset(js, "voided", json_boolean(ses[i].voided));
		out_jset(js, "amendments", json_integer((json_int_t)ses[i].amendment_count));
		json_array_append_new(a, js);
	}
	return a;
}

static json_t *series_json(const struct show *s)
{
	const struct nl_series *sr = &s->sr;
	json_t *o = json_object(), *areas = json_array();
	char plan[160];

	if (!o || !areas) {
		json_decref(o);
		json_decref(areas);
		return NULL;
	}
	for (size_t i = 0; i < sr->nareas; i++)
		json_array_append_new(areas, json_string(sr->areas[i]));
	out_jset(o, "id", json_integer(sr->id));
	out_jset(o, "patient_id", json_integer(sr->patient_id));
	out_jset(o, "patient_name", out_jstr(s->p.name));
	out_jset(o, "indication", out_jstr(sr->indication));
	out_jset(o, "status", out_jstr(sr->status));
	out_jset(o, "planned", json_integer(sr->planned));
	out_jset(o, "interval_days", json_integer(sr->interval_days));
	out_jset(o, "plan", json_string(plan_text(sr, plan, sizeof(plan))));
	out_jset(o, "phases", out_json_phases(sr));
	out_jset(o, "start_date", out_jstr(sr->start_date));
	out_jset(o, "goal", out_jstr(sr->goal));
	out_jset(o, "areas", areas);
	out_jset(o, "baseline", out_json_scores(sr->baseline, sr->nbaseline));
	out_jset(o, "sessions", sessions_json(s->ses, s->nses));
	out_jset(o, "progress", out_json_progress(&s->prog, &s->sr));
	return o;
}

static int print_sessions(const struct nl_session *ses, size_t nses, struct nl_err *err)
{
	static const char *const head[] = { "SESSION", "DATE", "AREAS", "STATE", "WARN" };
	struct out_table t;
	int rc = NL_OK;

	out_table_init(&t, head, 5);
	t.right = 1u | (1u << 4);
	for (size_t i = 0; rc == NL_OK && i < nses; i++) {
		char id[24], warn[24], state[64], *areas = value_areas_text(ses[i].areas,
									       ses[i].nareas);

		snprintf(id, sizeof(id), "%lld", (long long)ses[i].id);
		snprintf(warn, sizeof(warn), "%zu", ses[i].nwarnings);
		snprintf(state, sizeof(state), "%s%s",
			 ses[i].voided ? "VOIDED" : ses[i].is_signed ? "signed" : "unsigned",
			 ses[i].amendment_count ? ", amended" : "");
		if (!areas || out_table_row(&t, (const char *const[]){ id, ses[i].date, areas,
									state, warn }) != 0)
			rc = nl_error(err, NL_ENOMEM, "out of memory");
		free(areas);
	}
	if (rc == NL_OK)
		rc = out_table_print(&t, stdout, OUT_TEXT, false, err);
	out_table_free(&t);
	return rc;
}

/* The plan: indication, status, schedule, areas, goal and baseline. */
static int print_plan(const struct show *s, struct nl_err *err)
{
	const struct nl_series *sr = &s->sr;
	const struct vocab_indication *ind = vocab_indication_find(sr->indication);
	char *base = value_scores_text(sr->baseline, sr->nbaseline);
	char *areas = value_join(sr->areas, sr->nareas, " "), plan[160];

	if (!base || (sr->nareas && !areas)) {
		free(base);
		free(areas);
		return nl_error(err, NL_ENOMEM, "out of memory");
	}
	out_line(stdout, "Series #%lld  %s  for patient #%lld %s", (long long)sr->id,
		 ind ? ind->label : sr->indication, (long long)sr->patient_id, s->p.name);
	out_line(stdout, "  %-10s %s", "Status:", sr->status);
	out_line(stdout, "  %-10s %s (%d session%s), from %s", "Plan:",
		 plan_text(sr, plan, sizeof(plan)), plan_total(sr), plan_total(sr) == 1 ? "" : "s",
		 sr->start_date);
	if (sr->nareas)
		out_line(stdout, "  %-10s %s", "Areas:", areas);
	if (sr->goal)
		out_line(stdout, "  %-10s %s", "Goal:", sr->goal);
	out_line(stdout, "  %-10s %s", "Baseline:", *base ? base : "none recorded");
	free(base);
	free(areas);
	return NL_OK;
}

static int print_series(const struct show *s, struct nl_err *err)
{
	int rc = print_plan(s, err);

	if (rc == NL_OK && s->nses) {
		puts("\nSessions:");
		rc = print_sessions(s->ses, s->nses, err);
	} else if (rc == NL_OK) {
		puts("\nSessions: none yet (log one with `needlelog session add --series ID`)");
	}
	if (rc == NL_OK) {
		putchar('\n');
		out_progress_text(stdout, &s->prog, &s->sr);
	}
	return rc;
}

static int show_read_any(struct cli *c, int64_t id, void *s, struct nl_err *err)
{
	return show_read(c, id, s, err);
}

static json_t *series_json_any(const void *s)
{
	return series_json(s);
}

static int print_series_any(const void *s, struct nl_err *err)
{
	return print_series(s, err);
}

static void show_free_any(void *s)
{
	show_free(s);
}

static int run_show(struct cli *c, struct nl_err *err)
{
	static const struct out_show how = { "series", show_read_any, series_json_any,
					     print_series_any, show_free_any };
	struct show s = { 0 };

	return out_show(c, &how, &s, err);
}

/* ---- the table ----------------------------------------------------------- */

static const struct cli_opt add_opts[] = {
	{ "patient", "ID", 0, "the patient (required)" },
	SERIES_FIELD_OPTS,
	{ 0 },
};

static const struct cli_opt edit_opts[] = {
	SERIES_FIELD_OPTS,
	{ "status", "STATUS", 0, "active, paused, completed or discontinued" },
	{ 0 },
};

static const struct cli_opt show_opts[] = {
	OUT_OPT_FORMAT("text (default) or json"),
	CLI_OPT_TODAY("the day to judge the due date against"),
	{ 0 },
};

const struct cli_command cli_series_commands[] = {
	{ "series", "add", NULL, 0, 0,
	  "Plan a treatment series for a patient and print the new series id.\n"
	  "Needs --patient ID and --indication KIND. The plan is one phase\n"
	  "(--planned N --interval-days D) or several (--phase COUNTxDAYS, repeated:\n"
	  "--phase 12x7 --phase 6x28 reads \"12 weekly, then 6 every 4 weeks\").",
	  add_opts, run_add },
	{ "series", "show", "ID", 1, 1,
	  "Show a series.\n"
	  "Its plan, the sessions so far, depth per area over time, scores against\n"
	  "the baseline and the next due date.",
	  show_opts, run_show },
	{ "series", "edit", "ID", 1, 1,
	  "Change a series' plan or status.\n"
	  "Only the options given change; --area options replace the target areas;\n"
	  "--baseline SCALE= removes a baseline. --phase options replace the plan's\n"
	  "phases (a weekly-then-monthly protocol: --phase 12x7 --phase 6x28);\n"
	  "--planned or --interval-days alone make it a one-phase plan again.",
	  edit_opts, run_edit },
	{ 0 },
};
