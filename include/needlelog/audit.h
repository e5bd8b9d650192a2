/* The audit trail: one row per create, change, sign, amendment, void,
 * archive, export and backup. Rows are append-only (the database refuses
 * to change or delete them). The core writes its own rows inside the
 * transaction of the change; exporters and backup call audit_add. */
#ifndef NEEDLELOG_AUDIT_H
#define NEEDLELOG_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "needlelog/err.h"
#include "needlelog/record.h"

/* Actions (nl_audit.action); the schema accepts only these. */
#define AUDIT_CREATE    "create"
#define AUDIT_CHANGE    "change"
#define AUDIT_SIGN      "sign"
#define AUDIT_AMEND     "amend"
#define AUDIT_VOID      "void"
#define AUDIT_ARCHIVE   "archive"
#define AUDIT_UNARCHIVE "unarchive"
#define AUDIT_EXPORT    "export"
#define AUDIT_BACKUP    "backup"
#define AUDIT_IMPORT    "import"

/* Entity types (nl_audit.entity). */
#define AUDIT_PATIENT   "patient"
#define AUDIT_SERIES    "series"
#define AUDIT_SESSION   "session"
#define AUDIT_FILE      "file"      /* backup, passwd: entity_id 0 */
#ifndef AUDIT_CONSENT
#define AUDIT_CONSENT   "consent"   /* consent records (clinical.h) */
#endif

struct nl_audit {
	int64_t id;
	char *at;          /* UTC "YYYY-MM-DDTHH:MM:SSZ" */
	char *who;         /* practitioner, or NULL when unknown */
	char *action;
	char *entity;
	int64_t entity_id; /* 0 when the entity has no id */
	char *detail;      /* short text or JSON of changed fields, or NULL */
};

/* Appends one row (who NULL = the handle's actor, record_set_actor). Joins the caller's transaction
 * when one is open, else is its own. action and entity as above. */
int audit_add(struct record *r, const char *action, const char *entity,
	      int64_t entity_id, const char *who, const char *detail,
	      struct nl_err *err);

/* The newest rows first; limit 0 = all. Filter by entity (NULL = all) and
 * entity_id (0 = all ids). */
int audit_list(struct record *r, size_t limit, const char *entity,
	       int64_t entity_id, struct nl_audit **out, size_t *n,
	       struct nl_err *err);
void audit_list_free(struct nl_audit *rows, size_t n);

/* Streams rows, newest first, to cb without holding them: memory stays
 * flat however long the trail. The row and its strings are borrowed:
 * valid only during the call (copy what you keep). cb returns 0 to go on,
 * 1 to stop early (NL_OK), or -1 to stop with an error (NL_EUSAGE; cb may
 * have filled its own). limit 0 = every row. No other call on r may run
 * from inside cb. Errors: the trail's read (NL_EIO, NL_EAUTH, ...). */
typedef int (*audit_each_fn)(void *ctx, const struct nl_audit *row);
int audit_each(struct record *r, size_t limit, audit_each_fn cb, void *ctx,
	       struct nl_err *err);
/* The same filtered as audit_list is: by entity type (NULL = all) and id
 * (0 = every id), through the index on (entity, entity_id). */
int audit_each_filtered(struct record *r, size_t limit, const char *entity,
			int64_t entity_id, audit_each_fn cb, void *ctx,
			struct nl_err *err);

#endif
