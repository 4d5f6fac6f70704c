#include "device/auth/csrf.h"

#include <string.h>

#include "core/base/error.h"
#include "device/auth/random.h"

char *
atx_csrf_token_new(GError **error)
{
  guint8 bytes[32];
  if (!atx_random_bytes(bytes, sizeof bytes, error)) {
    g_prefix_error(error, "no randomness available for the bootstrap token: ");
    return NULL;
  }
  char *token = g_base64_encode(bytes, sizeof bytes);
  for (char *p = token; *p; p++)
    *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
  token[43] = '\0'; /* drop the '=' padding */
  return token;
}

gboolean
atx_csrf_token_matches(const char *expected, const char *given)
{
  if (!expected || !given || !*expected || !*given)
    return FALSE;
  gsize len = strlen(expected);
  if (strlen(given) != len)
    return FALSE;
  /* Constant time, like CRYPTO_memcmp (no libcrypto needed to compare). */
  volatile guchar difference = 0;
  for (gsize i = 0; i < len; i++)
    difference |= (guchar) (expected[i] ^ given[i]);
  return difference == 0;
}
