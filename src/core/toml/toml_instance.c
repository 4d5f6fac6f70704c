/* TOML documents as JSON Schema instances, read in place.
 *
 * The class answers exactly as atx_toml_to_json's result would through
 * atx_json_instance_class(): tables are objects with their keys in document
 * order, floats are reals, and what JSON cannot hold (nan, inf, dates and
 * times) is opaque under the name atx_toml_type_name() gives it ("float",
 * "local date", ...), with the text the conversion would store. So validating
 * a document directly and validating its conversion give the same errors, and
 * no jansson tree is built or freed for it. */
#include "core/toml/toml.h"

#include <math.h>

#include "core/toml/toml_private.h"

static AtxJsonInstanceKind
toml_kind(gconstpointer handle)
{
  const AtxTomlValue *value = handle;
  switch ((AtxTomlType) value->type) {
  case ATX_TOML_TABLE:
    return ATX_JSON_INSTANCE_OBJECT;
  case ATX_TOML_ARRAY:
    return ATX_JSON_INSTANCE_ARRAY;
  case ATX_TOML_STRING:
    return ATX_JSON_INSTANCE_STRING;
  case ATX_TOML_INTEGER:
    return ATX_JSON_INSTANCE_INTEGER;
  case ATX_TOML_FLOAT:
    return isfinite(value->as.floating) ? ATX_JSON_INSTANCE_REAL : ATX_JSON_INSTANCE_OPAQUE;
  case ATX_TOML_BOOLEAN:
    return ATX_JSON_INSTANCE_BOOLEAN;
  case ATX_TOML_OFFSET_DATETIME:
  case ATX_TOML_LOCAL_DATETIME:
  case ATX_TOML_LOCAL_DATE:
  case ATX_TOML_LOCAL_TIME:
    break;
  }
  return ATX_JSON_INSTANCE_OPAQUE;
}

static gboolean
toml_boolean(gconstpointer handle)
{
  return ((const AtxTomlValue *) handle)->as.boolean;
}

static gint64
toml_integer(gconstpointer handle)
{
  return ((const AtxTomlValue *) handle)->as.integer;
}

static double
toml_real(gconstpointer handle)
{
  return ((const AtxTomlValue *) handle)->as.floating;
}

static const char *
toml_string(gconstpointer handle, gsize *len_out)
{
  const AtxTomlValue *value = handle;
  *len_out = value->as.string.len;
  return value->as.string.str;
}

static const char *
toml_opaque(gconstpointer handle, const char **text_out)
{
  const AtxTomlValue *value = handle;
  if (value->type == ATX_TOML_FLOAT)
    *text_out = atx_toml_non_finite_text(value->as.floating);
  else
    *text_out = value->as.string.str; /* the RFC 3339 text */
  return atx_toml_type_name(value->type);
}

static gsize
toml_object_size(gconstpointer handle)
{
  return ((const AtxTomlValue *) handle)->as.table.len;
}

/* The cursor is the entry returned last. */
static gboolean
toml_object_next(gconstpointer handle, gconstpointer *cursor, AtxJsonInstanceMember *member_out)
{
  const AtxTomlValue *table = handle;
  const AtxTomlEntry *last = *cursor;
  guint32 index = last ? (guint32) (last - table->as.table.entries) + 1 : 0;
  if (index >= table->as.table.len)
    return FALSE;
  const AtxTomlEntry *entry = &table->as.table.entries[index];
  *cursor = entry;
  member_out->key = entry->key;
  member_out->key_len = entry->key_len;
  member_out->value = entry->value;
  return TRUE;
}

static gconstpointer
toml_object_get(gconstpointer handle, const char *key, gsize key_len)
{
  const AtxTomlEntry *entry = atx_toml_table_find(handle, key, key_len);
  return entry ? entry->value : NULL;
}

static gsize
toml_array_length(gconstpointer handle)
{
  return ((const AtxTomlValue *) handle)->as.array.len;
}

static gconstpointer
toml_array_get(gconstpointer handle, gsize index)
{
  return ((const AtxTomlValue *) handle)->as.array.items[index];
}

static const AtxJsonInstanceClass toml_class = {
  .kind = toml_kind,
  .boolean = toml_boolean,
  .integer = toml_integer,
  .real = toml_real,
  .string = toml_string,
  .opaque = toml_opaque,
  .object_size = toml_object_size,
  .object_next = toml_object_next,
  .object_get = toml_object_get,
  .array_length = toml_array_length,
  .array_get = toml_array_get,
};

const AtxJsonInstanceClass *
atx_toml_instance_class(void)
{
  return &toml_class;
}
