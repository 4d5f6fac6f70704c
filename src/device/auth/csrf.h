/* The Boot UI's CSRF token (reference §7.4): 32 random bytes as unpadded
 * URL-safe base64, made once per process and embedded in the page's form;
 * POST /apply must send it back. It is not authentication: it only proves the
 * form came from a page this process served. Pure apart from the randomness;
 * thread-safe. */
#pragma once

#include <glib.h>

/* A new token (43 characters); NULL with @error when there is no randomness. */
char *atx_csrf_token_new(GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Does @given equal @expected? Time depends only on the lengths, never on
 * where they differ. NULL or empty @given is FALSE. */
gboolean atx_csrf_token_matches(const char *expected, const char *given);
