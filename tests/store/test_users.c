/* Users as key slots (issue 14): each user opens with only their own
 * passphrase, names never appear in the header, removal, the recovery key
 * and its typo check, re-key and backups keeping every user, and the
 * upgrade of a format-1 file (tests/store/data/format1.nlg), including
 * every state a crash can leave in the middle of it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "needlelog/crypt.h"
#include "header.h"
#include "tu.h"

#define HDR 4096
#define ALICE "Zelda Quartermain"
#define BOB "Bartholomew Quince"
#define ALICE_PASS "alice's own long passphrase"
#define BOB_PASS "bob has another one entirely"

static void cred(struct store_pass *p, const char *user, const char *pass)
{
	struct nl_err err = { 0 };

	tu_pass(p, pass);
	if (store_pass_user(p, user, &err) != NL_OK)
		fail_msg("store_pass_user: %s", err.msg);
}

static int open_as(const char *path, const char *user, const char *pass,
		   struct store **s, struct nl_err *err)
{
	struct store_pass p;
	int rc;

	cred(&p, user, pass);
	rc = store_open(path, &p, s, err);
	store_pass_free(&p);
	return rc;
}

static void must_open(const char *path, const char *user, const char *pass,
		      const char *want_user)
{
	struct nl_err err = { 0 };
	struct store *s = NULL;

	if (open_as(path, user, pass, &s, &err) != NL_OK)
		fail_msg("%s should open as %s: %s", path, user ? user : "(only user)", err.msg);
	assert_string_equal(store_user(s), want_user);
	assert_int_equal(store_check(s, NULL, NULL, &err), NL_OK);
	store_close(s);
}

static void must_refuse(const char *path, const char *user, const char *pass, int want)
{
	struct nl_err err = { 0 };
	struct store *s = NULL;
	int rc = open_as(path, user, pass, &s, &err);

	if (rc != want)
		fail_msg("%s as %s: status %d (%s), want %d", path, user ? user : "(none)",
			 rc, err.msg, want);
	assert_null(s);
}

/* A file made by ALICE, with BOB added. */
static void two_user_file(struct tu_files *f, const char *tag)
{
	struct store_pass p, q;
	struct nl_err err = { 0 };
	struct store *s;

	tu_files_init(f, tag);
	cred(&p, ALICE, ALICE_PASS);
	assert_int_equal(store_create(f->db, &p, STORE_KDF_DEFAULT, &s, &err), NL_OK);
	assert_string_equal(store_user(s), ALICE);
	tu_exec(s, "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB);"
		   "INSERT INTO t (v) VALUES (x'0102'), (x'0304')");
	tu_pass(&q, BOB_PASS);
	if (store_user_add(s, BOB, &q, STORE_KDF_DEFAULT, &err) != NL_OK)
		fail_msg("user add: %s", err.msg);
	/* The same name twice is refused. */
	assert_int_equal(store_user_add(s, BOB, &q, STORE_KDF_DEFAULT, &err), NL_EEXIST);
	store_pass_free(&q);
	store_pass_free(&p);
	store_close(s);
}

static void two_users(void **state)
{
	char (*names)[STORE_USER_NAME_MAX + 1];
	struct nl_err err = { 0 };
	struct tu_files f;
	struct store *s;
	size_t n;

	(void)state;
	two_user_file(&f, "twousers");
	must_open(f.db, ALICE, ALICE_PASS, ALICE);
	must_open(f.db, BOB, BOB_PASS, BOB);
	/* Only one's own passphrase opens one's own slot. */
	must_refuse(f.db, ALICE, BOB_PASS, NL_EPASS);
	must_refuse(f.db, BOB, ALICE_PASS, NL_EPASS);
	must_refuse(f.db, "Nobody", ALICE_PASS, NL_EPASS);
	/* Several users and none named: a usage error, nothing tried. */
	must_refuse(f.db, NULL, ALICE_PASS, NL_EUSAGE);
	assert_int_equal(store_file_user_count(f.db, (int *)&n, &err), NL_OK);
	assert_int_equal((int)n, 2);

	assert_int_equal(open_as(f.db, BOB, BOB_PASS, &s, &err), NL_OK);
	assert_int_equal(store_users(s, &names, &n, &err), NL_OK);
	assert_int_equal(n, 2);
	assert_string_equal(names[0], BOB);
	assert_string_equal(names[1], ALICE);
	free(names);
	store_close(s);
	tu_rmdir(f.dir);
}

