/* progress, due, vocab, audit: read-only views over the record. */
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "needlelog/audit.h"
#include "needlelog/check.h"
#include "needlelog/progress.h"
#include "needlelog/record.h"
#include "needlelog/vocab.h"
#include "out.h"

enum { OPT_WITHIN = OPT_LOCAL, OPT_LIMIT, OPT_ENTITY, OPT_ID };

/* Options of the read-only reports; -1 to go on, else the exit code. */
struct report_opts {
	enum out_format fmt;
	const char *today, *within, *limit, *entity, *id;
};

static int parse(struct cli *c, int argc, char **argv, const struct option *opts,
		 unsigned formats, struct report_opts *o)
{
	int opt, rc;

	o->fmt = OUT_TEXT;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case OPT_FORMAT:
			if ((rc = out_parse_format(c, optarg, formats, &o->fmt)) >= 0)
				return rc;
			break;
		case OPT_TODAY:
			o->today = optarg;
			break;
		case OPT_WITHIN:
			o->within = optarg;
			break;
		case OPT_LIMIT:
			o->limit = optarg;
			break;
		case OPT_ENTITY:
			o->entity = optarg;
			break;
		case OPT_ID:
			o->id = optarg;
			break;
		default:
			if ((rc = cli_common_opt(c, opt, argv)) >= 0)
				return rc;
		}
	}
	return -1;
}

static int run_progress(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS, OUT_FORMAT_OPTION, OUT_TODAY_OPTION, { 0 },
	};
	struct report_opts o = { 0 };
	struct nl_progress p = { 0 };
	struct nl_series sr = { 0 };
	struct nl_patient pt = { 0 };
	struct nl_err err = { 0 };
	struct record *s = NULL;
	const char *today;
	char tbuf[11];
	bool have = false;
	int64_t id;
	int rc;

	if ((rc = parse(c, argc, argv, opts, OUT_TEXT | OUT_JSON, &o)) >= 0 ||
	    (rc = out_positional_id(c, argc, argv, "series", &id)) >= 0)
		return rc;
	today = out_today(c, o.today, tbuf, &err);
	rc = today ? cli_open(c, &s, &err) : err.status;
	if (rc == NL_OK)
		rc = record_series_get(s, id, &sr, &err);
	if (rc == NL_OK)
		rc = record_patient_get(s, sr.patient_id, &pt, &err);
	if (rc == NL_OK)
		have = (rc = progress_series(s, id, today, &p, &err)) == NL_OK;
	record_close(s);
	if (rc != NL_OK) {
		rc = cli_fail(&err);
	} else if (o.fmt == OUT_JSON) {
		json_t *j = out_json_progress(&p);

		out_jset(j, "today", json_string(today));
		out_jset(j, "indication", json_string(sr.indication));
		out_jset(j, "status", json_string(sr.status));
		out_jset(j, "patient_name", json_string(pt.name));
		rc = out_json_print(j);
	} else {
		const struct vocab_indication *ind = vocab_indication_find(sr.indication);

		printf("Progress of series #%lld (%s, %s) for patient #%lld %s, as of %s\n",
		       (long long)id, ind ? ind->label : sr.indication, sr.status,
		       (long long)pt.id, pt.name, today);
		out_progress_text(stdout, &p);
	}
	if (have)
		progress_free(&p);
	record_series_free(&sr);
	record_patient_free(&pt);
	return rc;
}

static void due_words(const struct nl_due *d, char *buf, size_t size)
{
	if (d->due == PROGRESS_OVERDUE)
		snprintf(buf, size, "overdue %d d", -d->days_until_due);
	else if (d->due == PROGRESS_DUE)
		snprintf(buf, size, "due today");
	else
		snprintf(buf, size, "in %d d", d->days_until_due);
}

