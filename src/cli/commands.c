/* The table of every command, assembled from each group's own table. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

extern const struct cli_command cli_admin_commands[];
extern const struct cli_command cli_tui_commands[];
extern const struct cli_command cli_export_commands[];
extern const struct cli_command cli_backup_commands[];
extern const struct cli_command cli_patient_commands[];
extern const struct cli_command cli_series_commands[];
extern const struct cli_command cli_session_commands[];
extern const struct cli_command cli_report_commands[];
extern const struct cli_command cli_consent_commands[];
extern const struct cli_command cli_trace_commands[];
extern const struct cli_command cli_import_commands[];
extern const struct cli_command cli_demo_commands[];
extern const struct cli_command cli_photo_commands[];
extern const struct cli_command cli_user_commands[];

static const struct cli_command *const groups[] = {
	cli_admin_commands,
	cli_tui_commands,
	cli_export_commands,
	cli_backup_commands,
	cli_patient_commands,
	cli_series_commands,
	cli_session_commands,
	cli_consent_commands,
	cli_report_commands,
	cli_trace_commands,
	cli_import_commands,
	cli_demo_commands,
	cli_photo_commands,
	cli_user_commands,
};

const struct cli_command *cli_find(const char *word1, const char *word2,
				   int *words)
{
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		for (const struct cli_command *c = groups[g]; c->name; c++) {
			if (!c->group && word1 && strcmp(c->name, word1) == 0) {
				*words = 1;
				return c;
			}
			if (c->group && word1 && word2 && strcmp(c->group, word1) == 0 &&
			    strcmp(c->name, word2) == 0) {
				*words = 2;
				return c;
			}
		}
	}
	return NULL;
}

size_t cli_list_group(FILE *out, const char *group)
{
	size_t n = 0;

	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		for (const struct cli_command *c = groups[g]; c->name; c++) {
			char name[64];

			if (group && (!c->group || strcmp(c->group, group) != 0))
				continue;
			n++;
			if (!out)
				continue;
			snprintf(name, sizeof(name), "%s%s%s", c->group ? c->group : "",
				 c->group ? " " : "", c->name);
			fprintf(out, "  %-18s %.*s\n", name,
				(int)strcspn(c->summary, ".\n"), c->summary);
		}
	}
	return n;
}
