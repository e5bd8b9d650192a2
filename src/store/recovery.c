/* The recovery key's text: 8 groups of 5 characters of Crockford's base32,
 * 4 random (20 bits) and a check character each. The check is Luhn mod 32
 * over the group's number and its five characters: it catches every single
 * mistyped character, most swaps of two neighbours, and a group typed in
 * the wrong place, before the slow KDF runs. */
#include <ctype.h>
#include <string.h>

#include <sodium.h>

#include "header.h"

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

#define GROUP 5
#define DATA 4

/* Luhn mod N (N = 32) over the values, with the group number in front. */
static int check_value(int group, const int *v)
{
	int seq[DATA + 1], factor = 2, sum = 0;

	seq[0] = group;
	memcpy(seq + 1, v, sizeof(int) * DATA);
	for (int i = DATA; i >= 0; i--) {
		int add = factor * seq[i];

		factor = factor == 2 ? 1 : 2;
		sum += add / 32 + add % 32;
	}
	return (32 - sum % 32) % 32;
}

void recovery_generate(char *key)
{
	uint8_t rnd[STORE_RECOVERY_GROUPS * DATA];
	char *o = key;

	randombytes_buf(rnd, sizeof(rnd));
	for (int g = 0; g < STORE_RECOVERY_GROUPS; g++) {
		int v[DATA];

		for (int i = 0; i < DATA; i++) {
			v[i] = rnd[g * DATA + i] & 31;
			*o++ = alphabet[v[i]];
		}
		*o++ = alphabet[check_value(g, v)];
		if (g + 1 < STORE_RECOVERY_GROUPS)
			*o++ = '-';
	}
	*o = '\0';
	sodium_memzero(rnd, sizeof(rnd));
}

/* A typed character's value, or -1: any case, O as 0, I and L as 1. */
static int value_of(int c)
{
	const char *p;

	c = toupper(c);
	if (c == 'O')
		c = '0';
	else if (c == 'I' || c == 'L')
		c = '1';
	p = c ? strchr(alphabet, c) : NULL;
	return p ? (int)(p - alphabet) : -1;
}

/* The typed characters without spaces and dashes, as values. */
static int collect(const char *typed, int *v, int *n, struct nl_err *err)
{
	*n = 0;
	for (const char *p = typed; *p; p++) {
		if (*p == '-' || *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			continue;
		if (*n == STORE_RECOVERY_GROUPS * GROUP)
			return nl_error(err, NL_EDATA, "recovery key: too long: it has %d groups "
					"of %d characters", STORE_RECOVERY_GROUPS, GROUP);
		v[*n] = value_of((unsigned char)*p);
		if (v[*n] < 0)
			return nl_error(err, NL_EDATA, "recovery key: '%c' is not one of its "
					"characters (0-9 and A-Z without I, L, O, U)",
					isprint((unsigned char)*p) ? *p : '?');
		(*n)++;
	}
	if (*n != STORE_RECOVERY_GROUPS * GROUP)
		return nl_error(err, NL_EDATA, "recovery key: %d characters; it has %d "
				"(%d groups of %d)", *n, STORE_RECOVERY_GROUPS * GROUP,
				STORE_RECOVERY_GROUPS, GROUP);
	return NL_OK;
}

int store_recovery_parse(const char *typed, struct store_pass *out,
			 struct nl_err *err)
{
	int v[STORE_RECOVERY_GROUPS * GROUP], n = 0, rc;
	char canon[STORE_RECOVERY_TEXT + 1], *o = canon;

	out->buf = NULL;
	out->len = 0;
	rc = collect(typed ? typed : "", v, &n, err);
	for (int g = 0; rc == NL_OK && g < STORE_RECOVERY_GROUPS; g++) {
		const int *gv = v + g * GROUP;

		if (check_value(g, gv) != gv[DATA])
			rc = nl_error(err, NL_EDATA, "recovery key: group %d (counting from 1) "
				      "has a typing mistake; nothing was tried", g + 1);
		for (int i = 0; i < GROUP; i++)
			*o++ = alphabet[gv[i]];
		if (g + 1 < STORE_RECOVERY_GROUPS)
			*o++ = '-';
	}
	*o = '\0';
	if (rc == NL_OK)
		rc = store_pass_set(out, canon, strlen(canon), err);
	if (rc == NL_OK)
		out->recovery = true;
	sodium_memzero(canon, sizeof(canon));
	sodium_memzero(v, sizeof(v));
	return rc;
}