static int print_due(const struct nl_due *rows, size_t n, enum out_format fmt,
		     const char *today)
{
	static const char *const head[] = { "PATIENT", "NAME", "PHONE", "SERIES", "INDICATION",
					    "DONE", "LAST", "NEXT DUE", "STATE" };
	struct out_table t;

	if (fmt == OUT_JSON) {
		json_t *a = json_array();

		for (size_t i = 0; a && i < n; i++)
			json_array_append_new(a, json_pack("{s:I,s:s,s:o,s:I,s:s,s:i,s:i,s:o,s:s,s:i,s:s}",
				"patient_id", (json_int_t)rows[i].patient_id,
				"patient_name", rows[i].patient_name, "phone", out_jstr(rows[i].phone),
				"series_id", (json_int_t)rows[i].series_id,
				"indication", rows[i].indication, "done", rows[i].done,
				"planned", rows[i].planned,
				"last_date", out_jstr(rows[i].last_date[0] ? rows[i].last_date : NULL),
				"next_due", rows[i].next_due, "days_until_due", rows[i].days_until_due,
				"due", progress_due_name(rows[i].due)));
		return out_json_print(a);
	}
	out_table_init(&t, head, 9);
	t.right = 1u | (1u << 3);
	for (size_t i = 0; i < n; i++) {
		char pid[24], sid[24], done[32], state[40];

		snprintf(pid, sizeof(pid), "%lld", (long long)rows[i].patient_id);
		snprintf(sid, sizeof(sid), "%lld", (long long)rows[i].series_id);
		snprintf(done, sizeof(done), "%d/%d", rows[i].done, rows[i].planned);
		due_words(&rows[i], state, sizeof(state));
		out_table_row(&t, (const char *const[]){ pid, rows[i].patient_name, rows[i].phone,
			sid, rows[i].indication, done, rows[i].last_date, rows[i].next_due, state });
	}
	if (fmt == OUT_TEXT && n == 0)
		printf("Nobody is due on or before the window's end (as of %s)\n", today);
	else
		out_table_print(&t, stdout, fmt);
	out_table_free(&t);
	return EX_OK;
}

static int run_due(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS, OUT_FORMAT_OPTION, OUT_TODAY_OPTION,
		{ "within", required_argument, NULL, OPT_WITHIN }, { 0 },
	};
	struct report_opts o = { 0 };
	struct nl_due *rows = NULL;
	struct nl_err err = { 0 };
	struct record *s = NULL;
	const char *today;
	char tbuf[11];
	int within = 0, rc;
	size_t n = 0;

	if ((rc = parse(c, argc, argv, opts, OUT_TEXT | OUT_CSV | OUT_JSON, &o)) >= 0)
		return rc;
	if (optind != argc)
		return cli_usage_error(c, "unexpected argument '%s'", argv[optind]);
	rc = o.within ? out_parse_int("--within", o.within, 0, 3650, &within, &err) : NL_OK;
	today = rc == NL_OK ? out_today(c, o.today, tbuf, &err) : NULL;
	rc = today ? cli_open(c, &s, &err) : err.status;
	if (rc == NL_OK)
		rc = progress_due_list(s, today, within, &rows, &n, &err);
	record_close(s);
	if (rc != NL_OK)
		return cli_fail(&err);
	rc = print_due(rows, n, o.fmt, today);
	progress_due_list_free(rows, n);
	return rc;
}

/* ---- vocab --------------------------------------------------------------- */

