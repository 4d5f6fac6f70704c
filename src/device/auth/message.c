#include "device/auth/message.h"

#include <string.h>

#include "core/base/error.h"

void
atx_auth_message_clear(AtxAuthMessage *message)
{
  g_clear_pointer(&message->method, g_free);
  g_clear_pointer(&message->nonce, g_free);
  g_clear_pointer(&message->path, g_free);
  g_clear_pointer(&message->sha256, g_free);
}

char *
atx_auth_message_format(const AtxAuthMessage *message)
{
  if (message->version == 1)
    return g_strdup_printf(ATX_AUTH_MESSAGE_V1 "\nnonce:%s\npath:%s\nsha256:%s\n", message->nonce, message->path,
                           message->sha256);
  return g_strdup_printf(ATX_AUTH_MESSAGE_V2 "\nmethod:%s\nnonce:%s\npath:%s\nsha256:%s\n", message->method,
                         message->nonce, message->path, message->sha256);
}

/* The value of the line "<name>:<value>" at *@p, advancing past it. */
static char *
take_field(const char **p, const char *end, const char *name)
{
  gsize name_len = strlen(name);
  if ((gsize) (end - *p) <= name_len || memcmp(*p, name, name_len) != 0 || (*p)[name_len] != ':')
    return NULL;
  const char *value = *p + name_len + 1;
  const char *newline = memchr(value, '\n', (gsize) (end - value));
  if (!newline)
    return NULL;
  for (const char *c = value; c < newline; c++)
    if ((guchar) *c < 0x20 || *c == 0x7f)
      return NULL;
  *p = newline + 1;
  return g_strndup(value, (gsize) (newline - value));
}

static gboolean
is_lower_hex_sha256(const char *text)
{
  if (strlen(text) != 64)
    return FALSE;
  for (const char *c = text; *c; c++)
    if (!g_ascii_isdigit(*c) && !(*c >= 'a' && *c <= 'f'))
      return FALSE;
  return TRUE;
}

gboolean
atx_auth_message_parse(const char *text, gsize len, AtxAuthMessage *out, GError **error)
{
  g_auto(AtxAuthMessage) message = { 0 };
  const char *p = text, *end = text + len;
  gsize v_len = strlen(ATX_AUTH_MESSAGE_V1);
  if (len > v_len && memcmp(p, ATX_AUTH_MESSAGE_V1 "\n", v_len + 1) == 0)
    message.version = 1;
  else if (len > v_len && memcmp(p, ATX_AUTH_MESSAGE_V2 "\n", v_len + 1) == 0)
    message.version = 2;
  if (message.version) {
    p += v_len + 1;
    if (message.version == 2)
      message.method = take_field(&p, end, "method");
  }
  if (!message.version || (message.version == 2 && !message.method) ||
      !(message.nonce = take_field(&p, end, "nonce")) || !(message.path = take_field(&p, end, "path")) ||
      !(message.sha256 = take_field(&p, end, "sha256")) || p != end || !is_lower_hex_sha256(message.sha256)) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "not an %s or %s message", ATX_AUTH_MESSAGE_V1,
                ATX_AUTH_MESSAGE_V2);
    return FALSE;
  }
  *out = message;
  message = (AtxAuthMessage){ 0 };
  return TRUE;
}

char *
atx_sha256_hex(GBytes *data)
{
  gsize len = 0;
  const guint8 *bytes = data ? g_bytes_get_data(data, &len) : NULL;
  return g_compute_checksum_for_data(G_CHECKSUM_SHA256, bytes ? bytes : (const guint8 *) "", len);
}
