/* TOML documents as JSON: plain JSON for the schema validator and toml-test's
 * tagged form. Recursion follows the document's nesting, which the parser
 * bounded by max_depth. */
#include "core/toml/toml.h"

#include <math.h>

#include "core/base/instance.h"
#include "core/toml/toml_private.h"

/* Shortest "%.Ng" spelling that reads back as the same double, so 0.1 stays
 * "0.1" instead of "0.10000000000000001". */
static void
format_double(double d, char *buf, gsize size)
{
  static const char *const formats[] = { "%.15g", "%.16g", "%.17g" };
  for (guint i = 0; i < G_N_ELEMENTS(formats); i++) {
    g_ascii_formatd(buf, size, formats[i], d);
    if (g_ascii_strtod(buf, NULL) == d)
      return;
  }
}

const char *
atx_toml_non_finite_text(double d)
{
  if (isnan(d))
    return "nan";
  return d > 0 ? "inf" : "-inf";
}

/* Keys may contain U+0000; jansson accepts those only through the length-taking
 * setter of 2.14. Older versions get the key cut at its first NUL. */
static void
object_set_key(json_t *object, const char *key, gsize len, json_t *value)
{
#if JANSSON_VERSION_HEX >= 0x020e00
  json_object_setn_new_nocheck(object, key, len, value);
#else
  (void)len;
  json_object_set_new_nocheck(object, key, value);
#endif
}

static json_t *
object_from_table(const AtxTomlValue *table, json_t *(*convert)(const AtxTomlValue *))
{
  json_t *object = json_object();
  for (guint32 i = 0; i < table->as.table.len; i++) {
    const AtxTomlEntry *e = &table->as.table.entries[i];
    object_set_key(object, e->key, e->key_len, convert(e->value));
  }
  return object;
}

static json_t *
array_from_array(const AtxTomlValue *array, json_t *(*convert)(const AtxTomlValue *))
{
  json_t *result = json_array();
  for (guint32 i = 0; i < array->as.array.len; i++)
    json_array_append_new(result, convert(array->as.array.items[i]));
  return result;
}

json_t *
atx_toml_to_json(const AtxTomlValue *value)
{
  g_return_val_if_fail(value != NULL, NULL);
  switch ((AtxTomlType)value->type) {
  case ATX_TOML_TABLE:
    return object_from_table(value, atx_toml_to_json);
  case ATX_TOML_ARRAY:
    return array_from_array(value, atx_toml_to_json);
  case ATX_TOML_STRING:
    return json_stringn_nocheck(value->as.string.str, value->as.string.len);
  case ATX_TOML_INTEGER:
    return json_integer(value->as.integer);
  case ATX_TOML_FLOAT:
    /* JSON has no nan/inf; an opaque value keeps them from passing as numbers. */
    if (!isfinite(value->as.floating))
      return atx_json_opaque_new("float", atx_toml_non_finite_text(value->as.floating));
    return json_real(value->as.floating);
  case ATX_TOML_BOOLEAN:
    return json_boolean(value->as.boolean);
  case ATX_TOML_OFFSET_DATETIME:
  case ATX_TOML_LOCAL_DATETIME:
  case ATX_TOML_LOCAL_DATE:
  case ATX_TOML_LOCAL_TIME:
    return atx_json_opaque_new(atx_toml_type_name(value->type), value->as.string.str);
  }
  g_return_val_if_reached(NULL);
}

static const char *
tagged_type_name(AtxTomlType type)
{
  switch (type) {
  case ATX_TOML_STRING: return "string";
  case ATX_TOML_INTEGER: return "integer";
  case ATX_TOML_FLOAT: return "float";
  case ATX_TOML_BOOLEAN: return "bool";
  case ATX_TOML_OFFSET_DATETIME: return "datetime";
  case ATX_TOML_LOCAL_DATETIME: return "datetime-local";
  case ATX_TOML_LOCAL_DATE: return "date-local";
  case ATX_TOML_LOCAL_TIME: return "time-local";
  case ATX_TOML_TABLE:
  case ATX_TOML_ARRAY:
    break;
  }
  g_return_val_if_reached(NULL);
}

static json_t *
tagged_scalar_text(const AtxTomlValue *value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  switch ((AtxTomlType)value->type) {
  case ATX_TOML_STRING:
    return json_stringn_nocheck(value->as.string.str, value->as.string.len);
  case ATX_TOML_INTEGER:
    g_snprintf(buf, sizeof buf, "%" G_GINT64_FORMAT, value->as.integer);
    return json_string(buf);
  case ATX_TOML_FLOAT:
    if (!isfinite(value->as.floating))
      return json_string(atx_toml_non_finite_text(value->as.floating));
    format_double(value->as.floating, buf, sizeof buf);
    return json_string(buf);
  case ATX_TOML_BOOLEAN:
    return json_string(value->as.boolean ? "true" : "false");
  default:
    return json_string(value->as.string.str);
  }
}

json_t *
atx_toml_to_tagged_json(const AtxTomlValue *value)
{
  g_return_val_if_fail(value != NULL, NULL);
  if (value->type == ATX_TOML_TABLE)
    return object_from_table(value, atx_toml_to_tagged_json);
  if (value->type == ATX_TOML_ARRAY)
    return array_from_array(value, atx_toml_to_tagged_json);
  return json_pack("{s:s, s:o}", "type", tagged_type_name(value->type), "value", tagged_scalar_text(value));
}