static json_t *vocab_json(void)
{
	json_t *o = json_object(), *ind = json_array(), *areas = json_array();
	json_t *flags = json_array(), *ends = json_array(), *scales = json_array();
	json_t *st = json_array(), *fitz = json_array(), *limits;
	char range[256];

	for (size_t i = 0; i < vocab_indication_count; i++)
		json_array_append_new(ind, json_pack("{s:s,s:s,s:b}", "code", vocab_indications[i].code,
			"label", vocab_indications[i].label, "scar_depth", vocab_indications[i].scar_depth));
	for (size_t i = 0; i < vocab_area_count; i++)
		json_array_append_new(areas, json_pack("{s:s,s:s,s:f,s:f}", "code", vocab_areas[i].code,
			"label", vocab_areas[i].label, "usual_min_mm", vocab_areas[i].usual_min_mm,
			"usual_max_mm", vocab_areas[i].usual_max_mm));
	for (size_t i = 0; i < vocab_flag_count; i++)
		json_array_append_new(flags, json_pack("{s:s,s:s,s:o,s:i,s:i}", "code", vocab_flags[i].code,
			"label", vocab_flags[i].label, "date", out_jstr(vocab_flags[i].hint),
			"window_months", vocab_flags[i].window_months,
			"window_days", vocab_flags[i].window_days));
	for (size_t i = 0; i < vocab_endpoint_count; i++)
		json_array_append_new(ends, json_pack("{s:s,s:s}", "code", vocab_endpoints[i].code,
			"label", vocab_endpoints[i].label));
	for (size_t i = 0; i < vocab_status_count; i++)
		json_array_append_new(st, json_pack("{s:s,s:s}", "code", vocab_statuses[i].code,
			"label", vocab_statuses[i].label));
	for (int i = VOCAB_FITZ_MIN; i <= VOCAB_FITZ_MAX; i++)
		json_array_append_new(fitz, json_string(vocab_fitzpatrick[i]));
	for (size_t i = 0; i < vocab_scale_count; i++) {
		const struct vocab_scale *sc = &vocab_scales[i];
		json_t *levels = json_array();

		for (size_t k = 0; k < sc->nlevels; k++)
			json_array_append_new(levels, json_string(sc->levels[k]));
		vocab_scale_range(sc, range, sizeof(range));
		json_array_append_new(scales, json_pack("{s:s,s:s,s:s,s:f,s:f,s:b,s:o,s:s,s:s,s:s}",
			"code", sc->code, "label", sc->label,
			"kind", sc->kind == VOCAB_SCALE_ORDINAL ? "ordinal" : "numeric",
			"min", sc->min, "max", sc->max, "integer", sc->integer,
			"levels", sc->nlevels ? levels : (json_decref(levels), json_null()),
			"better", sc->direction == VOCAB_DIR_LOWER ? "lower"
				  : sc->direction == VOCAB_DIR_HIGHER ? "higher" : "none",
			"range", range, "values", sc->value_help ? sc->value_help : range));
	}
	limits = json_pack("{s:f,s:f,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:f}",
		"depth_min_mm", VOCAB_DEPTH_MIN_MM, "depth_max_mm", VOCAB_DEPTH_MAX_MM,
		"passes_min", VOCAB_PASSES_MIN, "passes_max", VOCAB_PASSES_MAX,
		"pain_min", VOCAB_PAIN_MIN, "pain_max", VOCAB_PAIN_MAX,
		"planned_min", VOCAB_PLANNED_MIN, "planned_max", VOCAB_PLANNED_MAX,
		"interval_days_min", VOCAB_INTERVAL_MIN, "interval_days_max", VOCAB_INTERVAL_MAX,
		"face_scar_max_mm", VOCAB_FACE_SCAR_MAX_MM);
	out_jset(o, "limits", limits);
	out_jset(o, "indications", ind);
	out_jset(o, "areas", areas);
	out_jset(o, "flags", flags);
	out_jset(o, "skin_types", fitz);
	out_jset(o, "endpoints", ends);
	out_jset(o, "scales", scales);
	out_jset(o, "statuses", st);
	return o;
}

static void print_items(const char *title, const struct vocab_item *v, size_t n)
{
	static const char *const head[] = { "CODE", "LABEL" };
	struct out_table t;

	printf("\n%s:\n", title);
	out_table_init(&t, head, 2);
	for (size_t i = 0; i < n; i++)
		out_table_row(&t, (const char *const[]){ v[i].code, v[i].label });
	out_table_print(&t, stdout, OUT_TEXT);
	out_table_free(&t);
}

static void print_picks(const char *title, const char *const *v, size_t n)
{
	printf("%s:", title);
	for (size_t i = 0; i < n; i++)
		printf("%s%s", i ? ", " : " ", v[i]);
	putchar('\n');
}

