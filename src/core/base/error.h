/* The project's GError domain for failures that are not about one input document
 * (those are diagnostics, see diag.h): bad arguments, I/O, limits, busy state. */
#pragma once

#include <glib.h>

#define ATX_ERROR (atx_error_quark())
GQuark atx_error_quark(void);

typedef enum {
  ATX_ERROR_FAILED,        /* anything without a more specific code */
  ATX_ERROR_INVALID,       /* malformed argument or input */
  ATX_ERROR_LIMIT,         /* a configured size/depth/count limit was exceeded */
  ATX_ERROR_NOT_FOUND,     /* a file, job or unit that must exist does not */
  ATX_ERROR_BUSY,          /* single flight: another job or lock holder is active */
  ATX_ERROR_IO,            /* a system call failed; the message names the path */
  ATX_ERROR_UNSUPPORTED,   /* input uses something we refuse rather than ignore */
} AtxErrorCode;

/* Sets @error to ATX_ERROR_IO with "<format>: <strerror(@errsv)>" and returns
 * FALSE, so a failed system call reads `return atx_set_errno_error(error, errno,
 * "cannot open %s", path);`. The message must name the path. */
gboolean atx_set_errno_error(GError **error, int errsv, const char *format, ...) G_GNUC_PRINTF(3, 4);
