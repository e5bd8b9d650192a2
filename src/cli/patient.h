/* What patient add / edit and import patients share. */
#ifndef NL_CLI_PATIENT_H
#define NL_CLI_PATIENT_H

#include "needlelog/err.h"
#include "needlelog/record.h"

/* The date rules of DOMAIN.md for a patient about to be written: the date
 * of birth, the consent and each flag's date not after today (record_today),
 * and for a patient on file (p->id) no session before the date of birth.
 * prefix comes before the field names in messages ("--" for options).
 * A stopgap: record_patient_add / record_patient_edit should apply these
 * rules themselves (through nl_dates_plausible), for the TUI too. */
int patient_dates_check(struct record *r, const struct nl_patient *p,
			const char *prefix, struct nl_err *err);

#endif