static void print_vocab(void)
{
	static const char *const ind_head[] = { "CODE", "LABEL" };
	static const char *const area_head[] = { "CODE", "LABEL", "USUAL MM" };
	static const char *const flag_head[] = { "CODE", "LABEL", "DATE", "WINDOW" };
	static const char *const scale_head[] = { "CODE", "SCALE", "VALUES", "BETTER" };
	struct out_table t;
	char buf[256], buf2[64];

	printf("Hard limits (rejected outside): depth %.1f-%.1f mm, passes %d-%d, pain %d-%d,\n"
	       "planned sessions %d-%d, interval %d-%d days. Usual depth ranges give a\n"
	       "warning only; with acne-scars or surgical-scars the face's upper end is %.1f mm.\n",
	       VOCAB_DEPTH_MIN_MM, VOCAB_DEPTH_MAX_MM, VOCAB_PASSES_MIN, VOCAB_PASSES_MAX,
	       VOCAB_PAIN_MIN, VOCAB_PAIN_MAX, VOCAB_PLANNED_MIN, VOCAB_PLANNED_MAX,
	       VOCAB_INTERVAL_MIN, VOCAB_INTERVAL_MAX, VOCAB_FACE_SCAR_MAX_MM);
	puts("\nIndications (--indication):");
	out_table_init(&t, ind_head, 2);
	for (size_t i = 0; i < vocab_indication_count; i++)
		out_table_row(&t, (const char *const[]){ vocab_indications[i].code,
			vocab_indications[i].label });
	out_table_print(&t, stdout, OUT_TEXT);
	out_table_free(&t);

	puts("\nAreas (--area), with the usual depth:");
	out_table_init(&t, area_head, 3);
	for (size_t i = 0; i < vocab_area_count; i++) {
		char lo[16], hi[16];

		out_mm(vocab_areas[i].usual_min_mm, lo, sizeof(lo));
		out_mm(vocab_areas[i].usual_max_mm, hi, sizeof(hi));
		snprintf(buf, sizeof(buf), "%s-%s", lo, hi);
		out_table_row(&t, (const char *const[]){ vocab_areas[i].code, vocab_areas[i].label,
			buf });
	}
	out_table_print(&t, stdout, OUT_TEXT);
	out_table_free(&t);

	puts("\nContraindication flags (--flag CODE[:DATE[:NOTE]]):");
	out_table_init(&t, flag_head, 4);
	for (size_t i = 0; i < vocab_flag_count; i++) {
		const struct vocab_flag *f = &vocab_flags[i];

		buf2[0] = '\0';
		if (f->window_months)
			snprintf(buf2, sizeof(buf2), "%d months", f->window_months);
		else if (f->window_days)
			snprintf(buf2, sizeof(buf2), "%d days", f->window_days);
		out_table_row(&t, (const char *const[]){ f->code, f->label, f->hint, buf2 });
	}
	out_table_print(&t, stdout, OUT_TEXT);
	out_table_free(&t);

	puts("\nSkin types (--skin-type): Fitzpatrick I, II, III, IV, V, VI");

	puts("\nOutcome scales (--score / --baseline SCALE=VALUE):");
	out_table_init(&t, scale_head, 4);
	for (size_t i = 0; i < vocab_scale_count; i++) {
		const struct vocab_scale *sc = &vocab_scales[i];

		vocab_scale_range(sc, buf, sizeof(buf));
		out_table_row(&t, (const char *const[]){ sc->code, sc->label, buf,
			sc->direction == VOCAB_DIR_LOWER ? "lower" :
			sc->direction == VOCAB_DIR_HIGHER ? "higher" : "-" });
	}
	out_table_print(&t, stdout, OUT_TEXT);
	out_table_free(&t);

	print_items("Endpoints (--endpoint)", vocab_endpoints, vocab_endpoint_count);
	print_items("Series statuses (--status)", vocab_statuses, vocab_status_count);
	puts("\nPick lists (free text; these are suggestions):");
	print_picks("  devices", vocab_devices, vocab_device_count);
	print_picks("  cartridges", vocab_cartridges, vocab_cartridge_count);
	print_picks("  products", vocab_products, vocab_product_count);
}

static int run_vocab(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTIONS, OUT_FORMAT_OPTION, { 0 } };
	struct report_opts o = { 0 };
	int rc;

	if ((rc = parse(c, argc, argv, opts, OUT_TEXT | OUT_JSON, &o)) >= 0)
		return rc;
	if (optind != argc)
		return cli_usage_error(c, "unexpected argument '%s'", argv[optind]);
	if (o.fmt == OUT_JSON)
		return out_json_print(vocab_json());
	print_vocab();
	return EX_OK;
}

/* ---- audit --------------------------------------------------------------- */

