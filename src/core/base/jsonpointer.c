#include "core/base/jsonpointer.h"

#include "core/base/error.h"

void
atx_json_pointer_append_len(GString *pointer, const char *token, gsize len)
{
  g_string_append_c(pointer, '/');
  for (gsize i = 0; i < len; i++) {
    if (token[i] == '~')
      g_string_append(pointer, "~0");
    else if (token[i] == '/')
      g_string_append(pointer, "~1");
    else
      g_string_append_c(pointer, token[i]);
  }
}

void
atx_json_pointer_append(GString *pointer, const char *token)
{
  atx_json_pointer_append_len(pointer, token, strlen(token));
}

void
atx_json_pointer_append_index(GString *pointer, gsize index)
{
  g_string_append_printf(pointer, "/%" G_GSIZE_FORMAT, index);
}

char *
atx_json_pointer_join(const char *base, const char *token)
{
  GString *s = g_string_new(base ? base : "");
  atx_json_pointer_append(s, token);
  return g_string_free(s, FALSE);
}

static gboolean
unescape_token(const char *start, gsize len, GString *out)
{
  for (gsize i = 0; i < len; i++) {
    if (start[i] != '~') {
      g_string_append_c(out, start[i]);
      continue;
    }
    if (i + 1 >= len)
      return FALSE;
    if (start[i + 1] == '0')
      g_string_append_c(out, '~');
    else if (start[i + 1] == '1')
      g_string_append_c(out, '/');
    else
      return FALSE;
    i++;
  }
  return TRUE;
}

GStrv
atx_json_pointer_split(const char *pointer, GError **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new();

  if (*pointer != '\0' && *pointer != '/') {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "JSON pointer must start with '/': %s", pointer);
    return NULL;
  }
  const char *p = pointer;
  while (*p == '/') {
    const char *start = p + 1;
    const char *end = strchr(start, '/');
    gsize len = end ? (gsize) (end - start) : strlen(start);
    g_autoptr(GString) token = g_string_new(NULL);
    if (!unescape_token(start, len, token)) {
      g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "invalid '~' escape in JSON pointer: %s", pointer);
      return NULL;
    }
    g_strv_builder_add(builder, token->str);
    p = start + len;
  }
  return g_strv_builder_end(builder);
}

gboolean
atx_json_pointer_parse_index(const char *token, gsize *index_out)
{
  if (token[0] == '\0' || (token[0] == '0' && token[1] != '\0'))
    return FALSE;
  guint64 value = 0;
  for (const char *p = token; *p; p++) {
    if (!g_ascii_isdigit(*p))
      return FALSE;
    if (value > (G_MAXSIZE - 9) / 10)
      return FALSE;
    value = value * 10 + (guint64) (*p - '0');
  }
  *index_out = (gsize) value;
  return TRUE;
}
