#include "core/base/error.h"

G_DEFINE_QUARK(atx-error-quark, atx_error)

gboolean
atx_set_errno_error(GError **error, int errsv, const char *format, ...)
{
  if (!error)
    return FALSE;
  va_list args;
  va_start(args, format);
  g_autofree char *what = g_strdup_vprintf(format, args);
  va_end(args);
  g_set_error(error, ATX_ERROR, ATX_ERROR_IO, "%s: %s", what, g_strerror(errsv));
  return FALSE;
}