static int run_audit(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS, OUT_FORMAT_OPTION,
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "entity", required_argument, NULL, OPT_ENTITY },
		{ "id", required_argument, NULL, OPT_ID }, { 0 },
	};
	static const char *const head[] = { "ID", "AT", "WHO", "ACTION", "ENTITY", "DETAIL" };
	struct report_opts o = { 0 };
	struct nl_audit *rows = NULL;
	struct nl_err err = { 0 };
	struct record *s = NULL;
	struct out_table t;
	int64_t eid = 0;
	int limit = 50, rc;
	size_t n = 0;

	if ((rc = parse(c, argc, argv, opts, OUT_TEXT | OUT_CSV | OUT_JSON, &o)) >= 0)
		return rc;
	if (optind != argc)
		return cli_usage_error(c, "unexpected argument '%s'", argv[optind]);
	if (o.id && (rc = out_parse_id(c, "--id", o.id, &eid)) >= 0)
		return rc;
	if (o.entity && strcmp(o.entity, AUDIT_PATIENT) && strcmp(o.entity, AUDIT_SERIES) &&
	    strcmp(o.entity, AUDIT_SESSION) && strcmp(o.entity, AUDIT_FILE))
		return cli_usage_error(c, "--entity %s: use patient, series, session or file",
				       o.entity);
	rc = o.limit ? out_parse_int("--limit", o.limit, 0, 1000000, &limit, &err) : NL_OK;
	if (rc == NL_OK)
		rc = cli_open(c, &s, &err);
	if (rc == NL_OK)
		rc = audit_list(s, (size_t)limit, o.entity, eid, &rows, &n, &err);
	record_close(s);
	if (rc != NL_OK)
		return cli_fail(&err);
	if (o.fmt == OUT_JSON) {
		json_t *a = json_array();

		for (size_t i = 0; a && i < n; i++)
			json_array_append_new(a, json_pack("{s:I,s:s,s:o,s:s,s:s,s:I,s:o}",
				"id", (json_int_t)rows[i].id, "at", rows[i].at,
				"who", out_jstr(rows[i].who), "action", rows[i].action,
				"entity", rows[i].entity, "entity_id", (json_int_t)rows[i].entity_id,
				"detail", out_jstr(rows[i].detail)));
		audit_list_free(rows, n);
		return out_json_print(a);
	}
	out_table_init(&t, head, 6);
	t.right = 1u;
	for (size_t i = 0; i < n; i++) {
		char id[24], ent[64], detail[80];

		snprintf(id, sizeof(id), "%lld", (long long)rows[i].id);
		if (rows[i].entity_id)
			snprintf(ent, sizeof(ent), "%s #%lld", rows[i].entity,
				 (long long)rows[i].entity_id);
		else
			snprintf(ent, sizeof(ent), "%s", rows[i].entity);
		snprintf(detail, sizeof(detail), "%s", rows[i].detail ? rows[i].detail : "");
		/* People get a glance (cut at a UTF-8 boundary); scripts get it all. */
		if (o.fmt == OUT_TEXT && strlen(detail) > 72) {
			size_t cut = 69;

			while (cut > 0 && (detail[cut] & 0xc0) == 0x80)
				cut--;
			strcpy(detail + cut, "...");
		}
		out_table_row(&t, (const char *const[]){ id, rows[i].at, rows[i].who,
			rows[i].action, ent, o.fmt == OUT_TEXT ? detail : rows[i].detail });
	}
	out_table_print(&t, stdout, o.fmt);
	out_table_free(&t);
	audit_list_free(rows, n);
	return EX_OK;
}

const struct cli_command cli_report_commands[] = {
	{ NULL, "progress", run_progress, "SERIES_ID [--format text|json] [--today DATE]",
	  "Show the progress of a series.\n"
	  "Sessions done of planned, the next due date\n"
	  "(due, overdue or upcoming), depth per area across the sessions, and each\n"
	  "outcome scale against its baseline with the change, verdict and trend.\n"
	  "Voided sessions do not count.",
	  "  --format FMT           text (default) or json\n"
	  "  --today DATE           judge the due date as of DATE (else\n"
	  "                         $NEEDLELOG_TODAY, else today's UTC date)\n" },
	{ NULL, "due", run_due, "[--within DAYS] [--format text|csv|json] [--today DATE]",
	  "List who is due or overdue.\n"
	  "Patients whose next session is due or overdue (or due within DAYS), most\n"
	  "overdue first. Active series of patients not archived only.",
	  "  --within DAYS          also those due in the next DAYS days (default 0)\n"
	  "  --format FMT           text (default), csv or json\n"
	  "  --today DATE           as of DATE (else $NEEDLELOG_TODAY, else today)\n" },
	{ NULL, "vocab", run_vocab, "[--format text|json]",
	  "List the vocabularies with their ranges.\n"
	  "Indications, areas with their usual depth ranges,\n"
	  "contraindication flags, skin types, outcome scales with their values,\n"
	  "endpoints, statuses, pick lists, and the hard limits. Needs no record file.",
	  "  --format FMT           text (default) or json\n" },
	{ NULL, "audit", run_audit, "[--limit N] [--entity E] [--id ID] [--format text|csv|json]",
	  "Show the audit trail.\n"
	  "Newest first: every create, change, sign, amendment,\n"
	  "void, archive, import, export and backup, with who and when. Text output\n"
	  "cuts long details; --format json or csv gives them whole.",
	  "  --limit N              at most N rows (default 50; 0 = all)\n"
	  "  --entity E             only patient, series, session or file rows\n"
	  "  --id ID                only rows about that id (with --entity)\n"
	  "  --format FMT           text (default), csv or json\n" },
	{ 0 },
};
