#include <stdio.h>
#include <sysexits.h>

#include "needlelog/err.h"

int nl_error(struct nl_err *err, int status, const char *fmt, ...)
{
	if (err) {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
		err->status = status;
	}
	return status;
}

static const int exit_codes[] = {
	[NL_OK] = EX_OK,
	[NL_EUSAGE] = EX_USAGE,
	[NL_EDATA] = EX_DATAERR,
	[NL_ENOENT] = EX_NOINPUT,
	[NL_EEXIST] = EX_CANTCREAT,
	[NL_EIO] = EX_IOERR,
	[NL_EAUTH] = EX_IOERR,
	[NL_ENOTFILE] = EX_IOERR,
	[NL_EHEADER] = EX_IOERR,
	[NL_EBUSY] = EX_TEMPFAIL,
	[NL_EPASS] = EX_NOPERM,
	[NL_ENOMEM] = EX_OSERR,
	[NL_EINTERNAL] = EX_SOFTWARE,
};

int nl_exit_code(int status)
{
	if (status < 0 || (size_t)status >= sizeof(exit_codes) / sizeof(exit_codes[0]))
		return EX_SOFTWARE;
	return exit_codes[status];
}
