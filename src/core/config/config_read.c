#include "core/config/config_private.h"

#include <string.h>

#include "core/base/net.h"

void
atx_cfg_fields(const AtxTomlValue *table, const AtxCfgField *fields, guint count, const AtxTomlValue **values)
{
  memset(values, 0, count * sizeof *values);
  if (!table || atx_toml_value_type(table) != ATX_TOML_TABLE)
    return;
  guint size = atx_toml_table_size(table);
  for (guint i = 0; i < size; i++) {
    const char *key = atx_toml_table_key(table, i);
    /* The length tells most keys apart and rules out a quoted key holding
     * U+0000 ("mode\u0000x" is not "mode"). */
    gsize len = atx_toml_table_key_length(table, i);
    for (guint n = 0; n < count; n++) {
      if (fields[n].len == len && fields[n].name[0] == key[0] && memcmp(fields[n].name, key, len) == 0) {
        values[n] = atx_toml_table_value(table, i);
        break;
      }
    }
  }
}

const AtxTomlValue *
atx_cfg_as(const AtxTomlValue *value, AtxTomlType type)
{
  return value && atx_toml_value_type(value) == type ? value : NULL;
}

const char *
atx_cfg_as_string(const AtxConfigBuild *build, const AtxTomlValue *value)
{
  if (!value || atx_toml_value_type(value) != ATX_TOML_STRING)
    return NULL;
  gsize len = 0;
  const char *text = atx_toml_value_string(value, &len);
  /* A string with U+0000 inside was reported by atx_config_load_document(). */
  return !build->may_hold_nul || strlen(text) == len ? text : NULL;
}

const AtxTomlValue *
atx_cfg_get(const AtxTomlValue *table, const char *key, AtxTomlType type)
{
  if (!table || atx_toml_value_type(table) != ATX_TOML_TABLE)
    return NULL;
  return atx_cfg_as(atx_toml_table_get(table, key), type);
}

const char *
atx_cfg_string(const AtxConfigBuild *build, const AtxTomlValue *table, const char *key)
{
  if (!table || atx_toml_value_type(table) != ATX_TOML_TABLE)
    return NULL;
  return atx_cfg_as_string(build, atx_toml_table_get(table, key));
}

const char *
atx_cfg_item_string(const AtxConfigBuild *build, const AtxTomlValue *array, guint index)
{
  return atx_cfg_as_string(build, atx_toml_array_get(array, index));
}

void
atx_cfg_trimmed_span(const char *text, const char **start, const char **end)
{
  while (g_ascii_isspace(*text))
    text++;
  const char *last = text + strlen(text);
  while (last > text && g_ascii_isspace(last[-1]))
    last--;
  *start = text;
  *end = last;
}

GPtrArray *
atx_cfg_empty_list(void)
{
  static GPtrArray *empty = NULL;
  if (g_once_init_enter(&empty))
    g_once_init_leave(&empty, g_ptr_array_new());
  return g_ptr_array_ref(empty);
}

GPtrArray *
atx_cfg_list_new(guint length)
{
  return length ? g_ptr_array_sized_new(length) : atx_cfg_empty_list();
}

char *
atx_cfg_strdup(AtxConfigBuild *build, const char *text)
{
  return atx_cfg_strndup(build, text, strlen(text));
}

char *
atx_cfg_strdup_trimmed(AtxConfigBuild *build, const char *text)
{
  const char *start, *end;
  atx_cfg_trimmed_span(text, &start, &end);
  return atx_cfg_strndup(build, start, (gsize) (end - start));
}

/* A lower-cased copy of the @len bytes at @text (as g_ascii_strdown()). */
static char *
atx_cfg_strdown(AtxConfigBuild *build, const char *text, gsize len)
{
  char *copy = atx_cfg_strndup(build, text, len);
  for (gsize i = 0; i < len; i++)
    if (copy[i] >= 'A' && copy[i] <= 'Z')
      copy[i] = (char) (copy[i] - 'A' + 'a');
  return copy;
}

char *
atx_cfg_ipv4_text(AtxConfigBuild *build, guint32 addr)
{
  char text[ATX_IPV4_TEXT_SIZE];
  return atx_cfg_strndup(build, text, atx_ipv4_format_into(text, addr));
}

char *
atx_cfg_ipv4_cidr_text(AtxConfigBuild *build, guint32 addr, guint prefix)
{
  char text[ATX_IPV4_CIDR_TEXT_SIZE];
  return atx_cfg_strndup(build, text, atx_ipv4_cidr_format_into(text, addr, prefix));
}

/* RFC 6901 writes '~' and '/' inside a token as two characters. Keys rarely
 * hold either, and then the token is the key itself. */
static gboolean
key_needs_escape(const char *key, gsize len)
{
  return memchr(key, '~', len) || memchr(key, '/', len);
}

static gsize
escaped_key_length(const char *key)
{
  gsize len = strlen(key);
  if (!key_needs_escape(key, len))
    return len;
  gsize escaped = len;
  for (const char *p = key; *p; p++)
    escaped += *p == '~' || *p == '/';
  return escaped;
}

