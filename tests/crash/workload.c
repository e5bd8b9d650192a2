#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <sqlite3.h>

#include "faultvfs.h"
#include "workload.h"

static void hash_u64(crypto_generichash_state *st, uint64_t v)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	crypto_generichash_update(st, b, sizeof(b));
}

/* Each value with its type and length, so no two rows hash alike. */
static void hash_row(crypto_generichash_state *st, sqlite3_stmt *q)
{
	int cols = sqlite3_column_count(q);

	hash_u64(st, (uint64_t)cols);
	for (int c = 0; c < cols; c++) {
		int type = sqlite3_column_type(q, c);
		const void *p = type == SQLITE_BLOB ? sqlite3_column_blob(q, c) :
				sqlite3_column_text(q, c);
		int n = sqlite3_column_bytes(q, c);

		hash_u64(st, (uint64_t)type);
		hash_u64(st, (uint64_t)n);
		if (p && n > 0)
			crypto_generichash_update(st, p, (size_t)n);
	}
}

static int hash_query(crypto_generichash_state *st, sqlite3 *db, const char *sql)
{
	sqlite3_stmt *q;
	int rc = sqlite3_prepare_v2(db, sql, -1, &q, NULL);

	if (rc != SQLITE_OK)
		return rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		hash_row(st, q);
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* The user tables, each hashed in rowid order. */
static int hash_tables(crypto_generichash_state *st, sqlite3 *db)
{
	sqlite3_stmt *q;
	int step = SQLITE_DONE;
	int rc = sqlite3_prepare_v2(db,
		"SELECT name FROM sqlite_schema WHERE type = 'table' AND "
		"name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name", -1, &q, NULL);

	if (rc != SQLITE_OK)
		return rc;
	while (rc == SQLITE_OK && (step = sqlite3_step(q)) == SQLITE_ROW) {
		char *sql = sqlite3_mprintf("SELECT * FROM \"%w\" ORDER BY rowid",
					    (const char *)sqlite3_column_text(q, 0));

		rc = sql ? hash_query(st, db, sql) : SQLITE_NOMEM;
		sqlite3_free(sql);
	}
	if (rc == SQLITE_OK && step != SQLITE_DONE)
		rc = step;
	sqlite3_finalize(q);
	return rc;
}

int digest_store(struct store *s, uint8_t out[DIGEST_BYTES])
{
	sqlite3 *db = store_db(s);
	crypto_generichash_state st;
	int rc;

	crypto_generichash_init(&st, NULL, 0, DIGEST_BYTES);
	rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = hash_query(&st, db, "PRAGMA user_version");
	if (rc == SQLITE_OK)
		rc = hash_query(&st, db, "SELECT type, name, tbl_name, sql "
				"FROM sqlite_schema ORDER BY type, name");
	if (rc == SQLITE_OK)
		rc = hash_tables(&st, db);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	crypto_generichash_final(&st, out, DIGEST_BYTES);
	return rc;
}

void digest_hex(const uint8_t d[DIGEST_BYTES], char out[2 * DIGEST_BYTES + 1])
{
	sodium_bin2hex(out, 2 * DIGEST_BYTES + 1, d, DIGEST_BYTES);
}

long find_fragment(const uint8_t *buf, size_t len, const char *needle)
{
	size_t n = strlen(needle), frag = n < 8 ? n : 8;

	for (size_t i = 0; i + frag <= n; i++) {
		const uint8_t *hit = memmem(buf, len, needle + i, frag);

		if (hit)
			return (long)(hit - buf);
	}
	return -1;
}

uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long size;

	*len = 0;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)size + 1)) &&
	    fread(buf, 1, (size_t)size, f) == (size_t)size)
		*len = (size_t)size;
	fclose(f);
	return buf;
}

void empty_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' && (!e->d_name[1] ||
		    (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		remove(path);
	}
	closedir(d);
}

int write_snapshot(const char *dir, const struct fault_image *f, size_t n)
{
	char path[PATH_MAX + FAULT_NAME_MAX];

	empty_dir(dir);
	for (size_t i = 0; i < n; i++) {
		FILE *out;

		snprintf(path, sizeof(path), "%s/%s", dir, f[i].name);
		out = fopen(path, "wb");
		if (!out || fwrite(f[i].data, 1, f[i].len, out) != f[i].len) {
			if (out)
				fclose(out);
			return -1;
		}
		fclose(out);
	}
	return 0;
}
