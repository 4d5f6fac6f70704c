/* The text a client signs for a request (namespace "atomixos-reapply").
 *
 * v1, the existing format (reference §7.2), binds the nonce, the URL path
 * (no query string) and the SHA-256 of the exact body (empty for GET and
 * DELETE), but not the method:
 *   "atomixos-reapply-v1\nnonce:<nonce>\npath:<path>\nsha256:<lowercase hex>\n"
 * v2 also binds the method (DESIGN §6.7):
 *   "atomixos-reapply-v2\nmethod:<METHOD>\nnonce:<nonce>\npath:<path>\nsha256:<hex>\n"
 * The server accepts both (v1 can be refused with AtxAuthOptions.require_method);
 * a v2 signature used with another method is refused.
 *
 * A client may also send what it signed, base64-encoded, in the optional
 * X-AtomixOS-Signed-Message header. It grants nothing (the signature must
 * verify over it and every field must match the request), but lets a refusal
 * name the field that differs: another path, method, nonce or a changed body. */
#pragma once

#include <glib.h>

#define ATX_AUTH_NAMESPACE "atomixos-reapply"
#define ATX_AUTH_MESSAGE_V1 "atomixos-reapply-v1"
#define ATX_AUTH_MESSAGE_V2 "atomixos-reapply-v2"

typedef struct {
  guint version; /* 1 or 2 */
  char *method;  /* NULL for v1 */
  char *nonce;
  char *path;
  char *sha256; /* 64 lowercase hex digits */
} AtxAuthMessage;

void atx_auth_message_clear(AtxAuthMessage *message);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(AtxAuthMessage, atx_auth_message_clear)

/* The text of @message (version 1 ignores the method). */
char *atx_auth_message_format(const AtxAuthMessage *message);
/* Parses exactly the text atx_auth_message_format() writes (@len bytes);
 * anything else fails with ATX_ERROR_INVALID. */
gboolean atx_auth_message_parse(const char *text, gsize len, AtxAuthMessage *out,
                                GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Lowercase hex SHA-256 of @data (NULL = empty). */
char *atx_sha256_hex(GBytes *data);