static gsize
decimal_digits(guint value)
{
  gsize digits = 1;
  for (; value >= 10; value /= 10)
    digits++;
  return digits;
}

/* Length of the escaped text of one step ("/" + token). */
static gsize
step_length(const AtxCfgPath *step)
{
  if (!step->parent)
    return strlen(step->key);
  if (!step->key)
    return 1 + decimal_digits(step->index);
  return 1 + escaped_key_length(step->key);
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
  gsize len = strlen(key);
  if (!key_needs_escape(key, len))
    return memcpy(p - len, key, len);
  for (const char *key_end = key + len; key_end > key;) {
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

static gsize
path_pointer_length(const AtxCfgPath *path)
{
  gsize len = 0;
  for (const AtxCfgPath *step = path; step; step = step->parent)
    len += step_length(step);
  return len;
}

/* Writes the pointer into @buffer (@len + 1 bytes), from the leaf back to the
 * root: the chain only links upwards. */
static char *
path_pointer_write(char *buffer, gsize len, const AtxCfgPath *path)
{
  buffer[len] = '\0';
  char *end = buffer + len;
  for (const AtxCfgPath *step = path; step; step = step->parent)
    end = write_step_before(end, step);
  return buffer;
}

/* The JSON Pointer of @path ("/a/b" + "c" and "/a/b" + 3, escaped). */
static char *
atx_cfg_path_pointer(const AtxCfgPath *path)
{
  gsize len = path_pointer_length(path);
  return path_pointer_write(g_malloc(len + 1), len, path);
}

void
atx_cfg_pointer_init(AtxCfgPointer *pointer, char *buffer, gsize size)
{
  *pointer = (AtxCfgPointer) { buffer, 0, size, buffer };
  buffer[0] = '\0';
}

void
atx_cfg_pointer_clear(AtxCfgPointer *pointer)
{
  if (pointer->text != pointer->stack)
    g_free(pointer->text);
}

/* Room for @n more bytes and the NUL; returns where they go. */
static char *
pointer_reserve(AtxCfgPointer *pointer, gsize n)
{
  if (pointer->len + n >= pointer->size) {
    gsize size = MAX(pointer->size * 2, pointer->len + n + 1);
    if (pointer->text == pointer->stack)
      pointer->text = g_memdup2(pointer->stack, pointer->len + 1);
    pointer->text = g_realloc(pointer->text, size);
    pointer->size = size;
  }
  return pointer->text + pointer->len;
}

gsize
atx_cfg_pointer_push_key(AtxCfgPointer *pointer, const char *key)
{
  gsize before = pointer->len;
  /* Room for the worst case: every character escaped. */
  char *p = pointer_reserve(pointer, 1 + 2 * strlen(key));
  *p++ = '/';
  for (; *key; key++) {
    if (G_UNLIKELY(*key == '~' || *key == '/')) {
      *p++ = '~';
      *p++ = *key == '~' ? '0' : '1';
    } else {
      *p++ = *key;
    }
  }
  *p = '\0';
  pointer->len = (gsize) (p - pointer->text);
  return before;
}

gsize
atx_cfg_pointer_push_plain(AtxCfgPointer *pointer, const AtxCfgField *key)
{
  gsize before = pointer->len;
  char *p = pointer_reserve(pointer, 1 + key->len);
  *p = '/';
  memcpy(p + 1, key->name, key->len + 1);
  pointer->len += 1 + key->len;
  return before;
}

gsize
atx_cfg_pointer_push_index(AtxCfgPointer *pointer, guint index)
{
  gsize before = pointer->len, step_len = 1 + decimal_digits(index);
  char *end = pointer_reserve(pointer, step_len) + step_len;
  *end = '\0';
  *(write_index_before(end, index) - 1) = '/';
  pointer->len += step_len;
  return before;
}

void
atx_cfg_pointer_pop(AtxCfgPointer *pointer, gsize len)
{
  pointer->len = len;
  pointer->text[len] = '\0';
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

void
atx_cfg_report_dns_name(AtxConfigBuild *build, const char *text, const char *code, const AtxCfgPath *at)
{
  g_autofree char *normalized = NULL, *why = NULL;
  atx_dns_name_normalize(text, &normalized, &why);
  atx_cfg_error_at(build, code, at, "invalid DNS name: %s", why);
}

char *
atx_cfg_dns_name(AtxConfigBuild *build, const char *text, const char *code, const AtxCfgPath *at)
{
  const char *name;
  gsize len;
  if (atx_dns_name_check(text, strlen(text), &name, &len))
    return atx_cfg_strdown(build, name, len);
  atx_cfg_report_dns_name(build, text, code, at);
  return NULL;
}

gboolean
atx_cfg_list_contains(const GPtrArray *strings, const char *text)
{
  for (guint i = 0; i < strings->len; i++)
    if (strcmp(g_ptr_array_index(strings, i), text) == 0)
      return TRUE;
  return FALSE;
}
