#include "core/config_private.h"

#include "core/jsonpointer.h"

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

GPtrArray *
atx_cfg_string_list(const AtxTomlValue *table, const char *key)
{
  const AtxTomlValue *array = atx_cfg_get(table, key, ATX_TOML_ARRAY);
  if (!array)
    return NULL;
  GPtrArray *items = g_ptr_array_new();
  for (guint i = 0; i < atx_toml_array_length(array); i++) {
    const AtxTomlValue *item = atx_toml_array_get(array, i);
    const char *text = NULL;
    gsize len = 0;
    if (atx_toml_value_type(item) == ATX_TOML_STRING) {
      text = atx_toml_value_string(item, &len);
      if (strlen(text) != len)
        text = NULL;
    }
    g_ptr_array_add(items, (gpointer) text);
  }
  return items;
}

char *
atx_cfg_trimmed(const char *text)
{
  return g_strstrip(g_strdup(text));
}

char *
atx_cfg_ptr(const char *base, const char *key)
{
  return atx_json_pointer_join(base, key);
}

char *
atx_cfg_ptr_index(const char *base, guint index)
{
  return atx_json_pointer_join_index(base, index);
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