/* No name, nor any 8-byte piece of one, anywhere in the file. */
static void names_not_in_file(void **state)
{
	struct tu_files f;
	const char *where;
	uint8_t *buf;
	size_t len;

	(void)state;
	two_user_file(&f, "names");
	buf = tu_read(f.db, &len);
	assert_true(len > HDR);
	assert_false(tu_find_fragments(buf, len, ALICE, &where));
	assert_false(tu_find_fragments(buf, len, BOB, &where));
	assert_int_equal(tu_find(buf, HDR, "Quince", 6), -1);
	assert_int_equal(tu_find(buf, HDR, "Zelda", 5), -1);
	free(buf);
	tu_rmdir(f.dir);
}

static void removal(void **state)
{
	struct nl_err err = { 0 };
	struct tu_files f;
	struct store *s;
	int n;

	(void)state;
	two_user_file(&f, "remove");
	assert_int_equal(open_as(f.db, ALICE, ALICE_PASS, &s, &err), NL_OK);
	assert_int_equal(store_user_remove(s, "Nobody", &err), NL_ENOENT);
	assert_int_equal(store_user_remove(s, BOB, &err), NL_OK);
	/* The last user stays. */
	assert_int_equal(store_user_remove(s, ALICE, &err), NL_EUSAGE);
	store_close(s);
	must_refuse(f.db, BOB, BOB_PASS, NL_EPASS);
	must_open(f.db, ALICE, ALICE_PASS, ALICE);
	/* One user left: implied. */
	must_open(f.db, NULL, ALICE_PASS, ALICE);
	assert_int_equal(store_file_user_count(f.db, &n, &err), NL_OK);
	assert_int_equal(n, 1);
	tu_rmdir(f.dir);
}

static void ten_users(void **state)
{
	struct nl_err err = { 0 };
	struct store_pass p;
	struct tu_files f;
	char name[32], key[STORE_RECOVERY_TEXT + 1];
	struct store *s;

	(void)state;
	two_user_file(&f, "tenusers");
	assert_int_equal(open_as(f.db, ALICE, ALICE_PASS, &s, &err), NL_OK);
	assert_int_equal(store_recovery_new(s, STORE_KDF_DEFAULT, key, &err), NL_OK);
	tu_pass(&p, "a shared test passphrase");
	for (int i = 3; i <= STORE_USERS_MAX; i++) {
		snprintf(name, sizeof(name), "user %d", i);
		if (store_user_add(s, name, &p, STORE_KDF_DEFAULT, &err) != NL_OK)
			fail_msg("user %d: %s", i, err.msg);
	}
	assert_int_equal(store_user_add(s, "one too many", &p, STORE_KDF_DEFAULT, &err),
			 NL_EUSAGE);
	/* Full, and a passphrase change (new slot, then wipe) still works. */
	assert_int_equal(store_user_passwd(s, "user 7", &p, STORE_KDF_DEFAULT, &err), NL_OK);
	assert_int_equal(store_recovery_new(s, STORE_KDF_DEFAULT, key, &err), NL_OK);
	store_pass_free(&p);
	store_close(s);
	must_open(f.db, "user 10", "a shared test passphrase", "user 10");
	must_open(f.db, "user 7", "a shared test passphrase", "user 7");
	must_open(f.db, BOB, BOB_PASS, BOB);
	tu_rmdir(f.dir);
}

static void open_recovery(const char *path, const char *key, struct store **s,
			  int want)
{
	struct nl_err err = { 0 };
	struct store_pass p;

	assert_int_equal(store_recovery_parse(key, &p, &err), NL_OK);
	if (store_open(path, &p, s, &err) != want)
		fail_msg("recovery key: %s", err.msg);
	store_pass_free(&p);
}

