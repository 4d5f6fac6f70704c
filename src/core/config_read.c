#include "core/config_private.h"

#include <string.h>

const AtxTomlValue *
atx_cfg_get(const AtxTomlValue *table, const char *key, AtxTomlType type)
{
  if (!table || atx_toml_value_type(table) != ATX_TOML_TABLE)
    return NULL;
  const AtxTomlValue *value = atx_toml_table_get(table, key);
  return value && atx_toml_value_type(value) == type ? value : NULL;
}

const char *
atx_cfg_string(const AtxTomlValue *table, const char *key)
{
  const AtxTomlValue *value = atx_cfg_get(table, key, ATX_TOML_STRING);
  if (!value)
    return NULL;
  gsize len = 0;
  const char *text = atx_toml_value_string(value, &len);
  /* A string with U+0000 inside was reported by atx_config_load_document(). */
  return strlen(text) == len ? text : NULL;
}

gboolean
atx_cfg_boolean(const AtxTomlValue *table, const char *key, gboolean *out)
{
  const AtxTomlValue *value = atx_cfg_get(table, key, ATX_TOML_BOOLEAN);
  if (value)
    *out = atx_toml_value_boolean(value);
  return value != NULL;
}

gboolean
atx_cfg_integer(const AtxTomlValue *table, const char *key, gint64 *out)
{
  const AtxTomlValue *value = atx_cfg_get(table, key, ATX_TOML_INTEGER);
  if (value)
    *out = atx_toml_value_integer(value);
  return value != NULL;
}

const char *
atx_cfg_item_string(const AtxTomlValue *array, guint index)
{
  const AtxTomlValue *item = atx_toml_array_get(array, index);
  if (atx_toml_value_type(item) != ATX_TOML_STRING)
    return NULL;
  gsize len = 0;
  const char *text = atx_toml_value_string(item, &len);
  return strlen(text) == len ? text : NULL;
}

char *
atx_cfg_trimmed(const char *text)
{
  return g_strstrip(g_strdup(text));
}

const char *
atx_cfg_trim(const char *text, char **copy)
{
  gsize len = strlen(text);
  /* g_strstrip()'s notion of whitespace. */
  if (len == 0 || (!g_ascii_isspace(text[0]) && !g_ascii_isspace(text[len - 1])))
    return text;
  *copy = atx_cfg_trimmed(text);
  return *copy;
}

/* Writes @value in decimal at @p; returns the end. */
static char *
put_decimal(char *p, guint value)
{
  char digits[10];
  guint n = 0;
  do {
    digits[n++] = (char) ('0' + value % 10);
    value /= 10;
  } while (value);
  while (n)
    *p++ = digits[--n];
  return p;
}

static char *
put_ipv4(char *p, guint32 addr)
{
  for (int shift = 24; shift >= 0; shift -= 8) {
    p = put_decimal(p, (addr >> shift) & 0xff);
    if (shift)
      *p++ = '.';
  }
  return p;
}

char *
atx_cfg_ipv4_text(guint32 addr)
{
  char text[16];
  return g_strndup(text, put_ipv4(text, addr) - text);
}

char *
atx_cfg_ipv4_cidr_text(guint32 addr, guint prefix)
{
  char text[32];
  char *end = put_ipv4(text, addr);
  *end++ = '/';
  end = put_decimal(end, prefix);
  return g_strndup(text, end - text);
}

/* Length of the escaped text of one step ("/" + token), as RFC 6901 writes it. */
static gsize
step_length(const AtxCfgPath *step)
{
  if (!step->parent)
    return strlen(step->key);
  if (!step->key) {
    gsize digits = 1;
    for (guint rest = step->index / 10; rest; rest /= 10)
      digits++;
    return 1 + digits;
  }
  gsize len = 1;
  for (const char *p = step->key; *p; p++)
    len += *p == '~' || *p == '/' ? 2 : 1;
  return len;
}

static char *
write_index_before(char *p, guint index)
{
  do {
    *--p = (char) ('0' + index % 10);
    index /= 10;
  } while (index);
  return p;
}

static char *
write_key_before(char *p, const char *key)
{
  for (const char *key_end = key + strlen(key); key_end > key;) {
    char c = *--key_end;
    if (c == '~' || c == '/') {
      *--p = c == '~' ? '0' : '1';
      c = '~';
    }
    *--p = c;
  }
  return p;
}

/* Writes the step so that it ends at @end; returns where it starts. */
static char *
write_step_before(char *end, const AtxCfgPath *step)
{
  if (!step->parent) {
    gsize len = strlen(step->key);
    return memcpy(end - len, step->key, len);
  }
  char *p = step->key ? write_key_before(end, step->key) : write_index_before(end, step->index);
  *--p = '/';
  return p;
}

gsize
atx_cfg_path_pointer_length(const AtxCfgPath *path)
{
  gsize len = 0;
  for (const AtxCfgPath *step = path; step; step = step->parent)
    len += step_length(step);
  return len;
}

/* From the leaf back to the root: the chain only links upwards. */
char *
atx_cfg_path_pointer_write(char *buffer, gsize len, const AtxCfgPath *path)
{
  buffer[len] = '\0';
  char *end = buffer + len;
  for (const AtxCfgPath *step = path; step; step = step->parent)
    end = write_step_before(end, step);
  return buffer;
}

const char *
atx_cfg_path_pointer_in(const AtxCfgPath *path, char *buffer, gsize size, char **heap)
{
  gsize len = atx_cfg_path_pointer_length(path);
  char *pointer = len < size ? buffer : (*heap = g_malloc(len + 1));
  return atx_cfg_path_pointer_write(pointer, len, path);
}

char *
atx_cfg_path_pointer(const AtxCfgPath *path)
{
  gsize len = atx_cfg_path_pointer_length(path);
  return atx_cfg_path_pointer_write(g_malloc(len + 1), len, path);
}

static AtxDiag *
add_at(AtxConfigBuild *build, AtxSeverity severity, const char *code, const AtxCfgPath *path,
       const char *format, va_list args) G_GNUC_PRINTF(5, 0);

static AtxDiag *
add_at(AtxConfigBuild *build, AtxSeverity severity, const char *code, const AtxCfgPath *path,
       const char *format, va_list args)
{
  g_autofree char *pointer = atx_cfg_path_pointer(path);
  return atx_diag_list_addv(build->diags, severity, code, pointer, format, args);
}

AtxDiag *
atx_cfg_error_at(AtxConfigBuild *build, const char *code, const AtxCfgPath *path,
                 const char *format, ...)
{
  va_list args;
  va_start(args, format);
  AtxDiag *diag = add_at(build, ATX_SEVERITY_ERROR, code, path, format, args);
  va_end(args);
  return diag;
}

AtxDiag *
atx_cfg_warning_at(AtxConfigBuild *build, const char *code, const AtxCfgPath *path,
                   const char *format, ...)
{
  va_list args;
  va_start(args, format);
  AtxDiag *diag = add_at(build, ATX_SEVERITY_WARNING, code, path, format, args);
  va_end(args);
  return diag;
}

void
atx_cfg_error(AtxConfigBuild *build, const char *code, const char *pointer, const char *format, ...)
{
  va_list args;
  va_start(args, format);
  atx_diag_list_addv(build->diags, ATX_SEVERITY_ERROR, code, pointer, format, args);
  va_end(args);
}

void
atx_cfg_warning(AtxConfigBuild *build, const char *code, const char *pointer, const char *format,
                ...)
{
  va_list args;
  va_start(args, format);
  atx_diag_list_addv(build->diags, ATX_SEVERITY_WARNING, code, pointer, format, args);
  va_end(args);
}
