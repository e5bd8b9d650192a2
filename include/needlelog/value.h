/* Clinical values as people write them on a command line, in a CSV file or
 * a form, and as people read them: one parse and one format for each, so
 * that the CLI, the TUI, the import and the exports cannot disagree.
 *
 *   AREA[=LABEL]:DEPTH_MM[:PASSES]   cheek-l:1.5:3, scar=appendix:2,0
 *   SCALE=VALUE                      gais=2, norwood=III-vertex
 *   CODE[:DATE[:NOTE]]               isotretinoin:2026-01-10:last dose
 *
 * Bad values are NL_EDATA with a message naming the field, quoting the
 * value (sanitized, clipped) and saying what is allowed. Records passed in
 * own their strings (record.h); what is added is copied. */
#ifndef NEEDLELOG_VALUE_H
#define NEEDLELOG_VALUE_H

#include <stddef.h>

#include "needlelog/err.h"
#include "needlelog/record.h"

/* ---- parse --------------------------------------------------------------- */

/* Appends one treated area from "AREA[=LABEL]:DEPTH_MM[:PASSES]"; the depth
 * takes '.' or ',' as its decimal separator. */
int value_area_add(const char *field, const char *spec, struct nl_treatment **v,
		   size_t *n, struct nl_err *err);
void value_areas_clear(struct nl_treatment **v, size_t *n);

/* "SCALE=VALUE" into sc; sc->scale points into the vocabulary (not to be
 * freed). */
int value_score_parse(const char *field, const char *spec, struct nl_score *sc,
		      struct nl_err *err);
/* Sets that scale's score in an owned array (the code copied); "SCALE="
 * removes it. */
int value_scores_set(const char *field, const char *spec, struct nl_score **v,
		     size_t *n, struct nl_err *err);

/* Every "SCALE=VALUE" of specs set in turn; the same scale given twice is
 * refused (NL_EUSAGE, naming it) rather than the last value winning. */
int value_scores_set_all(const char *field, const char *const *specs, size_t n,
			 struct nl_score **v, size_t *nv, struct nl_err *err);

/* Replaces *dst with a copy of v; NULL for NULL or "" (an empty value
 * clears an optional text field). */
int value_set_text(char **dst, const char *v, struct nl_err *err);
/* The strings joined with sep; NULL when there are none or out of memory. */
char *value_join(char *const *v, size_t n, const char *sep);

/* Appends a copy of s to an owned string array. */
int value_strv_add(char ***v, size_t *n, const char *s, struct nl_err *err);

/* Adds or replaces one flag from "CODE[:DATE[:NOTE]]"; given again, a flag
 * is in force again (its end date goes). */
int value_flag_add(struct nl_patient *p, const char *spec, struct nl_err *err);
/* "CODE[:DATE]": the flag stops applying on DATE (default today). */
int value_flag_end(struct nl_patient *p, const char *spec, const char *today,
		   struct nl_err *err);
/* Takes off a flag entered in error. */
int value_flag_remove(struct nl_patient *p, const char *code,
		      struct nl_err *err);
/* Sets a patient field by its name as the CLI and the CSV import spell it:
 * name, dob, phone, email, skin-type (or skin_type), allergies,
 * medications, consent, notes, sex, flags ("CODE[:DATE[:NOTE]]" items
 * separated by ';', added). An empty value clears the field. */
int value_patient_set(struct nl_patient *p, const char *field,
		      const char *value, struct nl_err *err);

/* The structured lists (clinical.h), as --end-flag and --remove-flag for
 * flags: "CODE[:DATE]" ends every allergy of that code still in force
 * (end date DATE, default today) or stops every medication of that code
 * not yet stopped; _remove takes off every item of that code entered in
 * error. NL_EDATA naming the option when the patient has none. The dates
 * are checked where the patient is (check_patient, record_patient_edit). */
int value_allergy_end(struct nl_patient *p, const char *spec, const char *today,
		      struct nl_err *err);
int value_allergy_remove(struct nl_patient *p, const char *code,
			 struct nl_err *err);
int value_medication_stop(struct nl_patient *p, const char *spec,
			  const char *today, struct nl_err *err);
int value_medication_remove(struct nl_patient *p, const char *code,
			    struct nl_err *err);

/* ---- format -------------------------------------------------------------- */

/* "1.5", "0.25", "2": a depth in mm without trailing zeros. */
void value_depth_text(double mm, char *buf, size_t size);
/* "cheek-l 1.5 mm x3, scar appendix 2 mm"; NULL on out of memory. */
char *value_areas_text(const struct nl_treatment *a, size_t n);
/* "gais 2 (Much improved), norwood III-vertex"; NULL on out of memory. */
char *value_scores_text(const struct nl_score *sc, size_t n);

#endif
