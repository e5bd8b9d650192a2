/* The 4096-byte plaintext container header in front of the SQLite pages.
 * Layout: docs/file-format.md. Private to the store layer.
 *
 * Format 2 holds up to HDR_SLOTS key slots: one per user (their passphrase
 * unwraps their own X25519 secret key, which opens the data key sealed to
 * their public key) and one for the recovery key. Format 1 (two slots
 * wrapping the data key under one passphrase) is still read, and upgraded
 * in place by store.c. */
#ifndef NL_STORE_HEADER_H
#define NL_STORE_HEADER_H

#include <stdbool.h>
#include <stdint.h>

#include "needlelog/crypt.h"
#include "needlelog/err.h"
#include "needlelog/store.h"

#define HDR_SIZE 4096
#define HDR_FIXED_LEN 48
#define HDR_SALT_BYTES 16
#define HDR_VERSION_OFF 16

/* Format 2 slots: 12 of 320 bytes from offset 256. */
#define HDR_SLOTS 12
#define HDR_SLOT_SIZE 320
#define HDR_SLOT_BASE 256
#define HDR_SLOT_OFF(i) (HDR_SLOT_BASE + (i) * HDR_SLOT_SIZE)
/* The first format-2 slot past format 1's slots (offset 1536): where an
 * upgrade writes the new slot before format 1's slots are wiped. */
#define HDR_UPGRADE_SLOT 4

/* Format 1: two 512-byte slots at 512 and 1024. */
#define HDR_V1_SLOTS 2
#define HDR_V1_SLOT_SIZE 512

enum slot_kind { SLOT_NONE = 0, SLOT_USER = 1, SLOT_RECOVERY = 2 };
enum slot_state { SLOT_FREE, SLOT_INTACT, SLOT_DAMAGED };

struct header_slot {
	enum slot_state state; /* FREE: all zero; INTACT: hash, kind, KDF good */
	enum slot_kind kind;
	uint64_t seq;
	struct crypt_kdf kdf;
};

struct header {
	uint8_t raw[HDR_SIZE];
	uint8_t file_id[NL_FILE_ID_BYTES];
	uint32_t version;                     /* 1 or 2 */
	struct header_slot v1[HDR_V1_SLOTS];  /* format 1 only */
	/* Format 2; in a format-1 header only HDR_UPGRADE_SLOT and above (an
	 * upgrade that a crash interrupted). */
	struct header_slot slot[HDR_SLOTS];
};

/* A fresh format-2 header with a random file id and no key slots. */
void header_new(struct header *h);

/* Parses raw. NL_ENOTFILE: wrong magic; NL_EHEADER: a damaged fixed part,
 * non-zero padding or no intact key slot. */
int header_parse(struct header *h, struct nl_err *err);

/* Only the fixed part: what the VFS checks on every open. */
int header_check_fixed(const uint8_t *raw, uint8_t *file_id);

/* ---- format 1 --------------------------------------------------------- */

/* Unwraps the data key from a format-1 slot, newest first. NL_EPASS if
 * none opened. */
int header_v1_unwrap(const struct header *h, const struct store_pass *pass,
		     uint8_t *dek, struct nl_err *err);
bool header_v1_any(const struct header *h);

/* ---- format 2 --------------------------------------------------------- */

/* Opens the data key. user NULL with recovery false: the only user (NL_EUSAGE
 * when there are several). recovery: pass is the recovery key's canonical
 * text. sk (may be NULL; crypto_box_SECRETKEYBYTES of guarded memory) gets
 * the slot's unwrapped secret key, *slot the slot that opened, name (HDR
 * NAME bytes + 1) the user's name (empty for the recovery key). NL_EPASS:
 * wrong passphrase or no such user. */
int header_unlock(const struct header *h, const char *user, bool recovery,
		  const struct store_pass *pass, uint8_t *dek, uint8_t *sk,
		  int *slot, char *name, struct nl_err *err);

/* Opens the data key as header_unlock does, for the same user, without the
 * KDF: among that user's candidate slots, the one that carries wrap (the
 * HDR_SLOT_SIZE bytes of the slot a passphrase opened, in this file or
 * another that header_reseal carried it from) byte for byte, opened with
 * its secret key sk. NL_EPASS: no candidate carries it; NL_EHEADER: it
 * does, and sk does not open it. */
int header_unlock_by_key(const struct header *h, const char *user, bool recovery,
			 const uint8_t *wrap, const uint8_t *sk, uint8_t *dek,
			 int *slot, char *name, struct nl_err *err);
/* The intact slot that carries wrap; -1 if none. */
int header_find_wrap(const struct header *h, const uint8_t *wrap);
/* Whether b holds exactly a's intact slots, at the same places, each of
 * the same kind with the same wrap: what header_reseal makes of a. */
bool header_same_slots(const struct header *a, const struct header *b);

/* Fills slot i: a new key pair, its secret key wrapped under pass, dek
 * sealed to it, name encrypted under dek (NULL for the recovery key). */
int header_make_slot(struct header *h, int i, enum slot_kind kind,
		     uint64_t seq, const char *name,
		     const struct store_pass *pass, const struct crypt_kdf *kdf,
		     const uint8_t *dek, struct nl_err *err);

/* The name in intact user slot i, decrypted with dek, into name
 * (STORE_USER_NAME_MAX + 1 bytes). -1 if it does not decrypt. */
int header_slot_name(const struct header *h, int i, const uint8_t *dek,
		     char *name);

/* Every intact slot of from, carried into to (which has its own file id):
 * dek_to sealed to each slot's public key, names re-encrypted, lookup
 * tags made for to's file id. Passphrases are not needed. */
int header_reseal(const struct header *from, const uint8_t *dek_from,
		  struct header *to, const uint8_t *dek_to, struct nl_err *err);

/* Slots of user name (intact, newest first) into idx; returns how many. */
int header_user_slots(const struct header *h, const char *name, int *idx,
		      int max);
/* Intact user slots counted once per user. */
int header_user_count(const struct header *h);
/* The intact recovery slot, newest; -1 if none. */
int header_recovery_slot(const struct header *h);
/* A slot to write into: free first, then damaged; -1 if none. */
int header_spare_slot(const struct header *h);
uint64_t header_max_seq(const struct header *h);

void header_clear_slot(struct header *h, int slot);

/* Whether name may be a user's name: 1..STORE_USER_NAME_MAX bytes, no
 * control characters. */
bool header_name_ok(const char *name);

/* A new recovery key's text (STORE_RECOVERY_TEXT + 1 bytes). */
void recovery_generate(char *key);

#endif
