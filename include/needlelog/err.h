/* Status codes and the error record shared by every needlelog module.
 *
 * Library code never prints and never exits: it returns one of these codes
 * and fills an optional struct nl_err with a message a person can act on.
 * main() maps the code to a sysexits(3) exit status. */
#ifndef NEEDLELOG_ERR_H
#define NEEDLELOG_ERR_H

#include <stdarg.h>

enum nl_status {
	NL_OK = 0,
	NL_EUSAGE,     /* bad call or command line            -> 64 */
	NL_EDATA,      /* a value failed validation           -> 65 */
	NL_ENOENT,     /* no such file or record              -> 66 */
	NL_EEXIST,     /* would overwrite an existing file    -> 73 */
	NL_EIO,        /* I/O error, disk full                -> 74 */
	NL_EAUTH,      /* a page failed authentication        -> 74 */
	NL_ENOTFILE,   /* not a needlelog record file         -> 74 */
	NL_EHEADER,    /* container header damaged            -> 74 */
	NL_EBUSY,      /* another process holds the file      -> 75 */
	NL_EPASS,      /* wrong passphrase                    -> 77 */
	NL_ENOMEM,     /* out of memory (also the KDF's)      -> 71 */
	NL_EINTERNAL,  /* a bug or an unexpected SQLite error -> 70 */
};

struct nl_err {
	int status;
	char msg[512];
};

/* Records status and a printf-style message in err (if not NULL) and
 * returns status, so callers can write `return nl_error(err, ...)`. */
int nl_error(struct nl_err *err, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The sysexits(3) code for a status. */
int nl_exit_code(int status);

#endif