static void recovery(void **state)
{
	char key[STORE_RECOVERY_TEXT + 1], old[STORE_RECOVERY_TEXT + 1];
	struct nl_err err = { 0 };
	struct store_pass p;
	struct tu_files f;
	struct store *s;

	(void)state;
	two_user_file(&f, "recovery");
	assert_int_equal(open_as(f.db, BOB, BOB_PASS, &s, &err), NL_OK);
	assert_int_equal(store_recovery_new(s, STORE_KDF_DEFAULT, key, &err), NL_OK);
	store_close(s);
	assert_int_equal(strlen(key), STORE_RECOVERY_TEXT);
	/* The key itself is not in the file. */
	{
		size_t len;
		uint8_t *buf = tu_read(f.db, &len);

		assert_int_equal(tu_find(buf, len, key, 11), -1);
		free(buf);
	}
	/* Alice forgot her passphrase: the recovery key sets a new one. */
	open_recovery(f.db, key, &s, NL_OK);
	assert_string_equal(store_user(s), "");
	tu_pass(&p, "alice remembers this one");
	assert_int_equal(store_user_passwd(s, ALICE, &p, STORE_KDF_DEFAULT, &err), NL_OK);
	/* Without a name, the recovery key has no user to change. */
	assert_int_equal(store_passwd(s, &p, STORE_KDF_DEFAULT, &err), NL_EUSAGE);
	store_pass_free(&p);
	store_close(s);
	must_refuse(f.db, ALICE, ALICE_PASS, NL_EPASS);
	must_open(f.db, ALICE, "alice remembers this one", ALICE);
	must_open(f.db, BOB, BOB_PASS, BOB);

	/* A new recovery key: the old one no longer opens the file. */
	memcpy(old, key, sizeof(old));
	assert_int_equal(open_as(f.db, ALICE, "alice remembers this one", &s, &err), NL_OK);
	assert_int_equal(store_recovery_new(s, STORE_KDF_DEFAULT, key, &err), NL_OK);
	store_close(s);
	assert_string_not_equal(old, key);
	open_recovery(f.db, old, &s, NL_EPASS);
	open_recovery(f.db, key, &s, NL_OK);
	store_close(s);
	tu_rmdir(f.dir);
}

/* A mistyped recovery key is caught by its check characters, naming the
 * group, before any KDF runs; case, spaces, O/I/L are forgiven. */
