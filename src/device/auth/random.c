#include "device/auth/random.h"

#include <errno.h>
#include <sys/random.h>

#include "core/base/error.h"

gboolean
atx_random_bytes(guint8 *out, gsize len, GError **error)
{
  if (len > 256) { /* getrandom(2) may return fewer bytes above 256; no caller needs more */
    g_set_error(error, ATX_ERROR, ATX_ERROR_FAILED, "%zu random bytes asked for, at most 256", len);
    return FALSE;
  }
  gsize done = 0;
  while (done < len) {
    ssize_t n = getrandom(out + done, len - done, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      int saved = n < 0 ? errno : EIO;
      g_set_error(error, ATX_ERROR, ATX_ERROR_FAILED, "getrandom: %s", g_strerror(saved));
      return FALSE;
    }
    done += (gsize) n;
  }
  return TRUE;
}
