#include "core/base/sshkey.h"

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

/* [*start, *end) without the whitespace g_strstrip() would remove. */
static void
trim_span(const char **start, const char **end)
{
  while (*start < *end && g_ascii_isspace(**start))
    (*start)++;
  while (*end > *start && g_ascii_isspace((*end)[-1]))
    (*end)--;
}

static gboolean
type_supported_len(const char *type, gsize len)
{
  for (guint i = 0; supported_types[i]; i++)
    if (supported_types[i][0] == type[0] && strncmp(supported_types[i], type, len) == 0 &&
        supported_types[i][len] == '\0')
      return TRUE;
  return FALSE;
}

/* A byte below 0x20 other than a tab, or DEL, in [@p, @end). A key line is
 * a few hundred printable characters, so they are looked at eight at a time
 * (bit tricks: a byte below n, a byte equal to zero); a word with a tab or
 * a control character is then looked at byte by byte. */
static gboolean
has_control_characters(const char *p, const char *end)
{
  const guint64 ones = G_GUINT64_CONSTANT(0x0101010101010101);
  const guint64 highs = ones << 7;
  for (; end - p >= 8; p += 8) {
    guint64 word, del;
    memcpy(&word, p, sizeof word);
    del = word ^ (0x7f * ones);
    if ((((word - 0x20 * ones) & ~word) | ((del - ones) & ~del)) & highs)
      break;
  }
  for (; p < end; p++)
    if ((*p >= 0 && *p < 0x20 && *p != '\t') || *p == 0x7f)
      return TRUE;
  return FALSE;
}

/* The base64 alphabet (without the '=' that pads). */
static const guint8 base64_char[256] = {
  ['+'] = 1,
  ['/'] = 1,
  ['0' ... '9'] = 1,
  ['A' ... 'Z'] = 1,
  ['a' ... 'z'] = 1,
};

static gboolean
is_blank(char c)
{
  return c == ' ' || c == '\t';
}

/* g_base64_decode() silently skips garbage, so the field is checked strictly
 * first: sshd would refuse what we let through otherwise. The field is the
 * alphabet, then at most two '=' that make the length a multiple of four;
 * returns the decoded size. */
static gboolean
base64_strict_check(const char *data, const char *end, gsize *decoded_size_out)
{
  const char *p = data;
  while (p < end && base64_char[(guchar) *p])
    p++;
  const char *pad_start = p;
  while (p < end && *p == '=')
    p++;
  gsize pad = (gsize) (p - pad_start), len = (gsize) (p - data);
  if ((p < end && !is_blank(*p)) || len == 0 || len % 4 != 0 || pad > 2)
    return FALSE;
  *decoded_size_out = len / 4 * 3 - pad;
  return TRUE;
}

static guint
base64_value(char c)
{
  if (c >= 'A' && c <= 'Z')
    return (guint) (c - 'A');
  if (c >= 'a' && c <= 'z')
    return (guint) (c - 'a') + 26;
  if (c >= '0' && c <= '9')
    return (guint) (c - '0') + 52;
  return c == '+' ? 62 : c == '/' ? 63 : 0; /* '=' pads with zero bits */
}

/* Decodes four characters of checked base64 into @out. */
static void
base64_decode_quad(const char *quad, guint8 out[3])
{
  guint32 bits = base64_value(quad[0]) << 18 | base64_value(quad[1]) << 12 |
                 base64_value(quad[2]) << 6 | base64_value(quad[3]);
  out[0] = (guint8) (bits >> 16);
  out[1] = (guint8) (bits >> 8);
  out[2] = (guint8) bits;
}

/* The wire format starts with the key type as an SSH string (a 32-bit length
 * and the bytes): it must be printable and the declared type. Only that
 * start of the blob is decoded. */
static AtxSshKeyProblem
check_blob(const char *base64, gsize size, const char *declared_type, gsize declared_len)
{
  if (size < 4)
    return ATX_SSH_KEY_BAD_BLOB;
  guint8 quad[3];
  guint32 name_len = 0;
  for (gsize i = 0; i < 4; i++) {
    if (i % 3 == 0)
      base64_decode_quad(base64 + i / 3 * 4, quad);
    name_len = name_len << 8 | quad[i % 3];
  }
  if (name_len == 0 || name_len > size - 4)
    return ATX_SSH_KEY_BAD_BLOB;
  gboolean same = name_len == declared_len;
  for (gsize i = 4; i < 4 + (gsize) name_len; i++) {
    if (i % 3 == 0)
      base64_decode_quad(base64 + i / 3 * 4, quad);
    guint8 byte = quad[i % 3];
    if (byte < 0x21 || byte > 0x7e)
      return ATX_SSH_KEY_BAD_BLOB;
    same = same && byte == (guint8) declared_type[i - 4];
  }
  return same ? ATX_SSH_KEY_OK : ATX_SSH_KEY_TYPE_MISMATCH;
}

AtxSshKeyProblem
atx_ssh_key_check(const char *text, const char **line_out, gsize *line_len_out)
{
  const char *line = text, *end = text + strlen(text);
  trim_span(&line, &end);
  if (has_control_characters(line, end))
    return ATX_SSH_KEY_CONTROL_CHARACTERS;

  const char *type_end = line;
  while (type_end < end && !is_blank(*type_end))
    type_end++;
  const char *data = type_end;
  while (data < end && is_blank(*data))
    data++;
  if (type_end == line || data == end)
    return ATX_SSH_KEY_MALFORMED;

  gsize type_len = (gsize) (type_end - line), size = 0;
  if (!type_supported_len(line, type_len))
    return ATX_SSH_KEY_UNSUPPORTED_TYPE;
  if (!base64_strict_check(data, end, &size))
    return ATX_SSH_KEY_BAD_BASE64;
  AtxSshKeyProblem problem = check_blob(data, size, line, type_len);
  if (problem == ATX_SSH_KEY_OK) {
    *line_out = line;
    *line_len_out = (gsize) (end - line);
  }
  return problem;
}

AtxSshKeyProblem
atx_ssh_key_parse(const char *text, AtxSshKey **key_out)
{
  const char *line;
  gsize line_len;
  AtxSshKeyProblem problem = atx_ssh_key_check(text, &line, &line_len);
  if (problem != ATX_SSH_KEY_OK)
    return problem;
  const char *type_end = line + strcspn(line, " \t");
  const char *data = type_end + strspn(type_end, " \t");
  g_autofree char *base64 = g_strndup(data, strcspn(data, " \t"));
  gsize blob_len = 0;
  guchar *blob = g_base64_decode(base64, &blob_len);

  AtxSshKey *key = g_new0(AtxSshKey, 1);
  key->line = g_strndup(line, line_len);
  key->type = g_strndup(line, (gsize) (type_end - line));
  key->blob = g_bytes_new_take(blob, blob_len);
  *key_out = key;
  return ATX_SSH_KEY_OK;
}