static void recovery_typos(void **state)
{
	char key[STORE_RECOVERY_TEXT + 1], typo[STORE_RECOVERY_TEXT + 8];
	static const char alpha[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	struct nl_err err = { 0 };
	struct store_pass p, q;
	struct tu_files f;
	struct store *s;
	int caught = 0, tried = 0;

	(void)state;
	two_user_file(&f, "typos");
	assert_int_equal(open_as(f.db, ALICE, ALICE_PASS, &s, &err), NL_OK);
	assert_int_equal(store_recovery_new(s, STORE_KDF_DEFAULT, key, &err), NL_OK);
	store_close(s);
	/* Every single-character substitution, in every position. */
	for (size_t i = 0; i < strlen(key); i++) {
		if (key[i] == '-')
			continue;
		for (const char *a = alpha; *a; a++) {
			if (*a == key[i])
				continue;
			memcpy(typo, key, sizeof(key));
			typo[i] = *a;
			tried++;
			if (store_recovery_parse(typo, &p, &err) == NL_EDATA &&
			    strstr(err.msg, "group"))
				caught++;
			store_pass_free(&p);
		}
	}
	assert_int_equal(caught, tried);
	/* The group is named. */
	memcpy(typo, key, sizeof(key));
	typo[13] = typo[13] == 'A' ? 'B' : 'A';
	assert_int_equal(store_recovery_parse(typo, &p, &err), NL_EDATA);
	assert_non_null(strstr(err.msg, "group 3"));
	/* Two groups swapped. */
	memcpy(typo, key + 6, 5);
	memcpy(typo + 6, key, 5);
	memcpy(typo + 12, key + 12, sizeof(key) - 12);
	typo[5] = '-';
	typo[11] = '-';
	assert_int_equal(store_recovery_parse(typo, &p, &err), NL_EDATA);
	/* Too short, a character that is not in the alphabet. */
	assert_int_equal(store_recovery_parse("ABCDE-12345", &p, &err), NL_EDATA);
	assert_non_null(strstr(err.msg, "characters"));
	memcpy(typo, key, sizeof(key));
	typo[0] = 'U';
	assert_int_equal(store_recovery_parse(typo, &p, &err), NL_EDATA);
	/* Lower case, spaces for dashes: the same key. */
	for (size_t i = 0; i < sizeof(key); i++)
		typo[i] = key[i] == '-' ? ' ' : (char)(key[i] >= 'A' ? key[i] + 32 : key[i]);
	assert_int_equal(store_recovery_parse(typo, &p, &err), NL_OK);
	assert_int_equal(store_recovery_parse(key, &q, &err), NL_OK);
	assert_int_equal(p.len, q.len);
	assert_memory_equal(p.buf, q.buf, p.len);
	assert_int_equal(store_open(f.db, &p, &s, &err), NL_OK);
	store_close(s);
	store_pass_free(&p);
	store_pass_free(&q);
	print_message("recovery key: %d of %d single-character typos caught\n", caught, tried);
	tu_rmdir(f.dir);
}

/* Re-key and backups keep every user and the recovery key. */
static void rekey_and_backup_keep_users(void **state)
{
	char key[STORE_RECOVERY_TEXT + 1], bak[TU_PATH_MAX];
	uint8_t *a, *b;
	struct nl_err err = { 0 };
	struct store_pass p;
	struct tu_files f;
	struct store *s;
	size_t la, lb;

	(void)state;
	two_user_file(&f, "rekeyusers");
	assert_int_equal(open_as(f.db, ALICE, ALICE_PASS, &s, &err), NL_OK);
	assert_int_equal(store_recovery_new(s, STORE_KDF_DEFAULT, key, &err), NL_OK);
	a = tu_read(f.db, &la);
	assert_int_equal(store_rekey(s, NULL, STORE_KDF_DEFAULT, &err), NL_OK);
	tu_join(bak, sizeof(bak), f.dir, "/backup.db");
	cred(&p, ALICE, ALICE_PASS);
	if (store_backup(s, bak, &p, NULL, NULL, &err) != NL_OK)
		fail_msg("backup: %s", err.msg);
	store_pass_free(&p);
	store_close(s);
	b = tu_read(f.db, &lb);
	assert_memory_not_equal(a + 32, b + 32, 16); /* a new file id */
	free(a);
	free(b);
	must_open(f.db, ALICE, ALICE_PASS, ALICE);
	must_open(f.db, BOB, BOB_PASS, BOB);
	must_open(bak, BOB, BOB_PASS, BOB);
	open_recovery(f.db, key, &s, NL_OK);
	store_close(s);
	open_recovery(bak, key, &s, NL_OK);
	store_close(s);
	/* Re-key with a new passphrase for the one re-keying, others kept. */
	assert_int_equal(open_as(f.db, BOB, BOB_PASS, &s, &err), NL_OK);
	tu_pass(&p, "bob rotated everything");
	assert_int_equal(store_rekey(s, &p, STORE_KDF_DEFAULT, &err), NL_OK);
	store_pass_free(&p);
	store_close(s);
	must_refuse(f.db, BOB, BOB_PASS, NL_EPASS);
	must_open(f.db, BOB, "bob rotated everything", BOB);
	must_open(f.db, ALICE, ALICE_PASS, ALICE);
	tu_rmdir(f.dir);
}

/* A backup derives the key once, the open's (issue 15): the copy's data
 * key is sealed to the slots' public keys and the copy is verified with
 * the key pair kept since the open. Each of the two users and the
 * recovery key backs up, and each copy opens with all three. */
static void backup_as(const char *db, const char *bak, const char *user,
		      const char *pass, const char *key)
{
	struct nl_err err = { 0 };
	struct store_pass p;
	struct store *s = NULL;
	uint64_t before = crypt_kdf_runs();

	if (key)
		assert_int_equal(store_recovery_parse(key, &p, &err), NL_OK);
	else
		cred(&p, user, pass);
	if (store_open(db, &p, &s, &err) != NL_OK)
		fail_msg("open as %s: %s", key ? "recovery" : user, err.msg);
	if (store_backup(s, bak, &p, NULL, NULL, &err) != NL_OK)
		fail_msg("backup as %s: %s", key ? "recovery" : user, err.msg);
	store_close(s);
	store_pass_free(&p);
	if (crypt_kdf_runs() - before != 1)
		fail_msg("open + backup as %s derived the key %llu times, not once",
			 key ? "recovery" : user,
			 (unsigned long long)(crypt_kdf_runs() - before));
}

static void copy_opens_for_all(const char *bak, const char *key)
{
	struct store *s = NULL;

	must_open(bak, ALICE, ALICE_PASS, ALICE);
	must_open(bak, BOB, BOB_PASS, BOB);
	must_refuse(bak, ALICE, BOB_PASS, NL_EPASS);
	open_recovery(bak, key, &s, NL_OK);
	store_close(s);
}

static void backup_derives_once(void **state)
{
	char key[STORE_RECOVERY_TEXT + 1], bak[TU_PATH_MAX];
	struct nl_err err = { 0 };
	struct store_pass p;
	struct tu_files f;
	struct store *s;

	(void)state;
	two_user_file(&f, "backuponce");
	assert_int_equal(open_as(f.db, ALICE, ALICE_PASS, &s, &err), NL_OK);
	assert_int_equal(store_recovery_new(s, STORE_KDF_DEFAULT, key, &err), NL_OK);
	store_close(s);
	tu_join(bak, sizeof(bak), f.dir, "/by-alice.db");
	backup_as(f.db, bak, ALICE, ALICE_PASS, NULL);
	copy_opens_for_all(bak, key);
	tu_join(bak, sizeof(bak), f.dir, "/by-bob.db");
	backup_as(f.db, bak, BOB, BOB_PASS, NULL);
	copy_opens_for_all(bak, key);
	tu_join(bak, sizeof(bak), f.dir, "/by-recovery.db");
	backup_as(f.db, bak, NULL, NULL, key);
	copy_opens_for_all(bak, key);
	/* A copy of a copy: the slots carried twice still open. */
	tu_join(f.db, sizeof(f.db), f.dir, "/by-bob.db");
	tu_join(bak, sizeof(bak), f.dir, "/by-bob-again.db");
	backup_as(f.db, bak, BOB, BOB_PASS, NULL);
	copy_opens_for_all(bak, key);

	/* The unlocking slot replaced since the open (a new passphrase): the
	 * kept key opens nothing, so the copy is verified with the new one. */
	assert_int_equal(open_as(f.db, ALICE, ALICE_PASS, &s, &err), NL_OK);
	cred(&p, ALICE, "alice changed hers");
	assert_int_equal(store_passwd(s, &p, STORE_KDF_DEFAULT, &err), NL_OK);
	tu_join(bak, sizeof(bak), f.dir, "/after-passwd.db");
	if (store_backup(s, bak, &p, NULL, NULL, &err) != NL_OK)
		fail_msg("backup after passwd: %s", err.msg);
	store_pass_free(&p);
	store_close(s);
	must_open(bak, ALICE, "alice changed hers", ALICE);
	must_refuse(bak, ALICE, ALICE_PASS, NL_EPASS);
	must_open(bak, BOB, BOB_PASS, BOB);
	tu_rmdir(f.dir);
}

/* The KDF-free unlock a backup's verification uses refuses what a real
 * unlock would: a secret key that is not the slot's, a wrap no slot of
 * the user's carries, another user's wrap; and header_same_slots sees a
 * slot missing. */
static void unlock_by_key_refuses(void **state)
{
	uint8_t dek[NL_KEY_BYTES], dek2[NL_KEY_BYTES], sk[crypto_box_SECRETKEYBYTES];
	uint8_t wrap[HDR_SLOT_SIZE], bad[crypto_box_SECRETKEYBYTES];
	char name[STORE_USER_NAME_MAX + 1];
	struct nl_err err = { 0 };
	struct header h, g;
	struct store_pass p;
	struct tu_files f;
	uint8_t *raw;
	size_t len;
	int slot = -1;

	(void)state;
	two_user_file(&f, "bykey");
	raw = tu_read(f.db, &len);
	memcpy(h.raw, raw, HDR_SIZE);
	free(raw);
	assert_int_equal(header_parse(&h, &err), NL_OK);
	cred(&p, ALICE, ALICE_PASS);
	assert_int_equal(header_unlock(&h, ALICE, false, &p, dek, sk, &slot, name, &err), NL_OK);
	store_pass_free(&p);
	memcpy(wrap, h.raw + HDR_SLOT_OFF(slot), HDR_SLOT_SIZE);
	/* The right key: the same data key and name, no KDF. */
	assert_int_equal(header_unlock_by_key(&h, ALICE, false, wrap, sk, dek2, NULL, name,
					      &err), NL_OK);
	assert_memory_equal(dek, dek2, sizeof(dek));
	assert_string_equal(name, ALICE);
	/* Another secret key. */
	memcpy(bad, sk, sizeof(bad));
	bad[5] ^= 1; /* not bit 0: X25519 clamps the low bits away */
	assert_int_equal(header_unlock_by_key(&h, ALICE, false, wrap, bad, dek2, NULL, name,
					      &err), NL_EHEADER);
	/* Alice's wrap is not Bob's slot. */
	assert_int_equal(header_unlock_by_key(&h, BOB, false, wrap, sk, dek2, NULL, name,
					      &err), NL_EPASS);
	/* A wrap changed by one byte (the salt) is carried by no slot. */
	wrap[40] ^= 1;
	assert_int_equal(header_find_wrap(&h, wrap), -1);
	assert_int_equal(header_unlock_by_key(&h, ALICE, false, wrap, sk, dek2, NULL, name,
					      &err), NL_EPASS);
	/* A header missing one of the slots is not the same. */
	g = h;
	assert_true(header_same_slots(&h, &g));
	header_clear_slot(&g, slot);
	assert_false(header_same_slots(&h, &g));
	sodium_memzero(sk, sizeof(sk));
	tu_rmdir(f.dir);
}

/* ---- format 1 ---- */

#define OLD_PASS "old format passphrase"

static void format1_copy(const struct tu_files *f)
{
	char src[TU_PATH_MAX];
	const char *root = getenv("SOURCE_ROOT");

	snprintf(src, sizeof(src), "%s/tests/store/data/format1.nlg", root ? root : ".");
	if (!tu_exists(src))
		fail_msg("no %s (set SOURCE_ROOT)", src);
	tu_copy(src, f->db);
}

static uint32_t version_of(const uint8_t *h)
{
	return (uint32_t)h[16] << 24 | (uint32_t)h[17] << 16 | (uint32_t)h[18] << 8 | h[19];
}

/* Opens with the old passphrase as "vera", checks the records, and leaves
 * a format-2 file. */
static void upgrade_opens(const char *path, const uint8_t *ref)
{
	struct nl_err err = { 0 };
	struct store_pass p;
	struct store *s = NULL;
	uint8_t got[32], *buf;
	size_t len;

	tu_pass(&p, OLD_PASS);
	assert_int_equal(store_pass_first_user(&p, "vera", &err), NL_OK);
	if (store_open(path, &p, &s, &err) != NL_OK)
		fail_msg("the old file should open: %s", err.msg);
	store_pass_free(&p);
	assert_int_equal(store_check(s, NULL, NULL, &err), NL_OK);
	tu_digest(s, got);
	assert_memory_equal(got, ref, 32);
	store_close(s);
	buf = tu_read(path, &len);
	assert_int_equal(version_of(buf), 2);
	free(buf);
	must_open(path, "vera", OLD_PASS, "vera");
	must_open(path, NULL, OLD_PASS, "vera");
}

static void format1_upgrade(void **state)
{
	struct nl_err err = { 0 };
	struct store_slot_report r;
	struct store_pass p;
	struct tu_files f;
	struct store *s;
	uint8_t ref[32], *orig, *up, *buf;
	size_t lo, lu;

	(void)state;
	tu_files_init(&f, "format1");
	format1_copy(&f);
	orig = tu_read(f.db, &lo);
	assert_int_equal(version_of(orig), 1);
	/* Read-only: opened as it is, not upgraded. */
	tu_pass(&p, OLD_PASS);
	assert_int_equal(store_open_ro(f.db, &p, &s, &err), NL_OK);
	tu_digest(s, ref);
	assert_string_equal(store_user(s), "owner");
	store_close(s);
	store_pass_free(&p);
	buf = tu_read(f.db, &lu);
	assert_memory_equal(buf, orig, lo);
	free(buf);

	upgrade_opens(f.db, ref);
	up = tu_read(f.db, &lu);
	assert_int_equal(lu, lo);
	/* Only the header changed; the pages are as they were. */
	assert_memory_equal(up + HDR, orig + HDR, lo - HDR);
	{
		struct store_pass v;

		cred(&v, "vera", OLD_PASS);
		assert_int_equal(store_open(f.db, &v, &s, &err), NL_OK);
		store_pass_free(&v);
		assert_int_equal(store_slot_report(s, &r, &err), NL_OK);
		assert_int_equal(r.version, 2);
		assert_int_equal(r.users, 1);
		assert_false(r.recovery);
		assert_int_equal(r.damaged, 0);
		store_close(s);
	}

	/* Every state an upgrade cut short can leave: (1) torn new slot,
	 * (2) new slot in, (3) format 1's slots half wiped (a torn write),
	 * (4) both wiped, version still 1. Each opens with the old
	 * passphrase, the same records, and ends upgraded. */
	for (int k = 1; k <= 4; k++) {
		memcpy(buf = malloc(lo), orig, lo);
		memcpy(buf + 1536, up + 1536, k == 1 ? 64 : 320);
		if (k >= 3)
			memset(buf + 512, 0, k == 3 ? 512 : 1024);
		tu_write(f.db, buf, lo);
		upgrade_opens(f.db, ref);
		free(buf);
	}
	free(orig);
	free(up);
	tu_rmdir(f.dir);
}

/* docs/threat-model.md: one page put back to an older version of itself
 * (same number, same key, same file) authenticates, and when the tree's
 * shape is unchanged SQLite's integrity check cannot tell either: check
 * passes and a change is silently lost. */
static void page_rollback_passes_check(void **state)
{
	struct nl_err err = { 0 };
	struct tu_files f;
	struct store *s;
	uint8_t *a, *b;
	size_t la, lb;
	int rolled = 0;

	(void)state;
	tu_files_init(&f, "rollback");
	tu_make_db(f.db, 40, 60);
	a = tu_read(f.db, &la);
	assert_int_equal(tu_open_check(f.db, &s, &err), NL_OK);
	tu_exec(s, "UPDATE t SET v = zeroblob(60) WHERE id = 5");
	store_close(s);
	b = tu_read(f.db, &lb);
	assert_int_equal(la, lb);
	/* every changed page but page 1 (the change counter) goes back */
	for (size_t off = 2 * 4096; off < lb; off += 4096)
		if (memcmp(a + off, b + off, 4096) != 0) {
			memcpy(b + off, a + off, 4096);
			rolled++;
		}
	assert_int_equal(rolled, 1);
	tu_write(f.db, b, lb);
	assert_int_equal(tu_open_check(f.db, &s, &err), NL_OK);
	/* the update is gone, and nothing said so */
	assert_int_equal(tu_int(store_db(s), "SELECT count(*) FROM t WHERE id = 5 AND "
					   "v = zeroblob(60)"), 0);
	store_close(s);
	free(a);
	free(b);
	tu_rmdir(f.dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(two_users),
		cmocka_unit_test(names_not_in_file),
		cmocka_unit_test(removal),
		cmocka_unit_test(ten_users),
		cmocka_unit_test(recovery),
		cmocka_unit_test(recovery_typos),
		cmocka_unit_test(rekey_and_backup_keep_users),
		cmocka_unit_test(backup_derives_once),
		cmocka_unit_test(unlock_by_key_refuses),
		cmocka_unit_test(format1_upgrade),
		cmocka_unit_test(page_rollback_passes_check),
	};

	tu_global_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
