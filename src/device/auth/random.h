/* Secret random bytes for nonces and tokens, from the kernel's CSPRNG
 * (getrandom(2), which is also where OpenSSL's RAND_bytes gets its seed).
 * Not through libcrypto: the Boot UI makes its CSRF token at start-up, and
 * libcrypto is loaded only when a signature is checked (crypto_dl.h).
 * Thread-safe. */
#pragma once

#include <glib.h>

/* Fills @out with @len bytes (at most 256). Blocks only until the kernel's
 * pool is initialised, early at boot. */
gboolean atx_random_bytes(guint8 *out, gsize len, GError **error) G_GNUC_WARN_UNUSED_RESULT;
