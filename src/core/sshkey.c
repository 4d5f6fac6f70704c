#include "core/sshkey.h"

#include <string.h>

static const char *const supported_types[] = {
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "sk-ecdsa-sha2-nistp256@openssh.com",
  "ssh-ed25519",
  "sk-ssh-ed25519@openssh.com",
  "ssh-rsa",
  NULL,
};

gboolean
atx_ssh_key_type_supported(const char *type)
{
  return g_strv_contains((const char *const *) supported_types, type);
}

const char *
atx_ssh_key_supported_types_text(void)
{
  return "ecdsa-sha2-nistp256, ecdsa-sha2-nistp384, ecdsa-sha2-nistp521, "
         "sk-ecdsa-sha2-nistp256@openssh.com, ssh-ed25519, sk-ssh-ed25519@openssh.com, ssh-rsa";
}

void
atx_ssh_key_free(AtxSshKey *key)
{
  if (!key)
    return;
  g_free(key->line);
  g_free(key->type);
  g_clear_pointer(&key->blob, g_bytes_unref);
  g_free(key);
}

/* g_base64_decode() silently skips garbage, so the alphabet and padding are
 * checked first: sshd would refuse what we let through otherwise. */
static gboolean
base64_strict_decode(const char *text, gsize len, GBytes **out)
{
  if (len == 0 || len % 4 != 0)
    return FALSE;
  gsize pad = 0;
  for (gsize i = 0; i < len; i++) {
    char c = text[i];
    if (c == '=') {
      if (i < len - 2)
        return FALSE;
      pad++;
    } else if (pad > 0 || !(g_ascii_isalnum(c) || c == '+' || c == '/')) {
      return FALSE;
    }
  }
  g_autofree char *copy = g_strndup(text, len);
  gsize decoded_len = 0;
  guchar *decoded = g_base64_decode(copy, &decoded_len);
  *out = g_bytes_new_take(decoded, decoded_len);
  return TRUE;
}

static AtxSshKeyProblem
check_blob(GBytes *blob, const char *declared_type)
{
  gsize size = 0;
  const guint8 *data = g_bytes_get_data(blob, &size);
  if (size < 4)
    return ATX_SSH_KEY_BAD_BLOB;
  guint32 name_len = ((guint32) data[0] << 24) | ((guint32) data[1] << 16) |
                     ((guint32) data[2] << 8) | data[3];
  if (name_len == 0 || name_len > size - 4)
    return ATX_SSH_KEY_BAD_BLOB;
  for (guint32 i = 0; i < name_len; i++)
    if (data[4 + i] < 0x21 || data[4 + i] > 0x7e)
      return ATX_SSH_KEY_BAD_BLOB;
  if (strlen(declared_type) != name_len || memcmp(data + 4, declared_type, name_len) != 0)
    return ATX_SSH_KEY_TYPE_MISMATCH;
  return ATX_SSH_KEY_OK;
}

AtxSshKeyProblem
atx_ssh_key_parse(const char *text, AtxSshKey **key_out)
{
  g_autofree char *line = g_strstrip(g_strdup(text));
  for (const unsigned char *p = (const unsigned char *) line; *p; p++)
    if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
      return ATX_SSH_KEY_CONTROL_CHARACTERS;

  const char *type_end = line + strcspn(line, " \t");
  const char *data = type_end + strspn(type_end, " \t");
  gsize data_len = strcspn(data, " \t");
  if (type_end == line || data_len == 0)
    return ATX_SSH_KEY_MALFORMED;

  g_autofree char *type = g_strndup(line, (gsize) (type_end - line));
  if (!atx_ssh_key_type_supported(type))
    return ATX_SSH_KEY_UNSUPPORTED_TYPE;
  g_autoptr(GBytes) blob = NULL;
  if (!base64_strict_decode(data, data_len, &blob))
    return ATX_SSH_KEY_BAD_BASE64;
  AtxSshKeyProblem problem = check_blob(blob, type);
  if (problem != ATX_SSH_KEY_OK)
    return problem;

  AtxSshKey *key = g_new0(AtxSshKey, 1);
  key->line = g_steal_pointer(&line);
  key->type = g_steal_pointer(&type);
  key->blob = g_steal_pointer(&blob);
  *key_out = key;
  return ATX_SSH_KEY_OK;
}
