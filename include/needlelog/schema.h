/* The schema migrations, embedded from the schema folder at build time. */
#ifndef NEEDLELOG_SCHEMA_H
#define NEEDLELOG_SCHEMA_H

#include <stddef.h>
#include "needlelog/store.h"

extern const struct store_migration schema_migrations[];
extern const size_t schema_migration_count;

#endif
